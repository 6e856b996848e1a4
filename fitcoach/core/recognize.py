"""Exercise recognition: which shipped exercise is this landmark recording doing?

Used by ``fitcoach analyze --exercise auto`` (pick the exercise) and by ``analyze -e ID`` (warn
when the named exercise clearly is not what the camera sees); `recognize(rec)` is Qt-free so
the app's "what am I doing?" can call it too.

Design (and why)
----------------
Counting reps with every exercise's own driver does not work (a prototype got 10/36 on real
clips): drivers co-activate - a squat bends the knee *and* the hip, a lunge is a squat to
the knee driver. What separates exercises is posture context plus which joints move: the
features (`fitcoach.core.recognizer_features`, re-exported here) are posture medians, motion
ranges and left/right symmetry over the whole recording, computed vectorised in milliseconds.

The classifier is multinomial logistic regression (softmax) on standardised features with an
L2 penalty, trained only on synthetic takes (`fitcoach.core.synth`) of every exercise, seen
from many yaws, elevations, distances, bodies, tempos, depths, noise levels and either side.
A linear model on 60 interpretable features is small (17 kB), cannot memorise the synthetic
renderer's quirks as easily as a bigger model, trains in seconds with numpy, and needs numpy
only at inference. Real recordings are never used to fit it: they are pure evaluation
(bench/recognition.py). Three things close the gap between the clean renderer and real video:
noisy copies of every training row (about MediaPipe's noise: ~8 degrees, ~0.1 for ratios;
ranges only grow), a quarter of the copies without their leg features (close-ups of arm
exercises cut the legs off; on real input legs seen with visibility < 0.3 are dropped), and
random arm poses in lower-body exercises (people squat with their arms anyhow).

Confidence is the softmax probability after a temperature fitted on held-out synthetic takes
(different seeds and bodies). Those are easy (the fit ends at the grid's floor, 0.5), so on
real video the confidence is optimistic: bench/recognition.py reports how often a confidence
>= 0.8 is right (about 85 % on real clips, 70 % on UI-PRMD, against 100 % on synthetic).
The mismatch warning (`mismatch`) is conservative: it fires only when the top exercise has
confidence >= MISMATCH_CONFIDENCE, the named one gets less than MISMATCH_NAMED_MAX, and the two
are not close relatives (LOOK_ALIKES: bicep vs hammer curl, squat vs sit-to-stand, ...).

Model file: ``models/exercise_recognizer.npz`` (schema `fitcoach.exercise-recognizer/1`),
rebuilt by ``python bench/recognition.py --train models/exercise_recognizer.npz``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitcoach.core.errors import FitCoachError
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.core.recognizer_features import (  # noqa: F401  (MAX_FRAMES, features, ...: re-exported)
    LEG_FEATURES,
    MAX_FRAMES,
    MIN_FRAMES,
    feature_names,
    features,
    frames_with_person,
)

MODEL_SCHEMA = "fitcoach.exercise-recognizer/1"
MODEL_FILE = "exercise_recognizer.npz"
MISMATCH_CONFIDENCE = 0.8  # the recogniser must be at least this sure of another exercise
MISMATCH_NAMED_MAX = 0.05  # ... and give the named one less than this
LEG_DROP_RATE = 0.25  # training: share of takes whose leg features are removed (close-ups)


# --- the classifier ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recognition:
    id: str  # the most likely exercise
    confidence: float  # its calibrated probability, 0..1
    alternatives: list[tuple[str, float]]  # the next most likely (id, probability), best first
    probabilities: dict[str, float]  # every known exercise

    def to_json(self, n_alt: int = 3) -> dict:
        return {"id": self.id, "confidence": round(self.confidence, 3),
                "alternatives": [{"id": i, "confidence": round(c, 3)} for i, c in self.alternatives[:n_alt]]}


@dataclass(frozen=True)
class RecognizerModel:
    classes: list[str]
    mean: np.ndarray  # (D,) feature means (training set)
    std: np.ndarray  # (D,)
    W: np.ndarray  # (D, K)
    b: np.ndarray  # (K,)
    temperature: float = 1.0

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """(N, D) raw features -> (N, K) probabilities."""
        z = (np.atleast_2d(X) - self.mean) / self.std
        z = np.where(np.isfinite(z), z, 0.0)  # unmeasurable: the training average
        z = np.clip(z, -6.0, 6.0)  # a wild value must not dominate the vote
        return _softmax((z @ self.W + self.b) / self.temperature)

    def save(self, path: str | Path) -> None:
        """An .npz np.load reads, byte-identical for the same weights (fixed member dates)."""
        import io
        import zipfile

        arrays = {"schema": np.array(MODEL_SCHEMA), "classes": np.array(self.classes),
                  "features": np.array(feature_names()), "mean": self.mean, "std": self.std,
                  "W": self.W, "b": self.b, "temperature": np.array(self.temperature)}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for k, v in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.asarray(v), allow_pickle=False)
                info = zipfile.ZipInfo(f"{k}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, buf.getvalue())

    @staticmethod
    def load(path: str | Path) -> "RecognizerModel":
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["schema"]) != MODEL_SCHEMA:
                    raise FitCoachError(f"{path}: not an exercise recogniser ({MODEL_SCHEMA})")
                if list(z["features"]) != feature_names():
                    raise FitCoachError(f"{path}: made for other features; rebuild it (bench/recognition.py --train)")
                m = RecognizerModel([str(c) for c in z["classes"]], z["mean"], z["std"], z["W"], z["b"],
                                    float(z["temperature"]))
        except FitCoachError:
            raise
        except (OSError, KeyError, ValueError) as e:
            raise FitCoachError(f"{path}: unreadable exercise recogniser ({e})") from None
        return m


def _softmax(a: np.ndarray) -> np.ndarray:
    a = a - a.max(axis=1, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=1, keepdims=True)


def fit_logistic(X: np.ndarray, y: np.ndarray, classes: list[str], l2: float = 1e-2,
                 iters: int = 1500, lr: float = 0.5) -> RecognizerModel:
    """Multinomial logistic regression by full-batch gradient descent (deterministic)."""
    mean = np.nanmean(X, axis=0)
    std = np.nanstd(X, axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    std = np.where(np.isfinite(std) & (std > 1e-6), std, 1.0)
    model = RecognizerModel(classes, mean, std, np.zeros((X.shape[1], len(classes))), np.zeros(len(classes)))
    Z = np.clip(np.where(np.isfinite((X - mean) / std), (X - mean) / std, 0.0), -6, 6)
    Y = np.eye(len(classes))[y]
    W, b = model.W.copy(), model.b.copy()
    # Nesterov-free momentum gradient descent; the loss is convex so this converges.
    vW, vb = np.zeros_like(W), np.zeros_like(b)
    for _ in range(iters):
        P = _softmax(Z @ W + b)
        G = (P - Y) / len(Z)
        gW = Z.T @ G + l2 * W
        gb = G.sum(axis=0)
        vW = 0.9 * vW - lr * gW
        vb = 0.9 * vb - lr * gb
        W += vW
        b += vb
    return RecognizerModel(classes, mean, std, W, b)


def fit_temperature(model: RecognizerModel, X: np.ndarray, y: np.ndarray) -> RecognizerModel:
    """The temperature (0.5-5) minimising held-out log loss (grid search; deterministic)."""
    best, best_t = math.inf, 1.0
    for t in np.round(np.arange(0.5, 5.01, 0.05), 2):
        m = RecognizerModel(model.classes, model.mean, model.std, model.W, model.b, float(t))
        P = m.probabilities(X)
        loss = -float(np.mean(np.log(P[np.arange(len(y)), y] + 1e-12)))
        if loss < best:
            best, best_t = loss, float(t)
    return RecognizerModel(model.classes, model.mean, model.std, model.W, model.b, best_t)


# --- synthetic training data -----------------------------------------------------------------


def synthetic_take(exercise: str, seed: int):
    """One randomised synthetic take of `exercise` (view, body, tempo, depth, noise, side)."""
    from dataclasses import replace

    from fitcoach.core import synth

    rng = np.random.default_rng([seed, sum(map(ord, exercise))])
    body = synth.Body().scaled(float(rng.uniform(0.85, 1.15)), rng, 0.05)
    s = float(rng.uniform(0.6, 1.6))
    tempo = tuple(float(x) * s for x in (1.5, 0.4, 1.2, 0.6))
    rest, far = synth.MOTIONS[exercise]
    if rng.random() < 0.5:  # the other side (unilateral exercises; bilateral ones barely change)
        rest, far = synth.mirror(rest), synth.mirror(far)
    if exercise in _FREE_ARMS:  # what the arms do is no part of these exercises: randomise it
        a_rest, a_far = _ARM_POSES[int(rng.integers(len(_ARM_POSES)))], _ARM_POSES[int(rng.integers(len(_ARM_POSES)))]
        if rng.random() < 0.5:
            a_far = a_rest  # arms held still through the rep
        rest, far = replace(rest, **_arms(a_rest)), replace(far, **_arms(a_far))
    take = synth.Take(
        exercise=exercise, reps=int(rng.integers(2, 8)), tempo=tempo, depth=float(rng.uniform(0.6, 1.05)),
        lead_in_s=float(rng.uniform(0.3, 3.0)), tail_s=float(rng.uniform(0.3, 2.0)),
        fps=float(rng.choice([24.0, 25.0, 30.0])), yaw_deg=float(rng.uniform(-90, 90)),
        elevation_deg=float(rng.uniform(-5, 25)), distance_m=float(rng.uniform(2.2, 4.5)),
        frame_size=((640, 480), (1280, 720), (480, 854))[int(rng.integers(3))],
        noise=float(rng.uniform(0.002, 0.006)), drop_rate=float(rng.uniform(0, 0.05)),
        body=body, seed=int(rng.integers(1 << 30)), alternate=bool(rng.random() < 0.5),
        hold_s=float(rng.uniform(5, 25)), vis_drop_rate=float(rng.uniform(0, 0.04)),
        motion=(rest, far), jitter=float(rng.uniform(0, 0.004)),
    )
    if exercise not in ("lunge", "side_lunge", "hurdle_step", "inline_lunge", "straight_leg_raise"):
        take = replace(take, alternate=False)
    rec, _ = synth.generate(take)
    return rec


# Lower-body exercises where people hold their arms anyhow (forward for balance, on the hips,
# crossed, hanging) - the renderer's one arm pose per exercise would teach the model otherwise.
_FREE_ARMS = ("squat", "sit_to_stand", "lunge", "side_lunge", "inline_lunge", "hurdle_step")
_ARM_POSES = ((0.0, 0.0, 5.0), (85.0, 0.0, 10.0), (80.0, 0.0, 60.0), (15.0, 35.0, 100.0), (40.0, 10.0, 130.0),
              (20.0, 5.0, 80.0))  # (shoulder_flex, shoulder_abd, elbow_flex) degrees


def _arms(a: tuple[float, float, float]) -> dict:
    f, b, e = a
    return {"shoulder_flex": (f, f), "shoulder_abd": (b, b), "elbow_flex": (e, e)}


def synthetic_features(exercises: list[str], n_per: int, seed0: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = [], []
    for k, ex in enumerate(exercises):
        for i in range(n_per):
            X.append(features(synthetic_take(ex, seed0 + i)))
            y.append(k)
    return np.stack(X), np.asarray(y)


def _noise_scale() -> np.ndarray:
    """Per-feature size of the pose model's measurement noise on real video: ~8 degrees for an
    angle, ~0.1 for a ratio or direction cosine (the synthetic renderer is far cleaner)."""
    angles = ("knee", "hip", "elbow", "shoulder", "upper_arm_from_down", "thigh_from_down",
              "shin_from_down", "trunk_from_down")
    return np.array([8.0 if n.split(".")[0] in angles else 0.1 for n in feature_names()])


def augment(X: np.ndarray, y: np.ndarray, copies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`copies` noisy copies of each row: medians jitter, ranges only grow (noise widens p95-p5),
    so the model cannot lean on a feature that is only tiny because the renderer is clean."""
    rng = np.random.default_rng(seed)
    s = _noise_scale()
    is_range = np.array([".range" in n for n in feature_names()])
    legs = np.array([n.split(".")[0] in LEG_FEATURES for n in feature_names()])
    out = [X]
    for _ in range(copies):
        e = rng.normal(0.0, 1.0, X.shape) * s
        Xn = X + np.where(is_range, np.abs(e), e)
        # some takes framed without the legs, as close-ups of arm exercises often are
        drop = rng.random(len(X)) < LEG_DROP_RATE
        Xn[np.ix_(drop, legs)] = np.nan
        out.append(Xn)
    return np.concatenate(out), np.tile(y, copies + 1)


def train(exercises: list[str], n_per: int = 30, n_cal: int = 8, seed: int = 0,
          data: tuple | None = None) -> RecognizerModel:
    """Fit on `n_per` synthetic takes per exercise (plus noisy copies); the temperature on
    `n_cal` other takes (noisy too). `data`: precomputed ((X, y), (Xc, yc))."""
    if data is None:
        data = (synthetic_features(exercises, n_per, seed * 100_000),
                synthetic_features(exercises, n_cal, seed * 100_000 + 50_000))
    (X, y), (Xc, yc) = data
    model = fit_logistic(*augment(X, y, 3, seed), list(exercises))
    return fit_temperature(model, *augment(Xc, yc, 1, seed + 1))


# --- public API -----------------------------------------------------------------------------

_cache: dict[str, RecognizerModel] = {}


def default_model_path() -> Path:
    from fitcoach.core.models import models_dir

    return models_dir() / MODEL_FILE


def load_default_model() -> RecognizerModel:
    p = default_model_path()
    key = str(p)
    if key not in _cache:
        if not p.exists():
            raise FitCoachError(f"{p}: exercise recogniser missing (rebuild: bench/recognition.py --train)")
        _cache[key] = RecognizerModel.load(p)
    return _cache[key]


def recognize(rec: LandmarkRecording, model: RecognizerModel | None = None,
              allowed: list[str] | None = None) -> Recognition:
    """Which exercise `rec` shows. `allowed`: only these ids (e.g. the loaded catalogue).

    Raises FitCoachError when the recording has too few frames with a person to tell.
    """
    model = model or load_default_model()
    n = frames_with_person(rec)
    if n < MIN_FRAMES:
        raise FitCoachError(f"cannot recognise the exercise: a person is seen in only {n} frames")
    P = model.probabilities(features(rec))[0]
    ids = list(model.classes)
    if allowed is not None:
        keep = np.array([c in set(allowed) for c in ids])
        if not keep.any():
            raise FitCoachError("cannot recognise the exercise: none of the loaded exercises is known to the recogniser")
        P = np.where(keep, P, 0.0)
        P = P / P.sum()
    order = np.argsort(-P, kind="stable")
    probs = {ids[i]: float(P[i]) for i in order}
    return Recognition(ids[order[0]], float(P[order[0]]), [(ids[i], float(P[i])) for i in order[1:]], probs)


# Movement families: the same main joint action in the same posture, told apart by details
# (grip, stance, plane, a chair) that landmarks show poorly. Naming a relative of what the
# recogniser sees is not a mistake worth a warning. Written from the exercises' definitions.
LOOK_ALIKES: tuple[frozenset[str], ...] = tuple(frozenset(g) for g in (
    ("bicep_curl", "hammer_curl"),
    ("squat", "sit_to_stand"),
    ("lunge", "inline_lunge", "side_lunge"),
    ("deadlift", "romanian_deadlift"),
    ("situp", "crunch"),
    ("front_raise", "shoulder_flexion", "shoulder_scaption"),
    ("lateral_raise", "shoulder_abduction", "shoulder_scaption"),
    ("shoulder_press", "wall_angel"),
))


def look_alike(a: str, b: str) -> bool:
    return a == b or any(a in g and b in g for g in LOOK_ALIKES)


def mismatch(named: str, r: Recognition) -> str | None:
    """The warning text when `named` clearly is not what `r` saw, else None (also for an
    exercise the recogniser was not trained on: it cannot judge those)."""
    if named not in r.probabilities or look_alike(named, r.id) or r.confidence < MISMATCH_CONFIDENCE:
        return None
    if r.probabilities[named] >= MISMATCH_NAMED_MAX:
        return None
    return (f"the movement looks like {r.id} (confidence {r.confidence:.2f}), not {named}; "
            f"check -e/--exercise (or use -e auto)")

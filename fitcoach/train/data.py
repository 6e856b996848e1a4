"""Synthetic, labelled rep data for the form scorer.

Every rep exercise in the catalogue is performed by the synthetic exerciser with varied body
proportions, tempo, depth, camera view (yaw, elevation, distance), MediaPipe-like noise,
jitter, visibility drops and missed frames, and with faults injected on purpose
(`fitcoach.core.synth_faults`). Each take runs through the real pipeline (landmark recording
-> smoothing -> rep tracker), and each rep the pipeline finds is matched to the rep the
generator made, whose faults and depth are the labels.

The held-out split differs from training in what the model has not seen: camera elevation
(25-32 deg vs 0-20), body scale (0.80-0.86 or 1.14-1.20 vs 0.88-1.12) and other seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fitcoach.core import synth
from fitcoach.core.exercises import Exercise, ExerciseCatalog
from fitcoach.core.pipeline import Pipeline
from fitcoach.core.scorer import PARTIAL_FAULT
from fitcoach.io.sources import RecordingSource
from fitcoach.core.synth_faults import fault_ids

YAW = {"front": (0.0,), "side": (90.0, -90.0), "oblique": (45.0, -45.0), "back": (180.0,)}
PARTIAL_DEPTH = 0.75  # reps below this fraction of the full motion are labelled partial
FAULT_P = 0.3  # chance that a given fault is injected into a rep


@dataclass
class Sample:
    exercise: str
    view: str
    x: np.ndarray  # feature vector
    faults: dict[str, int]  # applicable fault id -> 0/1
    quality: float  # 0..1


def quality_label(severities: dict[str, float], depth: float) -> float:
    """1 = a clean, full rep. Each fault costs up to 0.45, a shallow rep up to 0.5."""
    cost = sum(0.45 * s for s in severities.values())
    if depth < 0.95:
        cost += min(0.5, (0.95 - depth) * 1.1)
    return float(max(0.0, 1.0 - cost))


def exercise_faults(ex: Exercise) -> list[str]:
    return sorted(fault_ids(ex.id) + [PARTIAL_FAULT])


def make_take(ex: Exercise, seed: int, heldout: bool) -> tuple[synth.Take, list[dict[str, float]], list[float]]:
    rng = np.random.default_rng(seed)
    view = ex.view_recommended[int(rng.integers(len(ex.view_recommended)))]
    yaws = YAW[view]
    yaw = float(yaws[int(rng.integers(len(yaws)))] + rng.uniform(-12, 12))
    if ex.laterality == "unilateral" and view != "front":
        yaw = -abs(yaw)  # the generator moves the left limb; keep it toward the camera
    elevation = float(rng.uniform(25, 32) if heldout else rng.uniform(0, 20))
    if heldout:
        scale = float(rng.uniform(0.80, 0.86) if rng.random() < 0.5 else rng.uniform(1.14, 1.20))
    else:
        scale = float(rng.uniform(0.88, 1.12))
    body = synth.Body().scaled(scale, rng, 0.05)
    n = 3
    tempo0 = ex.tempo or synth.Take().tempo
    if not isinstance(tempo0, tuple):
        tempo0 = (tempo0.down, tempo0.bottom, tempo0.up, tempo0.top)
    k = float(rng.uniform(0.6, 1.4))
    tempo = tuple(max(0.1, v * k) for v in tempo0)
    faults = fault_ids(ex.id)
    rep_faults, depths = [], []
    for _ in range(n):
        f = {fid: float(rng.uniform(0.4, 1.0)) for fid in faults if rng.random() < FAULT_P}
        depth = float(rng.uniform(0.45, 0.7) if rng.random() < 0.2 else rng.uniform(0.9, 1.05))
        rep_faults.append(f)
        depths.append(depth)
    dist = {"chin_tuck": 1.5, "shrug": 1.8}.get(ex.id, float(rng.uniform(2.6, 3.6)))
    take = synth.Take(
        exercise=ex.id, reps=n, tempo=tempo, depths=depths, yaw_deg=yaw, elevation_deg=elevation,
        distance_m=dist, fps=float(rng.choice([15.0, 24.0, 30.0])), noise=float(rng.uniform(0.001, 0.004)),
        drop_rate=float(rng.uniform(0.0, 0.04)), vis_drop_rate=float(rng.uniform(0.0, 0.02)),
        jitter=float(rng.uniform(0.0, 0.002)), body=body, seed=int(seed), rep_faults=rep_faults,
        alternate=ex.laterality == "alternating", lead_in_s=float(rng.uniform(0.5, 1.2)),
    )
    return take, rep_faults, depths


def samples_for_take(args: tuple[str, int, bool, list[str]]) -> list[Sample]:
    ex_id, seed, heldout, exercises = args
    ex = ExerciseCatalog.load().get(ex_id)
    take, rep_faults, depths = make_take(ex, seed, heldout)
    rec, truth = synth.generate(take)
    pipe = Pipeline(ex, frame_size=rec.frame_size, collect_features=exercises)
    for frame in RecordingSource(rec):
        pipe.step(frame)
    pipe.finish()
    out = []
    applicable = exercise_faults(ex)
    for rep, vec in zip(pipe.reps, pipe.rep_vectors):
        # match to the generated rep it overlaps most
        best, best_ov = -1, 0.0
        for k, (a, b) in enumerate(truth.rep_windows):
            ov = min(b, rep.t_end_s) - max(a, rep.t_start_s)
            if ov > best_ov:
                best, best_ov = k, ov
        if best < 0 or best_ov < 0.4 * (rep.t_end_s - rep.t_start_s):
            continue
        sev, depth = rep_faults[best], depths[best]
        labels = {f: int(f in sev) for f in applicable if f != PARTIAL_FAULT}
        labels[PARTIAL_FAULT] = int(depth < PARTIAL_DEPTH)
        out.append(Sample(ex_id, rep.view, vec, labels, quality_label(sev, depth)))
    return out


def rep_exercises(catalog: ExerciseCatalog) -> list[str]:
    return [e.id for e in catalog if e.kind == "reps" and e.id in synth.MOTIONS]


def build(exercises: list[str], takes_per_exercise: int, seed: int, heldout: bool, workers: int = 2) -> list[Sample]:
    base = 1_000_003 if heldout else 0
    jobs = [(ex_id, seed * 7919 + base + 1000 * i + j, heldout, exercises)
            for i, ex_id in enumerate(exercises) for j in range(takes_per_exercise)]
    if workers > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(samples_for_take, jobs, chunksize=4)
    else:
        parts = [samples_for_take(j) for j in jobs]
    return [s for part in parts for s in part]

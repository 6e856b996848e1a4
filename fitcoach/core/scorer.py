"""The form scorer at run time: an ONNX model (trained by `fitcoach train scorer`) run with
onnxruntime only. One rep's feature vector in; a quality score 0-100 and a probability per
fault out.

The input contract is checked when the model loads (feature layout version, vector length,
output width, exercise and fault lists in the model's metadata); a model that does not match
this code is refused with a message that says why, never silently misread.

Combining rules and model (see `combine`): the rule thresholds in the exercise file (which a
physiotherapist may override) decide what is measured against what target; the model says
how confident it is. A fault is reported when its rule fires (with the model's probability
attached), or when the model is very sure (p >= MODEL_ONLY_P) though the rule did not fire
(then the report still gives the rule's measured value and target, and says it came from the
model).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitcoach.core.errors import FitCoachError
from fitcoach.core.features import FEATURE_VERSION, RATIO_CLIP, measure_ids, rep_measures, vector_size
from fitcoach.core.metrics import METRICS
from fitcoach.core.models import models_dir

SCORER_FILE = "form_scorer.onnx"
MODEL_ONLY_P = 0.85
PARTIAL_FAULT = "incomplete_range"


class ScorerError(FitCoachError):
    """The scorer model is missing parts of its contract."""


@dataclass(frozen=True, slots=True)
class RepScore:
    score: float  # 0-100
    fault_p: dict[str, float]  # only the faults the model knows for this exercise
    reasons: tuple[dict, ...] = ()  # the measures furthest outside what correct reps show (see `explain`)
    basis: str | None = None  # "real": trained on real labelled reps of this exercise; "synthetic": not


# Names of the interpretable measures (`features.measure_ids()`), English; the GUI translates them.
METRIC_LABELS = {
    "knee": "knee angle", "hip": "hip angle", "elbow": "elbow angle", "shoulder": "shoulder angle",
    "shoulder_flexion": "arm raised forward", "shoulder_abduction": "arm raised sideways",
    "shoulder_external_rotation": "forearm turned out", "body_line": "shoulder-hip-ankle line",
    "shin_lean": "shin lean", "heel_lift_ratio": "heel lift", "knee_valgus_ratio": "knee caving in",
    "craniovertebral": "head uprightness", "trunk_lean": "trunk lean", "body_incline": "body incline",
    "hip_line_offset_ratio": "hips off the body line", "knee_width_ratio": "knee width / ankle width",
    "ankle_spread_ratio": "ankle spread / hip width", "shoulder_tilt": "shoulder tilt",
    "shoulder_elevation_ratio": "ear-to-shoulder height", "pelvic_obliquity": "pelvic tilt",
}
SIDE_LABELS = {"min": "smaller side", "max": "larger side"}
STAT_LABELS = {"lowest": "lowest in the rep", "highest": "highest in the rep"}
REASON_TEMPLATE = "{name} {value}; correct reps: {range}"
MAX_REASONS = 3
MIN_SPREAD = {"deg": 4.0, "ratio": 0.04}  # a correct range narrower than this is widened to it
# A measure is a reason when at least this many range widths outside it. Chosen among 0.25, 0.5
# and 1.0 by how often reps get a reason (correct / incorrect reps): synthetic held-out 0.34 /
# 0.87, 0.22 / 0.75, 0.03 / 0.62; UI-PRMD with ranges from the other subjects 0.77 / 0.97,
# 0.57 / 0.93, 0.25 / 0.74 (bench/scorer_real.py prints the last).
MIN_OUTSIDE = 1.0


def measure_label(measure: str, tr=lambda s: s) -> str:
    """`knee.min.lowest` -> "knee angle (smaller side), lowest in the rep" (each part through `tr`)."""
    parts = measure.split(".")
    name = tr(METRIC_LABELS.get(parts[0], parts[0].replace("_", " ")))
    if len(parts) == 3:
        name += f" ({tr(SIDE_LABELS[parts[1]])})"
    return f"{name}, {tr(STAT_LABELS[parts[-1]])}"


def _fmt_value(v: float, unit: str) -> str:
    return f"{v:.0f}°" if unit == "deg" else f"{v:.2f}"


def reason_text(reason: dict, tr=lambda s: s) -> str:
    """One explanation line ("knee angle (smaller side), lowest in the rep 118°; correct reps: 85–100°")."""
    lo, hi = reason["correct_range"]
    unit = reason["unit"]
    rng = f"{lo:.0f}–{hi:.0f}°" if unit == "deg" else f"{lo:.2f}–{hi:.2f}"
    return tr(REASON_TEMPLATE).format(name=measure_label(reason["measure"], tr),
                                      value=_fmt_value(reason["value"], unit), range=rng)


def outside(v: float, lo: float, hi: float, unit: str) -> float:
    """How far `v` lies outside [lo, hi], in units of the range's width (at least `MIN_SPREAD`)."""
    return max(lo - v, v - hi, 0.0) / max(hi - lo, MIN_SPREAD[unit])


def censored(lo: float, hi: float, unit: str) -> bool:
    """A correct range that reaches a ratio's clip bound (`features.RATIO_CLIP`) says the correct
    reps were beyond what the feature measures (e.g. 3.00-3.00: a near-zero denominator in every
    one), so nothing can be compared with it."""
    return unit == "ratio" and max(abs(lo), abs(hi)) >= RATIO_CLIP - 1e-6


def explain(values: np.ndarray, ranges: dict[str, list[float]], limit: int = MAX_REASONS) -> tuple[dict, ...]:
    """The measures furthest outside the range correct reps show, worst first, one per metric.

    `values`: `features.rep_measures` of the rep; `ranges`: measure id -> [low, high] learnt
    from correct reps of the exercise (and view). Distance = how far outside, in units of the
    range's width (at least `MIN_SPREAD`); measures less than `MIN_OUTSIDE` widths outside their
    range, and ranges that are `censored`, are not reasons."""
    ids = measure_ids()
    scored = []
    for i, m in enumerate(ids):
        if m not in ranges or not np.isfinite(values[i]):
            continue
        lo, hi = ranges[m]
        unit = METRICS[m.split(".")[0]].unit
        if censored(lo, hi, unit):
            continue
        v = float(values[i])
        d = outside(v, lo, hi, unit)
        if d < MIN_OUTSIDE:  # within the spread of correct reps' own variation: no reason
            continue
        scored.append((d, m, v, lo, hi, unit))
    scored.sort(key=lambda t: -t[0])
    seen, reasons = set(), []
    for _d, m, v, lo, hi, unit in scored:
        metric = m.split(".")[0]
        if metric in seen:
            continue
        seen.add(metric)
        r = {"measure": m, "value": round(v, 1 if unit == "deg" else 3), "unit": unit,
             "correct_range": [round(lo, 1 if unit == "deg" else 3), round(hi, 1 if unit == "deg" else 3)]}
        r["text"] = reason_text(r)
        reasons.append(r)
        if len(reasons) >= limit:
            break
    return tuple(reasons)


class FormScorer:
    def __init__(self, path: str | Path) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.exists():
            raise ScorerError(f"{path}: form scorer model not found")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        try:
            self._sess = ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types
            raise ScorerError(f"{path}: not a loadable ONNX model ({e})") from None
        meta = self._sess.get_modelmeta().custom_metadata_map
        for key in ("feature_version", "exercises", "faults", "fault_mask"):
            if key not in meta:
                raise ScorerError(f"{path}: model metadata lacks {key!r}")
        if meta["feature_version"] != FEATURE_VERSION:
            raise ScorerError(
                f"{path}: model expects features {meta['feature_version']!r}, this FitCoach makes {FEATURE_VERSION!r}"
            )
        self.exercises: list[str] = json.loads(meta["exercises"])
        self.faults: list[str] = json.loads(meta["faults"])
        self.mask: dict[str, list[str]] = json.loads(meta["fault_mask"])
        self.info = dict(meta)
        inputs, outputs = self._sess.get_inputs(), self._sess.get_outputs()
        want = vector_size(len(self.exercises))
        if len(inputs) != 1 or inputs[0].name != "features" or inputs[0].shape[-1] != want:
            raise ScorerError(f"{path}: input must be 'features' [N, {want}], got "
                              f"{[(i.name, i.shape) for i in inputs]}")
        if inputs[0].type != "tensor(float)":
            raise ScorerError(f"{path}: input must be float32, got {inputs[0].type}")
        if len(outputs) != 1 or outputs[0].shape[-1] != 1 + len(self.faults):
            raise ScorerError(f"{path}: output must be [N, {1 + len(self.faults)}] (score + faults)")
        self._in = inputs[0].name
        self._fault_index = {f: i for i, f in enumerate(self.faults)}
        # Optional parts (models before issue 14 lack them): ranges of correct reps per exercise
        # and view ({exercise: {view | "any": {measure: [lo, hi]}}}) and the basis of each score.
        try:
            self.reference: dict = json.loads(meta.get("reference_ranges", "{}"))
            self.basis: dict[str, str] = json.loads(meta.get("score_basis", "{}"))
        except json.JSONDecodeError as e:
            raise ScorerError(f"{path}: model metadata reference_ranges/score_basis is not JSON ({e})") from None
        known = set(measure_ids())
        for ex_id, by_view in self.reference.items():
            for view, ranges in by_view.items():
                bad = [m for m, r in ranges.items() if m not in known or len(r) != 2 or not r[0] <= r[1]]
                if bad:
                    raise ScorerError(f"{path}: reference_ranges[{ex_id!r}][{view!r}] has bad entries {bad[:3]}")

    def knows(self, exercise_id: str) -> bool:
        return exercise_id in self.exercises

    def score(self, vector: np.ndarray, exercise_id: str, view: str | None = None) -> RepScore:
        """Score one rep; with `view` (the rep's camera view, or "unknown") also its explanation."""
        x = np.asarray(vector, np.float32).reshape(1, -1)
        y = self._sess.run(None, {self._in: x})[0][0]
        probs = {f: float(y[1 + self._fault_index[f]]) for f in self.mask.get(exercise_id, [])}
        reasons = self.reasons(x[0], exercise_id, view) if view is not None else ()
        return RepScore(round(float(y[0]) * 100.0, 1), probs, reasons, self.basis.get(exercise_id))

    def reasons(self, vector: np.ndarray, exercise_id: str, view: str) -> tuple[dict, ...]:
        """The measures furthest outside the ranges of this exercise's correct reps (seen from
        `view` when the model has ranges for it, else from any view); () without ranges."""
        by_view = self.reference.get(exercise_id, {})
        ranges = by_view.get(view, by_view.get("any"))
        return explain(rep_measures(vector), ranges) if ranges else ()


def default_scorer_path() -> Path:
    return models_dir() / SCORER_FILE


def load_default_scorer() -> FormScorer | None:
    """The shipped scorer, or None when the file is absent (scores are then null)."""
    p = default_scorer_path()
    return FormScorer(p) if p.exists() else None


def model_confidence(p: float | None) -> float | None:
    return None if p is None or math.isnan(p) else round(p, 3)

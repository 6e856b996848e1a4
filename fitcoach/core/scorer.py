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
from fitcoach.core.features import FEATURE_VERSION, vector_size
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

    def knows(self, exercise_id: str) -> bool:
        return exercise_id in self.exercises

    def score(self, vector: np.ndarray, exercise_id: str) -> RepScore:
        x = np.asarray(vector, np.float32).reshape(1, -1)
        y = self._sess.run(None, {self._in: x})[0][0]
        probs = {f: float(y[1 + self._fault_index[f]]) for f in self.mask.get(exercise_id, [])}
        return RepScore(round(float(y[0]) * 100.0, 1), probs)


def default_scorer_path() -> Path:
    return models_dir() / SCORER_FILE


def load_default_scorer() -> FormScorer | None:
    """The shipped scorer, or None when the file is absent (scores are then null)."""
    p = default_scorer_path()
    return FormScorer(p) if p.exists() else None


def model_confidence(p: float | None) -> float | None:
    return None if p is None or math.isnan(p) else round(p, 3)

"""Evaluation of the form scorer and the rule metrics on real labelled data in ../shared/datasets.

Nothing here is used for training: these are held-out real data, reported as they come out.

- Pose Trainer (Chen & Yang 2018): OpenPose COCO-18 keypoints per video, a good/bad label per
  video, for biceps curl, front raise, shoulder press and shrug. Each video is turned into a
  landmark recording (COCO-18 mapped onto MediaPipe's 33 points; no world landmarks; frame
  size taken as 1280x720 and 30 fps, which the data do not state) and run through the
  pipeline with the scorer. Reported: reps found, and the AUC of "100 - mean rep score" for
  bad against good videos.
- Exercise-Correction (MediaPipe frames with per-frame labels): the metric behind a rule,
  per frame, against the label: plank high/low hips (hip_line_offset_ratio), biceps lean-back
  (trunk_lean), lunge knee over toe (shin_lean of the front leg: the one with the more flexed hip). Reported: AUC per class pair. Frame size
  taken as 1280x720 (not stated).
"""

from __future__ import annotations

import csv
import glob
import math
from pathlib import Path

import numpy as np

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.landmarks import INDEX, LandmarkRecording
from fitcoach.core.metrics import Body, compute
from fitcoach.core.pipeline import Pipeline
from fitcoach.core.scorer import FormScorer
from fitcoach.io.sources import RecordingSource
from fitcoach.train.evaluation import auc

COCO18_TO_MP = {
    0: "nose", 2: "right_shoulder", 3: "right_elbow", 4: "right_wrist", 5: "left_shoulder",
    6: "left_elbow", 7: "left_wrist", 8: "right_hip", 9: "right_knee", 10: "right_ankle",
    11: "left_hip", 12: "left_knee", 13: "left_ankle", 14: "right_eye", 15: "left_eye",
    16: "right_ear", 17: "left_ear",
}
POSE_TRAINER_EXERCISES = {"bicep": "bicep_curl", "frontraise": "front_raise",
                          "shoulderpress": "shoulder_press", "shouldershrug": "shrug"}
ASSUMED_SIZE = (1280, 720)
ASSUMED_FPS = 30.0


def coco18_recording(kp: np.ndarray, size=ASSUMED_SIZE, fps=ASSUMED_FPS) -> LandmarkRecording:
    t = len(kp)
    img = np.full((t, 33, 4), np.nan, np.float32)
    for c, name in COCO18_TO_MP.items():
        ok = kp[:, c, 2] > 0.05
        i = INDEX[name]
        img[ok, i, 0] = kp[ok, c, 0] / size[0]
        img[ok, i, 1] = kp[ok, c, 1] / size[1]
        img[ok, i, 2] = 0.0
        img[ok, i, 3] = 0.9
    return LandmarkRecording(np.arange(t) / fps, img, None, size)


def pose_trainer(root: Path, scorer: FormScorer) -> dict:
    catalog = ExerciseCatalog.load()
    out = {}
    for folder, ex_id in POSE_TRAINER_EXERCISES.items():
        ex = catalog.get(ex_id)
        rows = []
        for f in sorted(glob.glob(str(root / "poses_compressed" / folder / "*.npy"))):
            kp = np.load(f, allow_pickle=False)
            bad = "bad" in Path(f).stem.replace(folder, "")  # bicep_bad_1, shoulderpressbad1
            pipe = Pipeline(ex, frame_size=ASSUMED_SIZE, scorer=scorer)
            for frame in RecordingSource(coco18_recording(kp)):
                pipe.step(frame)
            pipe.finish()
            scores = [r.score for r in pipe.reps if r.score is not None]
            n_faults = sum(len([x for x in r.faults if x.id != "incomplete_range"]) for r in pipe.reps)
            rows.append((bad, len(pipe.reps), float(np.mean(scores)) if scores else math.nan, n_faults))
        with_reps = [r for r in rows if r[1] > 0]
        a = auc(np.array([100 - r[2] for r in with_reps]), np.array([r[0] for r in with_reps])) if with_reps else None
        good = [r for r in with_reps if not r[0]]
        badr = [r for r in with_reps if r[0]]
        out[ex_id] = {
            "videos": len(rows), "good": sum(1 for r in rows if not r[0]), "bad": sum(1 for r in rows if r[0]),
            "videos_with_reps": len(with_reps),
            "auc_bad_vs_good": None if a is None else round(a, 3),
            "mean_score_good": round(float(np.mean([r[2] for r in good])), 1) if good else None,
            "mean_score_bad": round(float(np.mean([r[2] for r in badr])), 1) if badr else None,
            "rule_faults_per_video_good": round(float(np.mean([r[3] for r in good])), 2) if good else None,
            "rule_faults_per_video_bad": round(float(np.mean([r[3] for r in badr])), 2) if badr else None,
        }
    return out


def _csv_bodies(path: Path, size=ASSUMED_SIZE):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for row in reader:
            img = np.full((33, 4), np.nan, np.float32)
            for name, i in INDEX.items():
                if f"{name}_x" in row:
                    img[i] = [float(row[f"{name}_x"]), float(row[f"{name}_y"]), float(row[f"{name}_z"]),
                              float(row[f"{name}_v"])]
            yield row["label"].strip(), Body.from_landmarks(img, size, None, 0.5)


def _metric_auc(path: Path, metric: str, pos: str, neg: str, sign: float, reduce_sides: str | None = None) -> dict:
    vals, labels = [], []
    for label, body in _csv_bodies(path):
        if label not in (pos, neg):
            continue
        if reduce_sides == "front_leg":  # the leg with the more flexed hip, as the lunge driver picks it
            hips = {sd: compute(body, "hip", sd, "image") for sd in ("left", "right")}
            if any(math.isnan(h) for h in hips.values()):
                continue
            v = compute(body, metric, min(hips, key=hips.get), "image")
        elif reduce_sides:
            vs = [compute(body, metric, s, "image") for s in ("left", "right")]
            vs = [v for v in vs if not math.isnan(v)]
            v = (max(vs) if reduce_sides == "max" else min(vs)) if vs else math.nan
        else:
            v = compute(body, metric, None, "image")
        if math.isnan(v):
            continue
        vals.append(sign * v)
        labels.append(label == pos)
    a = auc(np.array(vals), np.array(labels)) if vals else None
    return {"frames": len(vals), "positives": int(sum(labels)), "metric": metric,
            "auc": None if a is None else round(a, 3)}


def exercise_correction(root: Path) -> dict:
    core = root / "core"
    return {
        "plank high hips (H) vs correct": _metric_auc(core / "plank_model" / "test.csv", "hip_line_offset_ratio", "H", "C", 1.0),
        "plank low hips (L) vs correct": _metric_auc(core / "plank_model" / "test.csv", "hip_line_offset_ratio", "L", "C", -1.0),
        "biceps lean-back (L) vs correct": _metric_auc(core / "bicep_model" / "test.csv", "trunk_lean", "L", "C", 1.0),
        "lunge knee over toe (L) vs correct": _metric_auc(core / "lunge_model" / "err.test.csv", "shin_lean", "L", "C", 1.0, "front_leg"),
    }


def plank_vay(root: Path) -> dict:
    """VAY plank frames (COCO-18 pixels; labels 0 too low / 1 correct / 2 too high): how well
    hip_line_offset_ratio separates them. Pixel x and y share one scale, so ratios are exact."""
    path = root / "fullDataFrame.csv"
    vals: dict[int, list[float]] = {0: [], 1: [], 2: []}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                label = int(float(row["label"]))
            except (KeyError, ValueError):
                continue
            img = np.full((33, 4), np.nan, np.float32)
            for c, name in COCO18_TO_MP.items():
                x, y = row.get(str(2 * c), ""), row.get(str(2 * c + 1), "")
                if x and y:
                    img[INDEX[name]] = [float(x) / 1000.0, float(y) / 1000.0, 0.0, 0.9]
            v = compute(Body.from_landmarks(img, (1000, 1000), None, 0.5), "hip_line_offset_ratio", None, "image")
            if not math.isnan(v) and label in vals:
                vals[label].append(v)
    def pair(pos: int, sign: float) -> dict:
        x = np.array([sign * v for v in vals[pos] + vals[1]])
        y = np.array([1] * len(vals[pos]) + [0] * len(vals[1]))
        a = auc(x, y) if len(x) else None
        return {"frames": int(len(x)), "positives": len(vals[pos]), "metric": "hip_line_offset_ratio",
                "auc": None if a is None else round(a, 3)}
    return {"VAY plank too high vs correct": pair(2, 1.0), "VAY plank too low vs correct": pair(0, -1.0)}

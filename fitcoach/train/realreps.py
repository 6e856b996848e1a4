"""Real labelled reps for the form scorer: UI-PRMD (train + evaluate) and PushFit (evaluate only).

Each recording runs through the real pipeline (smoothing, rep tracker) exactly as at run time,
and each rep the pipeline finds becomes one `RealRep` with the feature vector the model sees.

- UI-PRMD subjects 1-5 (`../shared/datasets/ui-prmd-s01-s05`, Vicon markers seen by a virtual
  camera; `../shared/tools/uiprmd_to_npz.py` writes the recordings into a cache folder). One
  recording = one subject's 10 reps of one movement, all performed correctly or all
  incorrectly on purpose; every rep found inherits that label. Group = the subject.
  `reproject` renders the same takes from other camera yaws and heights (augmentation).
- PushFit (`../shared/datasets/pushfit-mediapipe`): MediaPipe push-up clips, label per clip.
  Group = the clip's resolution (a proxy for the source camera). Terms unknown: evaluation only.
"""

from __future__ import annotations

import csv
import hashlib
import math
import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitcoach.core.exercises import Exercise, ExerciseCatalog
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.io.recordings import load_recording
from fitcoach.core.pipeline import Pipeline
from fitcoach.io.sources import RecordingSource

UIPRMD_MOVEMENTS = {
    "m01": "deep squat", "m02": "hurdle step", "m03": "inline lunge", "m04": "side lunge",
    "m05": "sit to stand", "m06": "standing active straight leg raise", "m07": "standing shoulder abduction",
    "m08": "standing shoulder extension", "m09": "standing shoulder internal-external rotation",
    "m10": "standing shoulder scaption",
}
# The virtual camera of ../shared/tools/uiprmd_to_npz.py (image z = camera depth - DIST).
UIPRMD_CAMERA = {"width": 640, "height": 480, "focal_px": 600.0, "dist_m": 4.0}
# Augmented views: (yaw offset deg, camera elevation deg). (0, 0) is the tool's own view.
AUGMENT_VIEWS = ((0.0, 0.0), (-25.0, 0.0), (25.0, 0.0), (0.0, 15.0), (-15.0, 25.0))


@dataclass
class RealRep:
    source: str  # "uiprmd", "pushfit"
    group: str  # subject ("s01") or camera group ("320x240"): folds never split a group
    exercise: str
    bad: int  # 1 = labelled incorrect
    x: np.ndarray  # feature vector (layout of `exercises`)
    view: str
    clip: str  # the recording it came from
    variant: str = ""  # augmentation ("" = as recorded)


def rep_vectors(rec: LandmarkRecording, ex: Exercise, exercises: list[str]) -> list[tuple[object, np.ndarray]]:
    pipe = Pipeline(ex, frame_size=rec.frame_size, collect_features=exercises)
    for frame in RecordingSource(rec):
        pipe.step(frame)
    pipe.finish()
    return list(zip(pipe.reps, pipe.rep_vectors))


def reproject(rec: LandmarkRecording, yaw_deg: float, elev_deg: float, cam=UIPRMD_CAMERA) -> LandmarkRecording:
    """The same take seen by the tool's camera turned `yaw_deg` about the body's vertical axis
    and raised to look down `elev_deg` (distance kept). Needs the tool's image depth (z)."""
    if yaw_deg == 0.0 and elev_deg == 0.0:
        return rec
    w, h, f, dist = cam["width"], cam["height"], cam["focal_px"], cam["dist_m"]
    img = rec.image_xyzv.astype(np.float64)
    zc = img[..., 2] + dist
    xc = (img[..., 0] * w - w / 2) * zc / f
    yc = (img[..., 1] * h - h / 2) * zc / f
    p = np.stack([xc, yc, zc], -1)
    centre = np.nanmean(p.reshape(-1, 3), axis=0)
    a, e = math.radians(yaw_deg), math.radians(elev_deg)
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(e), -math.sin(e)], [0, math.sin(e), math.cos(e)]])
    r = rx @ ry
    q = (p - centre) @ r.T + np.array([0.0, 0.0, centre[2]])
    out = np.empty_like(img)
    out[..., 0] = (f * q[..., 0] / q[..., 2] + w / 2) / w
    out[..., 1] = (f * q[..., 1] / q[..., 2] + h / 2) / h
    out[..., 2] = q[..., 2] - dist
    out[..., 3] = img[..., 3]
    world = None if rec.world_xyz_m is None else (rec.world_xyz_m.astype(np.float64) @ r.T).astype(np.float32)
    return LandmarkRecording(rec.t_s, out.astype(np.float32), world, rec.frame_size)


def uiprmd_recordings(shared: Path, cache: Path) -> Path:
    """The folder of UI-PRMD recordings (made once by the shared tool into `cache`)."""
    out = cache / "uiprmd"
    if not (out / "index.csv").exists():
        tool = shared / "tools" / "uiprmd_to_npz.py"
        if not tool.exists():
            raise FileNotFoundError(f"{tool}: UI-PRMD converter not found")
        subprocess.run([sys.executable, str(tool), str(out)], check=True, capture_output=True)
    return out


def _cached(cache: Path | None, key: str, make):
    if cache is None:
        return make()
    path = cache / f"{key}.pkl"
    if path.exists():
        with open(path, "rb") as f:
            return pickle.load(f)
    val = make()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(val, f)
    tmp.replace(path)
    return val


def _key(name: str, exercises: list[str], *extra) -> str:
    h = hashlib.sha256(repr((exercises, extra)).encode()).hexdigest()[:10]
    return f"{name}-{h}"


def uiprmd_reps(rec_dir: Path, exercises: list[str], views=((0.0, 0.0),), cache: Path | None = None,
                log=None) -> list[RealRep]:
    catalog = ExerciseCatalog.load()
    rows = [r for r in csv.DictReader((rec_dir / "index.csv").open(encoding="utf-8")) if r["file"].startswith("sets/")]

    def make(row, yaw, elev):
        ex = catalog.get(row["exercise"])
        rec = reproject(load_recording(rec_dir / row["file"]), yaw, elev)
        variant = "" if (yaw, elev) == (0.0, 0.0) else f"yaw{yaw:+g}_elev{elev:g}"
        return [RealRep("uiprmd", f"s{int(row['subject']):02d}", ex.id, int(row["label"] == "i"), vec, rep.view,
                        row["file"], variant) for rep, vec in rep_vectors(rec, ex, exercises)]

    out: list[RealRep] = []
    for yaw, elev in views:
        def build(yaw=yaw, elev=elev):
            if log:
                log(f"  UI-PRMD: running the pipeline on {len(rows)} sets (yaw {yaw:+g}, elevation {elev:g}) ...")
            return [r for row in rows for r in make(row, yaw, elev)]
        out += _cached(cache, _key("uiprmd", exercises, yaw, elev), build)
    return out


def pushfit_reps(root: Path, exercises: list[str], cache: Path | None = None) -> list[RealRep]:
    ex = ExerciseCatalog.load().get("pushup")

    def build():
        arrays = np.load(root / "pushfit_mediapipe_dev.npz", allow_pickle=False)
        out = []
        for row in csv.DictReader((root / "index.csv").open(encoding="utf-8")):
            if row["clip"] not in arrays or not row.get("width") or not row.get("height"):
                continue  # 4 clips state no frame size: angles need the aspect ratio
            img = np.asarray(arrays[row["clip"]], np.float32)
            fps = float(row["fps"]) if row.get("fps") else 30.0
            size = (int(float(row["width"])), int(float(row["height"])))
            rec = LandmarkRecording(np.arange(len(img)) / fps, img, None, size)
            group = row.get("resolution_group") or "unknown"
            for rep, vec in rep_vectors(rec, ex, exercises):
                out.append(RealRep("pushfit", group, ex.id, int(row["label"] == "wrong"), vec, rep.view, row["clip"]))
        return out

    return _cached(cache, _key("pushfit", exercises), build)


def pushfit_clips(root: Path) -> list[dict]:
    """Every clip of the index (label, camera group), whether or not a rep is found in it."""
    return [{"clip": r["clip"], "bad": int(r["label"] == "wrong"), "group": r.get("resolution_group") or "unknown"}
            for r in csv.DictReader((root / "index.csv").open(encoding="utf-8"))]


def relayout(x: np.ndarray, from_exercises: list[str], to_exercises: list[str]) -> np.ndarray:
    """Feature vectors made for one exercise list, re-laid for another (the one-hot block)."""
    n_from, n_to = len(from_exercises), len(to_exercises)
    x = np.atleast_2d(x)
    head = x.shape[1] - n_from - 1
    onehot = np.zeros((len(x), n_to), x.dtype)
    for j, e in enumerate(to_exercises):
        if e in from_exercises:
            onehot[:, j] = x[:, head + from_exercises.index(e)]
    return np.concatenate([x[:, :head], onehot, x[:, -1:]], axis=1)

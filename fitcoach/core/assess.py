"""Posture and range-of-motion assessments: the measurements a session starts from.

Both read frames from any source (a photo, a video, an image folder, a camera or a landmark
recording), take one person's smoothed landmarks, and report each measurement with the norm it
is compared against (and that norm's source), an uncertainty, and what to do about it.

Posture (`assess_posture`): a side view gives the craniovertebral angle (forward head posture)
and the sagittal trunk lean; a front view gives head tilt, shoulder-height asymmetry, frontal
pelvic tilt, frontal trunk lean and knee alignment. Several frames (a video) are combined by
their median, and their spread adds to the uncertainty.

Range of motion (`assess_rom`, in `fitcoach.core.assess_rom`) and the frames both read
(`person_frames`, `fitcoach.core.assess_frames`) are re-exported here: `assess.assess_rom`,
`assess.person_frames`, `assess.load_rom_tests` are the names callers use.

Uncertainty (degrees) = 1.5 (landmark noise floor) + 10 x (1 - mean visibility of the
landmarks used) + 0.15 x the camera's angle off square (posture) or the segment's angle out of
the image plane (ROM) + the frame-to-frame spread (MAD) when several frames are combined. It is
a stated, explainable estimate, not a calibrated interval.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field

import numpy as np

from fitcoach.core.assess_frames import (  # noqa: F401  (person_frames, Snapshot, ...: re-exported)
    Snapshot,
    check_view,
    mean_visibility,
    off_square,
    person_frames,
    robust_spread,
)
from fitcoach.core.assess_rom import DATA, assess_rom, load_rom_tests, movement_plane_tilt, rom_series  # noqa: F401
from fitcoach.core.errors import InputError
from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.landmarks import INDEX
from fitcoach.core.metrics import compute, joint_angle_deg


# --------------------------------------------------------------------------------------------
# Posture


@dataclass
class Finding:
    id: str
    name: dict
    view: str
    value: float | None
    unit: str
    normal: tuple[float, float]
    norm_text: str
    source: str
    status: str  # "within" | "outside" | "not_assessed"
    uncertainty: float | None
    off_square_deg: float | None
    frames: int
    corrective_exercises: list[str] = field(default_factory=list)
    note: str | None = None
    translations: dict = field(default_factory=dict)  # {"norm_ko": ..., "source_ko": ...} from the norms file

    def to_json(self) -> dict:
        r = lambda x: None if x is None else round(float(x), 1)  # noqa: E731
        return {
            "id": self.id, "name": self.name, "view": self.view, "value": r(self.value), "unit": self.unit,
            "normal": list(self.normal), "norm": self.norm_text, "source": self.source, "status": self.status,
            "uncertainty": r(self.uncertainty), "off_square_deg": r(self.off_square_deg), "frames": self.frames,
            "corrective_exercises": self.corrective_exercises, "note": self.note, **self.translations,
        }


def load_norms() -> list[dict]:
    with open(DATA / "posture_norms.toml", "rb") as f:
        return tomllib.load(f)["finding"]


def _signed_tilt(a: np.ndarray, b: np.ndarray) -> float:
    """Angle of the line from b (person's right) to a (person's left) against the horizontal;
    + = the left point is lower. NaN if unknown."""
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.nan
    dx, dy = float(a[0] - b[0]), float(a[1] - b[1])
    return math.degrees(math.atan2(dy, abs(dx))) if abs(dx) > 1e-9 else math.nan


def front_measures(s: Snapshot) -> dict[str, float]:
    p = s.body.img_px
    g = lambda n: p[INDEX[n]]  # noqa: E731
    out = {
        "head_tilt": _signed_tilt(g("left_eye"), g("right_eye")),
        "shoulder_height_asymmetry": _signed_tilt(g("left_shoulder"), g("right_shoulder")),
        "pelvic_tilt": _signed_tilt(g("left_hip"), g("right_hip")),
    }
    sh = (g("left_shoulder") + g("right_shoulder")) / 2
    hp = (g("left_hip") + g("right_hip")) / 2
    d = sh - hp
    # facing the camera, the person's left is image right (+x): + = leaning to their left
    out["frontal_trunk_lean"] = math.degrees(math.atan2(float(d[0]), -float(d[1]))) if np.isfinite(d).all() else math.nan
    for side in ("left", "right"):
        ang = joint_angle_deg(g(f"{side}_hip"), g(f"{side}_knee"), g(f"{side}_ankle"))
        sign = compute(s.body, "knee_valgus_ratio", side)
        out[f"knee_alignment_{side}"] = (180.0 - ang) * (1.0 if not sign < 0 else -1.0) if not math.isnan(ang) else math.nan
    return out


def side_measures(s: Snapshot) -> dict[str, float]:
    img = s.image_xyzv
    side = "left" if mean_visibility(img, ["left_ear", "left_shoulder"]) >= mean_visibility(img, ["right_ear", "right_shoulder"]) else "right"
    cva = compute(s.body, "craniovertebral", side)
    p = s.body.img_px
    sh, hp = p[INDEX[f"{side}_shoulder"]], p[INDEX[f"{side}_hip"]]
    lean = math.nan
    if np.isfinite(sh).all() and np.isfinite(hp).all():
        d = sh - hp
        lean = abs(math.degrees(math.atan2(float(d[0]), -float(d[1]))))
    return {"craniovertebral_angle": cva, "sagittal_trunk_lean": lean, "_side": side}


MEASURE_LANDMARKS = {
    "craniovertebral_angle": ["ear", "shoulder"], "sagittal_trunk_lean": ["shoulder", "hip"],
    "head_tilt": ["left_eye", "right_eye"], "shoulder_height_asymmetry": ["left_shoulder", "right_shoulder"],
    "pelvic_tilt": ["left_hip", "right_hip"], "frontal_trunk_lean": ["left_shoulder", "right_shoulder", "left_hip", "right_hip"],
    "knee_alignment_left": ["left_hip", "left_knee", "left_ankle"],
    "knee_alignment_right": ["right_hip", "right_knee", "right_ankle"],
}


def assess_posture(front: list[Snapshot] | None, side: list[Snapshot] | None,
                   catalog: ExerciseCatalog | None = None, names: tuple[str, str] = ("front", "side")) -> dict:
    """The `fitcoach.posture/1` result: every finding of the posture norms the given views can
    measure (value, normal range, uncertainty, corrective exercises), and what was not assessed."""
    if front is None and side is None:
        raise InputError("posture assessment needs a front and/or a side view with a person in it")
    if front is not None and not front:
        raise InputError(f"{names[0]}: no person found")
    if side is not None and not side:
        raise InputError(f"{names[1]}: no person found")
    catalog = catalog or ExerciseCatalog.load()
    warnings = []
    if front:
        check_view(front, "front", names[0])
    else:
        warnings.append("no front view: head tilt, shoulder and pelvic asymmetry, frontal trunk lean and knee alignment not assessed")
    if side:
        check_view(side, "side", names[1])
    else:
        warnings.append("no side view: forward head posture (craniovertebral angle) and sagittal trunk lean not assessed")
    findings = [_finding(norm, front if norm["view"] == "front" else side, catalog) for norm in load_norms()]
    return {
        "schema": "fitcoach.posture/1",
        "findings": [f.to_json() for f in findings],
        "outside_normal": [f.id for f in findings if f.status == "outside"],
        "warnings": warnings,
    }


def _finding(norm: dict, frames: list[Snapshot] | None, catalog: ExerciseCatalog) -> Finding:
    """One norm measured on the frames of its view (the median of the frames that show it)."""
    fid = norm["id"]
    lo, hi = norm["normal"]
    value = unc = off = None
    status, n, note = "not_assessed", 0, None
    if frames:
        vals, vis, offs = [], [], []
        for s in frames:
            m = front_measures(s) if norm["view"] == "front" else side_measures(s)
            v = m.get(fid, math.nan)
            if math.isnan(v):
                continue
            vals.append(v)
            lm = MEASURE_LANDMARKS[fid]
            if norm["view"] == "side":
                lm = [f"{m['_side']}_{x}" for x in lm]
            vis.append(mean_visibility(s.image_xyzv, lm))
            offs.append(off_square(s, norm["view"]))
        n = len(vals)
        if n:
            arr = np.array(vals)
            value = float(np.median(arr))
            off = float(np.median(offs))
            unc = 1.5 + 10.0 * (1.0 - float(np.mean(vis))) + 0.15 * off + robust_spread(arr)
            status = "within" if lo <= value <= hi else "outside"
            if off > 25:
                note = f"camera is about {off:.0f}° off square to the body: re-take for a reliable value"
        else:
            note = "the landmarks it needs were not visible"
    corr = []
    if status == "outside":
        tags = set(norm.get("corrects", []))
        corr = sorted(e.id for e in catalog if tags & set(e.corrects))
    return Finding(fid, norm["name"], norm["view"], value, norm["unit"], (lo, hi), norm["norm_text"],
                   norm["source"], status, unc, off, n, corr, note,
                   {k: v for k, v in (("norm_ko", norm.get("norm_text_ko")),
                                      ("source_ko", norm.get("source_ko"))) if v})

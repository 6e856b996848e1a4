"""Posture and range-of-motion assessments: the measurements a session starts from.

Both read frames from any source (a photo, a video, an image folder, a camera or a landmark
recording), take one person's smoothed landmarks, and report each measurement with the norm it
is compared against (and that norm's source), an uncertainty, and what to do about it.

Posture (`assess_posture`): a side view gives the craniovertebral angle (forward head posture)
and the sagittal trunk lean; a front view gives head tilt, shoulder-height asymmetry, frontal
pelvic tilt, frontal trunk lean and knee alignment. Several frames (a video) are combined by
their median, and their spread adds to the uncertainty.

Range of motion (`assess_rom`): a guided single-joint test; the largest angle reached (after a
short running median, so one bad frame cannot make a record), the normal range from the AAOS
table in `fitcoach/data/rom_tests.toml`, and a camera-plane check: with world landmarks, how far
the moving segment left the image plane at its peak (a measurement out of the plane of the
image is foreshortened in 2-D and less certain in 3-D).

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

from fitcoach.core import resources
from fitcoach.core.errors import InputError
from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.filters import LandmarkSmoother
from fitcoach.core.landmarks import INDEX
from fitcoach.core.metrics import Body, compute, joint_angle_deg
from fitcoach.core.pipeline import FlipGuard, view_of
from fitcoach.core.people import PersonTracker

DATA = resources.data_dir()  # fitcoach/data/ (checkout or bundle)


@dataclass
class Snapshot:
    """One frame of one person: smoothed landmarks and what they are made of."""

    t_s: float
    image_xyzv: np.ndarray  # (33, 4) normalised
    world_m: np.ndarray | None
    body: Body


def person_frames(source, backend=None, min_visibility: float = 0.5, smooth: bool = True) -> list[Snapshot]:
    """All frames where a person is seen (smoothed unless single stills)."""
    smoother = LandmarkSmoother(min_visibility=min_visibility)
    tracker, guard = PersonTracker(), FlipGuard()
    out = []
    size = source.frame_size
    try:
        for frame in source:
            if frame.image_xyzv is not None:
                img, world = frame.image_xyzv, frame.world_xyz_m
                if not np.isfinite(img[:, :2]).any():
                    img = None
            else:
                if backend is None:
                    raise InputError(f"{source.name}: needs the pose model (frames are images)")
                cand = tracker.choose(frame.t_s, backend.detect(frame.image_bgr, frame.t_s))
                img, world = (cand.image_xyzv, cand.world_xyz_m) if cand is not None else (None, None)
                size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
            if img is not None and not guard.accept(frame.t_s, img, size):
                img = None
            if smooth:
                sm = smoother.step(frame.t_s, img, world)
                img_s, world_s = sm.image_xyzv, sm.world_xyz_m
            else:
                img_s, world_s = img, world
            if img_s is None or not np.isfinite(img_s[:, 0]).any():
                continue
            body = Body.from_landmarks(img_s, size, world_s, min_visibility)
            out.append(Snapshot(frame.t_s, img_s, world_s, body))
    finally:
        source.close()
    return out


def _vis(img: np.ndarray, names: list[str]) -> float:
    v = [float(img[INDEX[n], 3]) for n in names if np.isfinite(img[INDEX[n], 3])]
    return float(np.mean(v)) if v else 0.0


def _mad(x: np.ndarray) -> float:
    return float(np.median(np.abs(x - np.median(x)))) * 1.4826 if len(x) > 1 else 0.0


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
    side = "left" if _vis(img, ["left_ear", "left_shoulder"]) >= _vis(img, ["right_ear", "right_shoulder"]) else "right"
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


def off_square(s: Snapshot, view: str) -> float:
    """How far (deg) the camera is from square to the body for this view."""
    img = s.body.img_px
    ls, rs, lh, rh = (img[INDEX[n]] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    if view == "front":
        z = s.image_xyzv[[INDEX["left_shoulder"], INDEX["right_shoulder"]], 2]
        x = s.image_xyzv[[INDEX["left_shoulder"], INDEX["right_shoulder"]], 0]
        if np.isfinite(z).all() and np.isfinite(x).all() and abs(x[0] - x[1]) > 1e-6:
            return math.degrees(math.atan2(abs(float(z[0] - z[1])), abs(float(x[0] - x[1]))))
        return 45.0
    # side: the visible shoulder width against the trunk (0 when exactly side-on)
    if not (np.isfinite(ls).all() and np.isfinite(rs).all()):
        return 0.0
    trunk = [float(np.linalg.norm(a - b)) for a, b in ((ls, lh), (rs, rh)) if np.isfinite(a).all() and np.isfinite(b).all()]
    if not trunk:
        return 45.0
    r = float(np.linalg.norm(ls - rs)) / max(trunk)
    return math.degrees(math.asin(min(1.0, r / 0.75)))


def check_view(frames: list[Snapshot], want: str, name: str) -> None:
    views = [view_of(s.body) for s in frames]
    known = [v for v in views if v != "unknown"]
    if not known:
        return
    top = max(set(known), key=known.count)
    if want == "side" and top == "front":
        raise InputError(f"{name}: this looks like a front view (shoulders square to the camera); "
                         "the side photo must show the person side-on")
    if want == "front" and top == "side":
        raise InputError(f"{name}: this looks like a side view; the front photo must show the person facing the camera")


def assess_posture(front: list[Snapshot] | None, side: list[Snapshot] | None,
                   catalog: ExerciseCatalog | None = None, names: tuple[str, str] = ("front", "side")) -> dict:
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
    findings = []
    for norm in load_norms():
        frames = front if norm["view"] == "front" else side
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
                vis.append(_vis(s.image_xyzv, lm))
                offs.append(off_square(s, norm["view"]))
            n = len(vals)
            if n:
                arr = np.array(vals)
                value = float(np.median(arr))
                off = float(np.median(offs))
                unc = 1.5 + 10.0 * (1.0 - float(np.mean(vis))) + 0.15 * off + _mad(arr)
                status = "within" if lo <= value <= hi else "outside"
                if off > 25:
                    note = f"camera is about {off:.0f}° off square to the body: re-take for a reliable value"
            else:
                note = "the landmarks it needs were not visible"
        corr = []
        if status == "outside":
            tags = set(norm.get("corrects", []))
            corr = sorted(e.id for e in catalog if tags & set(e.corrects))
        findings.append(Finding(fid, norm["name"], norm["view"], value, norm["unit"], (lo, hi), norm["norm_text"],
                                norm["source"], status, unc, off, n, corr, note,
                                {k: v for k, v in (("norm_ko", norm.get("norm_text_ko")),
                                                   ("source_ko", norm.get("source_ko"))) if v}))
    return {
        "schema": "fitcoach.posture/1",
        "findings": [f.to_json() for f in findings],
        "outside_normal": [f.id for f in findings if f.status == "outside"],
        "warnings": warnings,
    }


# --------------------------------------------------------------------------------------------
# Range of motion


def load_rom_tests() -> tuple[dict[str, dict], str]:
    with open(DATA / "rom_tests.toml", "rb") as f:
        d = tomllib.load(f)
    return {t["id"]: t for t in d["test"]}, d["source"]


SEGMENT = {
    "shoulder_flexion": ("shoulder", "elbow"), "shoulder_extension": ("shoulder", "elbow"),
    "shoulder_abduction": ("shoulder", "elbow"), "shoulder_external_rotation": ("elbow", "wrist"),
    "elbow_flexion": ("elbow", "wrist"), "hip_flexion": ("hip", "knee"), "hip_abduction": ("hip", "knee"),
    "knee_flexion": ("knee", "ankle"), "ankle_dorsiflexion": ("ankle", "foot_index"),
}
MAX_PLANE_TILT = 50.0  # beyond this the planar angle is not reported
BASELINE_S = 1.0  # ankle dorsiflexion: the relaxed foot's angle over the first second is neutral


def rom_series(frames: list[Snapshot], test: dict, side: str) -> np.ndarray:
    m = test["measure"]
    if m == "ankle_dorsiflexion":
        raw = np.array([compute(s.body, "ankle", side) for s in frames])
        t = np.array([s.t_s for s in frames])
        base_sel = (t - t[0] <= BASELINE_S) & np.isfinite(raw) if len(t) else np.zeros(0, bool)
        if not base_sel.any():
            return np.full(len(frames), np.nan)
        return float(np.median(raw[base_sel])) - raw
    return np.array([compute(s.body, m, side) for s in frames])


def _running_median(x: np.ndarray, k: int = 5) -> np.ndarray:
    out = np.full(len(x), np.nan)
    h = k // 2
    for i in range(len(x)):
        w = x[max(0, i - h): i + h + 1]
        w = w[np.isfinite(w)]
        if len(w) >= min(3, len(x)):
            out[i] = float(np.median(w))
    return out


def movement_plane_tilt(frames: list[Snapshot], names: list[str]) -> float | None:
    """Angle (deg) between the plane the moving segment swept and the image plane.

    The segment's unit directions over the test (world landmarks, camera-aligned) span the
    movement plane; its normal is their smallest principal axis. 0 = the movement happened in
    the image plane (the camera faced it square-on). None if the segment barely moved.
    """
    dirs = []
    for f in frames:
        if f.world_m is None:
            continue
        seg = f.world_m[INDEX[names[1]]] - f.world_m[INDEX[names[0]]]
        n = float(np.linalg.norm(seg))
        if np.isfinite(seg).all() and n > 1e-6:
            dirs.append(seg / n)
    if len(dirs) < 5:
        return None
    d = np.array(dirs)
    sweep = math.degrees(math.acos(max(-1.0, min(1.0, float(np.min(d @ d[0]))))))
    if sweep < 20.0:
        return None
    _u, _s, vt = np.linalg.svd(d - 0.0, full_matrices=False)
    normal = vt[-1]
    return math.degrees(math.acos(min(1.0, abs(float(normal[2])))))


def assess_rom(frames: list[Snapshot], test_id: str, side: str, name: str = "input") -> dict:
    tests, source = load_rom_tests()
    if test_id not in tests:
        raise InputError(f"unknown ROM test {test_id!r}; known: {', '.join(sorted(tests))}")
    if side not in ("left", "right"):
        raise InputError(f"--side must be left or right, not {side!r}")
    if not frames:
        raise InputError(f"{name}: no person found")
    test = tests[test_id]
    series = _running_median(rom_series(frames, test, side))
    if not np.isfinite(series).any():
        raise InputError(f"{name}: the {side} {test['name']['en'].lower()} could not be measured "
                         f"(landmarks not visible; the test needs a {test['view']} view)")
    i = int(np.nanargmax(series))
    peak = float(series[i])
    s = frames[i]
    a, b = SEGMENT[test_id]
    names = [f"{side}_{a}", f"{side}_{b}"]
    vis = _vis(s.image_xyzv, names)
    warnings = []
    out_of_plane = None
    if s.world_m is not None and test["plane"] != "transverse":
        out_of_plane = movement_plane_tilt(frames, names)
        if out_of_plane is not None:
            if out_of_plane > 25:
                warnings.append(f"the {a}–{b} movement was {out_of_plane:.0f}° out of the image plane: "
                                f"face the camera {'side-on' if test['view'] == 'side' else 'square-on'} and repeat")
    elif test["plane"] == "transverse" and s.world_m is None:
        warnings.append("rotation is measured from 3-D world landmarks, which this input lacks")
    views = [view_of(f.body) for f in frames]
    known = [v for v in views if v != "unknown"]
    seen = max(set(known), key=known.count) if known else "unknown"
    if seen not in ("unknown", test["view"]):
        warnings.append(f"the test wants a {test['view']} view; the camera saw a {seen} view: the value is less certain")
    if out_of_plane is None:  # no world landmarks: judge the plane by how square the camera is
        out_of_plane = None
        plane_term = off_square(s, "front" if test["view"] == "front" else "side")
    else:
        plane_term = out_of_plane
    unc = 1.5 + 10.0 * (1.0 - vis) + 0.15 * plane_term + (5.0 if test["plane"] == "transverse" else 0.0)
    lo, hi = test["normal"]
    measurable = out_of_plane is None or out_of_plane <= MAX_PLANE_TILT
    if not measurable:
        warnings.append(f"not measured: the movement was more than {MAX_PLANE_TILT:.0f}° out of the image plane")
    return {
        "schema": "fitcoach.rom/1",
        "test": test_id, "name": test["name"], "side": side,
        "max_deg": round(peak, 1) if measurable else None, "t_peak_s": round(float(s.t_s), 3),
        "normal": [lo, hi], "percent_of_normal": round(100.0 * peak / hi, 0) if hi and measurable else None,
        "status": ("within_normal" if peak >= 0.9 * hi else "limited") if measurable else "not_measurable",
        "norm_source": source, "plane": test["plane"], "view_wanted": test["view"], "view_seen": seen,
        "out_of_plane_deg": None if out_of_plane is None else round(out_of_plane, 1),
        "uncertainty_deg": round(unc, 1), "frames": len(frames), "warnings": warnings,
    }

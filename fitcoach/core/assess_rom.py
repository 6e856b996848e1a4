"""Range-of-motion assessment: a guided single-joint test and how far the joint went.

Range of motion (`assess_rom`): a guided single-joint test; the largest angle reached (after a
short running median, so one bad frame cannot make a record), the normal range from the AAOS
table in `fitcoach/data/rom_tests.toml`, and a camera-plane check: with world landmarks, how far
the moving segment left the image plane at its peak (a measurement out of the plane of the
image is foreshortened in 2-D and less certain in 3-D).

Uncertainty (degrees) = 1.5 (landmark noise floor) + 10 x (1 - mean visibility of the
landmarks used) + 0.15 x the segment's angle out of the image plane (or the camera's angle off
square without world landmarks) + 5 for a rotation (transverse plane). The frames come from
`fitcoach.core.assess_frames.person_frames`.
"""

from __future__ import annotations

import math
import tomllib

import numpy as np

from fitcoach.core import resources
from fitcoach.core.assess_frames import Snapshot, mean_visibility, off_square
from fitcoach.core.errors import InputError
from fitcoach.core.landmarks import INDEX
from fitcoach.core.metrics import compute
from fitcoach.core.pipeline import view_of

DATA = resources.data_dir()  # fitcoach/data/ (checkout or bundle)


def load_rom_tests() -> tuple[dict[str, dict], str]:
    """({test id: test}, the norms' source) from fitcoach/data/rom_tests.toml."""
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
    """The test's angle (deg) in every frame; ankle dorsiflexion relative to the first second."""
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
    """The `fitcoach.rom/1` result of one test on one side: peak angle, normal range, status,
    plane and view checks, uncertainty and warnings; InputError when it cannot be measured."""
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
    vis = mean_visibility(s.image_xyzv, names)
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

"""ROM accuracy: the ROM tests on synthetic movements with known truth, and MediaPipe-derived
angles against motion capture on the KERAAL sample (../shared/datasets/keraal-sample).

    .venv/bin/python bench/rom_accuracy.py

Synthetic: each test's movement (fitcoach.core.synth.ROM_MOTIONS; 3 bodies) seen square-on to
its plane, then with the camera turned 30 and 60 deg; median |error| of the reported maximum,
with world landmarks (as MediaPipe gives them) and image-only.
KERAAL: per frame, joint angles from the BlazePose landmarks in the sample (2-D image, 960x544)
against the same take's Kinect joint centres (3-D), and the elbow against the Vicon forearm/arm
targets' relative rotation (segment markers, so compared after removing the constant offset).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.core import assess, synth  # noqa: E402
from fitcoach.core.landmarks import INDEX, LandmarkRecording  # noqa: E402
from fitcoach.core.metrics import Body, compute, joint_angle_deg  # noqa: E402
from fitcoach.io.sources import RecordingSource  # noqa: E402

KERAAL = REPO.parent / "shared" / "datasets" / "keraal-sample" / "draw_skeleton" / "dataSampleKeraal"


def synthetic_errors(world: bool, offsets=(0, 30, 60), seeds=3) -> dict:
    tests, _ = assess.load_rom_tests()
    out = {}
    for tid, t in tests.items():
        rest, far, truth = synth.ROM_MOTIONS[tid]
        # turn the camera so the tested (left) side stays toward it: side tests from -90 toward
        # the front, front tests from 0 toward the left
        base, sign = (-90.0, 1.0) if t["view"] == "side" else (0.0, -1.0)
        row = {}
        for off in offsets:
            errs = []
            for seed in range(seeds):
                rng = np.random.default_rng(seed)
                body = synth.Body().scaled(float(rng.uniform(0.9, 1.1)), rng, 0.04)
                take = synth.Take(exercise=f"rom_{tid}", reps=1, tempo=(2.0, 1.0, 2.0, 0.5), yaw_deg=base + sign * off,
                                  noise=0.002, body=body, seed=seed, lead_in_s=1.5)
                rec, _ = synth.generate(take)
                if not world:
                    rec = LandmarkRecording(rec.t_s, rec.image_xyzv, None, rec.frame_size)
                try:
                    r = assess.assess_rom(assess.person_frames(RecordingSource(rec)), tid, "left")
                    errs.append(abs(r["max_deg"] - truth) if r["max_deg"] is not None else math.nan)
                except Exception:
                    errs.append(math.nan)
            ok = [e for e in errs if not math.isnan(e)]
            row[off] = round(float(np.median(ok)), 1) if ok else None
        out[tid] = {"truth": truth, "median_abs_error": row}
    return out


def _quat_angle(q1: np.ndarray, q2: np.ndarray) -> float:
    d = abs(float(np.dot(q1 / np.linalg.norm(q1), q2 / np.linalg.norm(q2))))
    return math.degrees(2 * math.acos(min(1.0, d)))


def keraal(swap: bool = True) -> dict | None:
    """swap: the sample's Kinect joints are labelled from the camera's side (its "left" is
    BlazePose's right); measured here: ELK shoulder r = -0.62 unswapped vs 0.94 swapped."""
    if not KERAAL.is_dir():
        return None
    kin_idx = {"left_shoulder": 4, "left_elbow": 5, "left_wrist": 6, "right_shoulder": 8, "right_elbow": 9,
               "right_wrist": 10, "left_hip": 12, "left_knee": 13, "left_ankle": 14, "right_hip": 16,
               "right_knee": 17, "right_ankle": 18}
    angles = {"elbow": ("shoulder", "elbow", "wrist"), "shoulder": ("hip", "shoulder", "elbow"),
              "knee": ("hip", "knee", "ankle"), "hip": ("shoulder", "hip", "knee")}
    res = {}
    for ex in ("CTK", "ELK", "RTK"):
        bp = json.loads((KERAAL / f"G3-BP-{ex}-P1T1-Unknown-C-0.json").read_text())["positions"]
        frames = sorted(bp, key=float)
        kin = np.loadtxt(KERAAL / f"G3-Kinect-{ex}-P1T1-Unknown-C-0.txt")
        vic = np.loadtxt(KERAAL / f"G3-Vicon-{ex}-P1T1-Unknown-C-0.txt")
        n = min(len(frames), len(kin))
        per = {}
        for side in ("left", "right"):
            for name, (a, b, c) in angles.items():
                mp_vals, k_vals = [], []
                for i in range(n):
                    lm = bp[frames[i]]
                    img = np.full((33, 4), np.nan, np.float32)
                    for key, xyz in lm.items():
                        k = key.lower()
                        if k in INDEX:
                            img[INDEX[k]] = [xyz[0], xyz[1], xyz[2], 1.0]
                    body = Body.from_landmarks(img, (960, 544), None, 0.5)
                    v_mp = compute(body, name, side, "image")
                    kp = kin[i].reshape(25, 7)[:, :3]
                    ks = ({"left": "right", "right": "left"}[side]) if swap else side
                    v_k = joint_angle_deg(kp[kin_idx[f"{ks}_{a}"]], kp[kin_idx[f"{ks}_{b}"]], kp[kin_idx[f"{ks}_{c}"]])
                    if not (math.isnan(v_mp) or math.isnan(v_k)):
                        mp_vals.append(v_mp)
                        k_vals.append(v_k)
                if len(mp_vals) > 5:
                    x, y = np.array(mp_vals), np.array(k_vals)
                    r = float(np.corrcoef(x, y)[0, 1]) if x.std() > 1e-6 and y.std() > 1e-6 else math.nan
                    per[f"{side}_{name}"] = {"mae_vs_kinect": round(float(np.mean(np.abs(x - y))), 1),
                                             "range_kinect": round(float(y.max() - y.min()), 1),
                                             "r": None if math.isnan(r) else round(r, 2)}
        # Vicon: elbow from the forearm/arm targets' relative rotation (targets 1 = L forearm, 3 = L arm)
        vic_el = {}
        for side, (fa, arm) in {"left": (1, 3), "right": (0, 2)}.items():
            v = np.array([_quat_angle(row.reshape(17, 7)[fa, 3:], row.reshape(17, 7)[arm, 3:]) for row in vic])
            idx = np.linspace(0, len(v) - 1, n).round().astype(int)  # same take, resampled to the video's frames
            v = v[idx]
            mp = []
            for i in range(n):
                lm = bp[frames[i]]
                img = np.full((33, 4), np.nan, np.float32)
                for key, xyz in lm.items():
                    if key.lower() in INDEX:
                        img[INDEX[key.lower()]] = [xyz[0], xyz[1], xyz[2], 1.0]
                mp.append(180.0 - compute(Body.from_landmarks(img, (960, 544), None, 0.5), "elbow", side, "image"))
            mp = np.array(mp)
            ok = np.isfinite(mp) & np.isfinite(v)
            if ok.sum() > 5:
                d = mp[ok] - v[ok]
                vic_el[side] = {"r": round(float(np.corrcoef(mp[ok], v[ok])[0, 1]), 2),
                                "mae_after_offset": round(float(np.mean(np.abs(d - np.median(d)))), 1),
                                "range_vicon": round(float(v[ok].max() - v[ok].min()), 1)}
        res[ex] = {"frames": n, "vs_kinect": per, "elbow_flexion_vs_vicon": vic_el}
    return res


def main() -> int:
    for world in (True, False):
        print(f"Synthetic ROM tests, {'world' if world else 'image-only'} landmarks: median |error| (deg) by camera turn")
        for tid, d in synthetic_errors(world).items():
            e = d["median_abs_error"]
            print(f"  {tid:28s} truth {d['truth']:5.0f}  " + "  ".join(f"+{k}°: {v if v is not None else 'n/a':>5}" for k, v in e.items()))
    k = keraal()
    if k is None:
        print("KERAAL sample absent (../shared/datasets/keraal-sample): skipped")
        return 0
    print("KERAAL sample: BlazePose (2-D image angles) against Kinect joint centres (3-D)")
    for ex, d in k.items():
        print(f"  {ex} ({d['frames']} frames)")
        for name, v in d["vs_kinect"].items():
            print(f"    {name:16s} MAE {v['mae_vs_kinect']:5.1f}°  r {v['r']}  (Kinect range {v['range_kinect']}°)")
        for side, v in d["elbow_flexion_vs_vicon"].items():
            print(f"    {side} elbow vs Vicon targets: r {v['r']}, MAE after offset {v['mae_after_offset']}° (range {v['range_vicon']}°)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

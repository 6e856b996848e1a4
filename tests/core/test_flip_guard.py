"""Single implausible detections (an upside-down skeleton for a frame or two) are dropped."""

import numpy as np

from fitcoach.core import synth
from fitcoach.run.analyze import analyze
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.core.pipeline import FlipGuard
from fitcoach.io.sources import RecordingSource


def _upside_down(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    out[:, 1] = 1.0 - out[:, 1]
    return out


def test_flipped_frames_inside_a_rep_are_dropped_and_counted(catalog):
    rec, truth = synth.generate(synth.Take(reps=4, yaw_deg=45, noise=0.002, seed=1))
    img = rec.image_xyzv.copy()
    bad = [50, 51, 120, 200, 201, 202]
    for i in bad:
        img[i] = _upside_down(img[i])
    out = analyze(RecordingSource(LandmarkRecording(rec.t_s, img, None, rec.frame_size)), catalog.get("squat"))
    assert out["summary"]["reps"] == 4
    assert out["summary"]["implausible_poses"] == len(bad)


def test_a_lasting_change_of_orientation_is_accepted():
    g = FlipGuard()
    standing = np.full((33, 4), np.nan, np.float32)
    standing[[11, 12], :2] = [[0.45, 0.3], [0.55, 0.3]]
    standing[[23, 24], :2] = [[0.46, 0.6], [0.54, 0.6]]
    lying = standing.copy()
    lying[[11, 12], :2] = [[0.2, 0.5], [0.2, 0.52]]
    lying[[23, 24], :2] = [[0.5, 0.5], [0.5, 0.52]]
    t = 0.0
    assert g.accept(t, standing, (640, 480))
    verdicts = []
    for _ in range(40):  # 1.33 s lying down at 30 fps
        t += 1 / 30
        verdicts.append(g.accept(t, lying, (640, 480)))
    assert not verdicts[0] and verdicts[-1]
    assert sum(1 for v in verdicts if not v) <= int(FlipGuard.ACCEPT_AFTER_S * 30) + 1

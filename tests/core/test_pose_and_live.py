"""Person tracking with two people, the live runner's latest-wins slot and clean shutdown
(fake camera and fake pose backend: no model, no camera)."""

import functools
import threading
import time

import numpy as np

from fitcoach.core import synth
from fitcoach.run.live import LatestSlot, LiveRunner
from fitcoach.core.people import FakePose, PersonTracker, PoseCandidate
from fitcoach.io.sources import FakeSource
from fitcoach.core.frame import Frame
from tests.core.fakes import EndlessCamera


@functools.lru_cache(maxsize=1)
def _rec():
    return synth.generate(synth.Take(reps=2, yaw_deg=90, lead_in_s=0.2))[0]


def _person(dx, scale=1.0, frame=0):
    rec = _rec()
    img = rec.image_xyzv[frame % len(rec)].copy()
    img[:, 0] = 0.5 + (img[:, 0] - 0.5) * scale + dx
    return PoseCandidate(img, rec.world_xyz_m[frame % len(rec)])


def test_tracker_follows_the_exerciser_not_the_biggest():
    tr = PersonTracker()
    exerciser = _person(-0.2)
    chosen = tr.choose(0.0, [exerciser])
    assert chosen is exerciser
    # A presenter walks in, closer to the camera (bigger), on the right.
    for i in range(1, 30):
        ex_i = _person(-0.2, frame=i)
        big = _person(0.25, scale=1.6, frame=i)
        got = tr.choose(i / 30, [big, ex_i])
        assert got is ex_i
    assert tr.switches == 0


def test_tracker_reacquires_after_loss():
    tr = PersonTracker(lost_after_s=1.0)
    tr.choose(0.0, [_person(-0.3)])
    assert tr.choose(0.5, [_person(0.3)]) is None  # someone else, far away: not the exerciser
    other = _person(0.3)
    assert tr.choose(2.0, [other]) is other  # exerciser gone for > 1 s: re-acquire
    assert tr.switches == 1


def test_latest_slot_drops_and_counts():
    slot = LatestSlot()
    for i in range(5):
        slot.put(Frame(i, i / 30, None))
    got = slot.get(timeout=0.1)
    assert got.index == 4 and slot.dropped == 4
    slot.close()
    assert slot.get(timeout=0.1) is None


def test_live_runner_with_fake_camera_and_backend(catalog):
    rec, _ = synth.generate(synth.Take(reps=3, yaw_deg=90, fps=30))
    n = len(rec)
    per_frame = [[PoseCandidate(rec.image_xyzv[i], rec.world_xyz_m[i])] for i in range(n)]

    class PacedSource(FakeSource):
        """A fake camera: frames arrive at 30 fps, stamped when grabbed."""

        kind = "camera"

        def __iter__(self):
            for i in range(n):
                time.sleep(1 / 300)  # 10x real time
                yield Frame(i, rec.t_s[i], np.zeros((48, 64, 3), np.uint8))

    src = PacedSource([np.zeros((48, 64, 3), np.uint8)])
    src.frame_size = rec.frame_size
    backend = FakePose(per_frame)
    # the fake backend is indexed by call, so feed it the frame index instead
    backend.detect = lambda img, t: per_frame[int(round(t * 30))]
    results = []
    threads_before = threading.active_count()
    runner = LiveRunner(src, catalog.get("squat"), lambda: backend, lambda res, fr: results.append(res))
    pipe = runner.run()
    assert sum(not r.partial for r in pipe.reps) == 3
    assert runner.stats.analysed + runner.stats.dropped == runner.stats.grabbed
    assert runner.stats.error is None
    time.sleep(0.1)
    assert threading.active_count() <= threads_before  # capture thread joined


def test_live_runner_stops_on_request(catalog):
    src = EndlessCamera()
    runner = LiveRunner(src, catalog.get("squat"), lambda: FakePose([]), lambda r, f: None)
    timer = threading.Timer(0.3, runner.stop)
    timer.start()
    t0 = time.monotonic()
    runner.run()
    assert time.monotonic() - t0 < 3.0
    assert not runner._capture.is_alive()

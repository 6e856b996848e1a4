"""The thread that looks for a second person beside the one-person landmarker (pose._Checker),
with a fake landmarker: answers come back in order, a failure reaches the analysis thread, and
close never pulls the landmarker from under a running call."""

from __future__ import annotations

import threading
import time

import pytest

from fitcoach.io.pose import _Checker


class FakeLandmarker:
    def __init__(self, delay_s: float = 0.0, fail_at: int | None = None) -> None:
        self.delay_s, self.fail_at = delay_s, fail_at
        self.calls: list[int] = []
        self.running = threading.Event()
        self.closed_while_running = False

    def detect_for_video(self, image, t_ms):
        self.running.set()
        time.sleep(self.delay_s)
        self.calls.append(t_ms)
        self.running.clear()
        if t_ms == self.fail_at:
            raise RuntimeError(f"landmarker failed at {t_ms} ms")
        return ("result", image, t_ms)


def test_each_answer_is_the_one_asked_for():
    lm = FakeLandmarker(delay_s=0.002)
    c = _Checker(lm)
    try:
        for t in range(0, 200, 20):
            c.submit(f"frame{t}", t)
            assert c.collect() == ("result", f"frame{t}", t)
    finally:
        c.close()
    assert lm.calls == list(range(0, 200, 20))


def test_a_failure_is_raised_where_the_answer_is_read():
    c = _Checker(FakeLandmarker(fail_at=40))
    try:
        c.submit("a", 20)
        assert c.collect()[2] == 20
        c.submit("b", 40)
        with pytest.raises(RuntimeError, match="failed at 40 ms"):
            c.collect()
        c.submit("c", 60)  # the thread survives its caller's error
        assert c.collect()[2] == 60
    finally:
        c.close()


def test_close_waits_for_the_call_in_flight():
    lm = FakeLandmarker(delay_s=0.2)
    c = _Checker(lm)
    c.submit("slow", 1)
    assert lm.running.wait(2.0)
    c.close()  # must not return while detect_for_video runs
    assert lm.calls == [1] and not lm.running.is_set()
    assert not c._thread.is_alive()


def _person(x0: float, y0: float, x1: float, y1: float):
    import numpy as np

    from fitcoach.core.people import PoseCandidate

    img = np.zeros((33, 4), np.float32)
    img[:, 0] = np.linspace(x0, x1, 33)
    img[:, 1] = np.linspace(y0, y1, 33)
    img[:, 3] = 0.9
    return PoseCandidate(img, None)


def test_the_same_person_returned_twice_counts_once():
    from fitcoach.core.people import people_count

    # what the two-person landmarker returned on a one-person squat clip after a gap (boxes as measured)
    a, b = _person(0.41, 0.40, 0.60, 0.96), _person(0.41, 0.40, 0.60, 0.95)
    beside = _person(0.70, 0.35, 0.90, 0.95)  # a second person next to the first
    assert people_count([]) == 0
    assert people_count([a]) == 1
    assert people_count([a, b]) == 1
    assert people_count([a, beside]) == 2
    assert people_count([a, b, beside]) == 2

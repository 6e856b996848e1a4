"""Camera source: fails fast when there is no camera, reconnects when one drops."""

import time

import numpy as np
import pytest

from fitcoach.core.errors import NoCameraError
from fitcoach.io.sources import CameraSource


class FakeCap:
    """Gives `n` frames, then fails like an unplugged camera."""

    def __init__(self, n: int) -> None:
        self.n = n

    def isOpened(self) -> bool:
        return True

    def read(self):
        if self.n <= 0:
            return False, None
        self.n -= 1
        return True, np.zeros((48, 64, 3), np.uint8)

    def get(self, _prop):
        return 0.0

    def set(self, *_a):
        return True

    def release(self) -> None:
        pass


def test_no_camera_is_reported_within_a_second():
    t0 = time.monotonic()
    with pytest.raises(NoCameraError, match="no camera"):
        CameraSource(index=57)
    assert time.monotonic() - t0 < 1.0


def test_camera_that_drops_is_reconnected():
    opens = iter([FakeCap(3), None, FakeCap(2)])  # plugged in; gone once; back
    cam = CameraSource(opener=lambda: next(opens, None), reconnect_s=0.01, max_reconnect_s=0.5)
    frames = list(cam)
    assert len(frames) == 5
    assert all(b.t_s > a.t_s for a, b in zip(frames, frames[1:]))
    assert any("dropped" in w for w in cam.warnings)
    assert any("did not come back" in w for w in cam.warnings)  # after the second drop

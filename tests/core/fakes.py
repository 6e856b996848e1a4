"""Test doubles shared by the core tests (no camera, no model)."""

import time

import numpy as np

from fitcoach.io.sources import FakeSource
from fitcoach.core.frame import Frame


class EndlessCamera(FakeSource):
    """A camera that yields a small black frame every 5 ms until it is closed."""

    kind = "camera"

    def __init__(self) -> None:
        super().__init__([np.zeros((8, 8, 3), np.uint8)])

    def __iter__(self):
        i = 0
        while not getattr(self, "closed", False):
            time.sleep(0.005)
            yield Frame(i, i / 30, np.zeros((8, 8, 3), np.uint8))
            i += 1

    def close(self):
        self.closed = True

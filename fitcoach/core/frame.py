"""What a frame source yields (`Frame`) and the protocol every source follows (`FrameSource`).

The sources themselves (camera, video, image folder, landmark recording) are I/O and live in
`fitcoach.io.sources`; the pipeline only needs these two types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol

import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    index: int
    t_s: float
    image_bgr: np.ndarray | None  # (H, W, 3) uint8, or None for landmark recordings
    image_xyzv: np.ndarray | None = None  # (33, 4) float32 when the source carries landmarks
    world_xyz_m: np.ndarray | None = None  # (33, 3) float32 or None


class FrameSource(Protocol):
    name: str
    kind: str  # "camera", "video", "images", "landmarks", "fake"
    frame_size: tuple[int, int]  # width, height
    fps: float | None
    n_frames: int | None  # None when unknown (camera)
    warnings: list[str]

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...

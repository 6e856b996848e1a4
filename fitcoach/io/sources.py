"""Frame sources behind one protocol: camera, video file, image folder, landmark recording.

A source yields `Frame`s with a timestamp read once, when the frame is grabbed (camera: the
monotonic clock; video: the container's timestamps; image folder: index / fps; recording: its
``t_s``). Everything downstream takes that ``t_s``: live and replay share one path.

Sources run on whichever thread iterates them (the capture thread when live, the analysis
thread for files). They drop nothing themselves; the live runner's latest-wins slot does.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from fitcoach.io.native import native_stderr_quiet  # noqa: I001  (sets OpenCV log levels before cv2 loads)
from fitcoach.core.errors import InputError, NoCameraError
from fitcoach.core.frame import Frame, FrameSource  # noqa: F401  (re-exported: the sources' types)
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.io.mp4_index import mp4_lacks_index, mp4_video_duration_s
from fitcoach.io.recordings import load_recording

log = logging.getLogger(__name__)

VIDEO_EXTS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def _cv2():
    import cv2  # local: importing OpenCV costs ~0.1 s and is not needed for recordings

    return cv2


class VideoSource:
    """A video file decoded with OpenCV; timestamps from the container.

    A truncated or damaged file yields every frame up to the damage and then stops, with a
    warning naming the frame, so nothing already analysed is lost.
    """

    kind = "video"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.warnings: list[str] = []
        if not self.path.exists():
            raise InputError(f"{path}: no such file")
        if self.path.is_dir():
            raise InputError(f"{path}: is a folder, not a video")
        cv2 = _cv2()
        with native_stderr_quiet():
            self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            hint = ""
            if self.path.suffix.lower() in (".mp4", ".mov", ".m4v") and mp4_lacks_index(self.path):
                hint = ": it has no index (moov atom), so it was probably cut off while recording or copying"
            raise InputError(f"{path}: not a readable video (OpenCV could not open it){hint}")
        w = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w <= 0 or h <= 0:
            self._cap.release()
            raise InputError(f"{path}: not a readable video (no frame size)")
        self.frame_size = (w, h)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.fps = fps if 1.0 <= fps <= 1000.0 else None
        n = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.n_frames = n if n > 0 else None

    def __iter__(self) -> Iterator[Frame]:
        cv2 = _cv2()
        last_t = -1.0
        i = 0
        step = 1.0 / (self.fps or 30.0)
        while True:
            ok, img = self._cap.read()
            if not ok or img is None:
                break
            t_ms = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
            t = t_ms / 1000.0 if np.isfinite(t_ms) else last_t + step
            if not t > last_t:  # containers with missing or repeated stamps
                t = last_t + step if last_t >= 0 else 0.0
            last_t = t
            yield Frame(i, t, img)
            i += 1
        if i == 0:
            raise InputError(f"{self.name}: no frame could be decoded (broken or not a video)")
        # Damage is judged by time, not by the header's frame count: phone videos often list more
        # frames than the stream delivers (edit lists, dropped frames; 391 listed, 371 decodable,
        # the last at the container's duration) and are sound. A file is cut short when decoding
        # ends well before the video track's duration (from the MP4/MOV index when there is one,
        # else frame count / fps): by more than two frame intervals plus 1 % of the duration.
        duration = self.duration_s()
        end = last_t + step
        if duration is not None and end < duration - (2 * step + 0.01 * duration):
            listed = f" of {self.n_frames}" if self.n_frames else ""
            msg = (
                f"{self.name}: decoding stopped at frame {i}{listed} (t={last_t:.2f} s of {duration:.2f} s): "
                f"the file is truncated or damaged; results up to there are kept"
            )
            self.warnings.append(msg)
            log.debug(msg)  # reported once, by the caller (JSON errors + one stderr line)

    def duration_s(self) -> float | None:
        """The video's duration: the MP4/MOV video track's (edit lists applied), else the
        header's frame count over its frame rate, else None (then nothing is judged)."""
        if self.path.suffix.lower() in (".mp4", ".mov", ".m4v", ".3gp"):
            d = mp4_video_duration_s(self.path)
            if d is not None:
                return d
        if self.n_frames and self.fps:
            return self.n_frames / self.fps
        return None

    def close(self) -> None:
        self._cap.release()


class ImageFolderSource:
    """A folder of images (sorted by name), taken as frames at `fps`."""

    kind = "images"

    def __init__(self, path: str | Path, fps: float = 30.0, files: list[Path] | None = None) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.warnings: list[str] = []
        self.fps = fps
        if files is not None:  # a single photo (posture assessment) or an explicit list
            self.files = list(files)
        else:
            self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        if not self.files:
            raise InputError(f"{path}: folder has no images ({', '.join(sorted(IMAGE_EXTS))})")
        self.n_frames = len(self.files)
        first = _cv2().imread(str(self.files[0]))
        if first is None:
            raise InputError(f"{self.files[0]}: not a readable image")
        self.frame_size = (first.shape[1], first.shape[0])

    def __iter__(self) -> Iterator[Frame]:
        cv2 = _cv2()
        for i, p in enumerate(self.files):
            img = cv2.imread(str(p))
            if img is None:
                self.warnings.append(f"{p}: not a readable image (frame {i} skipped)")
                continue
            if (img.shape[1], img.shape[0]) != self.frame_size:
                img = cv2.resize(img, self.frame_size)
            yield Frame(i, i / self.fps, img)

    def close(self) -> None:
        pass


class RecordingSource:
    """Replays a landmark recording (format v1): frames carry landmarks, no image."""

    kind = "landmarks"

    def __init__(self, path_or_rec: str | Path | LandmarkRecording) -> None:
        if isinstance(path_or_rec, LandmarkRecording):
            self.rec = path_or_rec
            self.name = "<recording>"
        else:
            self.rec = load_recording(path_or_rec)
            self.name = str(path_or_rec)
        self.warnings: list[str] = list(self.rec.warnings)  # frames load_recording had to drop
        self.frame_size = self.rec.frame_size
        n = len(self.rec)
        self.n_frames = n
        self.fps = (n - 1) / self.rec.duration_s if n > 1 and self.rec.duration_s > 0 else None

    def __iter__(self) -> Iterator[Frame]:
        world = self.rec.world_xyz_m
        for i in range(len(self.rec)):
            yield Frame(
                i,
                float(self.rec.t_s[i]),
                None,
                self.rec.image_xyzv[i],
                None if world is None else world[i],
            )

    def close(self) -> None:
        pass


class FakeSource:
    """Frames from memory, for tests: `images` (list of BGR arrays) at `fps`."""

    kind = "fake"

    def __init__(self, images: list[np.ndarray], fps: float = 30.0, name: str = "<fake>") -> None:
        self.images = images
        self.fps = fps
        self.name = name
        self.warnings: list[str] = []
        self.n_frames = len(images)
        h, w = images[0].shape[:2] if images else (480, 640)
        self.frame_size = (w, h)

    def __iter__(self) -> Iterator[Frame]:
        for i, img in enumerate(self.images):
            yield Frame(i, i / self.fps, img)

    def close(self) -> None:
        pass


def list_cameras(max_index: int = 8) -> list[str]:
    """Camera devices present on this machine (Linux: /dev/video*), without opening them."""
    if sys.platform.startswith("linux"):
        return sorted(glob.glob("/dev/video*"), key=lambda p: int("".join(c for c in p if c.isdigit()) or 0))
    # Elsewhere OpenCV is the only portable way to look; probe quietly.
    found = []
    cv2 = _cv2()
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append(f"camera {i}")
        cap.release()
    return found


class CameraSource:
    """A webcam by index. Says "no camera found" at once instead of hanging, and reconnects
    when the camera drops (unplugged cable, another app grabbing it)."""

    kind = "camera"

    def __init__(
        self,
        index: int = 0,
        size: tuple[int, int] | None = (640, 480),
        reconnect_s: float = 1.0,
        max_reconnect_s: float = 30.0,
        opener=None,
    ) -> None:
        self.index = index
        self.name = f"camera {index}"
        self.warnings: list[str] = []
        self.fps = None
        self.n_frames = None
        self.reconnect_s = reconnect_s
        self.max_reconnect_s = max_reconnect_s
        self._size = size
        self._stop = False
        self._opener = opener  # tests: a callable returning a cv2.VideoCapture-like object or None
        if opener is None and sys.platform.startswith("linux") and not os.path.exists(f"/dev/video{index}"):
            cams = list_cameras()
            raise NoCameraError(
                f"no camera found at index {index}"
                + (f" (found: {', '.join(cams)})" if cams else " (no camera devices on this machine)")
            )
        self._cap = self._open()
        if self._cap is None:
            raise NoCameraError(f"camera {index} exists but could not be opened (in use by another app?)")
        cv2 = _cv2()
        self.frame_size = (
            int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)) or 640,
            int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) or 480,
        )

    def _open(self):
        cv2 = _cv2()
        if self._opener is not None:
            return self._opener()
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            return None
        if self._size:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
        return cap

    def __iter__(self) -> Iterator[Frame]:
        t0 = time.monotonic()
        i = 0
        last_t = -1.0
        while not self._stop:
            ok, img = self._cap.read() if self._cap is not None else (False, None)
            if not ok or img is None:
                if not self._reconnect():
                    return
                continue
            t = time.monotonic() - t0  # read once, at grab time
            if not t > last_t:
                t = last_t + 1e-6
            last_t = t
            yield Frame(i, t, img)
            i += 1

    def _reconnect(self) -> bool:
        msg = f"{self.name}: camera dropped; reconnecting"
        log.warning(msg)
        self.warnings.append(msg)
        if self._cap is not None:
            self._cap.release()
        deadline = time.monotonic() + self.max_reconnect_s
        while not self._stop and time.monotonic() < deadline:
            time.sleep(self.reconnect_s)
            self._cap = self._open()
            if self._cap is not None:
                log.info("%s: reconnected", self.name)
                return True
        self.warnings.append(f"{self.name}: camera did not come back within {self.max_reconnect_s:.0f} s")
        return False

    def close(self) -> None:
        self._stop = True
        if self._cap is not None:
            self._cap.release()


def open_source(spec: str, fps: float = 30.0, single_image_ok: bool = False) -> FrameSource:
    """Open an input by its form: a camera index ("0"), a .npz recording, a folder or a video
    (or, where a still is enough, a single photo)."""
    if spec.isdigit():
        return CameraSource(int(spec))
    p = Path(spec)
    if not p.exists():
        raise InputError(f"{spec}: no such file or folder")
    if p.is_dir():
        return ImageFolderSource(p, fps=fps)
    if p.suffix.lower() == ".npz":
        return RecordingSource(p)
    if p.suffix.lower() in IMAGE_EXTS:
        if single_image_ok:
            return ImageFolderSource(p, fps=fps, files=[p])
        raise InputError(f"{spec}: a single image is not a sequence; put frames in a folder")
    return VideoSource(p)

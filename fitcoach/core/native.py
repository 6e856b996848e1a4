"""Quieting native libraries (MediaPipe/TFLite, FFmpeg) that write straight to file descriptor 2.

Bad input must give one clear line on stderr; native INFO/WARNING lines at model start-up or
from FFmpeg's demuxers would bury it. ``--debug-log`` (FITCOACH_NATIVE_LOG=1) keeps them.
"""

from __future__ import annotations

import contextlib
import os
import sys

# OpenCV's own logger and its FFmpeg back end (read when cv2 loads them).
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT" if os.environ.get("FITCOACH_NATIVE_LOG") != "1" else "INFO")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


@contextlib.contextmanager
def native_stderr_quiet():
    """Point fd 2 at /dev/null for the duration (unless FITCOACH_NATIVE_LOG=1)."""
    if os.environ.get("FITCOACH_NATIVE_LOG") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)

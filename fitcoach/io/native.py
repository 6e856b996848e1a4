"""Quieting native libraries (MediaPipe/TFLite, FFmpeg) that write straight to file descriptor 2.

Bad input must give one clear line on stderr; native INFO/WARNING lines at model start-up or
from FFmpeg's demuxers would bury it. ``--debug-log`` (FITCOACH_NATIVE_LOG=1) keeps them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

# OpenCV's own logger and its FFmpeg back end (read when cv2 loads them).
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT" if os.environ.get("FITCOACH_NATIVE_LOG") != "1" else "INFO")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


# fd 2 is one per process: threads that quiet it at once share one redirection (the first in
# points it at /dev/null, the last out restores it)
_lock = threading.Lock()
_users = 0
_saved: int | None = None


@contextlib.contextmanager
def native_stderr_quiet():
    """Point fd 2 at /dev/null for the duration (unless FITCOACH_NATIVE_LOG=1); thread-safe."""
    global _users, _saved
    if os.environ.get("FITCOACH_NATIVE_LOG") == "1":
        yield
        return
    with _lock:
        if _users == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
            except (OSError, ValueError):
                saved = None
            if saved is not None:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            _saved = saved
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _saved is not None:
                os.dup2(_saved, 2)
                os.close(_saved)
                _saved = None

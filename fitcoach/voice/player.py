"""Non-blocking playback of cached WAV cues.

Backend: sounddevice (PortAudio), which plays from its own callback thread: `play()` returns at
once. With no audio device (or no PortAudio) the player logs once, says so in `.status`, and
drops sounds: the visual cues carry on. A new cue interrupts one still playing.
"""

from __future__ import annotations

import logging
import threading
import wave
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate, n, width, ch = w.getframerate(), w.getnframes(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(n)
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return data.reshape(-1, ch), rate


class Player:
    def __init__(self, mute: bool = False) -> None:
        self.mute = mute
        self.status = "ok"
        self.played = 0
        self._lock = threading.Lock()
        self._sd = None
        self._cache: dict[Path, tuple[np.ndarray, int]] = {}
        try:
            import sounddevice as sd

            sd.query_devices(kind="output")
            self._sd = sd
        except Exception as e:  # OSError (no PortAudio) or PortAudioError (no device)
            self._unavailable(f"no audio output ({e})")

    def _unavailable(self, why: str) -> None:
        if self.status == "ok":
            log.warning("voice coach: %s; cues stay on screen only", why)
        self.status = why

    def load(self, path: Path) -> tuple[np.ndarray, int]:
        if path not in self._cache:
            self._cache[path] = read_wav(path)
        return self._cache[path]

    def play(self, path: Path) -> bool:
        """Start playing `path` and return at once; False if nothing could be played."""
        data, rate = self.load(path)
        if self.mute or self._sd is None:
            return False
        with self._lock:
            try:
                self._sd.stop()
                self._sd.play(data, rate, blocking=False)
                self.played += 1
                return True
            except Exception as e:
                self._unavailable(f"audio output failed ({e})")
                self._sd = None
                return False

    def close(self) -> None:
        if self._sd is not None:
            try:
                self._sd.stop()
            except Exception:
                pass

"""Text to speech through pyttsx3 (espeak-ng on Linux), owned by one thread, into a WAV cache.

pyttsx3's `say()` plays late and blocks; `save_to_file` is reliable, so every phrase is
synthesised to a WAV file in the user cache directory, keyed by voice, rate and text. A session
synthesises everything it may say when it starts (`prepare`), so a cue plays from the cache.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import wave
from concurrent.futures import Future
from pathlib import Path

from fitcoach.core.errors import FitCoachError

log = logging.getLogger(__name__)
VOICE_IDS = {"en": ("gmw/en-us", "en-us", "english"), "ko": ("ko", "korean")}


class SpeechError(FitCoachError):
    pass


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    d = Path(user_cache_dir("fitcoach")) / "tts"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def wav_duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def _quiet_driver(engine) -> None:
    """pyttsx3's espeak driver print()s "Audio saved to ..." on stdout for every file; route
    that module's print to the debug log instead (stdout belongs to the CLI's output)."""
    import sys

    mod = sys.modules.get("pyttsx3.drivers.espeak")
    if mod is not None:
        mod.print = lambda *a, **k: log.debug(" ".join(str(x) for x in a))  # type: ignore[attr-defined]


class Synthesizer:
    """One worker thread owns the pyttsx3 engine; `wav(text)` returns a Future of the WAV path."""

    def __init__(self, lang: str = "en", rate: int = 170, volume: float = 1.0, folder: Path | None = None) -> None:
        self.lang, self.rate, self.volume = lang, rate, volume
        self.folder = folder or cache_dir()
        self._q: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="tts", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10.0)
        if self._error:
            raise SpeechError(self._error)

    def key_path(self, text: str) -> Path:
        h = hashlib.sha256(f"{self.lang}|{self.rate}|{self.volume}|{text}".encode()).hexdigest()[:24]
        return self.folder / f"{self.lang}-{h}.wav"

    def cached(self, text: str) -> Path | None:
        p = self.key_path(text)
        return p if p.exists() and p.stat().st_size > 44 else None

    def wav(self, text: str) -> Future:
        fut: Future = Future()
        p = self.cached(text)
        if p is not None:
            fut.set_result(p)
        else:
            self._q.put((text, fut))
        return fut

    def prepare(self, texts: list[str]) -> int:
        """Synthesise every text not yet cached; returns how many were made (blocks until done)."""
        futs = [self.wav(t) for t in texts if self.cached(t) is None]
        for f in futs:
            f.result(timeout=60)
        return len(futs)

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=5.0)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            import pyttsx3

            engine = pyttsx3.init()
            _quiet_driver(engine)
            voices = engine.getProperty("voices")
            wanted = VOICE_IDS.get(self.lang, (self.lang,))
            voice = next((v for w in wanted for v in voices if (v.id or "").lower() == w), None)
            voice = voice or next((v for v in voices if any(w in str(v.languages).lower() for w in wanted)), None)
            if voice is None:
                raise SpeechError(f"no {self.lang} voice in the speech engine (install espeak-ng-data)")
            engine.setProperty("voice", voice.id)
            engine.setProperty("rate", self.rate)
            engine.setProperty("volume", self.volume)
        except Exception as e:  # no libespeak-ng, no voice: the coach stays visual
            self._error = f"speech engine unavailable: {e}"
            self._ready.set()
            return
        self._ready.set()
        while True:
            item = self._q.get()
            if item is None:
                break
            text, fut = item
            try:
                out = self.key_path(text)
                tmp = out.with_suffix(".part.wav")
                engine.save_to_file(text, str(tmp))
                engine.runAndWait()
                if not tmp.exists() or tmp.stat().st_size <= 44:
                    raise SpeechError(f"speech engine wrote no audio for {text!r}")
                tmp.replace(out)
                fut.set_result(out)
            except Exception as e:
                log.warning("synthesis failed for %r: %s", text, e)
                fut.set_exception(e)
        try:
            engine.stop()
        except Exception:
            pass

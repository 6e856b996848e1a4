"""Text to speech through pyttsx3 (espeak-ng on Linux), owned by one thread, into a WAV cache.

pyttsx3's `say()` plays late and blocks; `save_to_file` is reliable, so every phrase is
synthesised to a WAV file in the user cache directory, keyed by voice, rate and text. A session
synthesises everything it may say when it starts (`prepare`), so a cue plays from the cache.

The cache says what the coach told the user, so it is private like the rest of FitCoach's data:
its folders are 0700 and every WAV 0600. A WAV is synthesised into a uniquely named
`.*.part.wav` file created 0600 (espeak-ng truncates and writes into it, which keeps the mode)
and renamed into place only when it holds audio; a failed synthesis removes it, and parts left
by a process that was killed are removed when a Synthesizer next opens the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import tempfile
import threading
import time
import wave
from concurrent.futures import Future
from pathlib import Path

from fitcoach.core.errors import FitCoachError
from fitcoach.io.private_files import FILE_MODE, make_private, private_dir
from fitcoach.io.settings import RANGES as SETTING_RANGES
from fitcoach.i18n import LANGS, espeak_voices

log = logging.getLogger(__name__)
VOICE_IDS = {lang: espeak_voices(lang) for lang in LANGS}  # from each language's catalogue
PART_SUFFIX = ".part.wav"
STALE_PART_S = 600.0  # a synthesis takes seconds (wav() callers wait 60 s at most)
# What the speech engine is asked for: the ranges settings.toml allows (espeak-ng itself takes
# 80-450 wpm; pyttsx3's volume is 0-1). The CLI's --rate / --volume / say TEXT use these too.
RATE_WPM = SETTING_RANGES["voice_rate"]  # words per minute
VOLUME = SETTING_RANGES["voice_volume"]
MAX_TEXT_CHARS = 500  # one cue or phrase; bounds the synthesis time (~30 s of speech)


class SpeechError(FitCoachError):
    pass


def check_voice(rate: int, volume: float) -> None:
    """SpeechError unless `rate` and `volume` are ones the engine takes (see RATE_WPM, VOLUME)."""
    if isinstance(rate, bool) or not isinstance(rate, int) or not RATE_WPM[0] <= rate <= RATE_WPM[1]:
        raise SpeechError(f"speech rate must be a whole number of words per minute from "
                          f"{RATE_WPM[0]} to {RATE_WPM[1]}, got {rate!r}")
    if not (isinstance(volume, (int, float)) and VOLUME[0] <= volume <= VOLUME[1]):  # False for NaN
        raise SpeechError(f"speech volume must be a number from {VOLUME[0]:g} to {VOLUME[1]:g}, got {volume!r}")


def check_text(text: str) -> str:
    """`text` if it is something to say: not blank, no control characters, at most
    MAX_TEXT_CHARS (pyttsx3 asserts on an empty text; a NUL cannot reach espeak-ng)."""
    if not isinstance(text, str) or not text.strip():
        raise SpeechError("nothing to say: the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise SpeechError(f"the text is {len(text)} characters; at most {MAX_TEXT_CHARS} (one phrase)")
    bad = next((c for c in text if not c.isprintable() and c not in " \t\n"), None)
    if bad is not None:
        raise SpeechError(f"the text holds a control character ({bad!r})")
    return text


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    root = private_dir(Path(user_cache_dir("fitcoach")))  # 0700, tightened if an older FitCoach made it 0755
    return private_dir(root / "tts")


def tidy_cache(folder: Path, now: float | None = None) -> int:
    """Remove partial WAVs older than STALE_PART_S (left by a killed process; a younger one may be
    another FitCoach's synthesis in progress) and make older FitCoach's 0644 WAVs 0600. Returns how
    many parts were removed."""
    now = time.time() if now is None else now
    removed = 0
    with os.scandir(folder) as it:
        for entry in it:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
                if entry.name.endswith(PART_SUFFIX):
                    if now - st.st_mtime > STALE_PART_S:
                        os.unlink(entry.path)
                        removed += 1
                elif entry.name.endswith(".wav") and st.st_mode & 0o777 != FILE_MODE \
                        and (not hasattr(os, "getuid") or st.st_uid == os.getuid()):
                    make_private(entry.path)
            except OSError as e:  # raced with another process, or not ours: leave it
                log.debug("tts cache: %s: %s", entry.path, e)
    return removed


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
        check_voice(rate, volume)
        self.lang, self.rate, self.volume = lang, rate, volume
        self.folder = private_dir(folder) if folder is not None else cache_dir()
        tidy_cache(self.folder)
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
        try:
            check_text(text)
        except SpeechError as e:  # never reaches the engine (pyttsx3 asserts on "")
            fut.set_exception(e)
            return fut
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
            tmp = None
            try:
                out = self.key_path(text)
                # a unique part per synthesis, created 0600 here (espeak-ng then truncates it and
                # writes into the same file, which keeps the mode); renamed only when it holds audio
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{out.stem}.", suffix=PART_SUFFIX)
                os.close(fd)
                for attempt in range(2):
                    engine.save_to_file(text, tmp)
                    engine.runAndWait()
                    # espeak-ng may still be finishing the file when runAndWait returns (seen once
                    # in CI under load): wait up to 1 s for audio, then synthesise once more
                    deadline = time.monotonic() + 1.0
                    while _size(tmp) <= 44 and time.monotonic() < deadline:
                        time.sleep(0.02)
                    if _size(tmp) > 44:
                        break
                if not os.path.exists(tmp) or os.stat(tmp).st_size <= 44:
                    raise SpeechError(f"speech engine wrote no audio for {text!r}")
                make_private(tmp)  # in case the engine replaced the file rather than truncating it
                os.replace(tmp, out)
                tmp = None
                fut.set_result(out)
            except Exception as e:
                log.warning("synthesis failed for %r: %s", text, e)
                fut.set_exception(e)
            finally:
                if tmp is not None:  # never leave a part behind
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
        try:
            engine.stop()
        except Exception:
            pass


def _size(path: str) -> int:
    """Bytes in PATH, 0 when it does not exist (yet)."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0

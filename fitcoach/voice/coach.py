"""The voice coach at run time: cue decisions (core) -> cached speech -> non-blocking playback.

The analysis thread calls `on_result(t, result)` per frame; it only decides and enqueues (no
synthesis, no audio on that thread). A "speaker" thread fetches the cue's WAV (from the cache,
prepared when the session starts) and starts playback; a cue that cannot start within its
time-to-live (e.g. an uncached phrase still being synthesised) is dropped. `close()` stops both
threads (speaker and the speech engine's) and the audio stream.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from fitcoach.core.cues import TTL_S, Cue, CueEngine
from fitcoach.voice.player import Player
from fitcoach.voice.tts import SpeechError, Synthesizer

log = logging.getLogger(__name__)


class VoiceCoach:
    def __init__(self, exercise, lang: str = "en", verbosity: str = "full", rate: int = 170,
                 volume: float = 1.0, mute: bool = False, synth: Synthesizer | None = None,
                 player: Player | None = None) -> None:
        self.engine = CueEngine(exercise, lang, verbosity)
        self.player = player or Player(mute=mute)
        try:
            self.synth = synth or Synthesizer(lang, rate, volume)
        except SpeechError as e:
            log.warning("voice coach: %s; cues stay on screen only", e)
            self.synth = None
        self.latencies_s: list[tuple[bool, float]] = []  # (was cached, event -> playback start)
        self.dropped = 0
        self._q: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._speaker, name="speaker", daemon=True)
        self._thread.start()

    def prepare(self) -> int:
        """Synthesise every phrase this session may need; returns how many were new."""
        return self.synth.prepare(self.engine.texts_for_session()) if self.synth else 0

    def on_result(self, t: float, res) -> Cue | None:
        self.engine.observe(t, res)
        cue = self.engine.poll(t)
        if cue is not None:
            self._q.put((cue, time.perf_counter()))
        return cue

    def say(self, cue: Cue) -> None:
        self._q.put((cue, time.perf_counter()))

    def _speaker(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                break
            cue, t0 = item
            if self.synth is None:
                continue
            try:
                cached = self.synth.cached(cue.text) is not None
                path = self.synth.wav(cue.text).result(timeout=TTL_S[cue.priority])
            except Exception as e:
                log.info("cue %r not spoken: %s", cue.text, e)
                self.dropped += 1
                continue
            if time.perf_counter() - t0 > TTL_S[cue.priority]:
                self.dropped += 1  # too late to be useful
                continue
            self.player.play(path)
            self.latencies_s.append((cached, time.perf_counter() - t0))

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=5.0)
        if self.synth is not None:
            self.synth.close()
        self.player.close()

    @property
    def threads_alive(self) -> list[str]:
        alive = [self._thread.name] if self._thread.is_alive() else []
        if self.synth is not None and self.synth.alive:
            alive.append("tts")
        return alive

"""Real offline speech (pyttsx3 + espeak-ng): WAVs in both languages, the cache, playback
without a sound card, and clean shutdown of every voice thread."""

import threading
import time

import numpy as np
import pytest

from fitcoach.core.cues import Cue
from fitcoach.voice.coach import VoiceCoach
from fitcoach.voice.player import Player, read_wav
from fitcoach.voice.tts import Synthesizer, wav_duration_s


@pytest.mark.parametrize("lang, text", [("en", "Knees out, chest up"), ("ko", "무릎을 바깥으로 밀어주세요")])
def test_real_synthesis_is_long_enough_and_not_silent(tmp_path, lang, text):
    s = Synthesizer(lang, folder=tmp_path)
    try:
        path = s.wav(text).result(timeout=60)
    finally:
        s.close()
    assert wav_duration_s(path) > 0.3
    data, rate = read_wav(path)
    assert rate > 8000 and float(np.sqrt(np.mean(data ** 2))) > 0.01
    assert s.cached(text) == path  # keyed by voice, rate and text


def test_prepare_fills_the_cache_once(tmp_path):
    s = Synthesizer("en", folder=tmp_path)
    try:
        assert s.prepare(["one", "two"]) == 2
        assert s.prepare(["one", "two"]) == 0
    finally:
        s.close()


def test_player_without_audio_device_degrades_quietly(tmp_path):
    s = Synthesizer("en", folder=tmp_path)
    path = s.wav("hello").result(timeout=60)
    s.close()
    p = Player()
    t0 = time.perf_counter()
    p.play(path)  # plays, or (no sound card here) reports why without raising or blocking
    assert time.perf_counter() - t0 < 0.5
    assert p.status == "ok" or "audio" in p.status
    p.close()


def test_voice_coach_threads_stop_cleanly(tmp_path, catalog):
    before = {t.name for t in threading.enumerate()}
    coach = VoiceCoach(catalog.get("squat"), "ko", synth=Synthesizer("ko", folder=tmp_path))
    assert coach.prepare() > 10
    coach.say(Cue(0.0, "하나", "count", "test", "rep_count", 0.5))
    deadline = time.time() + 5
    while not coach.latencies_s and time.time() < deadline:
        time.sleep(0.01)
    assert coach.latencies_s and coach.latencies_s[0][0] is True  # spoken from the cache
    coach.close()
    assert coach.threads_alive == []
    assert {t.name for t in threading.enumerate()} - before == set()

"""Benchmark: time from a cue event to the start of its audio, cached and uncached.

    .venv/bin/python bench/bench_voice.py [--lang en|ko] [--n 40]

In one run: cues whose WAV is already cached (the normal case: a session synthesises its
phrases when it starts) and cues never synthesised before (a fresh cache folder, unique texts).
"Audio start" is the moment playback is handed to the audio backend (sounddevice returns at
once; with no sound card the backend refuses immediately and the time is still measured up to
that hand-over). Prints median and p95 in ms and the uncached/cached ratio. Goal: cached p95
<= 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.core.cues import Cue  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.voice.coach import VoiceCoach  # noqa: E402
from fitcoach.voice.tts import Synthesizer  # noqa: E402


def _wait(coach: VoiceCoach, n: int, timeout: float = 30.0) -> None:
    end = time.time() + timeout
    while len(coach.latencies_s) + coach.dropped < n and time.time() < end:
        time.sleep(0.002)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="en", choices=("en", "ko"))
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    ex = ExerciseCatalog.load().get("squat")
    with tempfile.TemporaryDirectory() as d:
        coach = VoiceCoach(ex, args.lang, synth=Synthesizer(args.lang, folder=Path(d)))
        t0 = time.perf_counter()
        made = coach.prepare()
        prep = time.perf_counter() - t0
        texts = coach.engine.texts_for_session()
        for i in range(args.n):  # cached: phrases of the session
            coach.say(Cue(0.0, texts[i % len(texts)], "form", "bench", "bench", 1.0))
            _wait(coach, i + 1)
        cached = [lat for c, lat in coach.latencies_s if c]
        k = len(coach.latencies_s) + coach.dropped
        for i in range(args.n):  # uncached: new text each time ("form" TTL 4 s allows synthesis)
            coach.say(Cue(0.0, f"{texts[i % len(texts)]} {i}", "form", "bench", "bench", 1.0))
            _wait(coach, k + i + 1)
        uncached = [lat for c, lat in coach.latencies_s if not c]
        status = coach.player.status
        coach.close()
    q = lambda xs: (1000 * statistics.median(xs), 1000 * sorted(xs)[max(0, int(0.95 * len(xs)) - 1)])  # noqa: E731
    print(f"lang {args.lang}: prepared {made} phrases in {prep:.1f} s; audio backend: {status}")
    for name, xs in (("cached", cached), ("uncached", uncached)):
        if xs:
            med, p95 = q(xs)
            print(f"{name:9s}: n={len(xs):3d}  median {med:7.1f} ms   p95 {p95:7.1f} ms")
    if cached and uncached:
        print(f"ratio uncached/cached (median): {q(uncached)[0] / q(cached)[0]:.0f}x;  goal cached p95 <= 200 ms: "
              f"{'met' if q(cached)[1] <= 200 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

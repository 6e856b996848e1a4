"""The one frame loop (`fitcoach.run`): same output as a plain loop, failures with their
traceback, cancel within one frame, the frame iterators."""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from fitcoach.core import synth
from fitcoach.run.analyze import analysis_json, analysis_json_text, analyze
from fitcoach.core.cues import CueEngine
from fitcoach.core.pipeline import Pipeline
from fitcoach.io.recordings import LandmarkTape
from fitcoach.core.frame import Frame
from fitcoach.io.sources import RecordingSource
from tests.core.fakes import EndlessCamera
from fitcoach.run.events import Failed, Finished
from fitcoach.run.frames import LatestWins, paced, prefetched
from fitcoach.run.runner import Runner
from fitcoach.run.worker import State, Worker


def _reference(source, ex, cues, tape):
    """A minimal loop built from the public pipeline API, as `analyze` ran before the runner."""
    pipe = Pipeline(ex, frame_size=source.frame_size)
    n, t_last, started = 0, 0.0, False
    for frame in source:
        res = pipe.step(frame)
        tape.add(frame.t_s, pipe.last_raw)
        if not started and res.status == "ok":
            cues.session_event(frame.t_s, "set_start")
            started = True
        cues.observe(frame.t_s, res)
        cues.poll(frame.t_s)
        n += 1
        t_last = frame.t_s
    pipe.finish()
    if started:
        cues.session_event(t_last, "set_end", n=sum(1 for r in pipe.reps if not r.partial))
        for k in range(6):
            if cues.poll(t_last + 0.5 * k) is not None:
                break
    source.close()
    ctx = SimpleNamespace(source=source, exercise=ex, pipe=pipe, n=n, t_last=t_last)
    return analysis_json(ctx, None, None, cues)


@pytest.mark.parametrize("take", [synth.demo_take(), synth.Take(exercise="lunge", reps=4, alternate=True, noise=0.003,
                                                                 drop_rate=0.05, seed=3)])
def test_analyze_on_the_runner_is_byte_identical_to_a_plain_loop(catalog, take):
    rec, _ = synth.generate(take)
    ex = catalog.get(take.exercise)
    ref_tape, new_tape = LandmarkTape(), LandmarkTape()
    ref = _reference(RecordingSource(rec), ex, CueEngine(ex, "en", "full"), ref_tape)
    new = analyze(RecordingSource(rec), ex, progress=False, cues=CueEngine(ex, "en", "full"), tape=new_tape)
    assert analysis_json_text(new) == analysis_json_text(ref)
    assert new["summary"]["reps"] > 0 and new["cues"]
    assert np.array_equal(np.stack(new_tape.img), np.stack(ref_tape.img), equal_nan=True)


def _frames(n):
    return [Frame(i, i / 30, np.zeros((4, 4, 3), np.uint8)) for i in range(n)]


def test_prefetched_keeps_every_frame_in_order_and_reraises():
    assert [f.index for f in prefetched(iter(_frames(50)), depth=3)] == list(range(50))

    def broken():
        yield from _frames(5)
        raise ValueError("frame 5 is damaged")

    got = []
    with pytest.raises(ValueError, match="frame 5"):
        for f in prefetched(broken()):
            got.append(f.index)
    assert got == [0, 1, 2, 3, 4]


def test_paced_waits_for_each_frame_time():
    clock = [0.0]
    waits = []

    def sleep(s):
        waits.append(s)
        clock[0] += s

    out = list(paced(_frames(4), speed=2.0, clock=lambda: clock[0], sleep=sleep))
    assert [f.index for f in out] == [0, 1, 2, 3]
    assert clock[0] == pytest.approx(3 / 30 / 2)  # the last frame at its time, twice as fast


def test_latest_wins_drops_what_a_slow_consumer_cannot_take():
    def camera():
        for f in _frames(60):
            time.sleep(0.002)
            yield f

    lw = LatestWins(camera())
    taken = []
    for f in lw:
        taken.append(f.index)
        time.sleep(0.01)  # five camera frames per analysed frame
    assert taken == sorted(taken) and taken[-1] == 59  # newest first, the last frame is analysed
    assert lw.dropped > 20 and lw.taken + lw.dropped == lw.grabbed == 60
    assert not lw.thread.is_alive()


class _Boom:
    def frame(self, ctx, frame, res):
        if ctx.n == 3:
            raise RuntimeError("sink broke on frame 3")


def _fake_source():
    rec, _ = synth.generate(synth.Take(reps=1, fps=30))
    return RecordingSource(rec)


def test_a_failing_sink_surfaces_failed_with_its_traceback(catalog, caplog):
    closed = []

    class Closer:
        def close(self, ctx):
            closed.append(ctx.n)

    src = _fake_source()
    runner = Runner(src, catalog.get("squat"), [Closer(), _Boom()])
    w = Worker(lambda cancel, emit: runner.run(cancel, emit), name="analysis")
    with caplog.at_level(logging.ERROR):
        w.start()
        assert w.join(10)
    evs = w.poll()
    failed = [e for e in evs if isinstance(e, Failed)]
    assert len(failed) == 1 and failed[0].text == "RuntimeError: sink broke on frame 3"
    assert "in frame" in failed[0].traceback
    assert 'raise RuntimeError("sink broke on frame 3")' in failed[0].traceback
    assert isinstance(evs[-1], Finished) and w.state is State.FAILED
    assert closed == [3]  # the other sinks were closed
    assert "sink broke on frame 3" in caplog.text and "Traceback" in caplog.text


def test_cancel_stops_within_one_frame(catalog):
    seen = []
    cancel = threading.Event()

    class Canceller:
        def frame(self, ctx, frame, res):
            seen.append(frame.index)
            if frame.index == 10:
                cancel.set()

        def finish(self, ctx):
            seen.append("finish")

    ctx = Runner(_fake_source(), catalog.get("squat"), [Canceller()]).run(cancel)
    assert seen == list(range(11)) and ctx.cancelled and ctx.n == 11


def test_worker_cancel_on_a_live_source(catalog):
    src = EndlessCamera()
    ex = catalog.get("squat")
    w = Worker(lambda cancel, emit: Runner(src, ex, [], frames=LatestWins(src, cancel, on_stop=src.close)).run(
        cancel, emit), name="live", on_cancel=src.close)
    w.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    w.cancel()
    assert w.join(3.0) and time.monotonic() - t0 < 1.0
    assert w.state is State.CANCELLED
    fin = w.poll()[-1]
    assert isinstance(fin, Finished) and fin.cancelled and fin.result.n > 0

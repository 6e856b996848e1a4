"""Guided workouts: countdown, sets against a prescription, rest, saving as it happens."""

import pytest

from fitcoach.core import synth
from fitcoach.core.landmarks import load_recording
from fitcoach.core.pipeline import Pipeline
from fitcoach.core.session import LandmarkTape, Prescription, SessionRecorder, Workout
from fitcoach.core.sources import RecordingSource


def _run(rec, ex, workout, on_event=None, tape=None):
    pipe = Pipeline(ex, frame_size=rec.frame_size)
    events = []
    for frame in RecordingSource(rec):
        res = pipe.step(frame)
        if tape is not None:
            tape.add(frame.t_s, pipe.last_raw)
        for ev in workout.observe(res):
            events.append(ev)
            if on_event:
                on_event(ev)
    pipe.finish()
    for ev in workout.finish(rec.t_s[-1]):
        events.append(ev)
        if on_event:
            on_event(ev)
    return pipe, events


@pytest.fixture(scope="module")
def ten_squats():
    rec, truth = synth.generate(synth.Take(exercise="squat", reps=10, tempo=(1.2, 0.3, 1.0, 0.5), yaw_deg=30,
                                           noise=0.002, lead_in_s=1.0, seed=3))
    return rec, truth


def test_sets_rest_and_countdown_follow_the_prescription(catalog, ten_squats):
    rec, _ = ten_squats
    ex = catalog.get("squat")
    w = Workout(Prescription.for_exercise(ex, sets=2, reps=3, rest_s=4.0), countdown_s=1.0)
    pipe, events = _run(rec, ex, w)
    kinds = [e.kind for e in events]
    assert kinds[0] == "countdown"
    assert kinds.count("set_start") == 2 and kinds.count("rest") == 1 and kinds[-1] == "done"
    assert [s.full_reps for s in w.sets] == [3, 3]
    assert [e.achieved for e in events if e.kind == "set_end"] == [3, 3]
    # the rest is measured on frame time: the second set starts rest_s after the first ended
    end1 = next(e.t_s for e in events if e.kind == "set_end")
    start2 = [e.t_s for e in events if e.kind == "set_start"][1]
    assert 4.0 <= start2 - end1 < 4.0 + 0.1
    # reps during the countdown and the rest are not credited, but the analysis keeps them
    credited = sum(1 for e in events if e.kind == "rep" and not e.rep.partial)
    assert credited == 6 and sum(not r.partial for r in pipe.reps) > credited
    assert w.state == "done" and w.remaining_s() == 0.0


def test_stopping_early_ends_the_set_with_what_was_done(catalog, ten_squats):
    rec, _ = ten_squats
    ex = catalog.get("squat")
    w = Workout(Prescription.for_exercise(ex, sets=3, reps=50, rest_s=5.0), countdown_s=0.5)
    _pipe, events = _run(rec, ex, w)
    ends = [e for e in events if e.kind == "set_end"]
    assert len(ends) == 1 and 8 <= ends[0].achieved <= 10
    assert events[-1].kind == "done" and w.set_index == 1


def test_hold_sets_count_seconds(catalog):
    rec, _ = synth.generate(synth.Take(exercise="plank", reps=1, hold_s=12.0, lead_in_s=1.0, yaw_deg=-90, noise=0.002))
    ex = catalog.get("plank")
    p = Prescription.for_exercise(ex, sets=1, hold_s=5.0)
    assert p.reps is None and p.hold_s == 5.0
    w = Workout(p, countdown_s=0.5)
    _pipe, events = _run(rec, ex, w)
    ends = [e for e in events if e.kind == "set_end"]
    assert ends and ends[0].achieved == 5 and w.progress()[0] >= 5.0


def test_program_item_overrides_the_exercise(catalog):
    from fitcoach.core.programs import parse_program

    prog = parse_program('schema_version = 1\nname = "knee"\nsessions_per_week = 3\n[[exercise]]\nid = "squat"\nsets = 2\nreps = 8\n'
                         'tempo = "3-1-2-0"\nrest_s = 45\ntarget = 110\nsafe_min = 85\n', "p", catalog)
    ex = catalog.get("squat")
    p = Prescription.from_program_item(prog.items[0], ex)
    assert (p.sets, p.reps, p.rest_s, p.target, p.safe_min) == (2, 8, 45.0, 110.0, 85.0)
    assert p.tempo.notation() == "3-1-2-0"
    applied = p.apply(ex)
    assert applied.driver.target == 110.0 and applied.safe_min == 85.0 and applied.tempo.notation() == "3-1-2-0"
    assert ex.driver.target == 100.0  # the catalog's exercise is untouched


def test_recorder_saves_sets_and_reps_as_they_happen(catalog, ten_squats, tmp_path):
    from fitcoach.core.store import Store

    rec, _ = ten_squats
    ex = catalog.get("squat")
    p = Prescription.for_exercise(ex, sets=2, reps=3, rest_s=4.0)
    store = Store(tmp_path)
    rc = SessionRecorder(store, "anna", "squat", "test", None, p)
    seen_saved = []

    def on_event(ev):
        rc.on_event(ev)
        if ev.kind == "rep":  # committed before the next frame is analysed
            seen_saved.append(len(store.reps("anna")))

    w = Workout(p, countdown_s=1.0)
    _run(rec, ex, w, on_event)
    rc.close()
    assert seen_saved == list(range(1, len(seen_saved) + 1))
    export = store.export_profile("anna")
    store.close()
    assert len(export["sessions"]) == 1 and export["sessions"][0]["ended_utc"] is not None
    assert sorted(s["idx"] for s in export["sets"]) == [1, 2]
    assert all(s["ended_utc"] is not None and s["prescribed_reps"] == 3 for s in export["sets"])
    assert [r["set_idx"] for r in export["reps"] if not r["partial"]] == [1, 1, 1, 2, 2, 2]


def test_landmark_tape_replays_to_the_same_reps(catalog, ten_squats, tmp_path):
    rec, _ = ten_squats
    ex = catalog.get("squat")
    tape = LandmarkTape()
    pipe, _ = _run(rec, ex, Workout(Prescription.for_exercise(ex)), tape=tape)
    out = tmp_path / "tape.npz"
    tape.save(out, rec.frame_size)
    again, _ = _run(load_recording(out), ex, Workout(Prescription.for_exercise(ex)))
    assert len(tape) == len(rec)
    assert [(r.t_end_s, r.partial) for r in again.reps] == [(r.t_end_s, r.partial) for r in pipe.reps]

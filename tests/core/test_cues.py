"""The cue engine with a fake clock: priorities, persistence, cooldown, time-to-live, variety,
verbosity; phrases validated in both languages."""

import math
from dataclasses import dataclass, field

import pytest

from fitcoach.core.cues import COOLDOWN_S, CueEngine, Event, PhraseBook
from fitcoach.core.errors import ValidationError
from fitcoach.core.pipeline import Fault


@dataclass
class Rep:
    partial: bool = False
    partial_reason: str | None = None
    faults: tuple = ()
    tempo_down: float = 2.0
    tempo_bottom: float = 0.5
    tempo_up: float = 1.5
    tempo_top: float | None = 0.5


@dataclass
class Res:
    status: str = "ok"
    driver_value: float = 150.0
    reps: int = 0
    new_reps: tuple = ()
    active_faults: tuple = field(default_factory=tuple)


def run(engine, t, res):
    engine.observe(t, res)
    return engine.poll(t)


@pytest.fixture
def squat(catalog):
    return catalog.get("squat")


def test_counts_in_both_languages(squat):
    en, ko = CueEngine(squat, "en"), CueEngine(squat, "ko")
    assert run(en, 1.0, Res(reps=3, new_reps=(Rep(),))).text == "3"
    assert run(ko, 1.0, Res(reps=3, new_reps=(Rep(),))).text == "셋"


def test_safety_beats_form_beats_count(squat):
    e = CueEngine(squat)
    lean = Fault("forward_lean", "Torso leans", 60.0, "≤ 50°", "deg")
    e.observe(1.0, Res(reps=1, new_reps=(Rep(faults=(lean,)),)))
    e.condition(1.0, "safety", True, "safety", "knee 30 < safe min 40")
    e.condition(1.3, "safety", True, "safety", "knee 30 < safe min 40")  # persisted 0.3 s >= 0.2 s
    first = e.poll(1.3)
    assert first.priority == "safety"
    second = e.poll(first.t_s + first.duration_s + 0.01)
    assert second.priority == "form" and second.text == squat.rules[0].cue.en
    third = e.poll(second.t_s + second.duration_s + 0.01)
    assert third is None  # the count from t=1.0 expired (time-to-live 1 s) while others spoke


def test_frame_conditions_must_persist(squat):
    e = CueEngine(squat)
    for k in range(10):  # 0.9 s out of view: not yet
        assert run(e, k * 0.1, Res(status="body_not_visible", driver_value=math.nan)) is None
    for k in range(10, 16):
        cue = run(e, k * 0.1, Res(status="body_not_visible", driver_value=math.nan))
        if cue:
            break
    assert cue is not None and cue.priority == "status" and 1.5 <= cue.t_s < 1.7
    # a flicker back to ok and out again restarts the timer
    assert run(e, 2.0, Res()) is None
    assert run(e, 2.1, Res(status="body_not_visible", driver_value=math.nan)) is None


def test_cooldown_and_no_repeats(squat):
    e = CueEngine(squat)
    lean = Fault("forward_lean", "Torso leans", 60.0, "≤ 50°", "deg")
    said = []
    t = 0.0
    for n in range(1, 7):  # a faulty rep every 3 s
        t += 3.0
        e.observe(t, Res(reps=n, new_reps=(Rep(faults=(lean,)),)))
        for dt in (0.0, 0.6, 1.2, 1.8, 2.4):
            c = e.poll(t + dt)
            if c:
                said.append(c)
    form = [c for c in said if c.priority == "form"]
    assert len(form) >= 2
    for a, b in zip(form, form[1:]):
        assert b.t_s - a.t_s >= COOLDOWN_S["form"]
    texts = [c.text for c in said]
    assert all(a != b for a, b in zip(texts, texts[1:]) if not a.isdigit())


def test_variety_never_same_words_twice_in_a_row(squat):
    e = CueEngine(squat)
    t = 0.0
    spoken = []
    for _ in range(6):
        t += 30.0  # beyond every cooldown
        e.push(Event("partial", "form", t, "depth"))
        spoken.append(e.poll(t).text)
    assert all(a != b for a, b in zip(spoken, spoken[1:]))


def test_verbosity(squat):
    lean = Fault("forward_lean", "Torso leans", 60.0, "≤ 50°", "deg")
    res = Res(reps=1, new_reps=(Rep(faults=(lean,)),))
    silent, counts = CueEngine(squat, verbosity="silent"), CueEngine(squat, verbosity="counts")
    assert run(silent, 1.0, res) is None
    c = run(counts, 1.0, res)
    assert c.priority == "count" and counts.poll(5.0) is None
    with pytest.raises(ValidationError, match="verbosity"):
        CueEngine(squat, verbosity="chatty")


def test_tempo_against_prescription(squat):
    e = CueEngine(squat)  # prescribed 2.0 + 0.5 + 1.5 = 4.0 s
    fast = Rep(tempo_down=0.6, tempo_bottom=0.1, tempo_up=0.5)
    e.observe(1.0, Res(reps=1, new_reps=(fast,)))
    got = [e.poll(t) for t in (1.0, 1.5, 2.0, 2.5)]
    assert any(c and c.key == "tempo_fast" for c in got)


def test_missing_translation_is_an_error(tmp_path):
    bad = tmp_path / "phrases.toml"
    bad.write_text('schema_version = 1\n[partial]\nen = ["Go deeper"]\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"\[partial\]\.ko: missing translation"):
        PhraseBook(bad)


def test_shipped_phrases_and_cues_exist_in_both_languages(catalog):
    book = PhraseBook()
    assert set(book.phrases) >= {"rep_count", "partial", "tempo_fast", "safety", "body_not_visible", "nobody",
                                 "set_start", "set_end", "rest", "encouragement"}
    for ex in catalog:
        for r in ex.rules:
            assert r.cue.en.strip() and r.cue.ko.strip(), (ex.id, r.id)
    texts = CueEngine(catalog.get("squat"), "ko").texts_for_session()
    assert "하나" in texts and "무릎을 바깥으로 밀어주세요" in texts


def test_analyze_lists_set_start_counts_and_set_end(catalog):
    from fitcoach.core import synth
    from fitcoach.run.analyze import analyze
    from fitcoach.io.sources import RecordingSource

    rec, _ = synth.generate(synth.Take(reps=3, yaw_deg=45, noise=0.002))
    ex = catalog.get("squat")
    out = analyze(RecordingSource(rec), ex, cues=CueEngine(ex, "ko"))
    texts = [c["text"] for c in out["cues"]]
    assert texts[0].startswith("시작합니다") or texts[0].startswith("준비됐나요")
    assert "하나" in texts and "둘" in texts and "셋" in texts
    assert out["cues"][-1]["priority"] == "session" and "3" in texts[-1]
    again = analyze(RecordingSource(rec), ex, cues=CueEngine(ex, "ko"))
    assert again["cues"] == out["cues"]  # same input, same cues


def test_rest_countdown_phrase(squat):
    e = CueEngine(squat, "en")
    e.rest(10.0, 60)
    assert e.poll(10.0).text in ("Rest. 60 seconds", "Take 60 seconds")

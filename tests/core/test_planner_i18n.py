"""The planner's explanations in English and Korean: one table, same placeholders, same numbers."""

import json
import re
import time

import pytest

from fitcoach.core import plan_text
from fitcoach.core.plan_text import Reason, label, localize_plan, phrases, placeholders, render
from fitcoach.core.planner import plan_next

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_every_reason_has_english_and_korean_with_the_same_placeholders():
    table = phrases()["reason"]
    assert len(table) >= 20
    for code, t in table.items():
        assert set(t) == {"en", "ko"}, code
        assert placeholders(t["en"]) == placeholders(t["ko"]), code
        assert HANGUL.search(t["ko"]), code
    for lid, t in phrases()["label"].items():
        assert t["en"] and HANGUL.search(t["ko"]), lid


def test_every_code_the_planner_uses_is_in_the_table():
    import inspect

    import fitcoach.core.planner as planner

    used = set(re.findall(r'\bR\(\s*"([a-z_]+)"', inspect.getsource(planner)))
    assert used and used <= set(phrases()["reason"]), used - set(phrases()["reason"])


def test_labels_cover_every_fault_and_condition_the_exercises_name(catalog):
    from fitcoach.core.assess import load_norms

    ids = {r.id for ex in catalog for r in ex.rules} | {t for ex in catalog for t in ex.corrects}
    ids |= {n["id"] for n in load_norms()}
    missing = sorted(i for i in ids if i not in phrases()["label"] and i != "incomplete_range")
    assert not missing, missing


def test_unknown_code_is_a_clear_error():
    from fitcoach.core.errors import FitCoachError

    with pytest.raises(FitCoachError, match="no_such_reason"):
        render("no_such_reason", {}, "ko")


def test_reason_is_its_english_text_and_renders_korean(catalog):
    r = Reason("pain_regress", pain=6.0, limit=5.0, sets=2, reps=7)
    assert r == "pain 6/10 last session (regress at 5): 2 x 7" and json.loads(json.dumps([r])) == [str(r)]
    ko = r.text("ko")
    assert "6/10" in ko and "2 × 7" in ko and HANGUL.search(ko)
    c = Reason("corrective_fault", catalog, fault="knee_valgus", bad=5, total=12, exercise="glute_bridge")
    assert "knee valgus in 5 of the last 12" in c
    ko = c.text("ko", catalog)
    assert "무릎 안쪽 모임" in ko and catalog.get("glute_bridge").name.ko in ko
    assert label("no_such_id", "ko") == "no such id"  # unknown ids fall back visibly, no crash


def _export(sessions, pain=None, conditions=None):
    """A profile export with `sessions` squat sessions of 8 reps each, one a day."""
    now = time.time()
    ex = {"schema": "fitcoach.profile-export/1",
          "profile": {"id": 1, "name": "p", "age_band": "65-79", "level": "beginner", "goals": None,
                      "conditions": json.dumps(conditions or []), "avoid": json.dumps(["jumping_jack"])},
          "programs": [{"id": 1, "name": "x", "version": 1, "created_utc": now - 86400 * 30,
                        "body": 'schema_version = 1\nname = "x"\nsessions_per_week = 3\n'
                                '[[exercise]]\nid = "squat"\nsets = 2\nreps = 8\nsafe_min = 120.0\n'
                                '[[exercise]]\nid = "jumping_jack"\nsets = 2\nreps = 8\n'}],
          "sessions": [], "sets": [], "reps": [], "assessments": [], "cues": [], "self_reports": []}
    for k in range(sessions):
        t = now - (sessions - k) * 86400
        ex["sessions"].append({"id": k + 1, "exercise_id": "squat", "started_utc": t})
        ex["sets"].append({"id": k + 1, "session_id": k + 1, "idx": 1, "prescribed_reps": 8})
        for i in range(8):
            ex["reps"].append({"session_id": k + 1, "exercise_id": "squat", "started_utc": t, "set_idx": 1,
                               "idx": i + 1, "partial": 0, "score": 90.0, "faults": json.dumps(
                                   [{"id": "knee_valgus", "measured": 0.2, "target": "< 0.1", "unit": ""}]),
                               "rom_min": 95.0, "rom_max": 170.0})
        if pain is not None:
            ex["self_reports"].append({"session_id": k + 1, "pain": pain, "rpe": 6})
    return ex


@pytest.mark.parametrize("pain", [None, 6])
def test_a_plan_reads_the_same_in_korean_with_the_same_numbers(catalog, pain):
    plan = plan_next(_export(3, pain, ["forward_head_posture"]), catalog, None)
    en = localize_plan(plan, "en", catalog)
    ko = localize_plan(plan, "ko", catalog)
    assert en["items"][0]["why"] == [str(r) for r in plan["items"][0]["reasons"]]  # codes and JSON agree
    texts_en = en["notes"] + [w for it in en["items"] for w in it["why"]] + [c["why"] for c in en["correctives"]]
    texts_ko = ko["notes"] + [w for it in ko["items"] for w in it["why"]] + [c["why"] for c in ko["correctives"]]
    assert len(texts_en) == len(texts_ko) >= 4
    for a, b in zip(texts_en, texts_ko):
        assert HANGUL.search(b) and "{" not in b, b
        assert re.findall(r"\d+(?:\.\d+)?", a) == re.findall(r"\d+(?:\.\d+)?", b) or sorted(
            re.findall(r"\d+(?:\.\d+)?", a)) == sorted(re.findall(r"\d+(?:\.\d+)?", b)), (a, b)
    assert HANGUL.search(ko["reassess"])
    # stored JSON round trip: a plan written and read back still renders in Korean
    again = json.loads(json.dumps(plan, ensure_ascii=False))
    assert localize_plan(again, "ko", catalog)["items"][0]["why"] == ko["items"][0]["why"]
    if pain == 6:
        assert any("통증 6/10" in w for w in ko["items"][0]["why"])
    assert any("물리치료사" in n for n in ko["notes"])  # jumping jacks left out on the physio's advice


def test_cli_plan_in_korean(tmp_path, monkeypatch, capsys, demo_npz):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path))
    from fitcoach.cli import main

    assert main(["analyze", str(demo_npz), "-e", "squat", "--save", "--profile", "k", "--json", str(tmp_path / "a.json")]) == 0
    capsys.readouterr()
    assert main(["plan", "--profile", "k", "--lang", "ko", "--rules-only"]) == 0
    out = capsys.readouterr().out
    assert "다음 운동" in out and "스쿼트" in out and plan_text.phrases()["reason"]["reassess_none"]["ko"] in out

"""The planner's explanations in English and Korean: one table, same placeholders, same numbers.

Every reason is a code with its measured values; the English text the plan JSON has always
carried is rendered from the same table, so the two cannot drift. The histories below make the
planner use every code it has (a new code without a history here fails the coverage test)."""

import inspect
import json
import re
import time
from pathlib import Path

import pytest

import fitcoach.core.dose as dose
import fitcoach.core.planner as planner
from fitcoach.core import plan_text
from fitcoach.core.errors import FitCoachError
from fitcoach.core.plan_text import Reason, label, localize_plan, phrases, placeholders
from fitcoach.core.planner import Dose, plan_exercise, plan_next, render_reason

HANGUL = re.compile(r"[\uac00-\ud7a3]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
NOW = 1_790_100_000.0


def planner_codes() -> set[str]:
    source = inspect.getsource(planner) + inspect.getsource(dose)  # the session plan and each exercise's dose
    return set(re.findall(r'\bR\(\s*"([a-z_]+)"', source))


def test_every_reason_has_english_and_korean_with_the_same_placeholders():
    table = phrases()["reason"]
    assert len(table) >= 25
    for code, t in table.items():
        assert set(t) == {"en", "ko"}, code
        assert placeholders(t["en"]) == placeholders(t["ko"]), code
        assert HANGUL.search(t["ko"]), code
    for lid, t in phrases()["label"].items():
        assert set(t) == {"en", "ko"} and t["en"] and HANGUL.search(t["ko"]), lid


def test_every_code_the_planner_uses_is_in_the_table():
    used = planner_codes()
    assert len(used) >= 25 and used <= set(phrases()["reason"]), used - set(phrases()["reason"])


def test_labels_cover_every_id_a_reason_can_name(catalog):
    from fitcoach.core.assess import load_norms

    ids = {r.id for ex in catalog for r in ex.rules} | {t for ex in catalog for t in ex.corrects}
    ids |= {n["id"] for n in load_norms()} | {t for ex in catalog for t in ex.trains}
    ids |= {"beginner", "intermediate", "advanced"}
    missing = sorted(i for i in ids if i not in phrases()["label"] and i != "incomplete_range")
    assert not missing, missing


def test_english_labels_keep_the_planners_text_and_korean_reuses_the_posture_norms(catalog):
    from fitcoach.core.assess import load_norms

    labels = phrases()["label"]
    named = {r.id for ex in catalog for r in ex.rules} | {t for ex in catalog for t in ex.corrects}
    named |= {n["id"] for n in load_norms()}
    for i in named - {"incomplete_range"}:  # faults, conditions, findings: underscores as spaces
        assert labels[i]["en"] == i.replace("_", " "), i
    for i in {t for ex in catalog for t in ex.trains}:  # goals: as typed
        assert labels[i]["en"] == i, i
    for n in load_norms():  # the posture norms' own Korean name (without the valgus/varus sign legend)
        assert labels[n["id"]]["ko"] == n["name"]["ko"].split(" (외반")[0], n["id"]


def test_unknown_code_language_or_value_is_a_clear_error():
    with pytest.raises(FitCoachError, match="no_such_reason"):
        render_reason("no_such_reason", {}, "ko")
    with pytest.raises(FitCoachError, match="no_such_reason"):
        plan_text.render("no_such_reason", {}, "en")
    with pytest.raises(FitCoachError, match=r"pain_regress.*'fr'"):
        render_reason("pain_regress", {"pain": 6.0, "limit": 4.0, "sets": 2, "reps": 7}, "fr")
    with pytest.raises(FitCoachError, match=r"pain_regress.*reps, sets"):
        render_reason("pain_regress", {"pain": 6.0, "limit": 4.0}, "ko")
    with pytest.raises(FitCoachError, match="no_such_reason"):
        Reason("no_such_reason", x=1)


def test_reason_is_its_english_text_and_renders_korean(catalog):
    r = Reason("pain_regress", pain=6.0, limit=5.0, sets=3, reps=8)
    assert r == "pain 6/10 last session (regress at 5): 3 x 8" and json.loads(json.dumps([r])) == [str(r)]
    assert r.text("ko") == render_reason(r.code, r.params, "ko") == "지난 운동 통증 6/10 (기준 5): 3 × 8회로 줄여요"
    c = Reason("corrective_fault", catalog, fault="knee_valgus", bad=5, total=12, exercise="glute_bridge")
    assert c == "knee valgus in 5 of the last 12 reps -> 2 x 12 glute bridge first"
    ko = c.text("ko", catalog)
    assert ko == f"최근 12회 중 5회 무릎 안쪽 모임 → 먼저 {catalog.get('glute_bridge').name.ko} 2 × 12회"
    assert label("no_such_id", "ko") == "no such id"  # unknown ids fall back visibly, no crash


# ---------------------------------------------------------------------------------------------
# Synthetic histories: every rule of the planner, a posture assessment, a profile


class FakeCapacity:
    """A stand-in for models/planner.onnx: always predicts `reps` good-form reps."""

    def __init__(self, reps: float) -> None:
        self.reps, self.path = reps, Path("planner.onnx")

    def capacity(self, x) -> float:
        return self.reps


PROGRAM = 'schema_version = 1\nname = "x"\nsessions_per_week = 3\n'
DAYS = (13, 11, 9, 6, 4, 2)
FINDINGS = ["craniovertebral_angle", "sagittal_trunk_lean", "head_tilt", "shoulder_height_asymmetry",
            "pelvic_tilt", "frontal_trunk_lean", "knee_alignment_left", "knee_alignment_right"]


def history(exercise="squat", days=DAYS, prescribed=10, achieved=(10, 10), score=85.0, fault=None, pain=0.0,
            scores=None, profile=None, program=None, posture_days_ago=None):
    """A profile export: one `exercise` session on each of `days` (days ago), every set with
    `achieved` reps of `score`, `fault` on every other rep, `pain` reported after each."""
    e = {"schema": "fitcoach.profile-export/1", "profile": {"id": 1, "name": "p", **(profile or {})},
         "programs": [{"id": 1, "name": "x", "version": 1, "created_utc": NOW - 40 * 86400, "body": PROGRAM + program}]
         if program else [], "sessions": [], "sets": [], "reps": [], "self_reports": [], "assessments": [], "cues": []}
    for sid, ago in enumerate(days, 1):
        t = NOW - ago * 86400
        e["sessions"].append({"id": sid, "exercise_id": exercise, "started_utc": t})
        for i, n in enumerate(achieved, 1):
            e["sets"].append({"id": sid * 10 + i, "session_id": sid, "idx": i, "prescribed_reps": prescribed})
            for k in range(n):
                e["reps"].append({"session_id": sid, "exercise_id": exercise, "set_idx": i, "idx": k + 1, "partial": 0,
                                  "score": scores[sid - 1] if scores else score, "started_utc": t,
                                  "faults": json.dumps([{"id": fault}] if fault and k % 2 == 0 else [])})
        if pain is not None:
            e["self_reports"].append({"session_id": sid, "pain": pain, "rpe": 6})
    if posture_days_ago is not None:
        body = {"findings": [{"id": f, "status": "outside"} for f in FINDINGS]}
        e["assessments"].append({"kind": "posture", "created_utc": NOW - posture_days_ago * 86400, "body": json.dumps(body)})
    return e


HISTORIES = {
    "progress": (history(), None),
    "progress_set": (history(prescribed=15, achieved=(15, 15)), None),
    "at_top": (history(prescribed=15, achieved=(15,) * 4, program='[[exercise]]\nid = "squat"\nsets = 4\nreps = 15\n'), None),
    "regress": (history(pain=5.0), None),
    "stop": (history(pain=8.0), None),
    "missed": (history(days=(13, 11)), None),
    "falling": (history(scores=[90, 90, 90, 90, 55, 55]), None),
    "poor_control": (history(achieved=(9, 8), score=50.0), None),
    "hold_dose": (history(achieved=(9, 8), score=70.0), None),
    "hold_form": (history(score=70.0), None),
    "fault": (history(fault="knee_valgus"), None),
    "older_capped": (history(prescribed=14, achieved=(14, 14), profile={"age_band": "80+"}), None),
    "network": (history(), FakeCapacity(8.5)),
    "safe_range": (history(program='[[exercise]]\nid = "squat"\nsets = 2\nreps = 10\nsafe_min = 120.0\n'
                                   '[[exercise]]\nid = "lunge"\nsets = 2\nreps = 10\nsafe_max = 100.0\n'
                                   '[[exercise]]\nid = "plank"\nsets = 2\nhold_s = 30\n'), None),
    "new_profile": (history(days=(), profile={
        "level": "intermediate", "age_band": "65-79", "goals": json.dumps(["legs", "upper_back", "core"]),
        "conditions": json.dumps(["forward_head_posture", "knee_rehab", "single_leg_stability", "shoulder_impingement"]),
        "avoid": json.dumps(["lunge", "jumping_jack"])}), None),
    "posture_due": (history(posture_days_ago=30), None),
    "posture_recent": (history(posture_days_ago=5), None),
}


def explanations(plan: dict) -> list[tuple[str, dict]]:
    """Every (English text, code) pair of a plan: notes, items' reasons, correctives, reassess."""
    pairs = list(zip(plan["notes"], plan["note_codes"], strict=True))
    for it in plan["items"]:
        pairs += list(zip(it["reasons"], it["reason_codes"], strict=True))
    pairs += [(c["reason"], c["reason_code"]) for c in plan["correctives"]]
    pairs.append((plan["reassess"]["reason"], plan["reassess"]["reason_code"]))
    return pairs


@pytest.fixture(scope="module")
def plans(catalog):
    out = {name: plan_next(e, catalog, model, now_utc=NOW) for name, (e, model) in HISTORIES.items()}
    safe = plan_exercise([{"day": 10.0, "sets": 2, "reps": 10, "achieved": [10, 10], "score": 85.0, "pain": 0.0,
                           "rpe": 5.0, "faults": 0, "total": 20}], Dose(2, 10), [], 12.0, safe={"knee": [80, 170]})
    return out, safe


def test_histories_use_every_code_the_planner_has(plans):
    out, safe = plans
    seen = {c["code"] for p in out.values() for _, c in explanations(p)} | {r.code for r in safe.reasons}
    assert seen == planner_codes(), (planner_codes() - seen, seen - planner_codes())


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_english_is_the_code_rendered_and_korean_says_the_same_numbers(plans, catalog, name):
    plan = json.loads(json.dumps(plans[0][name], allow_nan=False))  # as stored: plain JSON, codes JSON-serialisable
    pairs = explanations(plan)
    assert pairs and all(c["code"] for _, c in pairs)  # nothing left as bare English
    for en, c in pairs:
        assert set(c) == {"code", "params"}
        assert render_reason(c["code"], c["params"], "en", catalog) == en, c
        ko = render_reason(c["code"], c["params"], "ko", catalog)
        assert HANGUL.search(ko) and not re.search(r"[{}]", ko), ko
        assert sorted(NUMBER.findall(en)) == sorted(NUMBER.findall(ko)), (en, ko)
        assert not re.search(r"[a-z]{3,}", ko.replace(json.dumps(c["params"].get("limits", "")), "")), ko  # no English left
    en, ko = localize_plan(plan, "en", catalog), localize_plan(plan, "ko", catalog)
    assert [w for it in en["items"] for w in it["why"]] == [r for it in plan["items"] for r in it["reasons"]]
    assert en["notes"] == plan["notes"] and en["reassess"] == plan["reassess"]["reason"]
    assert [c["why"] for c in en["correctives"]] == [c["reason"] for c in plan["correctives"]]
    assert all(HANGUL.search(t) for t in ko["notes"] + [ko["reassess"]] + [c["why"] for c in ko["correctives"]])


def test_english_text_is_the_planners_json_contract(plans):
    """The English the plan JSON carries, word for word, as before the reasons had codes."""
    out, safe = plans
    reasons = {n: [r for it in p["items"] for r in it["reasons"]] for n, p in out.items()}
    assert reasons["progress"] == ["all 2 sets of 10 done with good form (score 85): +1 rep"]
    assert reasons["regress"] == ["pain 5/10 last session (regress at 4): 1 x 7"]
    assert reasons["stop"] == ["pain 8/10 last session (stop at 7): stopped until a physiotherapist clears it"]
    # sessions on days 13 and 11 ago, three a week planned: the five due since the first are counted
    # (the one due 14 days ago, before the trainee began, is not missed)
    assert reasons["missed"] == ["deload: 3 missed sessions in 14 days -> volume -25 % (2 x 7)"]
    assert reasons["falling"] == ["deload: form scores falling (90 -> 55) -> volume -25 % (2 x 7)"]
    assert reasons["poor_control"] == ["poor control (score 50 < 60): slower down phase (3 s), same reps"]
    assert reasons["hold_dose"] == ["reps not all reached ([9, 8] of 10): hold the dose"]
    assert reasons["progress_set"] == ["top of the rep range reached: +1 set, back to 8 reps"]
    assert reasons["older_capped"] == ["all 2 sets of 14 done with good form (score 85), but +1 rep would raise the "
                                       "volume by more than 5%: 2 x 14 kept"]  # not "+1 rep", then capped back
    assert reasons["network"] == ["all 2 sets of 10 done with good form (score 85): +1 rep",
                                  "network: about 8.5 reps with good form expected -> 10 per set (rules allowed 10-11)"]
    assert reasons["safe_range"][1:] == ["target ROM raised to the safe minimum 120° set by the physiotherapist",
                                         "first session: start at 2 x 10",
                                         "target ROM lowered to the safe maximum 100° set by the physiotherapist",
                                         "holds progress by time in position; kept as prescribed"]
    assert safe.reasons[-1] == 'physiotherapist\'s limits kept: {"knee": [80, 170]}'
    new = out["new_profile"]
    assert new["notes"][:3] == ["intermediate level: new exercises start at 3 x 10",
                                "age 65-79: volume rises at most 5% per step",
                                "goals legs, upper_back, core: exercises chosen by what they train"]
    # the one wording that changed when reasons got codes: exercises left out are named (their ids are in note_codes)
    assert new["notes"][3] == "left out on the physiotherapist's advice: jumping jack, lunge"
    assert new["note_codes"][3] == {"code": "avoided", "params": {"exercises": ["jumping_jack", "lunge"]}}
    assert "condition forward head posture (recorded by the physiotherapist) -> 2 x 10 chin tuck" in \
        [c["reason"] for c in new["correctives"]]
    assert "knee valgus in 6 of the last 12 reps -> 2 x 12 glute bridge first" == out["fault"]["correctives"][0]["reason"]
    posture = [c["reason"] for c in out["posture_due"]["correctives"]]
    assert "posture: knee alignment left outside normal -> 2 x 10 glute bridge" in posture
    assert "posture: sagittal trunk lean outside normal -> 2 x 10 shoulder external rotation" in posture
    assert out["posture_due"]["reassess"]["reason"] == "re-assessment is due (every 3 weeks)"
    assert out["posture_recent"]["reassess"]["reason"] == "next re-assessment in 16 days (every 3 weeks)"
    assert out["progress"]["reassess"]["reason"] == "no assessment yet: assess posture and range of motion now"


def test_decisions_without_a_reason_before_now_have_one(plans):
    out, _ = plans
    at_top = out["at_top"]["items"][0]
    assert at_top["reasons"] == ["top of the range reached (4 x 15 with good form, score 85): dose kept"]
    assert out["hold_form"]["items"][0]["reasons"] == [
        "all 2 sets of 10 done, form score 70 < 75 to progress: hold the dose"]  # not "reps not all reached"
    assert all(it["reasons"] for p in out.values() for it in p["items"])


def test_korean_reads_naturally_with_its_numbers(plans, catalog):
    out, _ = plans

    def ko(name, i=0):
        return localize_plan(out[name], "ko", catalog)["items"][i]["why"]

    assert ko("regress") == ["지난 운동 통증 5/10 (기준 4): 1 × 7회로 줄여요"]
    assert ko("stop") == ["지난 운동 통증 8/10 (중단 기준 7): 물리치료사가 괜찮다고 할 때까지 쉬어요"]
    assert ko("missed") == ["쉬어 가기: 14일 동안 3번 빠졌어요 → 운동량 25 % 줄여 2 × 7회"]
    assert ko("hold_dose") == ["목표 10회에 못 미쳤어요 (세트별 [9, 8]회): 운동량 유지"]
    assert ko("network")[1] == "신경망: 좋은 자세로 약 8.5회 가능 예상 → 세트당 10회 (규칙 허용 10-11회)"
    new = localize_plan(out["new_profile"], "ko", catalog)
    assert new["notes"][:2] == ["중급 수준: 새 운동은 3 × 10회로 시작해요", "나이 65-79: 운동량은 한 번에 최대 5%까지만 늘려요"]
    assert new["notes"][2] == "목표 다리, 등 위쪽, 코어: 단련하는 부위에 맞춰 운동을 골랐어요"
    assert new["notes"][3] == "물리치료사의 권고로 뺐어요: 팔벌려 뛰기, 런지"
    assert "거북목 (물리치료사 기록) → 턱 당기기 2 × 10회" in [c["why"] for c in new["correctives"]]
    posture = [c["why"] for c in localize_plan(out["posture_due"], "ko", catalog)["correctives"]]
    assert "자세: 왼쪽 무릎 정렬 정상 범위 밖 → 글루트 브릿지 2 × 10회" in posture
    assert localize_plan(out["posture_recent"], "ko", catalog)["reassess"] == "다음 재평가까지 16일 (3주마다)"


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
        assert sorted(NUMBER.findall(a)) == sorted(NUMBER.findall(b)), (a, b)
    assert HANGUL.search(ko["reassess"])
    # stored JSON round trip: a plan written and read back still renders in Korean
    again = json.loads(json.dumps(plan, ensure_ascii=False))
    assert localize_plan(again, "ko", catalog)["items"][0]["why"] == ko["items"][0]["why"]
    if pain == 6:
        assert any("통증 6/10" in w for w in ko["items"][0]["why"])
    assert any("물리치료사" in n for n in ko["notes"])  # jumping jacks left out on the physio's advice


def test_cli_plan_in_korean_and_json_keeps_both(tmp_path, monkeypatch, capsys, demo_npz):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path))
    from fitcoach.cli import main

    assert main(["analyze", str(demo_npz), "-e", "squat", "--save", "--profile", "k", "--json", str(tmp_path / "a.json")]) == 0
    capsys.readouterr()
    assert main(["plan", "--profile", "k", "--lang", "ko", "--rules-only"]) == 0
    out = capsys.readouterr().out
    assert "k님의 다음 운동" in out and "스쿼트" in out and phrases()["reason"]["reassess_none"]["ko"] in out
    assert not re.search(r"\b(first|tempo|rest|session|reps?)\b", out), out
    assert main(["plan", "--profile", "k", "--rules-only"]) == 0
    en = capsys.readouterr().out
    assert "Next session for k:" in en and phrases()["reason"]["reassess_none"]["en"] in en and not HANGUL.search(en)
    assert main(["plan", "--profile", "k", "--rules-only", "--json", "-"]) == 0
    plan = json.loads(capsys.readouterr().out)
    item = plan["items"][0]
    assert item["reasons"] and len(item["reasons"]) == len(item["reason_codes"])
    assert [render_reason(c["code"], c["params"], "en") for c in item["reason_codes"]] == item["reasons"]
    assert plan["reassess"]["reason_code"]["code"] == "reassess_none" and len(plan["notes"]) == len(plan["note_codes"])

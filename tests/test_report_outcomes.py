"""Progress reports carry outcomes: pain and effort over time, the program with its targets and
safe ranges, ROM against target, faults by name with counts, the clinician's notes, exercise names
instead of ids, and a PDF whose first page is a laid-out summary (not one monospace line)."""

import json
import re
import subprocess

import pytest

from fitcoach.io.store import Store
from fitcoach.reports import summarize, write_report

pytest.importorskip("matplotlib")

PROGRAM_V1 = ('schema_version = 1\nname = "Knee rehab A"\nsessions_per_week = 3\nnotes = "Old notes"\n'
              '[[exercise]]\nid = "squat"\nsets = 2\nreps = 6\n')
PROGRAM_V2 = ('schema_version = 1\nname = "Knee rehab A"\nsessions_per_week = 3\nweeks = 6\n'
              'notes = "Pain-free range only. Stop if pain rises above 4/10."\n'
              '[[exercise]]\nid = "squat"\nsets = 3\nreps = 8\ntempo = "2-0-2-1"\nrest_s = 60\n'
              'safe_min = 85.0\ntarget = 95.0\n'
              '[[exercise]]\nid = "shoulder_flexion"\nsets = 2\nreps = 10\n')
T0 = 1_790_000_000


def build_history(folder):
    """Five squat and two shoulder flexion sessions with faults, self-reports after each, a
    program in two versions (the newest with its own target and safe range) and ROM tests."""
    s = Store(folder)
    pid = s.profile("pat", "patient")
    for v, body in ((1, PROGRAM_V1), (2, PROGRAM_V2)):
        s.write(lambda con, v=v, body=body: con.execute(
            "INSERT INTO programs (profile_id, name, version, body, created_utc) VALUES (?, 'Knee rehab A', ?, ?, ?)",
            (pid, v, body, T0 - 86400 * (3 - v)))).result()
    plan = [("squat", 6, 112.0, 5, 7, [["forward_lean"], ["forward_lean", "heels_rising"]]),
            ("squat", 8, 104.0, 4, 6, [["forward_lean"]]),
            ("shoulder_flexion", 10, 140.0, 2, 4, []),
            ("squat", 8, 96.0, 3, 6, [["knee_valgus"]]),
            ("squat", 8, 92.0, 2, 5, []),
            ("shoulder_flexion", 10, 152.0, 1, 4, []),
            ("squat", 8, 82.0, 2, 5, [])]  # the last one goes deeper than the safe minimum (85)
    for day, (ex, n, depth, pain, rpe, faults) in enumerate(plan):
        sid, set_id = s.start_session(pid, ex, prescribed_reps=8 if ex == "squat" else 10)
        for i in range(1, n + 1):
            f = faults[i - 1] if i - 1 < len(faults) else []
            rom = {"min": depth, "max": 170} if ex == "squat" else {"min": 20, "max": depth}
            s.add_rep(set_id, {"index": i, "side": "both", "t_start_s": i * 4, "t_end_s": i * 4 + 3, "partial": False,
                               "rom_deg": rom, "tempo_s": {"down": 2, "bottom": 0.5, "up": 1.5, "top": 0.5},
                               "score": 62 + 5 * day,
                               "faults": [{"id": x, "message": "stored " + x} for x in f]}).result()
        s.end_session(sid, set_id)
        t = T0 + day * 2 * 86400
        s.write(lambda con, sid=sid, t=t: con.execute("UPDATE sessions SET started_utc = ?, ended_utc = ? WHERE id = ?",
                                                      (t, t + 600, sid))).result()
        s.add_self_report(sid, pain, rpe)
        s.write(lambda con, sid=sid, t=t: con.execute("UPDATE self_reports SET created_utc = ? WHERE session_id = ?",
                                                      (t + 700, sid))).result()
    for k in range(3):
        aid = s.add_assessment(pid, "rom", {"test": "knee_flexion", "side": "right", "max_deg": 110 + 6 * k,
                                            "normal": [0, 135]})
        s.write(lambda con, aid=aid, k=k: con.execute("UPDATE assessments SET created_utc = ? WHERE id = ?",
                                                      (T0 + k * 5 * 86400, aid))).result()
    export = s.export_profile("pat")
    s.close()
    return export


@pytest.fixture
def history(tmp_path):
    return build_history(tmp_path / "d")


def test_summary_carries_pain_effort_program_and_fault_names(history, catalog):
    sm = summarize(history, catalog)
    assert [x["pain"] for x in sm["sessions"]] == [5, 4, 2, 3, 2, 1, 2]
    assert [x["effort"] for x in sm["sessions"]] == [7, 6, 4, 6, 5, 4, 5]
    assert sm["sessions"][0]["name"] == "Squat"
    # faults by the exercise file's message, with counts
    assert sm["sessions"][0]["fault_counts"] == {"Torso leans too far forward": 2, "Heels lift off the floor": 1}
    squat = next(e for e in sm["per_exercise"] if e["exercise"] == "squat")
    assert squat["faults"] == {"Torso leans too far forward": 3, "Heels lift off the floor": 1, "Knees cave inward": 1}
    # the newest program version, its own target and safe range over the exercise's defaults
    prog = sm["program"]
    assert (prog["version"], prog["versions"], prog["notes"]) == (2, 2, "Pain-free range only. Stop if pain rises above 4/10.")
    it = {i["id"]: i for i in prog["items"]}
    assert (it["squat"]["target"], it["squat"]["safe_min"], it["squat"]["safe_max"]) == (95.0, 85.0, None)
    assert it["shoulder_flexion"]["target"] == catalog.get("shoulder_flexion").driver.target
    assert sm["sessions"][-1]["rom_target"] == 95.0 and sm["sessions"][-1]["outside_safe"] == 8
    assert sm["sessions"][-1]["at_target"] == 8 and sm["sessions"][0]["at_target"] == 0
    assert squat["pain_first"] == 5 and squat["pain_last"] == 2 and squat["pain_max"] == 5
    assert sm["period"] == ("2026-09-21", "2026-10-03")


def test_html_report_has_outcomes_and_names(history, tmp_path, catalog):
    page = write_report(history, tmp_path / "r.html", catalog, pseudonym="abc123").read_text()
    for text in ("Pain and effort over time", "Clinician's notes", "Pain-free range only", "Knee rehab A v2",
                 "Torso leans too far forward", "Heels lift off the floor", "≥ 85°", "≤ 95°", "Shoulder flexion",
                 "2026-09-21 to 2026-10-03", "pseudonym abc123", "outside safe range"):
        assert text in page, text
    assert "<td>squat</td>" not in page  # names, not ids
    assert re.search(r"<td>Squat</td><td>5</td><td>38 / 40</td>", page)


def test_pdf_first_page_is_a_laid_out_summary(history, tmp_path, catalog):
    pdf = write_report(history, tmp_path / "r.pdf", catalog, pseudonym="abc123")
    assert pdf.read_bytes().startswith(b"%PDF")
    try:
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                               capture_output=True, text=True, timeout=60, check=True).stdout
        n_pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    except FileNotFoundError:
        pytest.skip("poppler-utils (pdftotext) not installed")
    for text in ("FitCoach progress report", "pat", "abc123", "2026-09-21 to 2026-10-03", "Summary per exercise",
                 "Squat", "Shoulder flexion", "Program: Knee rehab A v2", "Clinician's notes", "Pain-free range only",
                 "≥ 85°", "Pain and effort"):
        assert text in first, text
    assert "squat " not in first.replace("Squat", "")  # no raw ids
    assert int(re.search(r"Pages:\s+(\d+)", n_pages).group(1)) >= 3
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    assert len(set(re.findall(r"size:\s+([\d.]+ x [\d.]+)", sizes))) == 1  # one page size (A4) throughout


def test_a_profile_without_history_still_gets_a_report(tmp_path, catalog):
    s = Store(tmp_path / "d")
    s.profile("new", "home")
    export = s.export_profile("new")
    s.close()
    page = write_report(export, tmp_path / "r.html", catalog).read_text()
    assert "No sessions yet." in page and "no sessions yet" in page
    assert write_report(export, tmp_path / "r.pdf", catalog).read_bytes().startswith(b"%PDF")


def test_faults_of_removed_rules_and_damaged_rows_are_named_not_fatal(history, catalog):
    history["reps"][0]["faults"] = '[{"id": "old_rule", "message": "Old rule message"}, "bare_id"]'
    history["reps"][1]["faults"] = "not json"
    history["programs"].append(dict(history["programs"][-1], id=99, version=3, created_utc=2e9, body="= broken"))
    sm = summarize(history, catalog)
    assert sm["sessions"][0]["fault_counts"]["Old rule message"] == 1
    assert sm["sessions"][0]["fault_counts"]["bare id"] == 1
    assert sm["program"]["version"] == 2  # the newest version cannot be read: the one before it, no crash


def test_reps_short_of_the_target_are_one_fault_whatever_their_depth(history, catalog):
    # the pipeline's own fault carries the measured value in its message; the report names it
    # once ("Short of the target" x 3), not once per depth reached
    msgs = ["Short of the target: depth 103°, target ≤ 100°", "Short of the target: depth 104°, target ≤ 100°",
            "Short of the target: depth 103°, target ≤ 100°"]
    for rep, m in zip(history["reps"][:3], msgs):
        rep["faults"] = json.dumps([{"id": "incomplete_range", "message": m}])
    counts = summarize(history, catalog)["sessions"][0]["fault_counts"]
    assert counts.get("Short of the target") == 3 and not any(k.startswith("Short of the target:") for k in counts)

"""Progress reports (HTML with SVG charts, PDF) from a history with sessions, a program and ROM tests."""

import pytest

from fitcoach.io.store import Store
from fitcoach.reports import summarize, write_report

pytest.importorskip("matplotlib")


@pytest.fixture
def history(tmp_path, catalog):
    s = Store(tmp_path / "d")
    pid = s.profile("pat", "patient")
    s.write(lambda con: con.execute(
        "INSERT INTO programs (profile_id, name, version, body, created_utc) VALUES (?, 'p', 1, ?, 0)",
        (pid, 'schema_version = 1\nname = "p"\nsessions_per_week = 3\n[[exercise]]\nid = "squat"\nsets = 1\nreps = 8\n'))).result()
    for day, (n, depth) in enumerate([(6, 110.0), (8, 100.0), (8, 92.0)]):
        sid, set_id = s.start_session(pid, "squat", prescribed_reps=8)
        for i in range(1, n + 1):
            s.add_rep(set_id, {"index": i, "side": "both", "t_start_s": i * 4, "t_end_s": i * 4 + 3, "partial": False,
                               "rom_deg": {"min": depth, "max": 170}, "tempo_s": {"down": 2, "bottom": 0.5, "up": 1.5, "top": 0.5},
                               "score": 70 + 10 * day, "faults": []}).result()
        s.end_session(sid, set_id)
        t = 1_790_000_000 + day * 2 * 86400
        s.write(lambda con, sid=sid, t=t: con.execute("UPDATE sessions SET started_utc = ?, ended_utc = ? WHERE id = ?",
                                                      (t, t + 600, sid))).result()
        s.add_assessment(pid, "rom", {"test": "knee_flexion", "side": "right", "max_deg": 110 + 5 * day, "normal": [0, 135]})
    s.add_assessment(pid, "posture", {"findings": [{"name": {"en": "Forward head posture"}, "value": 44.0,
                                                    "uncertainty": 2.5, "norm": "≈ 50.6°", "status": "outside"}]})
    export = s.export_profile("pat")
    s.close()
    return export


def test_summary_compares_with_prescription_and_target(history, catalog):
    sm = summarize(history, catalog)
    assert [x["reps"] for x in sm["sessions"]] == [6, 8, 8]
    assert all(x["prescribed"] == 8 for x in sm["sessions"])
    assert [x["rom_extreme"] for x in sm["sessions"]] == [110.0, 100.0, 92.0]
    assert sm["sessions"][0]["rom_target"] == catalog.get("squat").driver.target
    assert sm["sessions"][0]["tempo_accuracy"] == 100
    assert sm["per_week"] == 3 and len(sm["rom_assessments"]) == 3


def test_html_and_pdf(history, tmp_path, catalog):
    page = write_report(history, tmp_path / "r.html", catalog).read_text()
    assert page.count("<svg") >= 3  # charts
    # 1 exercise in the summary, 1 program row, 3 sessions, 1 posture row
    assert page.count("<tr><td>") == 6
    assert "Posture assessments" in page and "44.0°" in page
    pdf = write_report(history, tmp_path / "r.pdf", catalog).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3  # pages + the Pages node: 2+ A4 pages

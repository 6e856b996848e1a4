"""The HUD's rep line shows what pulled the form score down (measure, value, correct range), en and ko."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")


@pytest.mark.parametrize("lang, expect", [
    ("en", "Last rep score 64 — knee angle (smaller side), lowest in the rep 118°; correct reps: 85–100°"),
    ("ko", "마지막 반복 점수 64 — 무릎 각도 (작은 쪽), 반복 중 최저 118°; 올바른 반복: 85–100°"),
])
def test_hud_rep_line_gives_the_reasons(qtbot, lang, expect):
    from fitcoach.core.pipeline import RepRecord
    from fitcoach.gui.widgets import Hud

    hud = Hud(lang)
    qtbot.addWidget(hud)
    reason = {"measure": "knee.min.lowest", "value": 118.2, "unit": "deg", "correct_range": [85.0, 100.0], "text": "…"}
    hip = {"measure": "hip.min.lowest", "value": 60.0, "unit": "deg", "correct_range": [70.0, 90.0], "text": "…"}
    rep = RepRecord(1, "left", 0.0, 2.0, False, None, 90.0, 170.0, 1.0, 0.2, 1.0, None, (), "side", 64.0,
                    score_reasons=(reason, hip), score_basis="real")
    hud.show_rep(rep, None)
    text = hud.score_label.text()
    assert text.startswith(expect), text
    assert " · " in text and "60°" in text  # the second reason too
    hud.show_rep(RepRecord(2, "left", 0.0, 2.0, False, None, 90.0, 170.0, 1.0, 0.2, 1.0, None, (), "side", 95.0), None)
    assert hud.score_label.text().endswith("95")  # a rep with nothing outside the correct ranges: score only

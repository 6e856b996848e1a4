"""The Workout page's parts: the prescription fields (sets, reps or hold, rest, countdown,
recording), the end-of-session self-report form, and the texts the page shows (where the
prescription came from, the session summary, the banner over the video). Widgets only; which
prescription applies is `fitcoach.app.prescriptions`, the workout itself `fitcoach.app.sessions`."""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox

from fitcoach.app.prescriptions import EXERCISE, PLAN, PROGRAM
from fitcoach.gui.i18n import tr
from fitcoach.gui.widgets import range_text


def spin(lo: int, hi: int, suffix: str = "", value: int | None = None) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    if suffix:
        box.setSuffix(suffix)
    if value is not None:
        box.setValue(value)
    return box


class PrescriptionFields:
    """The editable prescription: spin boxes in one row (`row`); reps or hold shown by kind."""

    def __init__(self, lang: str) -> None:
        self.sets, self.reps, self.hold = spin(1, 20), spin(1, 200), spin(1, 600, " s")
        self.rest, self.countdown = spin(0, 900, " s"), spin(0, 30, " s", 5)
        self.record = QCheckBox(tr("Record landmarks", lang))
        self.record_video = QCheckBox(tr("with video", lang))
        self.reps_caption, self.hold_caption = QLabel(tr("reps", lang)), QLabel(tr("hold", lang))
        self.row = QHBoxLayout()
        for label, w in ((QLabel(tr("sets", lang)), self.sets), (self.reps_caption, self.reps),
                         (self.hold_caption, self.hold), (QLabel(tr("rest", lang)), self.rest),
                         (QLabel(tr("countdown", lang)), self.countdown)):
            self.row.addWidget(label)
            self.row.addWidget(w)
        self.row.addWidget(self.record)
        self.row.addWidget(self.record_video)
        self.row.addStretch(1)

    def show(self, p) -> None:
        """Put prescription P in the fields."""
        self.sets.setValue(p.sets)
        is_hold = p.hold_s is not None
        self.reps.setValue(int(p.reps or 10))
        self.hold.setValue(int(p.hold_s or 30))
        for w in (self.reps, self.reps_caption):
            w.setVisible(not is_hold)
        for w in (self.hold, self.hold_caption):
            w.setVisible(is_hold)
        self.rest.setValue(int(p.rest_s))

    def edited(self, p, kind: str):
        """P with the sets, reps or hold and rest as edited."""
        is_hold = kind == "hold"
        return replace(p, sets=self.sets.value(), reps=None if is_hold else self.reps.value(),
                       hold_s=float(self.hold.value()) if is_hold else None, rest_s=float(self.rest.value()))


class SelfReportForm(QFrame):
    """How did it feel: pain and effort (0-10) and a note, inline under the summary (no dialog)."""

    def __init__(self, lang: str, on_save) -> None:
        super().__init__()
        self.setObjectName("prompt")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.pain, self.effort = spin(0, 10), spin(0, 10, value=5)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("Note (optional)", lang))
        self.save_btn = QPushButton(tr("Save", lang))
        self.save_btn.clicked.connect(on_save)
        self.msg = QLabel()
        g = QGridLayout(self)
        g.addWidget(QLabel(f"<b>{tr('How did it feel?', lang)}</b>"), 0, 0, 1, 4)
        g.addWidget(QLabel(tr("Pain (0 none – 10 worst)", lang)), 1, 0)
        g.addWidget(self.pain, 1, 1)
        g.addWidget(QLabel(tr("Effort (0 rest – 10 maximal)", lang)), 1, 2)
        g.addWidget(self.effort, 1, 3)
        g.addWidget(self.note, 2, 0, 1, 3)
        g.addWidget(self.save_btn, 2, 3)
        g.addWidget(self.msg, 3, 0, 1, 4)
        self.hide()

    def reset(self) -> None:
        """Empty: no pain, middle effort, no note (a new session never saves the last answers)."""
        self.hide()
        self.pain.setValue(0)
        self.effort.setValue(5)
        self.note.clear()
        self.msg.setText("")
        self.save_btn.setEnabled(True)


def source_text(choice, lang: str) -> str:
    """Where the prescription came from, as the page says it."""
    if choice.source == PLAN:
        return tr("today's plan", lang)
    if choice.source == PROGRAM:
        return tr("program {n} v{v}", lang).format(n=choice.program_name, v=choice.program_version)
    assert choice.source == EXERCISE, choice.source
    return tr("exercise defaults", lang)


def describe(p, source: str, kind: str, lang: str) -> str:
    """The line under the fields: source, tempo, target and safe range."""
    parts = [f"{tr('from', lang)} {source}"]
    if p.tempo is not None and kind == "reps":
        parts.append(f"{tr('tempo', lang)} {p.tempo.notation()}")
    if p.target is not None and kind == "reps":
        parts.append(f"{tr('target', lang)} {p.target:g}°")
    if p.safe_min is not None or p.safe_max is not None:
        parts.append(f"{tr('safe range', lang)} {range_text(p.safe_min, p.safe_max)}")
    return " · ".join(parts)


def banner(snap, lang: str) -> str:
    """The text over the video for the workout's state (waiting, countdown, rest; none in a set)."""
    if snap.state == "waiting":
        return tr("Step into view", lang)
    if snap.state == "countdown":
        return tr("Starting in {n}", lang).format(n=math.ceil(snap.remaining_s))
    if snap.state == "rest":
        return tr("Rest {n} s", lang).format(n=math.ceil(snap.remaining_s))
    return ""


def summary_html(s, lang: str) -> str:
    """`session.WorkoutSummary` as a few lines of rich text."""
    from html import escape

    unit = tr("reps", lang) if s.unit == "reps" else "s"
    lines = [f"<b>{tr('Session summary', lang)}</b>",
             tr("{k} sets × {n} {u}", lang).format(k=s.sets_done, n=f"{s.goal:g}", u=unit)
             + f" ({', '.join(map(str, s.achieved))})"]
    if any(s.partial):
        lines.append(tr("partial reps: {p}", lang).format(p=", ".join(map(str, s.partial))))
    for label, ref in (("Best rep", s.best), ("Worst rep", s.worst)):
        if ref is not None:
            lines.append(tr(label, lang) + ": " + tr("set {s}, rep {r} (score {x})", lang)
                         .format(s=ref.set_index, r=ref.index, x=f"{ref.score:.0f}"))
    if s.faults:
        lines.append(tr("Faults", lang) + ":")
        for f in s.faults:
            tip = f" — {escape(f.tip)}" if f.tip else ""
            lines.append(f"&nbsp;• {escape(f.message)} ×{f.reps}{tip}")
    elif s.unit == "reps" and sum(s.achieved):
        lines.append(tr("No faults", lang))
    return "<br>".join(lines)

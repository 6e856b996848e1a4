"""History page: a profile's sessions over time (pyqtgraph) and each session's details.

Four charts share a date axis: range of motion (the mean deepest angle of full reps, with the
target), form score, tempo accuracy (measured rep time against the prescribed tempo) and
adherence (full reps done against those prescribed). The table lists the sessions; selecting one
shows its reps (ROM, tempo, score, faults with measured value and target), the cues spoken and
the pain/effort the person reported. Reads only: the profile's history is read on a worker
thread (thread `history`) when the page is shown, Show is pressed or the profile changes, and
shown when ready; a session's details are small reads on the GUI thread.
"""

from __future__ import annotations

import json
import math
import re
import time

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt, QTimer

from fitcoach.gui.i18n import tr
from fitcoach.i18n.faults import fault_name

COLUMNS = ("date", "exercise", "sets", "reps", "partial", "ROM", "score", "tempo_accuracy", "pain", "effort")
CHARTS = (("rom_extreme", "Range of motion (°)", "#1565c0"), ("score", "Form score", "#2e7d32"),
          ("tempo_accuracy", "Tempo accuracy (%)", "#8e24aa"), ("adherence", "Reps done of prescribed (%)", "#ef6c00"))
# one colour per exercise when several share a chart (the first is each chart's own)
PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457")
PERCENT = {"score", "tempo_accuracy", "adherence"}  # charts on a fixed 0-100 axis
ROM_EMPTY = (0.0, 180.0)  # the ROM axis with nothing to show: the whole joint range
ROM_PAD = 10.0  # degrees around the data and the target
WEEK = 7 * 86400.0


def fmt_measured(value: float, unit: str, target: str) -> str:
    """`value` with the unit's usual precision (degrees 0 decimals, ratios 2, else 1), and more
    decimals (up to 4) while rounding would move it onto or across a bound of `target`
    ("≥ 0.8", "≤ 100°", "10°–30°"): a failing 0.796 is never shown as "0.80" or "1"."""
    bounds = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", str(target))]
    places = 0 if unit == "deg" else 2 if unit == "ratio" else 1
    while places < 4:
        shown = round(value, places)
        if all((shown > b) == (value > b) and (shown < b) == (value < b) for b in bounds):
            break
        places += 1
    return f"{value:.{places}f}"


class HistoryPage(QWidget):
    def __init__(self, catalog, lang: str = "en", db=None) -> None:
        super().__init__()
        from fitcoach.app.database import Database

        self.catalog, self.lang = catalog, lang
        self.db = db if db is not None else Database()
        self.export: dict | None = None
        self.sessions: list[dict] = []
        self.profile = QLineEdit("me")
        self.exercise = QComboBox()
        self.exercise.addItem(tr("All exercises", lang), None)
        self.exercise.currentIndexChanged.connect(self._draw)
        self.load_btn = QPushButton(tr("Show", lang))
        self.load_btn.clicked.connect(self.refresh_later)
        self._loading = None  # (profile, the Worker reading it) while one runs
        self._again = False  # the profile changed while reading: read again when it is done
        self._load_timer = QTimer(self)
        self._load_timer.setInterval(30)
        self._load_timer.timeout.connect(self._take_history)
        self.profile.editingFinished.connect(self._profile_changed)
        self.loaded_profile: str | None = None  # the profile shown (None: nothing loaded yet)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.headline = QLabel()  # the week in a sentence, per exercise
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 14pt; font-weight: bold;")
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Profile", lang)))
        top.addWidget(self.profile, 1)
        top.addWidget(QLabel(tr("Exercise", lang)))
        top.addWidget(self.exercise)
        top.addWidget(self.load_btn)
        self._build_charts()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c, lang) for c in COLUMNS])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._details)
        self.details = QTextBrowser()
        self.details.setObjectName("details")
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.table)
        lower.addWidget(self.details)
        lower.setSizes([700, 500])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.charts)
        split.addWidget(lower)
        split.setSizes([420, 300])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.headline)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)

    def _build_charts(self) -> None:
        """Four charts on a date axis; each says "No data yet" when it has nothing to draw."""
        import pyqtgraph as pg

        lang = self.lang
        self.charts = pg.GraphicsLayoutWidget()
        self.charts.setBackground("w")
        self.plots, self.empty_text = {}, {}
        for i, (key, title, _color) in enumerate(CHARTS):
            plot = self.charts.addPlot(row=i // 2, col=i % 2, axisItems={"bottom": pg.DateAxisItem()})
            plot.setTitle(tr(title, lang), color="#333", size="10pt")
            plot.showGrid(x=False, y=True, alpha=0.3)
            plot.setMouseEnabled(x=False, y=False)
            plot.enableAutoRange(False)  # ranges are set in _draw, never from one point
            self.plots[key] = plot
            self.empty_text[key] = pg.TextItem(tr("No data yet", lang), color="#777", anchor=(0.5, 0.5))

    def _name(self, ex_id: str) -> str:
        return self.catalog.get(ex_id).name.get(self.lang) if ex_id in self.catalog.ids() else ex_id

    def showEvent(self, event) -> None:
        if self.loaded_profile is None:  # the history is read when the page is first shown
            self.refresh_later()
        super().showEvent(event)

    def _profile_changed(self) -> None:
        if self.profile.text().strip() != self.loaded_profile:
            self.refresh_later()

    def refresh(self) -> None:
        """Read the profile's history now (on this thread) and show it."""
        profile = self.profile.text().strip()
        self._show_history(profile, *_read_history(self.db, profile, self.catalog))

    def refresh_later(self) -> None:
        """Read the profile's history on a worker thread (a long history takes seconds) and show
        it when it is ready; a newer request waits for the one running."""
        from fitcoach.run.worker import Worker

        profile = self.profile.text().strip()
        if self._loading is not None:
            self._again = True
            return
        db, catalog = self.db, self.catalog
        self.summary.setText(tr("Reading the history...", self.lang))
        self.load_btn.setEnabled(False)
        self._loading = (profile, Worker(lambda cancel, emit: _read_history(db, profile, catalog), name="history").start())
        self._load_timer.start()

    def stop_loading(self, timeout: float = 30.0) -> None:
        """Wait for a history being read (the window closes the database only after it)."""
        loading, self._loading = self._loading, None
        self._load_timer.stop()
        if loading is not None:
            loading[1].join(timeout)

    def _take_history(self) -> None:
        if self._loading is None or self._loading[1].alive:
            return
        (profile, w), self._loading = self._loading, None
        self._load_timer.stop()
        self.load_btn.setEnabled(True)
        if w.failure is not None:  # logged with its traceback by the worker
            self.summary.setText(w.failure.message or w.failure.text)
        else:
            self._show_history(profile, *w.result)
        if self._again:
            self._again = False
            if self.profile.text().strip() != profile:
                self.refresh_later()

    def _show_history(self, profile: str, read, view) -> None:
        from fitcoach.app.history import sessions_since
        from fitcoach.gui.pages import tell_store_problem

        if read.problem is not None:
            tell_store_problem(read.problem, self.lang)
        self.loaded_profile = profile
        self.export = read.export
        self.sessions = []
        if view is not None:
            self.sessions = list(view.sessions)
            done = sessions_since(self.sessions, time.time() - 7 * 86400)
            per_week = view.per_week
            self.summary.setText(tr("Sessions in the last 7 days: {n}", self.lang).format(n=done)
                                 + (f" ({tr('program', self.lang)}: {per_week}/{tr('week', self.lang)})" if per_week else ""))
            self.headline.setText(" ".join(self.week_sentences()))
        else:
            self.headline.clear()
            self.summary.setText(tr("No history yet for this profile: start with any exercise in Workout.", self.lang))
        current = self.exercise.currentData()
        self.exercise.blockSignals(True)
        self.exercise.clear()
        self.exercise.addItem(tr("All exercises", self.lang), None)
        for ex_id in sorted({s["exercise"] for s in self.sessions}):
            self.exercise.addItem(self._name(ex_id), ex_id)
        self.exercise.setCurrentIndex(max(0, self.exercise.findData(current)))
        self.exercise.blockSignals(False)
        self._draw()

    def week_sentences(self, now: float | None = None) -> list[str]:
        """Per exercise with a mean ROM in both the last 7 days and the 7 before: how it moved,
        in the driver's direction (`app.history.rom_changes`)."""
        from fitcoach.app.history import rom_changes

        out = []
        for ex_id, better in rom_changes(self.sessions, self.catalog, time.time() if now is None else now):
            d, name = f"{abs(better):.0f}", self._name(ex_id)
            if d == "0":
                out.append(tr("Your {name} range of motion held steady this week", self.lang).format(name=name))
            elif better > 0:
                out.append(tr("Your {name} range of motion improved {d}° this week", self.lang).format(name=name, d=d))
            else:
                out.append(tr("Your {name} range of motion was {d}° less than the week before",
                              self.lang).format(name=name, d=d))
        return out

    def shown_sessions(self) -> list[dict]:
        want = self.exercise.currentData()
        return [s for s in self.sessions if want is None or s["exercise"] == want]

    def _draw(self) -> None:
        import pyqtgraph as pg

        rows = self.shown_sessions()
        self.table.setRowCount(len(rows))
        for i, s in enumerate(rows):
            reps = f"{s['reps']}" + (f" / {s['prescribed_total']}" if s["prescribed_total"] else "")
            vals = [s["date"], self._name(s["exercise"]), s["sets"], reps, s["partial"], s["rom_extreme"], s["score"],
                    s["tempo_accuracy"], s["pain"], s["effort"]]
            for j, v in enumerate(vals):
                self.table.setItem(i, j, QTableWidgetItem("–" if v is None else str(v)))
        self.table.resizeColumnsToContents()
        exercises = sorted({s["exercise"] for s in rows})
        times = [s["t"] for s in rows]
        # a real date range: at least a day either side of the sessions (or the last two weeks)
        x0, x1 = (min(times) - 86400, max(times) + 86400) if times else (time.time() - 2 * WEEK, time.time())
        for key, _title, color in CHARTS:
            plot = self.plots[key]
            plot.clear()
            if plot.legend is None and len(exercises) > 1:
                plot.addLegend(offset=(5, 5))
            if plot.legend is not None:
                plot.legend.clear()
            ys_all = []
            for k, ex_id in enumerate(exercises):  # one series per exercise: never joined
                c = color if len(exercises) == 1 else PALETTE[k % len(PALETTE)]
                pts = [(s["t"], s[key]) for s in rows if s["exercise"] == ex_id and s.get(key) is not None]
                if pts:
                    xs, ys = zip(*pts)
                    ys_all += ys
                    plot.plot(list(xs), list(ys), pen=pg.mkPen(c, width=2), symbol="o", symbolBrush=c,
                              symbolPen=c, symbolSize=7, name=self._name(ex_id) if len(exercises) > 1 else None)
                if key == "rom_extreme":
                    target = next((s["rom_target"] for s in reversed(rows)
                                   if s["exercise"] == ex_id and s.get("rom_target") is not None), None)
                    if target is not None and pts:  # its target as a dashed line in its colour
                        ys_all.append(target)
                        plot.addItem(pg.InfiniteLine(pos=target, angle=0,
                                                     pen=pg.mkPen(c, width=1, style=Qt.PenStyle.DashLine)))
            if key in PERCENT:  # percentages and scores: always 0-100 (lower only if a value is)
                y0, y1 = min([0.0] + ys_all), max([100.0] + ys_all)
            elif ys_all:
                y0, y1 = min(ys_all) - ROM_PAD, max(ys_all) + ROM_PAD
            else:
                y0, y1 = ROM_EMPTY
            plot.setXRange(x0, x1, padding=0.02)
            plot.setYRange(y0, y1, padding=0.02)
            text = self.empty_text[key]
            if not ys_all:  # nothing to draw: say so in the middle of the chart
                text.setPos((x0 + x1) / 2, (y0 + y1) / 2)
                plot.addItem(text)
                text.setVisible(True)
            else:
                text.setVisible(False)

    def _details(self) -> None:
        rows = self.shown_sessions()
        sel = self.table.selectionModel().selectedRows()
        if not sel or self.export is None:
            self.details.clear()
            return
        s = rows[sel[0].row()]
        self.details.setHtml(session_html(self.export, s, self.catalog, self.lang))


def session_html(export: dict, s: dict, catalog, lang: str) -> str:
    """One session: its reps with measured values, faults (measured vs target), cues, self-report."""
    from html import escape as e

    ex = catalog.get(s["exercise"]) if s["exercise"] in catalog.ids() else None
    name = ex.name.get(lang) if ex else s["exercise"]
    out = [f"<h3>{e(name)} — {e(s['date'])}</h3>"]
    reps = [r for r in export["reps"] if r["session_id"] == s["id"]]
    out.append("<table cellpadding=3 border=1 style='border-collapse:collapse'><tr>"
               + "".join(f"<th>{e(tr(h, lang))}</th>" for h in ("set", "rep", "ROM", "tempo", "score", "faults")) + "</tr>")
    for r in reps:
        faults = []
        for f in json.loads(r["faults"]):
            # a rule's message in `lang`; incomplete_range: counted but short of the target, or partial
            label = fault_name(f.get("id", ""), lang, ex, partial=bool(r["partial"]), default=f.get("id", ""))
            m = f.get("measured")
            measured = (fmt_measured(m, f.get("unit", ""), f.get("target", ""))
                        if isinstance(m, (int, float)) and not math.isnan(m) else "?")
            faults.append(f"{e(label)} ({e(measured)} {e(str(f.get('unit', '')))}; {tr('target', lang)} {e(str(f.get('target', '')))})")
        rom = "–" if r["rom_min"] is None else f"{r['rom_min']:.0f}–{r['rom_max']:.0f}°"
        tempo = "–" if r["tempo_down"] is None else f"{r['tempo_down']:.1f}-{r['tempo_bottom']:.1f}-{r['tempo_up']:.1f}"
        kind = f" ({tr('partial', lang)})" if r["partial"] else ""
        score = "–" if r["score"] is None else f"{r['score']:.0f}"
        out.append(f"<tr><td>{r.get('set_idx', 1)}</td><td>{r['idx']}{e(kind)}</td><td>{rom}</td><td>{tempo}</td>"
                   f"<td>{score}</td><td>{'<br>'.join(faults) or '–'}</td></tr>")
    out.append("</table>")
    cues = [c for c in export["cues"] if c["session_id"] == s["id"]]
    if cues:
        out.append(f"<p><b>{tr('Cues', lang)}</b>: " + "; ".join(f"{c['t_s']:.0f} s {e(c['text'])}" for c in cues) + "</p>")
    rep = next((r for r in export["self_reports"] if r["session_id"] == s["id"]), None)
    if rep is not None:
        out.append(f"<p><b>{tr('Pain', lang)}</b> {rep['pain']}/10 · <b>{tr('Effort', lang)}</b> {rep['rpe']}/10"
                   + (f" · {e(rep['note'])}" if rep.get("note") else "") + "</p>")
    return "".join(out)


def _read_history(db, profile: str, catalog):
    """(the profile's history read, its sessions as the page shows them or None): Qt-free, for
    the worker thread."""
    from fitcoach.app.history import load_export, sessions_view

    read = load_export(db, profile)
    return read, (sessions_view(read.export, catalog) if read.export is not None else None)

"""Today, History and Settings pages: thin views over the core's planner, store and settings.

The Today page plans on a worker thread (a long history takes seconds to read and plan) and
shows the plan when it is ready; the other reads are small and on the GUI thread. They never
write while a workout runs, and show validation errors next to the field instead of dialogs.
"""

from __future__ import annotations


from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from fitcoach.app import history, plans
from fitcoach.app.database import Database, data_dir
from fitcoach.gui.i18n import LANGS, language_name, tr


_told: set[str] = set()


def tell_store_problem(message: str, lang: str = "en") -> None:
    """Show why the history cannot be used (damaged, being restored, newer) in a dialog, once per
    message per run. Deferred to the event loop: a modal dialog must not run inside the
    showEvent that found the problem (the window would not finish showing)."""
    if message in _told:
        return
    _told.add(message)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    QTimer.singleShot(0, lambda: QMessageBox.critical(None, tr("FitCoach", lang), message))


def load_export(db, profile: str, lang: str = "en"):
    """(the profile's export or None, why the history cannot be read or None); the user is told
    why, once, and every page goes on working without it."""
    read = history.load_export(db, profile)
    if read.problem is not None:
        tell_store_problem(read.problem, lang)
    return read.export, read.problem


class TodayPage(QWidget):
    start_requested = Signal(str)  # exercise id

    def __init__(self, catalog, lang: str = "en", db: Database | None = None) -> None:
        super().__init__()
        self.catalog, self.lang = catalog, lang
        self.db = db if db is not None else Database()
        self.profile = QLineEdit("me")
        self.refresh_btn = QPushButton(tr("Plan my next session", lang))
        self.refresh_btn.clicked.connect(self.refresh_later)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Profile", lang)))
        top.addWidget(self.profile, 1)
        top.addWidget(self.refresh_btn)
        self.plan_view = QTextBrowser()
        self.plan_view.setObjectName("plan")
        self.start_btn = QPushButton(tr("Start the first exercise", lang))
        self.start_btn.clicked.connect(self._start)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.plan_view, 1)
        lay.addWidget(self.start_btn)
        self.plan: dict | None = None
        self._planning = None  # the Worker planning in the background, while it runs
        self._plan_timer = QTimer(self)
        self._plan_timer.setInterval(30)
        self._plan_timer.timeout.connect(self._take_plan)

    def refresh(self) -> None:
        """Plan the next session now (on this thread) and show it."""
        self._show_plan(plans.plan_for(self.db, self.profile.text().strip(), self.catalog))

    def refresh_later(self) -> None:
        """Plan the next session on a worker thread (reading a long history and planning take
        seconds) and show it when it is ready; the page says it is planning meanwhile. The
        history is only read there (one `Database`, its reads are thread-safe)."""
        from fitcoach.run.worker import Worker

        if self._planning is not None:
            return
        profile, db, catalog = self.profile.text().strip(), self.db, self.catalog
        self.plan_view.setPlainText(tr("Planning your next session...", self.lang))
        self.refresh_btn.setEnabled(False)
        self.start_btn.setEnabled(False)  # until there is a plan to start
        self._planning = Worker(lambda cancel, emit: plans.plan_for(db, profile, catalog), name="plan").start()
        self._plan_timer.start()

    def stop_planning(self, timeout: float = 30.0) -> None:
        """Wait for a plan being made (it reads the history: the window closes the database only
        after it); its result is dropped."""
        w, self._planning = self._planning, None
        self._plan_timer.stop()
        if w is not None:
            w.cancel()
            w.join(timeout)

    def _take_plan(self) -> None:
        w = self._planning
        if w is None or w.alive:
            return
        self._plan_timer.stop()
        self._planning = None
        self.refresh_btn.setEnabled(True)
        self.start_btn.setEnabled(True)  # the plan, when there is one, says what it starts
        if w.failure is not None:  # logged with its traceback by the worker
            self.plan_view.setPlainText(w.failure.message or w.failure.text)
            return
        self._show_plan(w.result)

    def _show_plan(self, read) -> None:
        """The plan with every explanation in the page's language (the planner's reason codes
        rendered through its phrase table, exercise names from the catalog)."""
        from html import escape as e

        from fitcoach.core.planner import localize_plan

        self.plan, export = read.plan, read.export
        if read.problem is not None:  # the history cannot be read: say so and how to recover
            tell_store_problem(read.problem, self.lang)
            self.plan_view.setPlainText(read.problem)
            return
        if export is None:
            self.plan_view.setPlainText(tr("No history yet for this profile: start with any exercise in Workout.", self.lang))
            return
        local = localize_plan(self.plan, self.lang, self.catalog)
        seconds = tr("{n} s", self.lang)
        lines = [f"<h3>{tr('Next session', self.lang)}</h3>"]
        lines += [f"<p><i>{e(n)}</i></p>" for n in local["notes"]]
        for c in local["correctives"]:
            lines.append(f"<p><b>{e(c['name'])}</b> {c['sets']} × {c['reps']} ({c['tempo']}) — {e(c['why'])}</p>")
        for it in local["items"]:
            if it.get("mode") == "stop":
                dose = tr("stopped for now", self.lang)
            elif "hold_s" in it:
                dose = f"{it['sets']} × " + seconds.format(n=f"{it['hold_s']:g}")
            else:
                dose = f"{it['sets']} × {it['reps']} ({it['tempo']})"
            lines.append(f"<p><b>{e(it['name'])}</b> {e(dose)}<br>" + "<br>".join(f"– {e(r)}" for r in it["why"]) + "</p>")
        lines.append(f"<p>{e(local['reassess'])}</p>")
        first = self.first_item()
        self.start_btn.setEnabled(first is not None)
        if first is not None and first["exercise"] in self.catalog.ids():
            name = self.catalog.get(first["exercise"]).name.get(self.lang)
            self.start_btn.setText(tr("Start: {name}", self.lang).format(name=name))
        else:
            self.start_btn.setText(tr("Start the first exercise", self.lang))
        lines.append(self._last_results(export))
        self.plan_view.setHtml("".join(lines))

    def _last_results(self, export: dict) -> str:
        """The most recent session: reps against the prescription, ROM, score, self-report."""
        last = plans.last_results(export, self.catalog)
        if last is None:
            return ""
        s, rep = last
        name = self.catalog.get(s["exercise"]).name.get(self.lang) if s["exercise"] in self.catalog.ids() else s["exercise"]
        parts = [f"{tr('reps', self.lang)} {s['reps']}" + (f"/{s['prescribed']}" if s["prescribed"] else "")]
        if s["rom_extreme"] is not None:
            parts.append(f"{tr('ROM', self.lang)} {s['rom_extreme']}°"
                         + (f" ({tr('target', self.lang)} {s['rom_target']:g}°)" if s["rom_target"] else ""))
        if s["score"] is not None:
            parts.append(f"{tr('score', self.lang)} {s['score']:.0f}")
        if rep is not None:
            parts.append(f"{tr('pain', self.lang)} {rep['pain']}/10, {tr('effort', self.lang)} {rep['rpe']}/10")
        return (f"<h3>{tr('Last results', self.lang)}</h3><p><b>{name}</b> {s['date']}: " + " · ".join(parts) + "</p>")

    def showEvent(self, event) -> None:
        if self.plan is None:  # the plan is made when the page is first shown
            self.refresh_later()
        super().showEvent(event)

    def first_item(self) -> dict | None:
        """What the session starts with, in the order the page lists it: the corrective routines
        first (they prepare the main work), then the planned exercises the planner has not stopped."""
        return plans.first_item(self.plan)

    def _start(self) -> None:
        """Start the first exercise of the plan as it is listed (see `first_item`)."""
        item = self.first_item()
        if item is not None:
            self.start_requested.emit(item["exercise"])


class SettingsPage(QWidget):
    """Camera, pose model, voice, UI language, data folder and what is stored where. Saved to
    settings.toml through the same validation as a hand-edited file; errors show in the page."""

    def __init__(self, lang: str = "en", settings=None, error: str = "") -> None:
        super().__init__()
        from fitcoach.io.settings import Settings

        self.lang = lang
        self.folder = data_dir()
        st = settings or Settings()
        self._base = st  # what this page does not edit (the profile) is saved unchanged
        self._choices(st)
        self.rate = QSpinBox()
        self.rate.setRange(80, 300)
        self.rate.setValue(st.voice_rate)
        self.volume = QSpinBox()
        self.volume.setRange(0, 100)
        self.volume.setSuffix(" %")
        self.volume.setValue(round(st.voice_volume * 100))
        self.mute = QCheckBox()
        self.mute.setChecked(st.mute)
        self.message = QLabel(error)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        save = QPushButton(tr("Save", lang))
        save.clicked.connect(self.save)
        form = QFormLayout()
        for label, w in (("Language", self.ui_lang), ("Camera", self.camera), ("Resolution", self.resolution),
                         ("Pose model", self.model), ("People in view", self.people), ("Voice", self.verbosity),
                         ("Speech rate (words/min)", self.rate), ("Volume", self.volume), ("Mute", self.mute),
                         ("Data folder", self._folder_row())):
            form.addRow(tr(label, lang), w)
        privacy = QLabel(tr("privacy", lang, data=self.folder))
        privacy.setWordWrap(True)
        privacy.setObjectName("privacy")
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(save)
        lay.addWidget(self.message)
        lay.addWidget(QLabel(f"<b>{tr('Privacy', lang)}</b>"))
        lay.addWidget(privacy)
        lay.addStretch(1)

    @staticmethod
    def _box(items, current) -> QComboBox:
        """A combo box of (label, value) with `current` selected."""
        box = QComboBox()
        for label, value in items:
            box.addItem(label, value)
        box.setCurrentIndex(box.findData(current))
        return box

    def _choices(self, st) -> None:
        """The combo boxes: language, camera, resolution, voice verbosity, pose model, people."""
        from fitcoach.core.models import models_dir
        from fitcoach.io.sources import list_cameras

        lang = self.lang
        self.ui_lang = self._box([(language_name(c), c) for c in LANGS], st.lang)
        cams = list_cameras()
        self.camera = self._box([(f"{tr('camera', lang)} {i}" + (f" (/dev/video{i})" if f"/dev/video{i}" in cams else ""), i)
                                 for i in range(10)], st.camera)
        self.resolution = self._box([(r, r) for r in ("640x480", "1280x720", "1920x1080")], st.resolution)
        self.verbosity = self._box([(tr(v, lang), v) for v in ("silent", "counts", "full")], st.verbosity)
        labels = {"lite": "lite (fastest)", "full": "full (balanced)", "heavy": "heavy (most precise)"}
        self.model = self._box([(tr(labels[m], lang) + ("" if (models_dir() / f"pose_landmarker_{m}.task").exists()
                                                        else f" — {tr('not installed', lang)}"), m)
                                for m in ("lite", "full", "heavy")], st.model)
        self.people = self._box([(tr("one person", lang), 1), (tr("follow one of two people", lang), 2)], st.people)

    def _folder_row(self) -> QWidget:
        """The data folder (selectable) and a button that opens it."""
        open_folder = QPushButton(tr("Open folder", self.lang))
        open_folder.clicked.connect(self._open_folder)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        folder_label = QLabel(str(self.folder))
        folder_label.setTextInteractionFlags(folder_label.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(folder_label, 1)
        lay.addWidget(open_folder)
        return row

    def current(self):
        from dataclasses import replace

        return replace(self._base, lang=self.ui_lang.currentData(), verbosity=self.verbosity.currentData(),
                        voice_rate=self.rate.value(), voice_volume=self.volume.value() / 100.0,
                        mute=self.mute.isChecked(), model=self.model.currentData(), people=self.people.currentData(),
                        camera=self.camera.currentData(), resolution=self.resolution.currentData())

    def save(self) -> bool:
        from fitcoach.core.errors import ValidationError
        from fitcoach.io.settings import save_settings

        try:
            save_settings(self.current(), self.folder)
        except (ValidationError, OSError) as e:
            self.message.setText(str(e))
            return False
        self.message.setText(tr("Saved. Language, camera and model apply from the next start.", self.lang))
        return True

    def _open_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from fitcoach.io.private_files import private_dir

        private_dir(self.folder)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

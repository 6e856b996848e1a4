"""Workout page: a guided session from the camera (or a file played as if live).

The prescription (sets, reps or hold, rest, tempo, target ROM, safe range) comes from today's
plan, the profile's program or the exercise file, in that order, and can be edited before
starting. The analysis thread runs the workout (countdown, sets, rest) and saves every rep as it
completes; this page only displays: a ~30 Hz QTimer paints the latest result on its own frame
(latest-wins; older results are counted as dropped, never queued) and applies the events.
At the end it shows the session's summary (`Workout.summary()`: sets x reps, best and worst rep,
faults with their tips) and asks for pain and effort, inline (no dialog), saved with the session.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from fitcoach.app.database import Database, StoreError
from fitcoach.app.prescriptions import prescription_for
from fitcoach.app.profiles import save_self_report
from fitcoach.app.sessions import prepare_workout
from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.session import Prescription, Workout
from fitcoach.gui.bridge import AnalysisRunner
from fitcoach.gui.i18n import tr
from fitcoach.gui.widgets import Hud, VideoView, video_and_hud
from fitcoach.gui.workout_parts import (PrescriptionFields, SelfReportForm, banner, describe, source_text,
                                        summary_html)

RESOLUTIONS = ("640x480", "1280x720", "1920x1080")


class WorkoutPage(QWidget):
    def __init__(self, catalog: ExerciseCatalog, lang: str = "en", scorer=None, backend_factory=None,
                 settings=None, voice: bool = True, db: Database | None = None) -> None:
        super().__init__()
        from fitcoach.io.settings import Settings

        self.catalog, self.lang, self.scorer, self.backend_factory = catalog, lang, scorer, backend_factory
        self.settings = settings or Settings()
        self.db = db if db is not None else Database()
        self.voice_enabled = voice
        self._frame_size = (640, 480)
        self.shown = self.dropped = 0
        self.behind = ""  # "analysis is behind" while the camera outpaces the model, else ""
        self._runner: AnalysisRunner | None = None
        self.pipeline = self.session_id = self.prescription = self.program_verbosity = None
        self.presc_source = ""
        self._phase = ("", 0.0)
        self._finished = False  # the running workout's "done" was handled: later frames are not drawn
        row1 = self._who_row()
        self.fields = f = PrescriptionFields(lang)
        self.sets, self.reps, self.hold, self.rest, self.countdown = f.sets, f.reps, f.hold, f.rest, f.countdown
        self.record, self.record_video = f.record, f.record_video
        self.presc_label = QLabel()
        self.presc_label.setObjectName("prescription")
        self.presc_label.setWordWrap(True)
        self.end_set_btn = QPushButton(tr("End set", lang))
        self.end_set_btn.clicked.connect(lambda: self._runner and self._runner.end_set())
        self.skip_rest_btn = QPushButton(tr("Skip rest", lang))
        self.skip_rest_btn.clicked.connect(lambda: self._runner and self._runner.skip_rest())
        self.stop_btn = QPushButton(tr("Stop", lang))
        self.stop_btn.clicked.connect(self.stop)
        row3 = QHBoxLayout()
        row3.addWidget(self.presc_label, 1)
        for b in (self.end_set_btn, self.skip_rest_btn, self.stop_btn):
            row3.addWidget(b)
        self.video = VideoView(tr("Start with the camera, or open a recorded workout", lang))
        self.hud = Hud(lang)
        self.reps_label, self.cue_label, self.status_label = self.hud.reps_label, self.hud.cue_label, self.hud.status_label
        lay = QVBoxLayout(self)
        for row in (row1, f.row, row3):
            lay.addLayout(row)
        lay.addLayout(video_and_hud(self.video, self.hud, self._end_of_session()), 1)
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self.refresh_prescription()
        self._update_buttons()

    def _who_row(self) -> QHBoxLayout:
        """Profile, exercise, camera and resolution, and the two ways to start."""
        from fitcoach.io.sources import list_cameras

        lang = self.lang
        self.profile = QLineEdit("me")
        self.profile.editingFinished.connect(self.refresh_prescription)
        self.exercise = QComboBox()
        for ex in self.catalog:
            self.exercise.addItem(ex.name.get(lang), ex.id)
        self.exercise.currentIndexChanged.connect(self.refresh_prescription)
        self.camera = QComboBox()
        cams = list_cameras()
        for i, c in enumerate(cams):
            self.camera.addItem(c, int("".join(ch for ch in c if ch.isdigit()) or i))
        if not cams:
            self.camera.addItem(tr("no camera found", lang), -1)
        self.camera.setCurrentIndex(max(0, self.camera.findData(self.settings.camera)))
        self.resolution = QComboBox()
        for r in RESOLUTIONS:
            self.resolution.addItem(r, r)
        self.resolution.setCurrentIndex(max(0, self.resolution.findData(self.settings.resolution)))
        self.camera_btn = QPushButton(tr("Start with camera", lang))
        self.camera_btn.clicked.connect(self.start_camera)
        self.camera_btn.setEnabled(bool(cams))
        self.file_btn = QPushButton(tr("Workout from a file…", lang))
        self.file_btn.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        for label, w in (("Profile", self.profile), ("Exercise", self.exercise), ("Camera", self.camera),
                         ("Resolution", self.resolution)):
            row.addWidget(QLabel(tr(label, lang)))
            row.addWidget(w, 1 if w is self.exercise else 0)
        row.addWidget(self.camera_btn)
        row.addWidget(self.file_btn)
        return row

    def _end_of_session(self) -> QWidget:
        """The summary (`Workout.summary()`) above the self-report form; both hidden until the end."""
        self.prompt = SelfReportForm(self.lang, self.save_self_report)
        self.pain, self.effort, self.note = self.prompt.pain, self.prompt.effort, self.prompt.note
        self.prompt_save, self.prompt_msg = self.prompt.save_btn, self.prompt.msg
        self.summary = None
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.hide()
        below = QWidget()
        below_lay = QVBoxLayout(below)
        below_lay.setContentsMargins(0, 0, 0, 0)
        below_lay.addWidget(self.summary_label)
        below_lay.addWidget(self.prompt)
        return below

    # -- the prescription ---------------------------------------------------------------------------
    @property
    def ex(self):
        return self.catalog.get(self.exercise.currentData())

    def _profile_name(self) -> str:
        return self.profile.text().strip() or "me"

    def refresh_prescription(self) -> None:
        """Program for this profile (if it has this exercise), else the exercise's defaults."""
        self._apply(prescription_for(self.db, self._profile_name(), self.ex, self.catalog))

    def _apply(self, choice) -> None:
        self.program_verbosity = choice.verbosity
        self.set_prescription(choice.prescription, source_text(choice, self.lang))

    def set_prescription(self, p: Prescription, source: str) -> None:
        self.prescription, self.presc_source = p, source
        self.fields.show(p)
        self.presc_label.setText(describe(p, source, self.ex.kind, self.lang))

    def start_planned(self, item: dict) -> None:
        """A plan item from the Today page (the program's safe range and verbosity are kept)."""
        idx = self.exercise.findData(item["exercise"])
        self.exercise.blockSignals(True)
        self.exercise.setCurrentIndex(idx)
        self.exercise.blockSignals(False)
        self._apply(prescription_for(self.db, self._profile_name(), self.ex, self.catalog, plan_item=item))

    def _current_prescription(self) -> Prescription:
        return self.fields.edited(self.prescription or Prescription.for_exercise(self.ex), self.ex.kind)

    # -- running ------------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Workout from a file…", self.lang), "",
                                              "Videos and recordings (*.mp4 *.avi *.mov *.mkv *.npz)")
        if path:
            self.start_file(path, realtime=True)

    def start_camera(self) -> None:
        from fitcoach.core.errors import FitCoachError
        from fitcoach.io.sources import CameraSource

        w, h = (int(v) for v in self.resolution.currentData().split("x"))
        try:
            src = CameraSource(int(self.camera.currentData()), size=(w, h))
        except FitCoachError as e:
            self.status_label.setText(str(e))
            return
        self.start(src, realtime=False)

    def start_file(self, path: str, exercise_id: str | None = None, realtime: bool = False) -> None:
        from fitcoach.core.errors import FitCoachError
        from fitcoach.io.sources import open_source

        if exercise_id:
            self.exercise.setCurrentIndex(self.exercise.findData(exercise_id))
        try:
            src = open_source(path)
        except FitCoachError as e:
            self.status_label.setText(str(e))
            return
        self.start(src, realtime)

    def start(self, source, realtime: bool = True) -> None:
        self.stop()
        self._frame_size = source.frame_size
        p = self._current_prescription()
        setup = prepare_workout(self.db, self.settings, self.ex, p, self.profile.text(), source, self.lang,
                                self.countdown.value(), self.program_verbosity, self.voice_enabled,
                                self.record.isChecked(), self.record_video.isChecked())
        ex = setup.exercise  # target, tempo and safe range as prescribed: judged and enforced
        self.hud.reset()
        self.hud.configure(ex, p.target if ex.kind == "reps" else None, p.safe_min, p.safe_max, p.tempo)
        self.reset_self_report()
        self.summary = None
        self.summary_label.clear()
        self.summary_label.hide()
        self._finished = False
        self.video.clear()
        self.pipeline = self.session_id = None
        self.shown = self.dropped = 0
        self._workout = Workout(p, countdown_s=setup.countdown_s)
        self._runner = AnalysisRunner(setup, source, self.backend_factory, self.scorer, realtime, workout=self._workout)
        self._run_ex, self._run_p = ex, p
        self._runner.start()
        self._update_buttons()

    def stop(self) -> None:
        if self._runner is not None:
            self._runner.stop()
            self._poll()  # take the final events (saved session, done)
        self._update_buttons()

    @property
    def running(self) -> bool:
        return self._runner is not None and self._runner.alive

    def _update_buttons(self) -> None:
        run = self.running
        for b in (self.end_set_btn, self.skip_rest_btn, self.stop_btn):
            b.setEnabled(run)
        self.file_btn.setEnabled(not run)
        self.camera_btn.setEnabled(not run and self.camera.currentData() is not None and self.camera.currentData() >= 0)

    # -- results (GUI thread) -----------------------------------------------------------------------
    def _poll(self) -> None:
        """~30 Hz on the GUI thread: events first (never lost), then the latest frame."""
        r = self._runner
        if r is None:
            return
        from fitcoach.run import events as E

        finished = None
        while True:
            try:
                ev = r.events.get_nowait()
            except Exception:
                break
            if isinstance(ev, E.Finished):  # after the last frame is drawn, so that frame cannot overwrite the end
                finished = (getattr(ev.result, "pipe", None),)
            elif isinstance(ev, E.CueSaid):
                self.cue_label.setText(ev.cue.text)
            elif isinstance(ev, E.RepDone):
                self.hud.show_rep(ev.rep, self._run_p.tempo, self._run_ex)
            elif isinstance(ev, E.SetChanged):
                self._on_workout_event(ev.event)
            elif isinstance(ev, E.Status):
                self.status_label.setText(tr("Preparing the voice coach…", self.lang) if ev.text else "")
            elif isinstance(ev, E.Saved):
                if ev.what == "landmarks":
                    self.status_label.setText(tr("Recording saved: {p}", self.lang).format(p=Path(ev.path).name))
            elif isinstance(ev, E.LiveStatus):  # the HUD says when analysis cannot keep up with the camera
                self.behind = (tr("Analysis is behind: {n} frames per second", self.lang)
                               .format(n=round(ev.analysed_fps)) if ev.behind else "")
            elif isinstance(ev, E.Failed):
                self._on_failed(ev.text)
        item = r.take_latest()
        if item is not None and not self._finished:
            self._show(*item)
            self.shown += 1
            self.dropped = max(0, r.produced - self.shown)
        if finished is not None:
            self._finished = True  # nothing drawn after this replaces "Sets done" and the summary
            self._on_finished(*finished)

    def _on_workout_event(self, ev) -> None:
        if ev.kind == "rep":
            self.hud.show_rep(ev.rep, self._run_p.tempo, self._run_ex)

    def _show(self, res, frame, snap) -> None:
        ex, p, lang = self._run_ex, self._run_p, self.lang
        if snap is not None:
            if snap.goal and p.hold_s is None:
                self.reps_label.setText(tr("Reps {n} / {g}", lang).format(n=int(snap.done), g=int(snap.goal)))
            elif snap.goal:
                self.reps_label.setText(f"{snap.done:.0f} / {snap.goal:.0f} s")
            self.hud.set_label.setText(tr("Set {i} of {n}", lang).format(i=max(1, snap.set_index), n=snap.sets))
            self.video.banner = banner(snap, lang)
        if res.status == "body_not_visible":
            self.video.banner = tr("Step back so your whole body is visible", lang)
        self.hud.phase_label.setText(tr("Phase: {p}", lang).format(p=tr(res.phase, lang)))
        if res.phase != self._phase[0]:
            self._phase = (res.phase, res.t_s)
        in_set = snap is None or snap.state == "set"  # tempo is judged while a set runs, not in countdown or rest
        self.hud.tempo.set_phase(res.phase if in_set else "", res.t_s - self._phase[1])
        if not math.isnan(res.driver_value):
            self.hud.angle_label.setText(f"{tr(ex.driver.metric, lang) if ex.driver else ''} {res.driver_value:.0f}°")
        self.hud.rom.set_value(res.driver_value)
        self.status_label.setText({"no_person": tr("Nobody in view", lang),
                                   "body_not_visible": tr("Step back so your whole body is visible", lang)}
                                  .get(res.status, self.behind))
        self.video.show_frame(frame.image_bgr, res, self._frame_size)

    def _on_finished(self, pipe) -> None:
        self.pipeline = pipe
        r = self._runner
        self.session_id = r.session_id if r is not None else None
        wk = self._workout
        if wk.sets:
            done = [s.full_reps if self._run_p.hold_s is None else int(s.hold_s) for s in wk.sets]
            self.hud.set_label.setText(tr("Sets done: {s}", self.lang).format(s=", ".join(map(str, done))))
            # the analysis thread has ended: the workout is no longer changing
            self.summary = wk.summary(self._run_ex, self.lang)
            self.summary_label.setText(summary_html(self.summary, self.lang))
            self.summary_label.show()
        self.video.banner = tr("Done", self.lang)
        self.video.update()
        self.status_label.setText(tr("Done", self.lang) + (f" — {tr('saved', self.lang)}" if self.session_id else ""))
        if self.session_id is not None:
            self.prompt.show()
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.status_label.setText(message)
        self._update_buttons()

    def reset_self_report(self) -> None:
        """A new session starts with an empty form: no pain, middle effort, no note (the previous
        session's answers must never be saved again for this one)."""
        self.prompt.reset()

    def save_self_report(self) -> bool:
        if self.session_id is None:
            return False
        try:
            save_self_report(self.db, self.session_id, self.pain.value(), self.effort.value(), self.note.text())
        except StoreError as e:
            self.prompt_msg.setText(str(e))
            return False
        self.prompt_msg.setText(tr("Saved", self.lang))
        self.prompt_save.setEnabled(False)  # one report per session: a second click would add another
        return True

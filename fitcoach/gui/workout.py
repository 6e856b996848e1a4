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
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.session import Prescription, Workout
from fitcoach.gui.bridge import AnalysisRunner
from fitcoach.gui.i18n import tr
from fitcoach.gui.widgets import Hud, VideoView, range_text, video_and_hud

RESOLUTIONS = ("640x480", "1280x720", "1920x1080")


class WorkoutPage(QWidget):
    def __init__(self, catalog: ExerciseCatalog, lang: str = "en", scorer=None, backend_factory=None,
                 settings=None, voice: bool = True) -> None:
        super().__init__()
        from fitcoach.io.settings import Settings
        from fitcoach.io.sources import list_cameras

        self.catalog, self.lang, self.scorer, self.backend_factory = catalog, lang, scorer, backend_factory
        self.settings = settings or Settings()
        self.voice_enabled = voice
        self._frame_size = (640, 480)
        self.shown = 0
        self.dropped = 0
        self.behind = ""  # "analysis is behind" while the camera outpaces the model, else ""
        self._runner: AnalysisRunner | None = None
        self.pipeline = None
        self.session_id: int | None = None
        self.prescription: Prescription | None = None
        self.presc_source = ""
        self.program_verbosity: str | None = None
        self._phase = ("", 0.0)
        self._finished = False  # the running workout's "done" was handled: later frames are not drawn

        # -- what and who --
        self.profile = QLineEdit("me")
        self.profile.editingFinished.connect(self.refresh_prescription)
        self.exercise = QComboBox()
        for ex in catalog:
            self.exercise.addItem(ex.name.get(lang), ex.id)
        self.exercise.currentIndexChanged.connect(self.refresh_prescription)
        self.camera = QComboBox()
        cams = list_cameras()
        for i, c in enumerate(cams):
            idx = int("".join(ch for ch in c if ch.isdigit()) or i)
            self.camera.addItem(c, idx)
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
        row1 = QHBoxLayout()
        for label, w in (("Profile", self.profile), ("Exercise", self.exercise), ("Camera", self.camera),
                         ("Resolution", self.resolution)):
            row1.addWidget(QLabel(tr(label, lang)))
            row1.addWidget(w, 1 if w is self.exercise else 0)
        row1.addWidget(self.camera_btn)
        row1.addWidget(self.file_btn)

        # -- the prescription --
        self.sets = QSpinBox()
        self.sets.setRange(1, 20)
        self.reps = QSpinBox()
        self.reps.setRange(1, 200)
        self.hold = QSpinBox()
        self.hold.setRange(1, 600)
        self.hold.setSuffix(" s")
        self.rest = QSpinBox()
        self.rest.setRange(0, 900)
        self.rest.setSuffix(" s")
        self.countdown = QSpinBox()
        self.countdown.setRange(0, 30)
        self.countdown.setValue(5)
        self.countdown.setSuffix(" s")
        self.record = QCheckBox(tr("Record landmarks", lang))
        self.record_video = QCheckBox(tr("with video", lang))
        self.presc_label = QLabel()
        self.presc_label.setObjectName("prescription")
        self.presc_label.setWordWrap(True)
        row2 = QHBoxLayout()
        self._reps_caption = QLabel(tr("reps", lang))
        self._hold_caption = QLabel(tr("hold", lang))
        for label, w in (("sets", self.sets), (self._reps_caption, self.reps), (self._hold_caption, self.hold),
                         ("rest", self.rest), ("countdown", self.countdown)):
            row2.addWidget(label if isinstance(label, QLabel) else QLabel(tr(label, lang)))
            row2.addWidget(w)
        row2.addWidget(self.record)
        row2.addWidget(self.record_video)
        row2.addStretch(1)

        # -- controls --
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

        # -- the end-of-session prompt (inline: no dialog) --
        self.prompt = QFrame()
        self.prompt.setObjectName("prompt")
        self.prompt.setFrameShape(QFrame.Shape.StyledPanel)
        self.pain = QSpinBox()
        self.pain.setRange(0, 10)
        self.effort = QSpinBox()
        self.effort.setRange(0, 10)
        self.effort.setValue(5)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("Note (optional)", lang))
        self.prompt_save = QPushButton(tr("Save", lang))
        self.prompt_save.clicked.connect(self.save_self_report)
        self.prompt_msg = QLabel()
        g = QGridLayout(self.prompt)
        g.addWidget(QLabel(f"<b>{tr('How did it feel?', lang)}</b>"), 0, 0, 1, 4)
        g.addWidget(QLabel(tr("Pain (0 none – 10 worst)", lang)), 1, 0)
        g.addWidget(self.pain, 1, 1)
        g.addWidget(QLabel(tr("Effort (0 rest – 10 maximal)", lang)), 1, 2)
        g.addWidget(self.effort, 1, 3)
        g.addWidget(self.note, 2, 0, 1, 3)
        g.addWidget(self.prompt_save, 2, 3)
        g.addWidget(self.prompt_msg, 3, 0, 1, 4)
        self.prompt.hide()
        # -- the end-of-session summary (Workout.summary()), above the prompt --
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

        body = video_and_hud(self.video, self.hud, below)
        lay = QVBoxLayout(self)
        lay.addLayout(row1)
        lay.addLayout(row2)
        lay.addLayout(row3)
        lay.addLayout(body, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self.refresh_prescription()
        self._update_buttons()

    # -- the prescription ---------------------------------------------------------------------------
    @property
    def ex(self):
        return self.catalog.get(self.exercise.currentData())

    def refresh_prescription(self) -> None:
        """Program for this profile (if it has this exercise), else the exercise's defaults."""
        from fitcoach.io.store import Store, StoreError

        ex = self.ex
        p, src, verbosity = Prescription.for_exercise(ex), tr("exercise defaults", self.lang), None
        try:
            store = Store()
        except Exception:
            store = None
        if store is not None:
            try:
                from fitcoach.core.errors import FitCoachError
                from fitcoach.core.programs import latest_program

                found = latest_program(store.export_profile(self.profile.text().strip() or "me"), self.catalog)
                if found is not None:
                    prog, version = found
                    verbosity = prog.verbosity
                    item = next((i for i in prog.items if i.id == ex.id), None)
                    if item is not None:
                        p = Prescription.from_program_item(item, ex)
                        src = tr("program {n} v{v}", self.lang).format(n=prog.name, v=version)
            except (StoreError, ValueError, FitCoachError):  # no usable program: the exercise's defaults
                pass
            finally:
                store.close()
        self.program_verbosity = verbosity
        self.set_prescription(p, src)

    def set_prescription(self, p: Prescription, source: str) -> None:
        self.prescription, self.presc_source = p, source
        self.sets.setValue(p.sets)
        is_hold = p.hold_s is not None
        self.reps.setValue(int(p.reps or 10))
        self.hold.setValue(int(p.hold_s or 30))
        for w in (self.reps, self._reps_caption):
            w.setVisible(not is_hold)
        for w in (self.hold, self._hold_caption):
            w.setVisible(is_hold)
        self.rest.setValue(int(p.rest_s))
        self._describe()

    def start_planned(self, item: dict) -> None:
        """A plan item from the Today page."""
        idx = self.exercise.findData(item["exercise"])
        self.exercise.blockSignals(True)
        self.exercise.setCurrentIndex(idx)
        self.exercise.blockSignals(False)
        self.refresh_prescription()  # keeps the program's safe range and verbosity
        p = Prescription.from_plan_item(item, self.ex)
        base = self.prescription
        if base is not None and "safe_range_deg" not in item:  # the physiotherapist's limits stay
            from dataclasses import replace

            p = replace(p, safe_min=base.safe_min, safe_max=base.safe_max,
                        target=base.target if "target_rom_deg" not in item else p.target)
        self.set_prescription(p, tr("today's plan", self.lang))

    def _current_prescription(self) -> Prescription:
        from dataclasses import replace

        p = self.prescription or Prescription.for_exercise(self.ex)
        is_hold = self.ex.kind == "hold"
        return replace(p, sets=self.sets.value(), reps=None if is_hold else self.reps.value(),
                       hold_s=float(self.hold.value()) if is_hold else None, rest_s=float(self.rest.value()))

    def _describe(self) -> None:
        p = self.prescription
        parts = [f"{tr('from', self.lang)} {self.presc_source}"]
        if p.tempo is not None and self.ex.kind == "reps":
            parts.append(f"{tr('tempo', self.lang)} {p.tempo.notation()}")
        if p.target is not None and self.ex.kind == "reps":
            parts.append(f"{tr('target', self.lang)} {p.target:g}°")
        if p.safe_min is not None or p.safe_max is not None:
            parts.append(f"{tr('safe range', self.lang)} {range_text(p.safe_min, p.safe_max)}")
        self.presc_label.setText(" · ".join(parts))

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
        from fitcoach.core.session import SessionRecorder

        self.stop()
        self._frame_size = source.frame_size
        p = self._current_prescription()
        ex = p.apply(self.ex)  # target, tempo and safe range as prescribed: judged and enforced
        self.hud.reset()
        self.hud.configure(ex, p.target if ex.kind == "reps" else None, p.safe_min, p.safe_max, p.tempo)
        self.reset_self_report()
        self.summary = None
        self.summary_label.clear()
        self.summary_label.hide()
        self._finished = False
        self.video.clear()
        self.pipeline = None
        self.session_id = None
        self.shown = 0
        self.dropped = 0
        profile = self.profile.text().strip() or "me"
        source_name = getattr(source, "name", "")
        model = self.settings.model if source.kind != "landmarks" else None

        def recorder_factory():  # on the analysis thread, which then owns the store
            from fitcoach.io.store import Store

            store = Store()
            return store, SessionRecorder(store, profile, ex.id, str(source_name), model, p)

        verbosity = self.program_verbosity or self.settings.verbosity
        voice_factory = None
        if self.voice_enabled and verbosity != "silent" and not self.settings.mute:
            st = self.settings

            def voice_factory(exercise):
                from fitcoach.voice.coach import VoiceCoach

                return VoiceCoach(exercise, self.lang, verbosity, rate=st.voice_rate, volume=st.voice_volume)

        record_path = None
        if self.record.isChecked():
            from fitcoach.io.store import default_data_dir

            from fitcoach.io.private_files import private_dir

            folder = private_dir(default_data_dir() / "recordings")
            record_path = folder / time.strftime(f"{profile}-{ex.id}-%Y%m%d-%H%M%S.npz")
        self._workout = Workout(p, countdown_s=float(self.countdown.value()))
        self._runner = AnalysisRunner(source, ex, self.backend_factory, self.scorer, self.lang, realtime,
                                      workout=self._workout, recorder_factory=recorder_factory,
                                      voice_factory=voice_factory, record_path=record_path,
                                      record_video=self.record_video.isChecked(), verbosity=verbosity)
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
            if snap.state == "waiting":
                self.video.banner = tr("Step into view", lang)
            elif snap.state == "countdown":
                self.video.banner = tr("Starting in {n}", lang).format(n=math.ceil(snap.remaining_s))
            elif snap.state == "rest":
                self.video.banner = tr("Rest {n} s", lang).format(n=math.ceil(snap.remaining_s))
            else:
                self.video.banner = ""
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
            self.summary_label.setText(self._summary_html(self.summary))
            self.summary_label.show()
        self.video.banner = tr("Done", self.lang)
        self.video.update()
        self.status_label.setText(tr("Done", self.lang) + (f" — {tr('saved', self.lang)}" if self.session_id else ""))
        if self.session_id is not None:
            self.prompt.show()
        self._update_buttons()

    def _summary_html(self, s) -> str:
        """`session.WorkoutSummary` as a few lines of rich text."""
        from html import escape

        lang = self.lang
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

    def _on_failed(self, message: str) -> None:
        self.status_label.setText(message)
        self._update_buttons()

    def reset_self_report(self) -> None:
        """A new session starts with an empty form: no pain, middle effort, no note (the previous
        session's answers must never be saved again for this one)."""
        self.prompt.hide()
        self.pain.setValue(0)
        self.effort.setValue(5)
        self.note.clear()
        self.prompt_msg.setText("")
        self.prompt_save.setEnabled(True)

    def save_self_report(self) -> bool:
        from fitcoach.io.store import Store, StoreError

        if self.session_id is None:
            return False
        store = Store()
        try:
            store.add_self_report(self.session_id, self.pain.value(), self.effort.value(), self.note.text().strip())
        except StoreError as e:
            self.prompt_msg.setText(str(e))
            return False
        finally:
            store.close()
        self.prompt_msg.setText(tr("Saved", self.lang))
        self.prompt_save.setEnabled(False)  # one report per session: a second click would add another
        return True

"""Replay page (testers): a clip, image folder or landmark recording analysed exactly as
`fitcoach analyze` does (same JSON, exportable), shown with play / pause / step / seek / speed.

The analysis runs once, on a plain thread, as fast as it can; every frame's result is kept, so
the view can go anywhere already analysed. Playback follows the frames' own timestamps times
the speed; it waits at the analysis front if it catches up. The skeleton is always drawn on the
image of the frame its result came from (`core.replay.FrameReader` reads that image).
"""

from __future__ import annotations

import bisect
import math
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout,
                               QWidget)

from fitcoach.gui.bridge import ReplayRunner
from fitcoach.gui.i18n import tr
from fitcoach.gui.widgets import Hud, VideoView, video_and_hud

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class ReplayPage(QWidget):
    def __init__(self, catalog, lang: str = "en", scorer=None, backend_factory=None, model_name: str = "full") -> None:
        super().__init__()
        self.catalog, self.lang, self.scorer, self.backend_factory = catalog, lang, scorer, backend_factory
        self.model_name = model_name
        self.runner: ReplayRunner | None = None
        self.reader = None
        self.pos = -1
        self.playing = False
        self._clock = 0.0
        self._wall = time.monotonic()
        self._rep_frames: list[tuple[int, object]] = []  # (result position, RepRecord), in order
        self._scanned = 0
        self.path: str | None = None
        self.demo = False
        self.demo_label = QLabel(tr("Demo: a synthetic exerciser made by FitCoach, not a real person. "
                                    "Nothing of it is saved. Open your own clip or recording to analyse it.", lang))
        self.demo_label.setObjectName("demo")
        self.demo_label.setWordWrap(True)
        self.demo_label.setStyleSheet("background:#fff3cd;color:#5d4200;padding:4px;font-weight:bold")
        self.demo_label.hide()

        top, controls = self._top_row(), self._controls()

        self.video = VideoView(tr("Open a clip, a landmark recording or an image folder to replay its analysis", lang))
        self.hud = Hud(lang)
        self.reps_label, self.status_label = self.hud.reps_label, self.hud.status_label
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress")
        self.progress_label.setWordWrap(True)
        body = video_and_hud(self.video, self.hud, self.progress_label)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.demo_label)
        lay.addLayout(body, 1)
        lay.addLayout(controls)
        self._shortcuts()
        self.play_btn.setToolTip(tr("Space: play / pause; ← →: one frame; Home / End", lang))
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._update_buttons()

    def _top_row(self) -> QHBoxLayout:
        """Exercise, open, export JSON, save landmarks."""
        lang = self.lang
        self.exercise = QComboBox()
        for ex in self.catalog:
            self.exercise.addItem(ex.name.get(lang), ex.id)
        self.exercise.currentIndexChanged.connect(self._exercise_changed)
        self.open_btn = QPushButton(tr("Open clip or recording…", lang))
        self.open_btn.clicked.connect(self._choose_file)
        self.export_btn = QPushButton(tr("Export JSON…", lang))
        self.export_btn.clicked.connect(self._export_dialog)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Exercise", lang)))
        top.addWidget(self.exercise, 1)
        top.addWidget(self.open_btn)
        top.addWidget(self.export_btn)
        self.save_lm_btn = QPushButton(tr("Save landmarks…", lang))
        self.save_lm_btn.setToolTip(tr("Save the analysed landmarks as a recording that replays without the pose model", lang))
        self.save_lm_btn.clicked.connect(self._save_landmarks_dialog)
        top.addWidget(self.save_lm_btn)
        return top

    def _controls(self) -> QHBoxLayout:
        """Step back, play, step forward, the position slider, the time and the speed."""
        lang = self.lang
        self.play_btn = QPushButton(tr("Play", lang))
        self.play_btn.clicked.connect(self.toggle_play)
        self.back_btn = QPushButton("◀|")
        self.back_btn.setToolTip(tr("Step back one frame", lang))
        self.back_btn.clicked.connect(lambda: self.step(-1))
        self.fwd_btn = QPushButton("|▶")
        self.fwd_btn.setToolTip(tr("Step forward one frame", lang))
        self.fwd_btn.clicked.connect(lambda: self.step(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self.seek)  # dragging, clicking and keys (set quietly by _show)
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.time_label = QLabel("0.00 s")
        self.time_label.setMinimumWidth(150)
        controls = QHBoxLayout()
        for w in (self.back_btn, self.play_btn, self.fwd_btn):
            controls.addWidget(w)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        controls.addWidget(QLabel(tr("Speed", lang)))
        controls.addWidget(self.speed)
        return controls

    def _shortcuts(self) -> None:
        """Space, arrows, Home and End while this page is shown."""
        from PySide6.QtGui import QKeySequence, QShortcut

        for key, slot in ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_Left, lambda: self.step(-1)),
                          (Qt.Key.Key_Right, lambda: self.step(1)), (Qt.Key.Key_Home, lambda: self.seek(0)),
                          (Qt.Key.Key_End, lambda: self.seek(10**9))):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only while this page is shown
            sc.activated.connect(slot)

    # -- opening ------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open clip or recording…", self.lang), "",
                                              "Videos and recordings (*.mp4 *.avi *.mov *.mkv *.npz)")
        if path:
            self.open(path)

    def open(self, path: str, exercise_id: str | None = None, play: bool = True, demo: bool = False) -> bool:
        """Analyse `path` as the chosen (or given) exercise and play it; `demo` labels it as the
        built-in demo (a synthetic exerciser, not the user) for as long as it is shown."""
        from fitcoach.core.errors import FitCoachError
        from fitcoach.io.replay import FrameReader

        if exercise_id:
            self.exercise.blockSignals(True)  # opened below with it, not re-analysed twice
            self.exercise.setCurrentIndex(self.exercise.findData(exercise_id))
            self.exercise.blockSignals(False)
        self.close_replay()
        ex = self.catalog.get(self.exercise.currentData())
        try:
            self.runner = ReplayRunner(path, ex, self.backend_factory, self.scorer, self.lang,
                                       model_name=self.model_name)
            self.reader = FrameReader(path)
        except FitCoachError as e:
            self.status_label.setText(str(e))
            self.runner, self.path = None, None
            return False
        self.path = path
        self.demo = demo
        self.demo_label.setVisible(demo)
        self.hud.reset()
        self.hud.configure(ex, ex.driver.target if ex.driver else None, ex.safe_min, ex.safe_max, ex.tempo)
        self.video.clear()
        self.pos, self._clock, self._rep_frames, self._scanned = -1, 0.0, [], 0
        self.runner.start()
        self.playing = play
        self._wall = time.monotonic()
        self._update_buttons()
        return True

    def _exercise_changed(self) -> None:
        """Another exercise for the open file: analyse it again as that exercise (the old analysis,
        counted and judged as something else, must not stay on screen or be exported)."""
        if self.path is not None:
            self.open(self.path, play=self.playing, demo=self.demo)

    def close_replay(self) -> None:
        self.playing = False
        if self.reader is not None:
            self.reader.close()
        self.reader = None
        if self.runner is not None:
            self.runner.cancel()  # its thread stops at the next frame and closes its source and model
        self.runner = None

    # -- controls ---------------------------------------------------------------------------------
    @property
    def analysed(self) -> int:
        return len(self.runner.results) if self.runner is not None else 0

    @property
    def finished(self) -> bool:
        return self.runner is not None and self.runner.finished

    def toggle_play(self) -> None:
        if self.runner is None:
            return
        if not self.playing and self.finished and self.pos >= self.analysed - 1:
            self.seek(0)  # play again from the start
        self.playing = not self.playing
        self._wall = time.monotonic()
        self._update_buttons()

    def step(self, delta: int) -> None:
        self.playing = False
        self.seek(self.pos + delta)
        self._update_buttons()

    def seek(self, index: int) -> None:
        n = self.analysed
        if n == 0:
            return
        index = max(0, min(n - 1, int(index)))
        self._clock = self.runner.results[index].t_s
        self._show(index)

    # -- the clock (GUI thread, ~30 Hz) -------------------------------------------------------------
    def _tick(self) -> None:
        r = self.runner
        if r is None:
            return
        n = self.analysed
        self.slider.setRange(0, max(0, n - 1))
        now = time.monotonic()
        dt, self._wall = now - self._wall, now
        if self.playing and n:
            self._clock += dt * float(self.speed.currentData())
            ts = [res.t_s for res in r.results[max(0, self.pos):n]]
            target = max(0, self.pos) + max(0, bisect.bisect_right(ts, self._clock) - 1)
            if target != self.pos:
                self._show(target)
            if self.pos >= n - 1:
                if r.finished:
                    self.playing = False
                else:
                    self._clock = min(self._clock, r.results[n - 1].t_s)  # wait at the analysis front
        elif n and self.pos < 0:
            self._show(0)
        total = r.n_frames
        if r.error:
            self.progress_label.setText(r.error)
        elif r.finished:
            s = r.out["summary"]
            self.progress_label.setText(tr("Analysed {n} frames: {r} reps, {p} partial", self.lang)
                                        .format(n=r.out["input"]["frames"], r=s["reps"], p=s["partial_reps"])
                                        + "".join(f"\n⚠ {w}" for w in r.out["warnings"]))
        else:
            self.progress_label.setText(tr("Analysing… {n} of {t} frames", self.lang)
                                        .format(n=n, t=total if total else "?"))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.runner is not None
        self.play_btn.setText(tr("Pause", self.lang) if self.playing else tr("Play", self.lang))
        for b in (self.play_btn, self.back_btn, self.fwd_btn, self.slider):
            b.setEnabled(has)
        self.export_btn.setEnabled(self.finished and self.runner.out is not None)
        self.save_lm_btn.setEnabled(self.finished and self.runner.out is not None and self.runner.kind != "landmarks")

    def _scan_reps(self, upto: int) -> None:
        res = self.runner.results
        for i in range(self._scanned, min(upto + 1, len(res))):
            for rep in res[i].new_reps:
                self._rep_frames.append((i, rep))
        self._scanned = max(self._scanned, min(upto + 1, len(res)))

    def _show(self, index: int) -> None:
        r = self.runner
        res = r.results[index]
        self.pos = index
        ex = r.exercise
        lang = self.lang
        self._scan_reps(index)
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self.time_label.setText(f"{res.t_s:6.2f} s  #{res.index}")
        if ex.kind == "reps":
            self.reps_label.setText(tr("Reps {n}", lang).format(n=res.reps))
            self.hud.set_label.setText(f"+{res.partial_reps} {tr('partial', lang)}" if res.partial_reps else "")
        else:
            self.reps_label.setText(tr("Held {s} s", lang).format(s=f"{res.hold_s:.1f}"))
        self.hud.phase_label.setText(tr("Phase: {p}", lang).format(p=tr(res.phase, lang)))
        # the phase's elapsed time, from the results before this one
        k = index
        while k > 0 and r.results[k - 1].phase == res.phase:
            k -= 1
            if index - k > 600:
                break
        self.hud.tempo.set_phase(res.phase, res.t_s - r.results[k].t_s)
        if not math.isnan(res.driver_value) and ex.driver:
            self.hud.angle_label.setText(f"{tr(ex.driver.metric, lang)} {res.driver_value:.0f}°")
        self.hud.rom.set_value(res.driver_value)
        j = bisect.bisect_right([f for f, _ in self._rep_frames], index) - 1
        if j >= 0:
            self.hud.show_rep(self._rep_frames[j][1], ex.tempo, ex)
        else:  # before the first rep: nothing from a later rep stays on the HUD
            self.hud.clear_rep()
        self.hud.cue_label.setText(self._cue_at(res.t_s))
        self.status_label.setText({"no_person": tr("Nobody in view", lang),
                                   "body_not_visible": tr("Step back so your whole body is visible", lang)}
                                  .get(res.status, ""))
        img = self.reader.image(res.index) if self.reader is not None else None
        self.video.show_frame(img, res, r.frame_size)

    def _cue_at(self, t: float) -> str:
        """The cue the coach would be saying at `t` (known once the analysis has finished)."""
        out = self.runner.out if self.runner is not None else None
        if not out:
            return ""
        said = [c for c in out["cues"] if c["t_s"] <= t < c["t_s"] + 3.0]
        return said[-1]["text"] if said else ""

    # -- export -------------------------------------------------------------------------------------
    def _export_dialog(self) -> None:
        stem = Path(self.path).stem if self.path else "analysis"
        p, _ = QFileDialog.getSaveFileName(self, tr("Export JSON…", self.lang), f"{stem}.json", "JSON (*.json)")
        if p:
            self.export_json(p)

    def export_json(self, path: str) -> bool:
        from fitcoach.run.analyze import analysis_json_text

        if not self.finished or self.runner.out is None:
            return False
        from fitcoach.io.private_files import write_private_text

        write_private_text(path, analysis_json_text(self.runner.out))  # 0600: health data
        self.progress_label.setText(tr("Exported {p}", self.lang).format(p=Path(path).name))
        return True

    def _save_landmarks_dialog(self) -> None:
        stem = Path(self.path).stem if self.path else "recording"
        p, _ = QFileDialog.getSaveFileName(self, tr("Save landmarks…", self.lang), f"{stem}.npz", "Landmarks (*.npz)")
        if p:
            self.save_landmarks(p)

    def save_landmarks(self, path: str) -> bool:
        """The replayed clip's landmarks (what `fitcoach record` writes), for model-free replays."""
        if not self.finished or self.runner.out is None or not len(self.runner.tape):
            return False
        self.runner.tape.save(path, self.runner.frame_size)
        self.progress_label.setText(tr("Saved {p}", self.lang).format(p=Path(path).name))
        return True

"""Workout / replay page: the video with its skeleton overlay and the HUD.

Display is throttled by a ~30 Hz QTimer that paints the latest result (latest-wins); results
arriving faster are counted as dropped frames, never queued.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from fitcoach.core.annotate import draw_overlay
from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.gui.bridge import AnalysisRunner
from fitcoach.gui.i18n import tr


class WorkoutPage(QWidget):
    def __init__(self, catalog: ExerciseCatalog, lang: str = "en", scorer=None, backend_factory=None) -> None:
        super().__init__()
        self.catalog, self.lang, self.scorer, self.backend_factory = catalog, lang, scorer, backend_factory
        self._frame_size = (640, 480)
        self.shown = 0
        self.dropped = 0
        self._runner: AnalysisRunner | None = None
        self.pipeline = None

        self.exercise = QComboBox()
        for ex in catalog:
            self.exercise.addItem(ex.name.get(lang), ex.id)
        self.open_btn = QPushButton(tr("Open clip or recording…", lang))
        self.open_btn.clicked.connect(self._choose_file)
        self.stop_btn = QPushButton(tr("Stop", lang))
        self.stop_btn.clicked.connect(self.stop)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Exercise", lang)))
        top.addWidget(self.exercise, 1)
        top.addWidget(self.open_btn)
        top.addWidget(self.stop_btn)

        self.video = QLabel(tr("Open a clip, a landmark recording or the camera to start", lang))
        self.video.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.video.setMinimumSize(480, 360)
        self.video.setStyleSheet("background:#202020;color:#ddd")

        self.reps_label = QLabel()
        self.reps_label.setObjectName("reps")
        self.phase_label = QLabel()
        self.angle_label = QLabel()
        self.score_label = QLabel()
        self.cue_label = QLabel()
        self.cue_label.setObjectName("cue")
        self.cue_label.setStyleSheet("font-size:18pt;color:#ffcc33")
        self.status_label = QLabel()
        self.rom = QProgressBar()
        self.rom.setRange(0, 180)
        self.rom.setFormat("%v°")
        hud = QVBoxLayout()
        big = "font-size:22pt;font-weight:bold"
        self.reps_label.setStyleSheet(big)
        for w in (self.reps_label, self.phase_label, self.angle_label, QLabel(tr("Range of motion", lang)), self.rom,
                  self.score_label, self.cue_label, self.status_label):
            hud.addWidget(w)
        hud.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.video, 3)
        body.addLayout(hud, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(body, 1)
        self._reset_hud()
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    # -- running ---------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open clip or recording…", self.lang), "",
                                              "Videos and recordings (*.mp4 *.avi *.mov *.mkv *.npz)")
        if path:
            self.start_file(path)

    def start_file(self, path: str, exercise_id: str | None = None, realtime: bool = False) -> None:
        from fitcoach.core.sources import open_source

        if exercise_id:
            self.exercise.setCurrentIndex(self.exercise.findData(exercise_id))
        self.start(open_source(path), realtime)

    def start(self, source, realtime: bool = True) -> None:
        self.stop()
        self._frame_size = source.frame_size
        ex = self.catalog.get(self.exercise.currentData())
        self._reset_hud()
        self.pipeline = None
        self.shown = 0
        self._runner = AnalysisRunner(source, ex, self.backend_factory, self.scorer, self.lang, realtime)
        self._runner.start()

    def stop(self) -> None:
        if self._runner is not None:
            self._runner.stop()
        self._runner = None

    @property
    def running(self) -> bool:
        return self._runner is not None and self._runner.alive

    # -- results (GUI thread) ------------------------------------------------------------------------
    def _poll(self) -> None:
        """~30 Hz on the GUI thread: events first (never lost), then the latest frame."""
        r = self._runner
        if r is None:
            return
        while True:
            try:
                kind, payload = r.events.get_nowait()
            except Exception:
                break
            if kind == "cue":
                self.cue_label.setText(payload.text)
            elif kind == "done":
                self._on_finished(payload)
            else:
                self._on_failed(payload)
        item = r.take_latest()
        if item is not None:
            self._show(*item)
            self.shown += 1
            self.dropped = max(0, r.produced - self.shown)

    def _show(self, res, frame) -> None:
        ex = self.catalog.get(self.exercise.currentData())
        target = ex.driver.target if ex.driver else None
        self.reps_label.setText(tr("Reps {n}", self.lang).format(n=res.reps)
                                + (f"  (+{res.partial_reps} {tr('partial', self.lang)})" if res.partial_reps else ""))
        self.phase_label.setText(tr("Phase: {p}", self.lang).format(p=tr(res.phase, self.lang)))
        if not math.isnan(res.driver_value):
            self.angle_label.setText(f"{ex.driver.metric if ex.driver else ''} {res.driver_value:.0f}"
                                     + (f"  ({tr('target', self.lang)} {target:g})" if target is not None else ""))
            self.rom.setValue(int(max(0, min(180, res.driver_value))))
        if self.pipeline is None:
            for rr in res.new_reps:
                if rr.score is not None:
                    self.score_label.setText(tr("Last rep score {s}", self.lang).format(s=f"{rr.score:.0f}"))
        self.status_label.setText({"no_person": tr("Nobody in view", self.lang),
                                   "body_not_visible": tr("Step back so your whole body is visible", self.lang)}
                                  .get(res.status, ""))
        self._paint(res, frame)

    def _on_finished(self, pipe) -> None:
        self.pipeline = pipe
        full = sum(1 for r in pipe.reps if not r.partial)
        self.reps_label.setText(tr("Reps {n}", self.lang).format(n=full)
                                + (f"  (+{len(pipe.reps) - full} {tr('partial', self.lang)})" if len(pipe.reps) > full else ""))
        self.status_label.setText(tr("Done", self.lang))

    def _on_failed(self, message: str) -> None:
        self.status_label.setText(message)

    def _paint(self, res, frame) -> None:
        ex = self.catalog.get(self.exercise.currentData())
        if frame.image_bgr is not None:
            img = frame.image_bgr.copy()
        else:
            w, h = self._frame_size
            img = np.full((h, w, 3), 32, np.uint8)
        draw_overlay(img, res, ex)  # drawn on the frame the result came from
        rgb = np.ascontiguousarray(img[:, :, ::-1])
        qimg = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888).copy()
        self.video.setPixmap(QPixmap.fromImage(qimg).scaled(self.video.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                            Qt.TransformationMode.SmoothTransformation))

    def _reset_hud(self) -> None:
        self.reps_label.setText(tr("Reps {n}", self.lang).format(n=0))
        self.phase_label.setText("")
        self.angle_label.setText("")
        self.score_label.setText("")
        self.cue_label.setText("")
        self.status_label.setText("")

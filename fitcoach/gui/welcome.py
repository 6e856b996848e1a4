"""The first-run welcome: who is exercising (profile and level), a camera check, or a sample
video to try — before anything else happens. Shown as the first page until it is completed
once (the chosen profile is kept in settings.toml); the demo it offers is opened in the Replay
page labelled as a demo, and nothing of it is saved.

The camera check opens the camera on a plain thread (opening can take a second), grabs one
frame and closes it; the page polls the result with a QTimer (no Python objects cross threads
through Qt signals)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from fitcoach.gui.i18n import tr

LEVELS = ("beginner", "intermediate", "advanced")  # as `Store.LEVELS`


def grab_one_frame(index: int, opener=None):
    """(True, BGR image) from camera `index`, or (False, the reason in one line)."""
    from fitcoach.core.errors import FitCoachError
    from fitcoach.io.sources import CameraSource

    try:
        cam = CameraSource(index, reconnect_s=0.2, max_reconnect_s=2.0, opener=opener)
    except FitCoachError as e:
        return False, str(e)
    try:
        for frame in cam:
            return True, frame.image_bgr
        return False, f"camera {index} opened but gave no picture"
    finally:
        cam.close()


class WelcomePage(QWidget):
    """Emits `done(profile)` once the profile is saved; `sample_requested` for the demo."""

    done = Signal(str)
    sample_requested = Signal()
    camera_requested = Signal()

    def __init__(self, lang: str = "en", cameras: list[str] | None = None, opener=None, db=None) -> None:
        super().__init__()
        from fitcoach.app.database import Database
        from fitcoach.io.sources import list_cameras

        self.lang = lang
        self.db = db if db is not None else Database()
        self._opener = opener  # tests: a fake camera
        self.cameras = list_cameras() if cameras is None else cameras
        self._check: dict | None = None  # the camera check's result, written by its thread
        title = QLabel(f"<h2>{tr('Welcome to FitCoach', lang)}</h2>")
        intro = QLabel(tr("FitCoach watches you through a webcam (or a video), counts your reps, measures tempo and "
                          "range of motion, and says what to fix. Everything stays on this computer.", lang))
        intro.setWordWrap(True)
        self.name = QLineEdit("me")
        self.name.setMaxLength(64)
        self.level = QComboBox()
        for lv in LEVELS:
            self.level.addItem(tr(lv, lang), lv)
        for w in (self.name, self.level):
            w.setMaximumWidth(360)  # a name field, not a page-wide bar
        form = QFormLayout()
        form.addRow(tr("Your name (profile)", lang), self.name)
        form.addRow(tr("Your level", lang), self.level)

        buttons = self._camera_part()

        self.start_btn = QPushButton(tr("Save and start", lang))
        self.start_btn.setDefault(bool(self.cameras))
        self.start_btn.clicked.connect(self.finish)
        self.message = QLabel()
        self.message.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(intro)
        lay.addSpacing(8)
        lay.addWidget(QLabel(f"<b>{tr('1. Who is exercising', lang)}</b>"))
        lay.addLayout(form)
        lay.addSpacing(8)
        lay.addWidget(QLabel(f"<b>{tr('2. Camera', lang)}</b>"))
        lay.addWidget(self.camera_status)
        lay.addWidget(self.camera_preview)
        lay.addLayout(buttons)
        lay.addSpacing(8)
        lay.addWidget(self.start_btn, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll_check)

    def _camera_part(self) -> QHBoxLayout:
        """The camera's status and preview, and the buttons: check it, or try the sample video."""
        lang = self.lang
        self.camera_status = QLabel()
        self.camera_status.setWordWrap(True)
        self.camera_preview = QLabel()
        self.camera_preview.setFixedSize(320, 240)
        self.camera_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.camera_preview.setStyleSheet("background:#263238;color:#eceff1")
        self.check_btn = QPushButton(tr("Check the camera", lang))
        self.check_btn.clicked.connect(self.check_camera)
        self.sample_btn = QPushButton(tr("Try a sample video", lang))
        self.sample_btn.setToolTip(tr("A demo: a synthetic exerciser made by FitCoach, not a real person; nothing is saved", lang))
        self.sample_btn.clicked.connect(self.sample_requested.emit)
        if self.cameras:
            self.camera_status.setText(tr("Camera found: {c}", lang).format(c=", ".join(self.cameras)))
            self.camera_preview.setText(tr("Press “Check the camera” to see yourself", lang))
        else:
            self.camera_status.setText(tr("No camera found. You can try a sample video, or open a recorded workout "
                                          "in the Workout page.", lang))
            self.camera_preview.setText(tr("no camera found", lang))
            self.check_btn.setEnabled(False)
            self.sample_btn.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_btn)
        buttons.addWidget(self.sample_btn)
        buttons.addStretch(1)
        return buttons

    # -- camera check -------------------------------------------------------------------------------
    def check_camera(self) -> None:
        if not self.cameras and self._opener is None:
            return
        index = int("".join(c for c in self.cameras[0] if c.isdigit()) or 0) if self.cameras else 0
        self.check_btn.setEnabled(False)
        self.camera_status.setText(tr("Opening the camera…", self.lang))
        self._check = None
        box: dict = {}

        def run():
            box["ok"], box["value"] = grab_one_frame(index, self._opener)
            self._check = box

        threading.Thread(target=run, name="camera-check", daemon=True).start()
        self._timer.start()

    def _poll_check(self) -> None:
        res = self._check
        if res is None:
            return
        self._timer.stop()
        self._check = None
        self.check_btn.setEnabled(True)
        if not res["ok"]:
            self.camera_status.setText(tr("The camera did not work: {e}", self.lang).format(e=res["value"]))
            return
        img = res["value"]
        h, w = img.shape[:2]
        q = QImage(img.data, w, h, img.strides[0], QImage.Format.Format_BGR888).copy()
        self.camera_preview.setPixmap(QPixmap.fromImage(q).scaled(self.camera_preview.size(),
                                                                  Qt.AspectRatioMode.KeepAspectRatio))
        self.camera_status.setText(tr("The camera works ({w}×{h}). Stand so that your whole body is in the picture.",
                                      self.lang).format(w=w, h=h))

    # -- done ---------------------------------------------------------------------------------------
    def finish(self) -> bool:
        """Create (or update) the profile with its level; emits `done(name)`."""
        from fitcoach.app.database import StoreError
        from fitcoach.app.profiles import save_profile

        name = " ".join(self.name.text().split())
        if not name:
            self.message.setText(tr("Please enter a name for your profile.", self.lang))
            return False
        try:
            save_profile(self.db, name, level=self.level.currentData())
        except StoreError as e:
            self.message.setText(str(e))
            return False
        self.done.emit(name)
        return True

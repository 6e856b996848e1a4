"""Assessment page: posture from a front and a side photo (or clip), and guided ROM tests.

The measurement runs on a plain thread (the pose model is slow on photos); the page polls it and
shows each finding with its value, norm, uncertainty and correctives, or the clear error (wrong
view, nobody in the photo) next to the button."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

from fitcoach.gui.i18n import tr
from fitcoach.gui.widgets import VideoView


class AssessmentPage(QWidget):
    def __init__(self, lang: str = "en", backend_factory=None) -> None:
        super().__init__()
        from fitcoach.core.assess import load_rom_tests

        self.lang, self.backend_factory = lang, backend_factory
        self.front_path = self.side_path = None
        self.front_btn = QPushButton(tr("Front photo…", lang))
        self.front_btn.clicked.connect(lambda: self._pick("front"))
        self.side_btn = QPushButton(tr("Side photo…", lang))
        self.side_btn.clicked.connect(lambda: self._pick("side"))
        self.posture_btn = QPushButton(tr("Assess posture", lang))
        self.posture_btn.clicked.connect(self.run_posture)
        self.test = QComboBox()
        tests, _ = load_rom_tests()
        for tid, t in tests.items():
            self.test.addItem(t["name"].get(lang, t["name"]["en"]), tid)
        self.side = QComboBox()
        self.side.addItem(tr("left", lang), "left")
        self.side.addItem(tr("right", lang), "right")
        self.rom_btn = QPushButton(tr("ROM test from a clip…", lang))
        self.rom_btn.clicked.connect(self._pick_rom)
        self.guide = QLabel(tr("Front: face the camera, whole body in view, arms relaxed. Side: stand side-on, "
                               "ear, shoulder, hip and ankle visible.", lang))
        self.guide.setWordWrap(True)
        self.front_cam = QPushButton(tr("Front from camera", lang))
        self.front_cam.clicked.connect(lambda: self.capture("front"))
        self.side_cam = QPushButton(tr("Side from camera", lang))
        self.side_cam.clicked.connect(lambda: self.capture("side"))
        self.preview = VideoView(tr("The photo appears here with a guide showing where to stand", lang))
        self.preview.guide = "front"
        self.preview.setMinimumSize(300, 300)
        self.photos_label = QLabel()
        self.photos_label.setWordWrap(True)
        self.result = QTextBrowser()
        self.result.setObjectName("result")
        self._capture = None
        form = QFormLayout()
        row = QHBoxLayout()
        for w in (self.front_btn, self.front_cam, self.side_btn, self.side_cam, self.posture_btn):
            row.addWidget(w)
        form.addRow(tr("Posture", lang), row)
        row2 = QHBoxLayout()
        for w in (self.test, self.side, self.rom_btn):
            row2.addWidget(w)
        form.addRow(tr("Range of motion", lang), row2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.guide)
        lay.addLayout(form)
        lay.addWidget(self.photos_label)
        body = QHBoxLayout()
        body.addWidget(self.preview, 2)
        body.addWidget(self.result, 3)
        lay.addLayout(body, 1)
        self._job = None  # a fitcoach.run.worker.Worker while measuring
        self._capture_timer = QTimer(self)
        self._capture_timer.setInterval(40)
        self._capture_timer.timeout.connect(self._capture_tick)
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)

    def _pick(self, which: str) -> None:
        p, _ = QFileDialog.getOpenFileName(self, which, "", "Photos and clips (*.jpg *.jpeg *.png *.mp4 *.npz)")
        if p:
            self.set_photo(which, p)

    def set_photo(self, which: str, path: str) -> None:
        """Use `path` as the front or side view, shown with the framing guide for that view."""
        from pathlib import Path

        setattr(self, f"{which}_path", path)
        img, size, landmarks = _first_image(path)
        self.preview.guide = which
        self.preview.banner = ""
        self.preview.show_frame(img, landmarks, size)
        names = [f"{tr(k.capitalize(), self.lang)}: {Path(getattr(self, f'{k}_path')).name}"
                 for k in ("front", "side") if getattr(self, f"{k}_path")]
        self.photos_label.setText(" · ".join(names))

    # -- taking the photo with the camera: live preview, framing guide, countdown ------------------
    def capture(self, which: str, seconds: int = 5) -> None:
        from fitcoach.core.errors import FitCoachError
        from fitcoach.io.settings import load_settings
        from fitcoach.io.sources import CameraSource

        try:
            st = load_settings()
            w, h = (int(v) for v in st.resolution.split("x"))
            src = CameraSource(st.camera, size=(w, h))
        except FitCoachError as e:
            self.result.setPlainText(str(e))
            return
        self._capture = _CameraPreview(src)
        self._capture_which, self._capture_until = which, time.monotonic() + seconds
        self.preview.guide = which
        self._capture_timer.start()

    def _capture_tick(self) -> None:
        cap = self._capture
        if cap is None:
            self._capture_timer.stop()
            return
        frame = cap.latest()
        left = self._capture_until - time.monotonic()
        if cap.error:
            self.result.setPlainText(cap.error)
            left = -1
        if frame is not None:
            self.preview.banner = tr("Stand inside the outline: {n}", self.lang).format(n=max(0, int(left) + 1)) if left > 0 else ""
            self.preview.show_frame(frame, None, (frame.shape[1], frame.shape[0]))
        if left <= 0:
            self._capture_timer.stop()
            self._capture = None
            cap.close()
            if frame is not None:
                import cv2

                from fitcoach.app.database import data_subdir
                from fitcoach.io.private_files import write_private_bytes

                folder = data_subdir("assessments")
                path = folder / time.strftime(f"{self._capture_which}-%Y%m%d-%H%M%S.jpg")
                ok, jpg = cv2.imencode(".jpg", frame)  # encoded here, so the file is 0600 from its first byte
                if ok:
                    write_private_bytes(path, jpg.tobytes())
                    self.set_photo(self._capture_which, str(path))

    def _pick_rom(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, "ROM", "", "Clips (*.mp4 *.avi *.mov *.npz)")
        if p:
            self.run_rom(p)

    def _frames(self, path: str):
        from fitcoach.core.assess import person_frames
        from fitcoach.io.sources import open_source

        src = open_source(path, single_image_ok=True)
        backend = self.backend_factory() if (self.backend_factory and src.kind != "landmarks") else None
        try:
            return person_frames(src, backend, smooth=src.kind != "images")
        finally:
            if backend is not None:
                backend.close()

    def _start(self, fn) -> None:
        from fitcoach.run.worker import Worker

        # a Worker: its failure arrives as `Failed` (FitCoachError messages are meant for people;
        # the traceback is logged), its result as `Finished`
        self._job = Worker(lambda cancel, emit: fn(), name="assessment")
        self.result.setPlainText(tr("Measuring…", self.lang))
        self._job.start()
        self._timer.start()

    def run_posture(self) -> None:
        from fitcoach.core import assess

        front, side = self.front_path, self.side_path

        def job():
            return ("posture", assess.assess_posture(self._frames(front) if front else None,
                                                     self._frames(side) if side else None,
                                                     names=(front or "front", side or "side")))
        self._start(job)

    def run_rom(self, path: str) -> None:
        from fitcoach.core import assess

        test, side = self.test.currentData(), self.side.currentData()
        self._start(lambda: ("rom", assess.assess_rom(self._frames(path), test, side, path)))

    @property
    def busy(self) -> bool:
        return self._job is not None

    def _poll(self) -> None:
        if self._job is None or self._job.alive:
            return
        job, self._job = self._job, None
        self._timer.stop()
        job.poll()
        if job.failure is not None:
            self.result.setPlainText(job.failure.message)
            return
        kind, out = job.result
        from fitcoach.reports import assessment_html as report_html

        self.result.setHtml(report_html.posture_html(out, self.lang) if kind == "posture"
                            else report_html.rom_html(out, self.lang))
        self.last = out


def _first_image(path: str):
    """The photo or a clip's first frame, its size, and for a landmark recording (no image) its
    first pose, drawn as a skeleton (an object with `image_xyzv` and `predicted`)."""
    from types import SimpleNamespace

    from fitcoach.core.errors import FitCoachError
    from fitcoach.io.sources import open_source

    try:
        src = open_source(path, single_image_ok=True)
    except FitCoachError:
        return None, (640, 480), None
    try:
        for frame in src:
            pose = None if frame.image_xyzv is None else SimpleNamespace(image_xyzv=frame.image_xyzv, predicted=None)
            return frame.image_bgr, src.frame_size, pose
        return None, src.frame_size, None
    except FitCoachError:
        return None, src.frame_size, None
    finally:
        src.close()


class _CameraPreview:
    """Camera frames on a `Worker` thread; the page takes the newest one (never queued)."""

    def __init__(self, source) -> None:
        from fitcoach.run.worker import Worker

        self.source = source
        self._frame = None
        self._lock = threading.Lock()
        self._w = Worker(self._run, name="camera-preview", on_cancel=source.close).start()

    @property
    def error(self) -> str | None:
        f = self._w.failure
        return None if f is None else f.message

    def _run(self, cancel, emit) -> None:
        for f in self.source:
            if cancel.is_set():
                break
            with self._lock:
                self._frame = f.image_bgr

    def latest(self):
        with self._lock:
            return self._frame

    def close(self) -> None:
        self._w.cancel()
        self._w.join(2.0)

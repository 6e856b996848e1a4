"""Assessment page: posture from a front and a side photo (or clip), and guided ROM tests.

The measurement runs on a plain thread (the pose model is slow on photos); the page polls it and
shows each finding with its value, norm, uncertainty and correctives, or the clear error (wrong
view, nobody in the photo) next to the button."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

from fitcoach.gui.i18n import tr


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
        self.result = QTextBrowser()
        self.result.setObjectName("result")
        form = QFormLayout()
        row = QHBoxLayout()
        for w in (self.front_btn, self.side_btn, self.posture_btn):
            row.addWidget(w)
        form.addRow(tr("Posture", lang), row)
        row2 = QHBoxLayout()
        for w in (self.test, self.side, self.rom_btn):
            row2.addWidget(w)
        form.addRow(tr("Range of motion", lang), row2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.guide)
        lay.addLayout(form)
        lay.addWidget(self.result, 1)
        self._job: tuple[threading.Thread, dict] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)

    def _pick(self, which: str) -> None:
        p, _ = QFileDialog.getOpenFileName(self, which, "", "Photos and clips (*.jpg *.jpeg *.png *.mp4 *.npz)")
        if p:
            setattr(self, f"{which}_path", p)

    def _pick_rom(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, "ROM", "", "Clips (*.mp4 *.avi *.mov *.npz)")
        if p:
            self.run_rom(p)

    def _frames(self, path: str):
        from fitcoach.core.assess import person_frames
        from fitcoach.core.sources import open_source

        src = open_source(path, single_image_ok=True)
        backend = self.backend_factory() if (self.backend_factory and src.kind != "landmarks") else None
        try:
            return person_frames(src, backend, smooth=src.kind != "images")
        finally:
            if backend is not None:
                backend.close()

    def _start(self, fn) -> None:
        box: dict = {}

        def work():
            try:
                box["ok"] = fn()
            except Exception as e:  # FitCoachError messages are meant for people
                box["error"] = str(e)

        t = threading.Thread(target=work, name="assessment", daemon=True)
        self._job = (t, box)
        self.result.setPlainText(tr("Measuring…", self.lang))
        t.start()
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
        if self._job is None or self._job[0].is_alive():
            return
        _t, box = self._job
        self._job = None
        self._timer.stop()
        if "error" in box:
            self.result.setPlainText(box["error"])
            return
        kind, out = box["ok"]
        from fitcoach.core import report_html

        self.result.setHtml(report_html.posture_html(out, self.lang) if kind == "posture"
                            else report_html.rom_html(out, self.lang))
        self.last = out

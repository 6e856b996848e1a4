"""Draw Unicode text (Korean cues) onto a BGR numpy image with Qt's font engine.

OpenCV's built-in fonts are ASCII-only. This lives outside `fitcoach.core` (which never imports
Qt) and is handed to the core's Annotator as a callback. Needs a CJK font (fonts-nanum on Debian).
"""

from __future__ import annotations

import os

import numpy as np

_app = None


def _ensure_app():
    """A QApplication (not just QGuiApplication: the desktop app, if it starts later in the same
    process, needs the widgets flavour, and Qt cannot change it once created)."""
    global _app
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QApplication([])
    return QApplication.instance()


def draw_text(img: np.ndarray, text: str, org: tuple[int, int], height_px: int,
              color: tuple[int, int, int] = (255, 220, 80)) -> None:
    """Draw `text` with its top-left at `org` (pixels), `height_px` tall, in place on BGR `img`."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    _ensure_app()
    h, w = img.shape[:2]
    buf = np.ascontiguousarray(img)
    qimg = QImage(buf.data, w, h, buf.strides[0], QImage.Format.Format_BGR888)
    p = QPainter(qimg)
    font = QFont("NanumGothic")
    font.setPixelSize(int(height_px))
    p.setFont(font)
    p.setPen(QColor(*color))  # RGB; QImage is BGR888, so Qt converts
    p.drawText(QPoint(org[0], org[1] + int(height_px)), text)
    p.end()
    if buf is not img:
        img[:] = buf

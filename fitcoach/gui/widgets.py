"""Widgets shared by the Workout and Replay pages: the video view with its skeleton and banner,
the ROM meter (value against target and safe range), the tempo bar (phase timing against the
prescription) and the HUD that holds them. They only display what they are given."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from fitcoach.io.annotate import draw_skeleton
from fitcoach.core.scorer import reason_text
from fitcoach.gui.i18n import tr
from fitcoach.i18n.faults import INCOMPLETE, fault_name

PHASES = ("down", "bottom", "up", "top")


def range_text(lo: float | None, hi: float | None, unit: str = "°") -> str:
    """'40–160°', '≥ 40°' or '≤ 160°'."""
    if lo is not None and hi is not None:
        return f"{lo:g}–{hi:g}{unit}"
    return f"≥ {lo:g}{unit}" if lo is not None else f"≤ {hi:g}{unit}"


class VideoView(QWidget):
    """The frame with the skeleton of the result computed from that very frame; a banner
    (countdown, rest, "step back") and optional framing guides are painted over it by Qt."""

    def __init__(self, placeholder: str = "") -> None:
        super().__init__()
        self.setMinimumSize(480, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.placeholder = placeholder
        self.banner = ""
        self.guide: str | None = None  # "front" | "side": outline where the body should be
        self._img: QImage | None = None

    def show_frame(self, image_bgr: np.ndarray | None, res, frame_size: tuple[int, int]) -> None:
        if image_bgr is not None:
            img = image_bgr.copy()
        else:
            w, h = frame_size
            img = np.full((h, w, 3), 40, np.uint8)
        if res is not None:
            draw_skeleton(img, res)  # drawn on the frame the result came from
        img = np.ascontiguousarray(img)  # Qt reads BGR directly: no channel-swapping copy (2 ms a frame)
        self._img = QImage(img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_BGR888).copy()
        self.update()

    def clear(self) -> None:
        self._img = None
        self.banner = ""
        self.update()

    def has_frame(self) -> bool:
        return self._img is not None

    def image_rect(self) -> QRectF:
        if self._img is None:
            return QRectF(self.rect())
        iw, ih = self._img.width(), self._img.height()
        s = min(self.width() / iw, self.height() / ih)
        return QRectF((self.width() - iw * s) / 2, (self.height() - ih * s) / 2, iw * s, ih * s)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#202020"))
        if self._img is None:
            p.setPen(QColor("#dddddd"))
            p.drawText(self.rect().adjusted(20, 20, -20, -20), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.placeholder)
        else:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(self.image_rect(), self._img)
        r = self.image_rect()
        if self.guide:
            self._paint_guide(p, r)
        if self.banner:
            f = QFont(self.font())
            f.setPointSizeF(max(14.0, r.height() / 14))
            f.setBold(True)
            p.setFont(f)
            band = QRectF(r.left(), r.top() + r.height() * 0.40, r.width(), r.height() * 0.20)
            p.fillRect(band, QColor(0, 0, 0, 150))
            p.setPen(QColor("#ffffff"))
            p.drawText(band, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.banner)
        p.end()

    def _paint_guide(self, p: QPainter, r: QRectF) -> None:
        """A dashed figure outline: head near the top, feet near the bottom, the body filling
        about 80 % of the height, centred — where a person should stand for the photo."""
        pen = QPen(QColor(255, 210, 60), 2, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        cx, top, h = r.center().x(), r.top() + r.height() * 0.08, r.height() * 0.84
        head = h * 0.12
        p.drawEllipse(QRectF(cx - head * 0.4, top, head * 0.8, head))
        if self.guide == "front":
            body = QRectF(cx - h * 0.13, top + head * 1.05, h * 0.26, h * 0.42)
            p.drawRoundedRect(body, 12, 12)
            p.drawLine(int(cx - h * 0.06), int(body.bottom()), int(cx - h * 0.07), int(top + h))
            p.drawLine(int(cx + h * 0.06), int(body.bottom()), int(cx + h * 0.07), int(top + h))
        else:  # side: ear over shoulder over hip over ankle, a plumb line
            body = QRectF(cx - h * 0.07, top + head * 1.05, h * 0.14, h * 0.42)
            p.drawRoundedRect(body, 12, 12)
            p.drawLine(int(cx), int(body.bottom()), int(cx), int(top + h))
            p.setPen(QPen(QColor(90, 200, 255), 1, Qt.PenStyle.DotLine))
            p.drawLine(int(cx), int(top), int(cx), int(top + h))
        p.setPen(QPen(QColor(255, 210, 60), 1))
        p.drawLine(int(r.left() + 10), int(top + h), int(r.right() - 10), int(top + h))  # floor line


class RomMeter(QWidget):
    """The driver angle on a scale, with the target depth and the safe range marked."""

    def __init__(self, lo: float = 0.0, hi: float = 180.0) -> None:
        super().__init__()
        self.lo, self.hi = lo, hi
        self.value = math.nan
        self.target: float | None = None
        self.safe: tuple[float | None, float | None] = (None, None)
        self.unit = "°"
        self.setMinimumHeight(46)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def configure(self, target: float | None, safe_min: float | None, safe_max: float | None, unit: str = "°") -> None:
        self.target, self.safe, self.unit = target, (safe_min, safe_max), unit
        self.update()

    def set_value(self, v: float) -> None:
        self.value = v
        self.update()

    def outside_safe(self) -> bool:
        lo, hi = self.safe
        return not math.isnan(self.value) and ((lo is not None and self.value < lo) or (hi is not None and self.value > hi))

    def _x(self, v: float, left: float, width: float) -> float:
        return left + width * (min(self.hi, max(self.lo, v)) - self.lo) / (self.hi - self.lo)

    def paintEvent(self, _e) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, width, y, bh = 6.0, self.width() - 12.0, 6.0, 16.0
        p.fillRect(QRectF(left, y, width, bh), QColor("#d9d9d9"))
        lo, hi = self.safe
        if lo is not None or hi is not None:  # the safe range in green, outside it in red
            a = self._x(lo if lo is not None else self.lo, left, width)
            b = self._x(hi if hi is not None else self.hi, left, width)
            p.fillRect(QRectF(left, y, width, bh), QColor("#f2b8b5"))
            p.fillRect(QRectF(a, y, b - a, bh), QColor("#bfe3c0"))
        if self.target is not None:
            x = self._x(self.target, left, width)
            p.setPen(QPen(QColor("#1565c0"), 3))
            p.drawLine(int(x), int(y - 3), int(x), int(y + bh + 3))
        if not math.isnan(self.value):
            x = self._x(self.value, left, width)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#c62828") if self.outside_safe() else QColor("#212121"))
            p.drawEllipse(QRectF(x - 7, y + bh / 2 - 7, 14, 14))
        p.setPen(QColor("#424242"))
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        p.setFont(f)
        for v in np.linspace(self.lo, self.hi, 5):
            x = self._x(v, left, width)
            rx = min(max(0.0, x - 20), self.width() - 40.0)  # the end labels stay inside the widget
            p.drawText(QRectF(rx, y + bh + 2, 40, 14), Qt.AlignmentFlag.AlignCenter, f"{v:.0f}")
        p.end()


class TempoBar(QWidget):
    """The four phases of a rep (down, bottom, up, top) as segments sized by the prescribed
    seconds; the current phase fills as time passes, turning red once it overruns (too slow)
    and staying short of its mark when rushed. The last rep's measured tempo is shown in text."""

    def __init__(self) -> None:
        super().__init__()
        self.prescribed: tuple[float, float, float, float] | None = None
        self.phase = ""
        self.elapsed = 0.0
        self.setMinimumHeight(26)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def configure(self, tempo) -> None:
        self.prescribed = None if tempo is None else (tempo.down, tempo.bottom, tempo.up, tempo.top)
        self.update()

    def set_phase(self, phase: str, elapsed: float) -> None:
        self.phase, self.elapsed = phase, elapsed
        self.update()

    def paintEvent(self, _e) -> None:
        p = QPainter(self)
        left, width, y, h = 4.0, self.width() - 8.0, 3.0, self.height() - 6.0
        p.fillRect(QRectF(left, y, width, h), QColor("#eeeeee"))
        if self.prescribed is None:
            p.end()
            return
        segs = [max(0.3, s) for s in self.prescribed]  # a 0 s phase still gets a visible sliver
        total = sum(segs)
        x = left
        for name, s, presc in zip(PHASES, segs, self.prescribed):
            w = width * s / total
            rect = QRectF(x, y, w - 2, h)
            p.fillRect(rect, QColor("#cfd8dc"))
            if name == self.phase:
                frac = self.elapsed / presc if presc > 0 else (1.0 if self.elapsed > 0.3 else 0.0)
                color = QColor("#e53935") if frac > 1.5 else QColor("#43a047") if frac >= 0.6 else QColor("#fb8c00")
                p.fillRect(QRectF(x, y, (w - 2) * min(1.0, frac), h), color)
            p.setPen(QColor("#263238"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{presc:g}s")
            x += w
        p.end()


class Hud(QWidget):
    """Rep count against the target, set, phase, tempo, ROM, last score, cue and status."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.reps_label = QLabel()
        self.reps_label.setObjectName("reps")
        self.reps_label.setStyleSheet("font-size:22pt;font-weight:bold")
        self.set_label = QLabel()
        self.set_label.setObjectName("set")
        self.set_label.setStyleSheet("font-size:14pt")
        self.phase_label = QLabel()
        self.tempo = TempoBar()
        self.tempo_label = QLabel()
        self.tempo_label.setWordWrap(True)
        self.angle_label = QLabel()
        self.rom = RomMeter()
        self.rom_label = QLabel()
        self.rom_label.setWordWrap(True)
        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        self.cue_label = QLabel()
        self.cue_label.setObjectName("cue")
        self.cue_label.setWordWrap(True)
        self.cue_label.setStyleSheet("font-size:16pt;color:#b26a00")
        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        grid = QGridLayout()
        grid.addWidget(self.reps_label, 0, 0)
        grid.addWidget(self.set_label, 1, 0)
        grid.addWidget(self.phase_label, 2, 0)
        lay.addLayout(grid)
        for w in (QLabel(f"<b>{tr('Tempo', lang)}</b>"), self.tempo, self.tempo_label,
                  QLabel(f"<b>{tr('Range of motion', lang)}</b>"), self.angle_label, self.rom, self.rom_label,
                  self.score_label, self.cue_label, self.status_label):
            lay.addWidget(w)
        lay.addStretch(1)
        self.setMinimumWidth(260)
        self.setMaximumWidth(360)
        self.reset()

    def reset(self) -> None:
        for w in (self.set_label, self.phase_label, self.tempo_label, self.angle_label, self.rom_label, self.score_label,
                  self.cue_label, self.status_label):
            w.setText("")
        self.reps_label.setText(tr("Reps {n}", self.lang).format(n=0))
        self.rom.set_value(math.nan)
        self.tempo.set_phase("", 0.0)

    def configure(self, ex, target: float | None, safe_min: float | None, safe_max: float | None, tempo) -> None:
        unit = "°" if ex.driver is None or ex.driver.unit == "deg" else ""
        self.rom.configure(target, safe_min, safe_max, unit)
        self.tempo.configure(tempo if ex.kind == "reps" else None)
        parts = []
        if target is not None:
            parts.append(f"{tr('target', self.lang)} {target:g}{unit}")
        if safe_min is not None or safe_max is not None:
            parts.append(f"{tr('safe range', self.lang)} {range_text(safe_min, safe_max, unit)}")
        self.rom_label.setText(" · ".join(parts))
        self.tempo_label.setText(f"{tr('prescribed', self.lang)} {tempo.notation()} s" if tempo is not None else "")

    def show_rep(self, rep, tempo, ex=None) -> None:
        """The last completed rep: its measured tempo against the prescription, ROM and score."""
        got = f"{rep.tempo_down:.1f}-{rep.tempo_bottom:.1f}-{rep.tempo_up:.1f}"
        want = f" ({tr('prescribed', self.lang)} {tempo.notation()})" if tempo is not None else ""
        self.tempo_label.setText(f"{tr('last rep', self.lang)} {got} s{want}")
        faults = [fault_name(f.id, self.lang, ex) for f in rep.faults if f.id != INCOMPLETE]
        short = next((f for f in rep.faults if f.id == INCOMPLETE), None)
        if short is not None and not rep.partial and short.measured is not None:
            # counted, but short of the coaching target: the measured value and the target
            unit = "°" if short.unit == "deg" else ""
            faults.insert(0, f"{fault_name(INCOMPLETE, self.lang)} {short.measured:g}{unit} "
                             f"({tr('target', self.lang)} {short.target})")
        head = tr("Last rep score {s}", self.lang).format(s=f"{rep.score:.0f}") if rep.score is not None else ""
        # what pulled the score down most: measures against the range correct reps show
        why = " · ".join(reason_text(r, lambda t: tr(t, self.lang)) for r in getattr(rep, "score_reasons", ())[:2])
        text = " — ".join(x for x in (head, ", ".join(faults), why) if x)
        self.score_label.setText(text)  # a rep with neither score nor fault clears the previous rep's

    def clear_rep(self) -> None:
        """No rep completed yet at this point (e.g. Replay seeked back before the first rep)."""
        self.tempo_label.setText("")
        self.score_label.setText("")


def video_and_hud(video: QWidget, hud: QWidget, below_hud: QWidget) -> QHBoxLayout:
    """The video (3/4 of the width) beside the HUD, with one more widget under the HUD."""
    body = QHBoxLayout()
    body.addWidget(video, 3)
    right = QVBoxLayout()
    right.addWidget(hud, 1)
    right.addWidget(below_hud)
    body.addLayout(right, 1)
    return body

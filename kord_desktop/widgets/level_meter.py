"""Input level meter: RMS bar in dB, a falling peak-hold mark and a clipping LED that holds."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from kord_desktop.theme import DARK, ThemeColors

DB_MIN = -80.0
CLIP_HOLD_S = 1.5
PEAK_FALL_DB_PER_S = 20.0


def db_fraction(db: float) -> float:
    """Where `db` sits on the meter, 0 (DB_MIN or below) … 1 (0 dBFS)."""
    if db != db:  # NaN
        return 0.0
    return min(1.0, max(0.0, (db - DB_MIN) / -DB_MIN))


class LevelMeter(QWidget):
    """Vertical meter; `set_level(level_db, peak, clipping)` from the analyzer bridge."""

    def __init__(self, parent: QWidget | None = None, colors: ThemeColors = DARK):
        super().__init__(parent)
        self.colors = colors
        self.level_db = DB_MIN
        self.peak_hold_db = DB_MIN
        self._peak_time = 0.0
        self._clip_until = 0.0
        self._painted_key: tuple | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        # paints every pixel (its own background): a repaint does not repaint the widgets
        # behind it (the window, splitter and containers) as well
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip("Input level (RMS dBFS); the top light turns red when the input clips")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(28, 160)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(20, 60)

    def apply_theme(self, colors: ThemeColors) -> None:
        self.colors = colors
        self.update()

    @property
    def clipping(self) -> bool:
        """True while the clipping LED is lit (it holds for CLIP_HOLD_S after a clip)."""
        return time.monotonic() < self._clip_until

    def set_level(self, level_db: float, peak: float = 0.0, clipping: bool = False) -> None:
        now = time.monotonic()
        self.level_db = float(level_db) if level_db == level_db else DB_MIN
        fallen = self.peak_hold_db - PEAK_FALL_DB_PER_S * (now - self._peak_time)
        if self.level_db >= fallen:
            self.peak_hold_db = self.level_db
            self._peak_time = now
        if clipping:
            self._clip_until = now + CLIP_HOLD_S
        key = self._visual_key(now)
        if key != self._painted_key:  # repaint only when a pixel (or the LED) would change
            self._painted_key = key
            self.update()

    def _visual_key(self, now: float) -> tuple[int, int, bool, int]:
        """What a paint would show, in pixels: bar top, peak mark, LED, bar colour band."""
        h = max(1, self.height())
        hold = self.peak_hold_db - PEAK_FALL_DB_PER_S * (now - self._peak_time)
        return (
            round(db_fraction(self.level_db) * h),
            round(db_fraction(hold) * h),
            now < self._clip_until,
            0 if self.level_db < -12 else (1 if self.level_db < -3 else 2),
        )

    def reset(self) -> None:
        self.level_db = self.peak_hold_db = DB_MIN
        self._clip_until = 0.0
        self._painted_key = None
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        c = self.colors
        p = QPainter(self)
        w, h = self.width(), self.height()
        led = min(w - 4, 14)
        p.fillRect(0, 0, w, h, self.palette().color(QPalette.ColorRole.Window))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(c.error) if self.clipping else QColor(c.grid))
        p.drawEllipse(QRectF((w - led) / 2, 2, led, led))
        top = led + 6
        bar = QRectF(2, top, w - 4, h - top - 2)
        p.setBrush(QColor(c.base))
        p.setPen(QColor(c.grid))
        p.drawRect(bar)
        frac = db_fraction(self.level_db)
        fill_h = bar.height() * frac
        color = c.ok if self.level_db < -12 else (c.warn if self.level_db < -3 else c.error)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(color))
        p.drawRect(QRectF(bar.left() + 1, bar.bottom() - fill_h, bar.width() - 2, fill_h))
        hold = db_fraction(
            self.peak_hold_db - PEAK_FALL_DB_PER_S * (time.monotonic() - self._peak_time)
        )
        if hold > 0:
            y = bar.bottom() - bar.height() * hold
            p.setBrush(QColor(c.text))
            p.drawRect(QRectF(bar.left() + 1, y - 1, bar.width() - 2, 2))
        p.end()

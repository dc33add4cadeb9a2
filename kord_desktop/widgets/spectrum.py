"""Live spectrum: dB against log frequency (A0..C8, note names on the grid), drawn with QPainter.

The note grid (C1..C8) and the detected-note markers sit at the instrument's reference pitch
(`set_reference`: A4 in Hz, from the analyzer's tuning), so a detuned instrument's peaks land
on its notes' lines.

Cheap per frame: the grid, labels and background are one cached pixmap (rebuilt on resize or
theme change); a frame blits it and draws one non-antialiased polyline whose points live in a
preallocated QPolygonF written through a numpy view. The view repaints at most once per
analyzer frame (the hop rate is the data rate) and only when the picture changed: rises show
at once, falls decay by `smoothing` per frame (release), and once the curve has settled on an
unchanged frame (e.g. gated silence) nothing is repainted. No timer runs between frames.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QWidget

from kord_desktop.theme import DARK, ThemeColors

F_MIN = 27.5  # A0
F_MAX = 4186.01  # C8
A4_HZ = 440.0
DB_FLOOR = -100.0
DB_TOP = 0.0
SETTLED_DB = 0.25  # a fall this close to the newest frame snaps to it (the decay ends)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 8, 8, 22


def note_id_frequency(note_id: int | np.ndarray, reference_hz: float = A4_HZ) -> float | np.ndarray:
    """Frequency of a note id (12·octave + pitch class; C4 = 48 = MIDI − 12) when A4 is
    `reference_hz`: reference · 2^((midi − 69) / 12)."""
    return reference_hz * 2.0 ** ((np.asarray(note_id, dtype=np.float64) + 12 - 69) / 12.0)


def _octave_ticks(reference_hz: float = A4_HZ) -> list[tuple[float, str]]:
    """(log10 frequency, label) of the vertical grid lines: the plot's left edge (A0 at 440)
    and the labelled C1..C8 at `reference_hz` (those on the axis)."""
    ticks = [(math.log10(F_MIN), "A0")]
    for octave in range(1, 9):
        f = float(note_id_frequency(12 * octave, reference_hz))
        if F_MIN <= f <= F_MAX * 1.001:  # C8 leaves the axis when A4 is above 440 Hz
            ticks.append((math.log10(f), f"C{octave}"))
    return ticks


def _polygon(n: int) -> tuple[QPolygonF, np.ndarray]:
    """A QPolygonF of n points and a writable (n, 2) float64 numpy view onto its memory."""
    import shiboken6

    poly = QPolygonF()
    poly.resize(n)
    if n == 0:
        return poly, np.zeros((0, 2))
    ptr = shiboken6.VoidPtr(poly.data(), n * 16, True)
    return poly, np.frombuffer(ptr, dtype=np.float64).reshape(n, 2)


class SpectrumWidget(QWidget):
    """Spectrum in dB against log frequency, smoothed on release, with detected-note markers."""

    def __init__(self, parent: QWidget | None = None, smoothing: float = 0.5, lazy: bool = True):
        super().__init__(parent)
        self.smoothing = float(smoothing)  # per analyzer frame: 0 = none, → 1 = slow release
        self.frames_drawn = 0  # analyzer frames the picture changed for (each one repaint)
        self.colors = DARK
        self._idx = np.zeros(0, dtype=np.intp)
        self._shape: tuple[int, ...] | None = None
        self._logf = np.zeros(0)
        self._freqs = np.zeros(0)
        self._target = np.zeros(0)  # the newest analyzer frame (dB, clipped)
        self._smooth = np.zeros(0)  # what is shown
        self._tmp = np.zeros(0)
        self._notes: tuple[int, ...] = ()
        self._reference = A4_HZ  # A4 (Hz) the note grid and markers are drawn at
        self._marks: list[tuple[float, str]] = []  # (log10 f, name) of the detected notes
        self._mark_idx: list[int] | None = None  # their nearest curve points
        self._poly, self._xy = _polygon(0)
        self._poly_size: tuple[int, int] | None = None
        self._background: QPixmap | None = None
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(7.0, self._font.pointSizeF() * 0.9))
        self._mark_cache: dict[tuple, tuple[QPixmap, float, float]] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumHeight(120)
        del lazy  # kept for callers of the pyqtgraph version: nothing is lazy any more

    # ----------------------------------------------------------------- compatibility
    @property
    def built(self) -> bool:
        return True

    def build(self) -> SpectrumWidget:
        """Nothing to build (the pyqtgraph version imported its plot here); returns self."""
        return self

    def viewport(self) -> QWidget:
        """The widget that paints the plot (for paint counting)."""
        return self

    # ------------------------------------------------------------------------ data
    def apply_theme(self, colors: ThemeColors) -> None:
        """Recolour background, grid, curve and markers."""
        self.colors = colors
        self._background = None
        self.update()

    def clear_spectrum(self) -> None:
        self._smooth[:] = DB_FLOOR
        self._target[:] = DB_FLOOR
        self._shape = None
        self._logf = np.zeros(0)
        self._smooth = np.zeros(0)
        self.set_notes(())

    def set_spectrum(self, freqs: np.ndarray, db: np.ndarray) -> None:
        """Take one analyzer frame: `freqs` (Hz, ascending) and `db` of the same shape.
        Rises show at once; falls decay by `smoothing` per frame. Repaints (once, with the
        rest of the window) only when the picture changed."""
        db = np.asarray(db)
        if self._shape != db.shape or len(freqs) != len(self._freqs):
            freqs = np.asarray(freqs, dtype=np.float64)
            mask = (freqs >= F_MIN * 0.97) & (freqs <= F_MAX * 1.03) & (freqs > 0)
            self._idx = np.nonzero(mask)[0]
            self._freqs = freqs[mask]
            self._logf = np.log10(self._freqs)
            n = len(self._idx)
            self._target = np.full(n, DB_FLOOR)
            self._smooth = np.full(n, DB_FLOOR)
            self._tmp = np.empty(n)
            self._shape = db.shape
            self._poly_size = None
            self._mark_idx = None
        target, smooth = self._target, self._smooth
        target[:] = db[self._idx]
        np.clip(target, DB_FLOOR, DB_TOP, out=target)
        fall = np.subtract(smooth, target, out=self._tmp)  # > 0 where the curve falls
        np.maximum(fall, 0.0, out=fall)
        if float(fall.max(initial=0.0)) > SETTLED_DB:
            fall *= self.smoothing  # release: a fall decays by `smoothing` per frame
            np.add(target, fall, out=smooth)
        elif np.array_equal(smooth, target):
            return  # the same picture again (e.g. gated silence): no repaint
        else:
            smooth[:] = target  # rises at once; a fall that has settled ends
        self._frame()

    def _frame(self) -> None:
        self.frames_drawn += 1
        self.update()

    @property
    def reference_hz(self) -> float:
        """A4 (Hz) the note grid and the note markers follow."""
        return self._reference

    def set_reference(self, reference_hz: float) -> None:
        """Move the note grid and markers to A4 = `reference_hz` (the instrument's tuning)."""
        hz = float(reference_hz)
        if not (hz > 0 and math.isfinite(hz)) or abs(hz - self._reference) < 1e-6:
            return
        self._reference = hz
        self._background = None  # the grid lives in the cached background
        self._place_marks()
        self.update()

    def grid_lines(self) -> list[tuple[float, str]]:
        """(frequency Hz, label) of the labelled note lines (C1..C8) at the reference."""
        return [(10**pos, label) for pos, label in _octave_ticks(self._reference)[1:]]

    def mark_frequencies(self) -> list[float]:
        """Frequencies (Hz) where the detected-note markers are drawn."""
        return [10**pos for pos, _name in self._marks]

    def set_notes(self, note_ids) -> None:
        """Mark detected notes (note ids) with a triangle and their name above the curve."""
        notes = tuple(int(n) for n in note_ids)
        if notes == self._notes:
            return
        self._notes = notes
        self._place_marks()
        self.update()

    def _place_marks(self) -> None:
        from kord_engine.samples import note_id_name

        self._marks = [
            (math.log10(float(note_id_frequency(n, self._reference))), note_id_name(n))
            for n in self._notes
        ]
        self._mark_idx = None

    # ----------------------------------------------------------------------- drawing
    def _plot_rect(self) -> QRectF:
        return QRectF(
            MARGIN_LEFT,
            MARGIN_TOP,
            max(1.0, self.width() - MARGIN_LEFT - MARGIN_RIGHT),
            max(1.0, self.height() - MARGIN_TOP - MARGIN_BOTTOM),
        )

    def _mapping(self) -> tuple[float, float, float, float]:
        """(x scale, x offset, y scale, y offset): pixel = value · scale + offset."""
        r = self._plot_rect()
        x0, x1 = math.log10(F_MIN), math.log10(F_MAX)
        sx = r.width() / (x1 - x0)
        sy = -r.height() / (DB_TOP - DB_FLOOR)
        return sx, r.left() - x0 * sx, sy, r.top() - DB_TOP * sy

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._background = None
        self._poly_size = None
        super().resizeEvent(event)

    def _draw_background(self) -> QPixmap:
        """Background, grid, axis labels: drawn once per size/theme."""
        ratio = self.devicePixelRatioF()
        pix = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
        pix.setDevicePixelRatio(ratio)
        c = self.colors
        pix.fill(QColor(c.base))
        p = QPainter(pix)
        p.setFont(self._font)
        sx, ox, sy, oy = self._mapping()
        r = self._plot_rect()
        grid, muted = QColor(c.grid), QColor(c.muted)
        p.setPen(QPen(grid, 1))
        for db in range(int(DB_FLOOR), int(DB_TOP) + 1, 20):
            y = round(db * sy + oy)
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        ticks = _octave_ticks(self._reference)
        for pos, _label in ticks:
            x = round(pos * sx + ox)
            p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        p.drawRect(r)
        p.setPen(muted)
        fm = p.fontMetrics()
        for db in range(int(DB_FLOOR), int(DB_TOP) + 1, 20):
            y = db * sy + oy
            text = str(db)
            p.drawText(
                QPointF(r.left() - 6 - fm.horizontalAdvance(text), y + fm.ascent() / 2 - 1), text
            )
        for pos, label in ticks[1:]:
            x = pos * sx + ox
            p.drawText(
                QPointF(x - fm.horizontalAdvance(label) / 2, r.bottom() + fm.ascent() + 4), label
            )
        p.save()
        p.translate(10, r.center().y())
        p.rotate(-90)
        p.drawText(QPointF(-fm.horizontalAdvance("dB") / 2, fm.ascent() / 2), "dB")
        p.restore()
        p.end()
        return pix

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._background is None or self._background.size() != self.size() * (
            self._background.devicePixelRatio()
        ):
            self._background = self._draw_background()
        p = QPainter(self)
        p.drawPixmap(0, 0, self._background)
        sx, ox, sy, oy = self._mapping()
        r = self._plot_rect()
        n = len(self._smooth)
        if n:
            size = (self.width(), self.height())
            if self._poly_size != size or len(self._xy) != n:
                self._poly, self._xy = _polygon(n)
                np.multiply(self._logf, sx, out=self._xy[:, 0])
                self._xy[:, 0] += ox
                self._poly_size = size
            np.multiply(self._smooth, sy, out=self._xy[:, 1])
            self._xy[:, 1] += oy
            p.setClipRect(r)
            p.setPen(QPen(QColor(self.colors.curve), 1))
            p.drawPolyline(self._poly)
            p.setClipping(False)
        if self._marks:
            self._paint_marks(p, sx, ox, sy, oy)
        p.end()

    def _paint_marks(self, p: QPainter, sx: float, ox: float, sy: float, oy: float) -> None:
        """A triangle above each detected note's peak and its name above that (each mark a
        cached pixmap: antialiased triangles and text cost a third of a frame drawn anew)."""
        n = len(self._logf)
        if self._mark_idx is None and n:
            at = np.searchsorted(self._logf, [pos for pos, _ in self._marks])
            self._mark_idx = [int(i) for i in np.clip(at, 0, n - 1)]
        for k, (pos, name) in enumerate(self._marks):
            y_db = DB_TOP - 10
            if n and self._mark_idx is not None:
                i = self._mark_idx[k]
                y_db = float(self._smooth[max(0, i - 2) : i + 3].max())
            y_db = min(y_db + 3.0, DB_TOP - 2)
            x, y = pos * sx + ox, y_db * sy + oy
            pix, ax, ay = self._mark_pixmap(name)
            p.drawPixmap(QPointF(round(x - ax), round(y - ay)), pix)

    def _mark_pixmap(self, name: str) -> tuple[QPixmap, float, float]:
        """(pixmap, anchor x, anchor y) of one note's marker: the triangle's base centre at
        the anchor, the name above it; cached per name, colour and pixel ratio."""
        dpr = self.devicePixelRatioF()
        key = (name, self.colors.warn, dpr)
        hit = self._mark_cache.get(key)
        if hit is not None:
            return hit
        fm = QFontMetricsF(self._font)
        advance = fm.horizontalAdvance(name)
        w = math.ceil(max(12.0, advance + 4))
        h = math.ceil(13 + fm.ascent() + 3)
        ax, ay = w / 2, h - 2.0
        pix = QPixmap(round(w * dpr), round(h * dpr))
        pix.setDevicePixelRatio(dpr)
        pix.fill(Qt.GlobalColor.transparent)
        warn = QColor(self.colors.warn)
        q = QPainter(pix)
        q.setRenderHint(QPainter.RenderHint.Antialiasing)
        q.setFont(self._font)
        q.setPen(Qt.PenStyle.NoPen)
        q.setBrush(warn)
        q.drawPolygon(QPolygonF([QPointF(ax - 5, ay), QPointF(ax + 5, ay), QPointF(ax, ay - 9)]))
        q.setPen(warn)
        q.drawText(QPointF(ax - advance / 2, ay - 13), name)
        q.end()
        if len(self._mark_cache) > 256:
            self._mark_cache.clear()
        hit = self._mark_cache[key] = (pix, ax, ay)
        return hit

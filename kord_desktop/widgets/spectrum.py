"""Live spectrum: a pyqtgraph curve on a log-frequency axis (A0..C8, note names on the grid).

Arrays are allocated once per input shape and reused; each frame only calls `setData`.
pyqtgraph (≈0.4 s to import) loads just after the window first shows, so start-up never
waits for it; the first frame or a call that needs the plot builds it at once.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kord_desktop.theme import DARK, ThemeColors

F_MIN = 27.5  # A0
F_MAX = 4186.01  # C8
DB_FLOOR = -100.0
DB_TOP = 0.0


def note_id_frequency(note_id: int | np.ndarray) -> float | np.ndarray:
    """Frequency of a note id (12·octave + pitch class; C4 = 48 = MIDI − 12)."""
    return 440.0 * 2.0 ** ((np.asarray(note_id, dtype=np.float64) + 12 - 69) / 12.0)


def _octave_ticks() -> list[tuple[float, str]]:
    ticks = [(math.log10(F_MIN), "A0")]
    for octave in range(1, 9):
        ticks.append((math.log10(float(note_id_frequency(12 * octave))), f"C{octave}"))
    return ticks


def _minor_ticks() -> list[tuple[float, str]]:
    out = []
    for octave in range(0, 8):
        for pc in (4, 7, 9):  # E, G, A: unlabelled minor grid lines
            f = float(note_id_frequency(12 * octave + pc))
            if F_MIN < f < F_MAX:
                out.append((math.log10(f), ""))
    return out


def _grid_lines() -> tuple[np.ndarray, np.ndarray]:
    """Segment pairs for the grid: a vertical line at each labelled C (and A0), one every 20 dB."""
    x: list[float] = []
    y: list[float] = []
    for pos, _label in _octave_ticks():
        x += [pos, pos]
        y += [DB_FLOOR, DB_TOP]
    x0, x1 = math.log10(F_MIN), math.log10(F_MAX)
    for db in range(int(DB_FLOOR), int(DB_TOP) + 1, 20):
        x += [x0, x1]
        y += [float(db), float(db)]
    return np.array(x), np.array(y)


class SpectrumWidget(QWidget):
    """Spectrum in dB against log frequency, exponentially smoothed, with detected-note markers."""

    def __init__(self, parent: QWidget | None = None, smoothing: float = 0.5, lazy: bool = True):
        super().__init__(parent)
        self.smoothing = float(smoothing)  # 0 = none, → 1 = slow
        self.frames_drawn = 0
        self.colors = DARK
        self.plot_widget = None  # the pg.PlotWidget, once built
        self._idx = np.zeros(0, dtype=np.intp)
        self._buf = np.zeros(0)
        self._shape: tuple[int, ...] | None = None
        self._logf = np.zeros(0)
        self._freqs = np.zeros(0)
        self._smooth = np.zeros(0)
        self._notes: tuple[int, ...] = ()
        self._labels: list = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.setAutoFillBackground(True)
        if not lazy:
            self.build()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.plot_widget is None:
            QTimer.singleShot(1, self.build)

    @property
    def built(self) -> bool:
        return self.plot_widget is not None

    def viewport(self) -> QWidget:
        """The widget that paints the plot (for paint counting)."""
        return self.build().viewport()

    def build(self):
        """Create the pyqtgraph plot (first call only); returns the PlotWidget."""
        if self.plot_widget is not None:
            return self.plot_widget
        import pyqtgraph as pg

        pw = self.plot_widget = pg.PlotWidget(parent=self)
        plot = pw.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        pw.setMouseEnabled(x=False, y=False)
        plot.setXRange(math.log10(F_MIN), math.log10(F_MAX), padding=0.0)
        plot.setYRange(DB_FLOOR, DB_TOP, padding=0.02)
        plot.setLabel("left", "dB")
        plot.getAxis("bottom").setTicks([_octave_ticks(), _minor_ticks()])
        # one pre-built path for the grid: pyqtgraph's alpha-blended axis grid costs ~10 ms/frame
        self._grid = pg.PlotCurveItem(*_grid_lines(), connect="pairs", antialias=False)
        self._grid.setZValue(-10)
        plot.addItem(self._grid)
        # a 1 px line without fill: wide pens and area fills triple the cost of a frame
        self._curve = plot.plot([], [], antialias=False)
        self._peaks = pg.ScatterPlotItem(size=10, symbol="t1")
        plot.addItem(self._peaks)
        self.layout().addWidget(pw)
        self.apply_theme(self.colors)
        if len(self._logf):
            self._curve.setData(self._logf, self._smooth)
        self.set_notes(self._notes)
        return pw

    def apply_theme(self, colors: ThemeColors) -> None:
        """Recolour background, grid, curve and markers."""
        self.colors = colors
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor(colors.base))
        self.setPalette(palette)
        if self.plot_widget is None:
            return
        import pyqtgraph as pg

        self.plot_widget.setBackground(colors.base)
        plot = self.plot_widget.getPlotItem()
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(colors.grid))
            axis.setTextPen(pg.mkPen(colors.muted))
        self._grid.setPen(pg.mkPen(colors.grid, width=1))
        self._curve.setPen(pg.mkPen(colors.curve, width=1))
        self._peaks.setBrush(pg.mkBrush(colors.warn))
        self._peaks.setPen(pg.mkPen(colors.warn))
        for label in self._labels:
            label.setColor(colors.warn)

    def clear_spectrum(self) -> None:
        self._smooth[:] = DB_FLOOR
        if self.plot_widget is not None:
            self._curve.setData([], [])
        self.set_notes(())

    def set_spectrum(self, freqs: np.ndarray, db: np.ndarray) -> None:
        """Draw one frame: `freqs` (Hz, ascending) and `db` of the same shape."""
        db = np.asarray(db)
        if self._shape != db.shape or len(freqs) != len(self._freqs):
            freqs = np.asarray(freqs, dtype=np.float64)
            mask = (freqs >= F_MIN * 0.97) & (freqs <= F_MAX * 1.03) & (freqs > 0)
            self._idx = np.nonzero(mask)[0]
            self._buf = np.empty(len(self._idx), dtype=db.dtype)
            self._freqs = freqs[mask]
            self._logf = np.log10(self._freqs)
            self._smooth = np.full(self._logf.shape, DB_FLOOR, dtype=np.float64)
            self._shape = db.shape
        self.build()
        values = np.take(db, self._idx, out=self._buf)
        np.clip(values, DB_FLOOR, DB_TOP, out=values)
        a = self.smoothing
        # fast attack, smoothed release: peaks show at once, decays are calm
        np.maximum(values, a * self._smooth + (1.0 - a) * values, out=self._smooth)
        self._curve.setData(self._logf, self._smooth)
        self._update_peaks()
        self.frames_drawn += 1

    def set_notes(self, note_ids) -> None:
        """Mark detected notes (note ids) with a triangle and their name above the curve."""
        self._notes = tuple(int(n) for n in note_ids)
        if self.plot_widget is None:
            return  # drawn when the plot is built
        import pyqtgraph as pg

        from kord_engine.samples import note_id_name

        while len(self._labels) < len(self._notes):
            item = pg.TextItem(color=self.colors.warn, anchor=(0.5, 1.2))
            self.plot_widget.getPlotItem().addItem(item)
            self._labels.append(item)
        for i, label in enumerate(self._labels):
            if i < len(self._notes):
                label.setText(note_id_name(self._notes[i]))
                label.setVisible(True)
            else:
                label.setVisible(False)
        self._update_peaks()

    def _update_peaks(self) -> None:
        if not self._notes:
            self._peaks.setData([], [])
            return
        x = np.log10(note_id_frequency(np.array(self._notes)))
        if len(self._logf):
            idx = np.clip(np.searchsorted(self._logf, x), 0, len(self._logf) - 1)
            lo = np.clip(idx - 2, 0, None)
            y = np.array([self._smooth[a : b + 3].max() for a, b in zip(lo, idx, strict=True)])
        else:
            y = np.full(len(x), DB_TOP - 10)
        y = np.minimum(y + 3.0, DB_TOP - 2)
        self._peaks.setData(x, y)
        for label, xi, yi in zip(self._labels, x, y, strict=False):
            label.setPos(float(xi), float(yi))

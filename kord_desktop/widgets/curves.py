"""Live training curves: step loss (with per-epoch validation loss) and validation accuracy.

Points go into numpy buffers that double when full; redraws are coalesced to a few per second
(`refresh_ms`), the step axis spans the whole run from the start and the loss axis only ever
grows, so the axes (slow to draw: text) are re-rendered rarely, not on every update.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QWidget

from kord_desktop.theme import DARK, LIGHT, ThemeColors

ACCURACY_KEY = "val_exact@0.5"  # the engine's per-epoch validation metric (exact match at 0.5)
VAL_LOSS_KEY = "val_loss"


class Series:
    """A growing (x, y) series in amortised O(1) appends, viewed as numpy arrays."""

    def __init__(self, capacity: int = 256):
        self._x = np.zeros(capacity, dtype=np.float64)
        self._y = np.zeros(capacity, dtype=np.float64)
        self.size = 0

    def extend(self, xs, ys) -> None:
        xs = np.asarray(xs, dtype=np.float64).ravel()
        ys = np.asarray(ys, dtype=np.float64).ravel()
        if xs.shape != ys.shape:
            raise ValueError(f"x and y differ in length: {xs.size} vs {ys.size}")
        need = self.size + xs.size
        if need > self._x.size:
            cap = max(need, 2 * self._x.size)
            self._x = np.resize(self._x, cap)
            self._y = np.resize(self._y, cap)
        self._x[self.size : need] = xs
        self._y[self.size : need] = ys
        self.size = need

    @property
    def x(self) -> np.ndarray:
        return self._x[: self.size]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self.size]

    def clear(self) -> None:
        self.size = 0


def colors_for(palette: QPalette) -> ThemeColors:
    """DARK or LIGHT, whichever matches the widget's palette (the wizard follows the app theme)."""
    return DARK if palette.color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


class TrainingCurves(QWidget):
    """Two plots side by side: loss per step (+ validation loss per epoch) and validation accuracy."""

    def __init__(self, parent: QWidget | None = None, refresh_ms: int = 200):
        super().__init__(parent)
        self.loss = Series(1024)
        self.val_loss = Series(16)
        self.accuracy = Series(16)
        self.redraws = 0
        self._loss_top = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.redraw)
        self.loss_plot = self._plot("Training loss", "step")
        self.acc_plot = self._plot("Validation exact match", "epoch")
        self.acc_plot.setYRange(0.0, 1.0, padding=0.05)
        self.acc_plot.setXRange(0.5, 1.5, padding=0)
        item = self.loss_plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.set_total_steps(1)
        self.legend = item.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self._loss_curve = item.plot([], [], name="training loss")
        self._val_curve = item.plot([], [], name="validation loss", symbol="o", symbolSize=7)
        self._acc_curve = self.acc_plot.getPlotItem().plot([], [], symbol="o", symbolSize=8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.acc_plot, 2)
        self.apply_theme(colors_for(self.palette()))

    def _plot(self, title: str, xlabel: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setTitle(title, size="9pt")
        item.setLabel("bottom", xlabel)
        item.showGrid(x=True, y=True, alpha=0.25)
        plot.setMouseEnabled(x=False, y=False)
        plot.disableAutoRange()
        plot.setMinimumSize(160, 140)
        for name in ("bottom", "left"):  # redrawn only when their range changes
            item.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return plot

    def apply_theme(self, colors: ThemeColors) -> None:
        """Background, axes and curve colours of one of the app themes."""
        self.colors = colors
        for plot in (self.loss_plot, self.acc_plot):
            plot.setBackground(colors.base)
            item = plot.getPlotItem()
            item.titleLabel.setText(item.titleLabel.text, color=colors.text, size="9pt")
            for name in ("bottom", "left"):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(colors.grid))
                axis.setTextPen(pg.mkPen(colors.muted))
        self._loss_curve.setPen(pg.mkPen(colors.curve, width=1))
        self._val_curve.setPen(pg.mkPen(colors.warn, width=2))
        self._val_curve.setSymbolBrush(pg.mkBrush(colors.warn))
        self._val_curve.setSymbolPen(pg.mkPen(colors.warn))
        self._acc_curve.setPen(pg.mkPen(colors.accent, width=2))
        self.legend.setLabelTextColor(colors.text)
        self.legend.setBrush(pg.mkBrush(colors.base))
        self._acc_curve.setSymbolBrush(pg.mkBrush(colors.accent))
        self._acc_curve.setSymbolPen(pg.mkPen(colors.accent))

    def set_total_steps(self, steps: int, epochs: int | None = None) -> None:
        """Fix the step axis to the whole run (and the epoch axis to all epochs)."""
        self.loss_plot.setXRange(0, max(1, int(steps)), padding=0.02)
        if epochs:
            self.acc_plot.setXRange(0.5, max(1, int(epochs)) + 0.5, padding=0)
            major = max(1, int(np.ceil(epochs / 8)))  # whole epochs, at most ~8 labels
            self.acc_plot.getPlotItem().getAxis("bottom").setTickSpacing(major, major)

    def add_losses(self, steps, losses) -> None:
        """Append step losses (global step numbers, values); drawn at the next refresh."""
        if len(steps):
            self.loss.extend(steps, losses)
            self._schedule()

    def add_epoch(self, epoch: int, global_step: int, val: dict[str, float]) -> None:
        """Add an epoch's validation metrics (epoch counted from 1 on the accuracy plot)."""
        if VAL_LOSS_KEY in val:
            self.val_loss.extend([global_step], [val[VAL_LOSS_KEY]])
        if ACCURACY_KEY in val:
            self.accuracy.extend([epoch], [val[ACCURACY_KEY]])
        self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def redraw(self) -> None:
        """Push the buffers to the plot curves now (the timer calls this; so may screenshots)."""
        self._timer.stop()
        finite = np.isfinite(self.loss.y)
        self._loss_curve.setData(self.loss.x[finite], self.loss.y[finite])
        self._val_curve.setData(self.val_loss.x, self.val_loss.y)
        self._acc_curve.setData(self.accuracy.x, self.accuracy.y)
        values = np.concatenate([self.loss.y[finite], self.val_loss.y])
        values = values[np.isfinite(values)]
        top = float(values.max()) if values.size else 0.0
        if top > self._loss_top:  # the loss axis only grows, in coarse steps
            self._loss_top = _nice_ceiling(top)
            self.loss_plot.setYRange(0.0, self._loss_top, padding=0.02)
        self.redraws += 1

    def clear(self) -> None:
        for series in (self.loss, self.val_loss, self.accuracy):
            series.clear()
        self._loss_top = 0.0
        self.redraw()


def _nice_ceiling(value: float) -> float:
    """The next of 1, 1.5, 2, 3, 5, 7.5 × 10^k at or above `value` (a calm axis top)."""
    if value <= 0:
        return 1.0
    scale = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if value <= step * scale:
            return float(step * scale)
    return float(10 * scale)

"""Live training curves: step loss (with per-epoch validation loss) and validation accuracy.

Points go into preallocated numpy buffers that double when full; each update is one `setData`
per curve, and long curves are drawn downsampled and clipped to the view.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QWidget

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

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss = Series(1024)
        self.val_loss = Series(16)
        self.accuracy = Series(16)
        self.updates = 0
        self.loss_plot = self._plot("Training loss", "step")
        self.loss_plot.getPlotItem().setLogMode(x=False, y=False)
        self.acc_plot = self._plot("Validation exact match", "epoch")
        self.acc_plot.setYRange(0.0, 1.0, padding=0.05)
        item = self.loss_plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self._loss_curve = item.plot([], [], name="train loss")
        self._val_curve = item.plot([], [], name="validation loss", symbol="o", symbolSize=7)
        self._acc_curve = self.acc_plot.getPlotItem().plot([], [], symbol="o", symbolSize=8)
        legend = item.addLegend(offset=(-10, 10))
        legend.setLabelTextSize("8pt")
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
        plot.setMinimumSize(160, 140)
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
        self._acc_curve.setSymbolBrush(pg.mkBrush(colors.accent))
        self._acc_curve.setSymbolPen(pg.mkPen(colors.accent))

    def add_losses(self, steps, losses) -> None:
        """Append step losses (global step numbers, values) and redraw the loss curve once."""
        if len(steps) == 0:
            return
        self.loss.extend(steps, losses)
        finite = np.isfinite(self.loss.y)
        self._loss_curve.setData(self.loss.x[finite], self.loss.y[finite])
        self.updates += 1

    def add_epoch(self, epoch: int, global_step: int, val: dict[str, float]) -> None:
        """Add an epoch's validation metrics (epoch counted from 1 on the accuracy plot)."""
        if VAL_LOSS_KEY in val:
            self.val_loss.extend([global_step], [val[VAL_LOSS_KEY]])
            self._val_curve.setData(self.val_loss.x, self.val_loss.y)
        if ACCURACY_KEY in val:
            self.accuracy.extend([epoch], [val[ACCURACY_KEY]])
            self._acc_curve.setData(self.accuracy.x, self.accuracy.y)
            self.acc_plot.setXRange(0.5, max(1, int(self.accuracy.x.max())) + 0.5, padding=0)
        self.updates += 1

    def clear(self) -> None:
        for series in (self.loss, self.val_loss, self.accuracy):
            series.clear()
        for curve in (self._loss_curve, self._val_curve, self._acc_curve):
            curve.setData([], [])

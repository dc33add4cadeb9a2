"""Status bar: the tuning (A4), analysis latency, the app's CPU use, the active detector/model
and overflows."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from kord_desktop.theme import ThemeColors
from kord_desktop.widgets.tuning import TuningButton

CPU_INTERVAL_MS = 1000
STATS_PER_S = 4


class KordStatusBar(QStatusBar):
    """Permanent fields on the right; transient messages (`showMessage`) on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tuning = TuningButton()  # "A = 436 Hz"; clicked opens the tuning popup
        self.latency = QLabel("latency —")
        self.latency.setToolTip("Analysis time per hop (ms)")
        self.cpu = QLabel("CPU —")
        self.cpu.setToolTip("CPU used by Kord Desktop, % of one core")
        self.model = QLabel("detector —")
        self.overflows = QLabel("overflows 0")
        self.overflows.setToolTip("Audio blocks lost because the input buffer overflowed")
        for w in (self.tuning, self.latency, self.cpu, self.model, self.overflows):
            self.addPermanentWidget(w)
        # a fixed size that fits the widest figure: a new figure (4 a second) repaints its
        # label only; a label that may change size relayouts the status bar and the window
        # (Qt skips that only for fixed-size widgets)
        for label, widest in ((self.latency, "latency 999.9 ms"), (self.cpu, "CPU 200%")):
            width = label.fontMetrics().horizontalAdvance(widest) + 4
            label.setFixedSize(width, label.sizeHint().height())
            label.setAutoFillBackground(True)  # opaque: the status bar behind is not redrawn
        self._last = (time.process_time(), time.monotonic())
        self._stats_shown = 0.0
        self._overflows = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._update_cpu)
        self._timer.start(CPU_INTERVAL_MS)

    def set_stats(self, processing_ms: float, overflows: int) -> None:
        """Show the analyzer's figures; at most STATS_PER_S times a second (readable, cheap)."""
        now = time.monotonic()
        if now - self._stats_shown < 1.0 / STATS_PER_S and overflows == self._overflows:
            return
        self._stats_shown, self._overflows = now, overflows
        _set_text(self.latency, f"latency {processing_ms:.1f} ms")
        _set_text(self.overflows, f"overflows {overflows}")

    def set_tuning(self, hz: float, locked: bool, settled: bool) -> None:
        """Show the reference pitch: "A = 436.4 Hz", "(locked)", or muted "A ≈ …" before the
        first estimate."""
        self.tuning.set_tuning(hz, locked, settled)

    def apply_theme(self, colors: ThemeColors) -> None:
        self.tuning.apply_theme(colors)

    def set_model(self, text: str) -> None:
        self.model.setText(text)

    def _update_cpu(self) -> None:
        cpu, wall = time.process_time(), time.monotonic()
        dc, dw = cpu - self._last[0], wall - self._last[1]
        self._last = (cpu, wall)
        if dw > 0:
            _set_text(self.cpu, f"CPU {100.0 * dc / dw:.0f}%")


def _set_text(label: QLabel, text: str) -> None:
    """Set a label's text only when it differs (no relayout, no repaint otherwise)."""
    if label.text() != text:
        label.setText(text)

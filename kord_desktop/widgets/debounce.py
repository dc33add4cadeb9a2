"""Typing debounce for the theory panels: act once typing pauses, or at once on Enter."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit

DEBOUNCE_MS = 300


def debounce_typing(
    owner: QObject, line_edit: QLineEdit, slot: Callable[[], None], ms: int = DEBOUNCE_MS
) -> QTimer:
    """A single-shot timer (child of `owner`) that calls `slot` `ms` after the last keystroke
    in `line_edit`; Enter calls `slot` straight away. The slot should stop the timer."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    line_edit.textChanged.connect(lambda _: timer.start())
    line_edit.returnPressed.connect(slot)
    return timer

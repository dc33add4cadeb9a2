"""Panels hosted by the main window; each is a QWidget built as `Panel(context, parent=None)`.

`load_panel` imports one lazily so a missing or broken panel never stops the window opening.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

log = logging.getLogger(__name__)

#: (module, class, tab title) of the panels docked in the main window
PANELS: tuple[tuple[str, str, str], ...] = (
    ("describe", "DescribePanel", "Describe"),
    ("guess", "GuessPanel", "Guess"),
    ("loop", "LoopPanel", "Loop"),
    ("synth_controls", "SynthControls", "Synth"),
)


class PlaceholderPanel(QLabel):
    """Stands in for a panel that could not be loaded, saying why."""

    def __init__(self, title: str, reason: str, parent: QWidget | None = None):
        super().__init__(f"{title} is not available in this build.\n\n{reason}", parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.is_placeholder = True


def load_panel(module: str, cls: str, title: str, context, parent: QWidget | None = None):
    """Build `kord_desktop.panels.<module>.<cls>(context, parent)` or a placeholder."""
    try:
        mod = importlib.import_module(f"kord_desktop.panels.{module}")
        return getattr(mod, cls)(context, parent)
    except Exception as exc:  # noqa: BLE001 - any failure: keep the window usable
        log.warning("panel %s unavailable: %s", title, exc)
        return PlaceholderPanel(title, f"{type(exc).__name__}: {exc}", parent)

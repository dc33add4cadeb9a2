"""The small labels the wizard's pages share: a muted hint and an inline error."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: #e5534b;"
HINT_STYLE = "color: palette(placeholder-text);"


def hint(text: str = "") -> QLabel:
    """A wrapped, muted line of help."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def error_label() -> QLabel:
    """A wrapped inline error, hidden until show_error gives it a text."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setObjectName("error")
    label.hide()
    return label


def show_error(label: QLabel, text: str | None) -> None:
    """Show `text` in an error label, or hide it when there is none."""
    label.setText(text or "")
    label.setVisible(bool(text))

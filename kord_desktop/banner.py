"""A message strip across the top of the window (no device, device lost) with one action button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from kord_desktop.theme import DARK, ThemeColors


class Banner(QFrame):
    """Hidden until `show_message`; emits `action_clicked` when its button is pressed."""

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None, colors: ThemeColors = DARK):
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.action = QPushButton()
        self.action.clicked.connect(self.action_clicked)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this message")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.close_button)
        self.apply_theme(colors)
        self.hide()

    def apply_theme(self, colors: ThemeColors) -> None:
        self.setStyleSheet(
            f"#banner {{ background: {colors.warn}; border-radius: 4px; }}"
            f"#banner QLabel {{ color: #1a1a1a; font-weight: 600; }}"
        )

    @property
    def message(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_message(self, text: str, action_text: str | None = None) -> None:
        """Show `text`; with `action_text`, also a button that emits `action_clicked`."""
        self.label.setText(text)
        self.action.setVisible(bool(action_text))
        if action_text:
            self.action.setText(action_text)
        self.show()

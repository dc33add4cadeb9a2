"""Dark and light palettes (kord's green accent) that follow the system colour scheme by default."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "dark", "light")
ERROR_STYLE = "color: #e5484d; font-weight: 600;"  # inline error labels in the panels


@dataclass(frozen=True)
class ThemeColors:
    """Colours the custom-drawn widgets (spectrum, meters, timeline) use for one theme."""

    name: str
    window: str
    base: str
    text: str
    muted: str
    accent: str
    accent_text: str
    grid: str
    curve: str
    warn: str
    error: str
    ok: str


DARK = ThemeColors(
    name="dark",
    window="#1b211e",
    base="#141916",
    text="#e6ede8",
    muted="#8fa398",
    accent="#3fb27f",
    accent_text="#0d1a13",
    grid="#34403a",
    curve="#5ad19a",
    warn="#e5b344",
    error="#e5534b",
    ok="#3fb27f",
)

LIGHT = ThemeColors(
    name="light",
    window="#f4f6f4",
    base="#ffffff",
    text="#17201b",
    muted="#5b6b62",
    accent="#1f8a5b",
    accent_text="#ffffff",
    grid="#d4dcd7",
    curve="#1f8a5b",
    warn="#a86f00",
    error="#c62828",
    ok="#1f8a5b",
)


def system_prefers_dark() -> bool:
    """True when the desktop asks for a dark colour scheme (Qt ≥ 6.5 QStyleHints.colorScheme)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    try:
        return app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    except AttributeError:  # pragma: no cover - older Qt
        return False


def resolve(choice: str) -> ThemeColors:
    """The concrete theme for a settings choice ('system', 'dark' or 'light')."""
    if choice == "dark":
        return DARK
    if choice == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def palette_for(colors: ThemeColors) -> QPalette:
    """A full QPalette for the Fusion style built from `colors`."""
    p = QPalette()
    c = QColor
    role = QPalette.ColorRole
    p.setColor(role.Window, c(colors.window))
    p.setColor(role.WindowText, c(colors.text))
    p.setColor(role.Base, c(colors.base))
    p.setColor(role.AlternateBase, c(colors.window))
    p.setColor(role.ToolTipBase, c(colors.base))
    p.setColor(role.ToolTipText, c(colors.text))
    p.setColor(role.PlaceholderText, c(colors.muted))
    p.setColor(role.Text, c(colors.text))
    p.setColor(role.Button, c(colors.window))
    p.setColor(role.ButtonText, c(colors.text))
    p.setColor(role.BrightText, c(colors.error))
    p.setColor(role.Highlight, c(colors.accent))
    p.setColor(role.HighlightedText, c(colors.accent_text))
    p.setColor(role.Link, c(colors.accent))
    p.setColor(role.Mid, c(colors.grid))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.ButtonText, role.WindowText):
        p.setColor(disabled, r, c(colors.muted))
    return p


def apply_theme(app: QApplication, choice: str) -> ThemeColors:
    """Set the Fusion style and the palette for `choice` on the whole app; return its colours."""
    colors = resolve(choice)
    app.setStyle("Fusion")
    app.setPalette(palette_for(colors))
    return colors

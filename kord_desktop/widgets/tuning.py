"""Tuning in the app: the status bar's "A = 436 Hz" button and the popup that locks or types A4.

The engine estimates the instrument's reference pitch (A4) from what it hears; the user may lock
it instead (at the current estimate, a typed value or a preset). Typed text goes through
`parse_reference`, which names the problem in words the popup shows inline.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kord_desktop.theme import DARK, ERROR_STYLE, ThemeColors
from kord_engine.audio.listen.tuning import A4_HZ, MAX_HZ, MIN_HZ, cents_of, check_reference

#: the range as shown (one decimal): A4 within ±50 cents of 440 Hz
LOW_HZ = round(MIN_HZ, 1)  # 427.5
HIGH_HZ = round(MAX_HZ, 1)  # 452.9
STEP_HZ = 0.1
PRESETS: tuple[float, ...] = (432.0, 440.0, 442.0, 443.0)


def format_hz(hz: float) -> str:
    """436 → "436", 436.37 → "436.4" (one decimal unless it is a whole number)."""
    r = round(float(hz), 1)
    return f"{r:.0f}" if r == round(r) else f"{r:.1f}"


def format_cents(hz: float) -> str:
    """Offset from 440 Hz in whole cents: "−16 cents", "+1 cent", "0 cents"."""
    c = round(cents_of(hz))
    sign = "−" if c < 0 else "+" if c > 0 else ""
    return f"{sign}{abs(c)} cent{'' if abs(c) == 1 else 's'}"


def tuning_text(hz: float, locked: bool, settled: bool) -> str:
    """The status bar's text: "A = 436.4 Hz", "A = 442 Hz (locked)", "A ≈ 440 Hz" (no estimate
    yet: the initial guess, e.g. last session's)."""
    if locked:
        return f"A = {format_hz(hz)} Hz (locked)"
    return f"A {'=' if settled else '≈'} {format_hz(hz)} Hz"


def clamp_reference(hz: float) -> float:
    """`hz` as a reference the engine takes, or ValueError saying the allowed range. Values that
    show as the limits (427.5, 452.9) are taken as the limits themselves (±50 cents)."""
    hz = float(hz)
    if not math.isfinite(hz):
        raise ValueError("Type the pitch of A4 as a number of Hz, e.g. 442.")
    if LOW_HZ <= round(hz, 1) <= HIGH_HZ:
        hz = min(max(hz, MIN_HZ), MAX_HZ)
    try:
        return check_reference(hz)
    except Exception:  # noqa: BLE001 - AudioError: say it in the popup's words
        raise ValueError(
            f"A4 must be {LOW_HZ:.1f}–{HIGH_HZ:.1f} Hz (within ±50 cents of 440 Hz), not {hz:g} Hz."
        ) from None


#: "442", "a = 442", "a4: 442 hz" (lower case, "," already ".")
_TYPED = re.compile(
    r"(?:a(?:4(?![0-9]))?\s*[=≈:]?\s*)?([-+]?[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*(?:hz)?"
)


def parse_reference(text: str) -> float:
    """A typed reference pitch ("442", "436.5", "441,5 Hz", "A = 432") in Hz, or ValueError
    with a message for the user."""
    s = str(text).strip().lower().replace(",", ".")
    if not s:
        raise ValueError("Type the pitch of A4 in Hz, e.g. 442.")
    m = _TYPED.fullmatch(s)
    try:
        hz = float(m.group(1)) if m else float("nan")
    except ValueError:
        hz = float("nan")
    if not math.isfinite(hz):
        raise ValueError(f"“{str(text).strip()}” is not a number of Hz; type e.g. 442.")
    return clamp_reference(hz)


class HzEdit(QLineEdit):
    """A line edit for Hz that steps by 0.1 Hz with Up/Down (PageUp/PageDown: 1 Hz)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        steps = {
            Qt.Key.Key_Up: STEP_HZ,
            Qt.Key.Key_Down: -STEP_HZ,
            Qt.Key.Key_PageUp: 1.0,
            Qt.Key.Key_PageDown: -1.0,
        }
        step = steps.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        try:
            hz = float(self.text().replace(",", ".").lower().removesuffix("hz"))
        except ValueError:
            hz = A4_HZ
        hz = min(max(round(hz + step, 1), LOW_HZ), HIGH_HZ)
        self.setText(f"{hz:.1f}")


class TuningPopup(QFrame):
    """The popup under the status bar's tuning button.

    Emits `tuning_requested` with None (estimate automatically), a float (a preset, the
    current estimate) or the typed text (str): the main window checks it and calls
    `show_error` when it is no good.
    """

    tuning_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("tuningPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._estimate = A4_HZ
        self._hz = A4_HZ
        title = QLabel("Reference pitch (A4)")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        self.state_label = QLabel()
        self.auto_button = QPushButton("Auto (estimate from what you play)")
        self.auto_button.setCheckable(True)
        self.auto_button.setToolTip(
            "Kord estimates the instrument's A4 from the notes it hears and reads the notes "
            "against it; the estimate is kept for the next start"
        )
        self.lock_current_button = QPushButton("Lock at current estimate")
        self.lock_current_button.setToolTip("Stop estimating: keep the current estimate")
        self.hz_edit = HzEdit()
        self.hz_edit.setObjectName("tuningHzEdit")
        self.hz_edit.setPlaceholderText("e.g. 442")
        self.hz_edit.setMaximumWidth(90)
        self.hz_edit.setToolTip(
            f"A4 in Hz, {LOW_HZ:.1f}–{HIGH_HZ:.1f} (Up/Down: ±{STEP_HZ:g} Hz); Enter locks it"
        )
        self.lock_button = QPushButton("Lock")
        self.preset_buttons: dict[float, QPushButton] = {}
        self.error_label = QLabel()
        self.error_label.setObjectName("tuningError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.hint_label = QLabel(f"{LOW_HZ:.1f}–{HIGH_HZ:.1f} Hz, ±50 cents around 440")
        self.hint_label.setObjectName("tuningHint")

        typed = QHBoxLayout()
        typed.addWidget(QLabel("Lock at A ="))
        typed.addWidget(self.hz_edit)
        typed.addWidget(QLabel("Hz"))
        typed.addWidget(self.lock_button)
        typed.addStretch(1)
        presets = QGridLayout()
        presets.setHorizontalSpacing(4)
        presets.addWidget(QLabel("Presets:"), 0, 0)
        for i, hz in enumerate(PRESETS):
            b = QPushButton(format_hz(hz))
            b.setToolTip(f"Lock at A = {format_hz(hz)} Hz")
            b.setMinimumWidth(44)
            b.clicked.connect(lambda _=False, v=hz: self.tuning_requested.emit(v))
            presets.addWidget(b, 0, i + 1)
            self.preset_buttons[hz] = b
        presets.setColumnStretch(len(PRESETS) + 1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.state_label)
        layout.addWidget(self.auto_button)
        layout.addWidget(self.lock_current_button)
        layout.addLayout(typed)
        layout.addWidget(self.hint_label)
        layout.addLayout(presets)
        layout.addWidget(self.error_label)

        self.auto_button.clicked.connect(lambda _=False: self.tuning_requested.emit(None))
        self.lock_current_button.clicked.connect(
            lambda _=False: self.tuning_requested.emit(round(self._estimate, 1))
        )
        self.lock_button.clicked.connect(self.apply_typed)
        self.hz_edit.returnPressed.connect(self.apply_typed)
        self.hz_edit.textEdited.connect(lambda _t: self.clear_error())
        self.apply_theme(DARK)

    def apply_theme(self, colors: ThemeColors) -> None:
        self.hint_label.setStyleSheet(f"color: {colors.muted};")
        # the mode in use stands out: Auto while estimating
        self.auto_button.setStyleSheet(
            f"QPushButton:checked {{ background: {colors.accent}; color: {colors.accent_text};"
            f" border: 1px solid {colors.accent}; border-radius: 3px; padding: 4px 8px; }}"
        )

    def set_state(self, hz: float, locked: bool, settled: bool, estimate: float) -> None:
        """Show what is used now (`hz`) and what "Lock at current estimate" would lock."""
        self._estimate = float(estimate)
        self._hz = float(hz)
        if locked:
            state = f"Locked at A = {format_hz(hz)} Hz ({format_cents(hz)})"
        elif settled:
            state = f"Estimated: A = {format_hz(hz)} Hz ({format_cents(hz)})"
        else:
            state = f"Not estimated yet: starting from A = {format_hz(hz)} Hz"
        self.state_label.setText(state)
        self.auto_button.setChecked(not locked)
        self.lock_current_button.setText(
            f"Lock at current estimate (A = {format_hz(self._estimate)} Hz)"
        )
        if not (self.isVisible() and self.hz_edit.hasFocus()):  # never under the typing
            self.hz_edit.setText(f"{round(self._hz, 1):.1f}")

    def apply_typed(self) -> None:
        self.tuning_requested.emit(self.hz_edit.text())

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.adjustSize()

    def clear_error(self) -> None:
        if not self.error_label.isHidden():
            self.error_label.clear()
            self.error_label.hide()
            self.adjustSize()

    @property
    def error(self) -> str:
        """The inline error shown now ("" when none)."""
        return "" if self.error_label.isHidden() else self.error_label.text()

    def popup_at(self, anchor: QWidget) -> None:
        """Open just above `anchor` (the status bar button), right edges aligned."""
        self.clear_error()
        self.hz_edit.setText(f"{round(self._hz, 1):.1f}")  # what is used now, to edit
        self.adjustSize()
        corner = anchor.mapToGlobal(QPoint(anchor.width(), 0))
        self.move(corner.x() - self.width(), corner.y() - self.height())
        self.show()
        self.raise_()
        self.hz_edit.setFocus()
        self.hz_edit.selectAll()


class TuningButton(QToolButton):
    """The status bar's "A = 436 Hz": muted italic before the first estimate; click to set."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tuningButton")
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.colors = DARK
        self.hz = A4_HZ
        self.locked = False
        self.settled = False
        self.set_tuning(A4_HZ, False, False)

    def apply_theme(self, colors: ThemeColors) -> None:
        self.colors = colors
        self._style()

    def set_tuning(self, hz: float, locked: bool, settled: bool) -> None:
        self.hz, self.locked, self.settled = float(hz), bool(locked), bool(settled)
        self.setText(tuning_text(hz, locked, settled))
        how = (
            "locked"
            if locked
            else "estimated from what you play"
            if settled
            else "not estimated yet (the starting guess)"
        )
        self.setToolTip(
            f"Reference pitch A4 = {hz:.1f} Hz, {format_cents(hz)} from 440 Hz, {how}.\n"
            "Click to lock it or type it."
        )
        self._style()

    @property
    def muted(self) -> bool:
        """Shown muted and italic: no estimate yet."""
        return not (self.locked or self.settled)

    def _style(self) -> None:
        font = self.font()
        font.setItalic(self.muted)
        self.setFont(font)
        color = self.colors.muted if self.muted else self.colors.text
        self.setStyleSheet(f"QToolButton#tuningButton {{ color: {color}; padding: 0 4px; }}")

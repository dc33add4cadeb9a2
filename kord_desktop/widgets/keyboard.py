"""The 88-key piano (A0–C8): lights notes by role, plays by mouse or computer keys, zooms.

Roles are independent highlight layers ("detected", "played", "selected", "chord", "pressed"),
each with its own colour, so the live analyzer, the synth and the panels never overwrite
each other. Key geometry and the letter mapping live in kord_desktop.keymap (no Qt).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollBar, QSizePolicy, QWidget

from kord_desktop import keymap

ROLES: tuple[str, ...] = ("pressed", "played", "selected", "detected", "chord")
"""Highlight roles, highest drawing priority first."""

ROLE_COLORS: dict[str, str] = {
    "pressed": "#ff5a4f",
    "played": "#ffa41b",
    "selected": "#3d8bfd",
    "detected": "#2ecc71",
    "chord": "#b36bff",
}
ROLE_LABELS: dict[str, str] = {
    "pressed": "Pressed",
    "played": "Sounding",
    "selected": "Selected",
    "detected": "Heard",
    "chord": "Chord",
}
NOTE_NAME_MODES = ("none", "c", "all")

_WHITE_MIN_PX = 9.0
_SCROLLBAR_PX = 12


def role_color(role: str) -> QColor:
    """The colour a role is drawn in (for legends)."""
    return QColor(ROLE_COLORS[role])


class PianoKeyboard(QWidget):
    """An 88-key piano that paints highlight roles and turns mouse/keys into note signals."""

    note_pressed = Signal(int, float)  # midi, velocity 0..1
    note_released = Signal(int)
    selection_changed = Signal(object)  # set[int]
    octave_changed = Signal(int)
    sustain_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._roles: dict[str, set[int]] = {r: set() for r in ROLES}
        self._press_counts: dict[int, int] = {}
        self._zoom = 1.0
        self._scroll = 0.0  # content-pixel offset of the view's left edge
        self._note_names = "c"
        self._select_mode = False
        self._octave = keymap.DEFAULT_OCTAVE
        self._sustain = False
        self._mouse_note: int | None = None
        self._char_notes: dict[str, int] = {}
        self._base: QPixmap | None = None
        self._base_key: tuple | None = None
        self._scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self._scrollbar.setFixedHeight(_SCROLLBAR_PX)
        self._scrollbar.valueChanged.connect(self._on_scrollbar)
        self._scrollbar.hide()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # the cached piano covers every pixel: a repaint (lit keys changed) repaints nothing
        # behind it (the dock and its container)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMouseTracking(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip(
            "Click to play (lower on a key = louder), drag for a glissando, Shift+click to select.\n"
            "Keys: a s d f g h j k l ; (white) and w e t y u o p (black); z/x octave; space sustain.\n"
            "Ctrl+wheel zooms; wheel scrolls when zoomed."
        )

    # ----------------------------------------------------------------- highlight API
    def set_notes(self, role: str, midis: Iterable[int]) -> None:
        """Light exactly `midis` (MIDI numbers; outside A0–C8 ignored) in `role`'s colour."""
        self._check_role(role)
        notes = {int(m) for m in midis if keymap.LOWEST_MIDI <= int(m) <= keymap.HIGHEST_MIDI}
        if notes != self._roles[role]:
            self._roles[role] = notes
            self.update()

    def notes(self, role: str) -> set[int]:
        """The MIDI notes currently lit in `role`."""
        self._check_role(role)
        return set(self._roles[role])

    def clear(self, role: str | None = None) -> None:
        """Turn off one role (or every role except the selection when None)."""
        for r in [role] if role else [r for r in ROLES if r != "selected"]:
            self.set_notes(r, ())

    @staticmethod
    def roles() -> tuple[str, ...]:
        """Role names, highest drawing priority first."""
        return ROLES

    def _check_role(self, role: str) -> None:
        if role not in self._roles:
            raise ValueError(f"unknown keyboard role {role!r}; use one of {', '.join(ROLES)}")

    # ----------------------------------------------------------------- selection
    def selection(self) -> set[int]:
        """Keys selected by hand (Shift+click or select mode)."""
        return set(self._roles["selected"])

    def set_selection(self, midis: Iterable[int], emit: bool = True) -> None:
        """Replace the selection; emits selection_changed unless emit is False."""
        before = self.selection()
        self.set_notes("selected", midis)
        if emit and self.selection() != before:
            self.selection_changed.emit(self.selection())

    def toggle_selected(self, midi: int) -> None:
        """Add or remove one key from the selection."""
        self.set_selection(self.selection() ^ {int(midi)})

    def set_select_mode(self, on: bool) -> None:
        """When on, plain clicks toggle selection instead of playing."""
        self._select_mode = bool(on)

    def select_mode(self) -> bool:
        return self._select_mode

    # ----------------------------------------------------------------- playing
    def press_note(self, midi: int, velocity: float = 0.8) -> None:
        """Press a key from any source (mouse, computer key, MIDI): light it and emit note_pressed."""
        if not keymap.LOWEST_MIDI <= midi <= keymap.HIGHEST_MIDI:
            return
        self._press_counts[midi] = self._press_counts.get(midi, 0) + 1
        self._roles["pressed"].add(midi)
        self.update()
        self.note_pressed.emit(int(midi), float(velocity))

    def release_note(self, midi: int) -> None:
        """Release a key pressed with press_note; emits note_released."""
        count = self._press_counts.get(midi, 0)
        if count <= 0:
            return
        if count == 1:
            del self._press_counts[midi]
            self._roles["pressed"].discard(midi)
            self.update()
        else:
            self._press_counts[midi] = count - 1
        self.note_released.emit(int(midi))

    def release_all(self) -> None:
        """Release every pressed key (focus lost, panic)."""
        self._mouse_note = None
        self._char_notes.clear()
        for midi, count in list(self._press_counts.items()):
            for _ in range(count):
                self.release_note(midi)

    def octave(self) -> int:
        """Octave of the 'a' key (4 → a = C4)."""
        return self._octave

    def set_octave(self, octave: int) -> None:
        new = keymap.clamp_octave(octave)
        if new != self._octave:
            self._octave = new
            self.update()
            self.octave_changed.emit(new)

    def sustain(self) -> bool:
        return self._sustain

    def set_sustain(self, on: bool) -> None:
        if bool(on) != self._sustain:
            self._sustain = bool(on)
            self.sustain_changed.emit(self._sustain)

    def attach_synth(self, synth) -> None:
        """Wire this keyboard to a SynthBridge-like object: keys play it, its sounding notes light up."""
        self.note_pressed.connect(synth.note_on)
        self.note_released.connect(synth.note_off)
        if hasattr(synth, "set_sustain"):
            self.sustain_changed.connect(synth.set_sustain)
        sounding = getattr(synth, "notes_sounding", None)
        if sounding is not None and hasattr(sounding, "connect"):
            sounding.connect(lambda notes: self.set_notes("played", notes))

    # ----------------------------------------------------------------- view options
    def set_note_names(self, mode: str) -> None:
        """Label keys: 'none', 'c' (every C, the default) or 'all'."""
        if mode not in NOTE_NAME_MODES:
            raise ValueError(f"note name mode must be one of {NOTE_NAME_MODES}, not {mode!r}")
        self._note_names = mode
        self.update()

    def note_names(self) -> str:
        return self._note_names

    def zoom_factor(self) -> float:
        return self._zoom

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Multiply the zoom by `factor` (1 = whole piano fits), keeping `anchor_x` (px) in place."""
        self.set_zoom(self._zoom * factor, anchor_x)

    def set_zoom(self, zoom: float, anchor_x: float | None = None) -> None:
        zoom = max(1.0, min(6.0, float(zoom)))
        anchor = self.width() / 2 if anchor_x is None else anchor_x
        content_at_anchor = (self._scroll + anchor) / max(1.0, self._content_width())
        self._zoom = zoom
        self._set_scroll(content_at_anchor * self._content_width() - anchor)
        self._sync_scrollbar()
        self.update()

    def ensure_visible(self, midis: Iterable[int]) -> None:
        """Scroll (when zoomed) so the given keys are in view."""
        midis = [m for m in midis if keymap.LOWEST_MIDI <= m <= keymap.HIGHEST_MIDI]
        if not midis or self._zoom <= 1.0:
            return
        ww = self._white_width()
        left = keymap.key_rect(min(midis))[0] * ww
        right = (keymap.key_rect(max(midis))[0] + 1) * ww
        if left >= self._scroll and right <= self._scroll + self.width():
            return
        self._set_scroll((left + right) / 2 - self.width() / 2)
        self._sync_scrollbar()
        self.update()

    def scroll_offset(self) -> float:
        return self._scroll

    # ----------------------------------------------------------------- geometry
    def sizeHint(self) -> QSize:
        return QSize(int(keymap.WHITE_KEY_COUNT * 18), 120)

    def minimumSizeHint(self) -> QSize:
        return QSize(int(keymap.WHITE_KEY_COUNT * _WHITE_MIN_PX), 70)

    def _content_width(self) -> float:
        return self.width() * self._zoom

    def _white_width(self) -> float:
        return self._content_width() / keymap.WHITE_KEY_COUNT

    def _keys_height(self) -> float:
        return float(self.height() - (_SCROLLBAR_PX if self._zoom > 1.0 else 0))

    def key_rect(self, midi: int) -> QRectF:
        """Where a key is drawn, in widget pixels (respects zoom and scroll)."""
        x, y, w, h = keymap.key_rect(midi)
        ww, kh = self._white_width(), self._keys_height()
        return QRectF(x * ww - self._scroll, y * kh, w * ww, h * kh)

    def key_at(self, pos: QPointF) -> int | None:
        """The key under a widget-pixel point, or None."""
        kh = self._keys_height()
        if kh <= 0:
            return None
        return keymap.key_at((pos.x() + self._scroll) / self._white_width(), pos.y() / kh)

    def velocity_at(self, pos: QPointF, midi: int) -> float:
        """Velocity for a hit at `pos` on `midi`: nearer the player's edge (lower) is louder."""
        r = self.key_rect(midi)
        return keymap.velocity_from_depth((pos.y() - r.top()) / max(1.0, r.height()))

    def _set_scroll(self, value: float) -> None:
        self._scroll = max(0.0, min(value, self._content_width() - self.width()))

    def _sync_scrollbar(self) -> None:
        zoomed = self._zoom > 1.0
        self._scrollbar.setVisible(zoomed)
        if zoomed:
            self._scrollbar.setGeometry(
                0, self.height() - _SCROLLBAR_PX, self.width(), _SCROLLBAR_PX
            )
            self._scrollbar.blockSignals(True)
            self._scrollbar.setRange(0, int(self._content_width() - self.width()))
            self._scrollbar.setPageStep(self.width())
            self._scrollbar.setValue(int(self._scroll))
            self._scrollbar.blockSignals(False)

    def _on_scrollbar(self, value: int) -> None:
        self._set_scroll(float(value))
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._set_scroll(self._scroll)
        self._sync_scrollbar()
        super().resizeEvent(event)

    # ----------------------------------------------------------------- painting
    def _fill_for(self, midi: int) -> tuple[QColor | None, list[str]]:
        lit = [r for r in ROLES if midi in self._roles[r]]
        return (role_color(lit[0]) if lit else None), lit

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Blit the cached unlit piano, then repaint only the lit keys (and black keys above them)."""
        p = QPainter(self)
        p.drawPixmap(0, 0, self._base_pixmap())
        lit = set().union(*self._roles.values())
        if lit:
            self._prepare_painter(p)
            whites = sorted(m for m in lit if not keymap.is_black(m))
            blacks = {m for m in lit if keymap.is_black(m)}
            for midi in whites:
                self._paint_key(p, midi, black=False)
                blacks.update(
                    n
                    for n in (midi - 1, midi + 1)
                    if keymap.LOWEST_MIDI <= n <= keymap.HIGHEST_MIDI and keymap.is_black(n)
                )
            for midi in sorted(blacks):
                self._paint_key(p, midi, black=True)
        if self.hasFocus():
            self._paint_letter_range(p)
        p.end()

    def _paint_letter_range(self, p: QPainter) -> None:
        """A thin strip over the keys the computer keyboard plays (a = C of the current octave)."""
        mapped = [m for c in keymap.KEY_OFFSETS if (m := keymap.midi_for_char(c, self._octave))]
        if not mapped:
            return
        left, right = self.key_rect(min(mapped)).left(), self.key_rect(max(mapped)).right()
        p.fillRect(QRectF(left, 0, right - left, 4), QColor("#00b3a4"))

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.update()
        super().focusInEvent(event)

    def _prepare_painter(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = QFont(self.font())
        font.setPixelSize(max(7, min(12, int(self._white_width() * 0.55))))
        p.setFont(font)

    def _base_pixmap(self) -> QPixmap:
        """The piano with nothing lit, cached until size, zoom, scroll, labels or the palette
        change (it is opaque: the strip under the keys when zoomed is the window colour)."""
        dpr = self.devicePixelRatioF()
        window = self.palette().color(QPalette.ColorRole.Window).rgba()
        key = (self.width(), self.height(), self._zoom, self._scroll, self._note_names, dpr, window)
        if self._base is not None and self._base_key == key:
            return self._base
        pm = QPixmap(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
        pm.setDevicePixelRatio(dpr)
        pm.fill(QColor.fromRgba(window))
        p = QPainter(pm)
        self._prepare_painter(p)
        p.fillRect(QRectF(0, 0, self.width(), self._keys_height()), QColor("#202020"))
        keys = range(keymap.LOWEST_MIDI, keymap.HIGHEST_MIDI + 1)
        for midi in keys:
            if not keymap.is_black(midi):
                self._paint_key(p, midi, black=False, unlit=True)
        for midi in keys:
            if keymap.is_black(midi):
                self._paint_key(p, midi, black=True, unlit=True)
        p.end()
        self._base, self._base_key = pm, key
        return pm

    def _paint_key(self, p: QPainter, midi: int, black: bool, unlit: bool = False) -> None:
        r = self.key_rect(midi)
        if r.right() < 0 or r.left() > self.width():
            return
        fill, lit = (None, []) if unlit else self._fill_for(midi)
        base = QColor("#161616") if black else QColor("#fafafa")
        if fill is not None:
            color = fill.darker(135) if black else fill
        else:
            color = base
        p.setPen(QPen(QColor("#3a3a3a"), 1))
        p.setBrush(color)
        radius = min(3.0, r.width() * 0.15)
        p.drawRoundedRect(r.adjusted(0.5, -radius, -0.5, 0), radius, radius)
        if not black:  # a crisp gap line so neighbouring lit keys stay apart
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(QPen(QColor("#3a3a3a"), 1))
            x = round(r.left())
            p.drawLine(x, 0, x, round(r.bottom()))
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if black and fill is None:  # a little sheen so black keys read as 3-D
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#3c3c3c"))
            p.drawRect(QRectF(r.left() + r.width() * 0.2, r.bottom() - 5, r.width() * 0.6, 3))
        # Secondary roles: small dots under the name so overlapping layers stay visible.
        if len(lit) > 1:
            d = max(3.0, min(7.0, r.width() * 0.3))
            y = r.bottom() - d - (r.height() * 0.32 if not black else 6)
            for i, role in enumerate(lit[1:]):
                p.setPen(QPen(QColor("#202020"), 0.8))
                p.setBrush(role_color(role))
                p.drawEllipse(QRectF(r.center().x() - d / 2, y - i * (d + 2), d, d))
        self._paint_name(p, midi, r, black, fill is not None)

    def _paint_name(self, p: QPainter, midi: int, r: QRectF, black: bool, lit: bool) -> None:
        mode = self._note_names
        if mode == "none" or (mode == "c" and midi % 12 != 0):
            return
        if black and r.width() < 14:
            return
        name = keymap.midi_name(midi)
        if black:
            name = name[:-1]
        p.setPen(QColor("#ffffff") if black else QColor("#333333"))
        text_rect = QRectF(r.left(), r.bottom() - 18, r.width(), 16)
        if r.width() < p.fontMetrics().horizontalAdvance(name) + 2:
            if mode == "all" and not black:
                name = name[:-1]  # drop the octave when keys are narrow
            if r.width() < p.fontMetrics().horizontalAdvance(name) + 1:
                return
        p.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), name
        )

    # ----------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        midi = self.key_at(event.position())
        if midi is None:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if shift or self._select_mode:
            self.toggle_selected(midi)
            return
        self._mouse_note = midi
        self.press_note(midi, self.velocity_at(event.position(), midi))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._mouse_note is None:
            return
        midi = self.key_at(event.position())
        if midi == self._mouse_note:
            return
        self.release_note(self._mouse_note)
        self._mouse_note = midi
        if midi is not None:
            self.press_note(midi, self.velocity_at(event.position(), midi))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton and self._mouse_note is not None:
            self.release_note(self._mouse_note)
            self._mouse_note = None

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.15 if delta > 0 else 1 / 1.15, event.position().x())
            event.accept()
        elif self._zoom > 1.0 and delta:
            self._set_scroll(self._scroll - delta)
            self._sync_scrollbar()
            self.update()
            event.accept()
        else:
            super().wheelEvent(event)

    # ----------------------------------------------------------------- computer keys
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        char = _event_char(event)
        if event.isAutoRepeat() and char is not None:
            return
        if char == keymap.SUSTAIN:
            self.set_sustain(True)
            return
        shift = keymap.octave_shift_for_char(char or "")
        if shift:
            self.set_octave(self._octave + shift)
            return
        midi = keymap.midi_for_char(char or "", self._octave)
        if midi is None:
            return super().keyPressEvent(event)
        if char in self._char_notes:
            return
        self._char_notes[char] = midi
        self.press_note(midi, 0.8)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        char = _event_char(event)
        if event.isAutoRepeat():
            return
        if char == keymap.SUSTAIN:
            self.set_sustain(False)
            return
        midi = self._char_notes.pop(char, None) if char else None
        if midi is None:
            return super().keyReleaseEvent(event)
        self.release_note(midi)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        for char in list(self._char_notes):
            self.release_note(self._char_notes.pop(char))
        self.set_sustain(False)
        self.update()
        super().focusOutEvent(event)


def _event_char(event: QKeyEvent) -> str | None:
    """The layout character a key event stands for ('a', ';', ' '), independent of Shift."""
    key = int(event.key().value if hasattr(event.key(), "value") else event.key())
    if Qt.Key.Key_A.value <= key <= Qt.Key.Key_Z.value:
        return chr(ord("a") + key - Qt.Key.Key_A.value)
    if key == Qt.Key.Key_Semicolon.value:
        return ";"
    if key == Qt.Key.Key_Space.value:
        return " "
    text = event.text()
    return text.lower() if text else None


class KeyboardLegend(QWidget):
    """A row of coloured swatches naming the keyboard's highlight roles."""

    def __init__(self, roles: Iterable[str] = ROLES, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(10)
        for role in roles:
            swatch = QLabel()
            swatch.setFixedSize(12, 12)
            swatch.setStyleSheet(
                f"background:{ROLE_COLORS[role]}; border:1px solid #444; border-radius:2px;"
            )
            row.addWidget(swatch)
            row.addWidget(QLabel(ROLE_LABELS[role]))
        row.addStretch(1)

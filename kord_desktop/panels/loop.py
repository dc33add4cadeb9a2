"""Loop: kord's `loop` as a panel — a progression in kord's syntax, a tempo, Play/Stop.

Each item is `SYMBOL` or `SYMBOL|N` (N = length in 32nd notes, default 32), space-separated
or quoted; a chord lasts N·60/bpm/8 s. While playing, a QTimer steps through the items,
marks the current one, lights it on the piano and plays it, looping until stopped.
"""

from __future__ import annotations

import shlex
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kord_desktop.panels.synth_controls import read_setting, write_setting
from kord_desktop.theme import ERROR_STYLE
from kord_desktop.widgets.chord_card import displayable

DEFAULT_PROGRESSION = '"Em7b5@3^2" "A7b13@3!" "D-maj7@3^2" "G7@3" "Cmaj7@3^2"'
DEFAULT_BPM = 120
CURRENT_BRUSH = QColor("#b36bff")  # the keyboard's "chord" role colour


def split_progression(text: str) -> list[str]:
    """Items of a progression text: shell-like words, so quoted symbols may contain spaces."""
    from kord_engine.errors import ParseError

    try:
        return shlex.split(text)
    except ValueError as exc:
        raise ParseError(f"progression not understood: {exc}", text, len(text)) from exc


def chord_seconds(n32: int, bpm: float) -> float:
    """kord's chord length: N 32nd notes at `bpm` = N·60/bpm/8 seconds."""
    return n32 * 60.0 / float(bpm) / 8.0


class LoopPanel(QWidget):
    """Plays a chord progression round and round, showing and lighting the current chord."""

    current_changed = Signal(int)  # index of the chord now sounding (-1: stopped)
    playing_changed = Signal(bool)

    def __init__(self, context: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        settings = context.settings
        self.input = QLineEdit(read_setting(settings, "loop/progression", DEFAULT_PROGRESSION))
        self.input.setPlaceholderText(
            'Chords in kord\'s loop syntax, e.g. "Em7b5@3^2" "A7b13@3!" C|16 G|16'
        )
        self.input.setClearButtonEnabled(True)
        self.bpm = QSpinBox()
        self.bpm.setRange(1, 1000)
        self.bpm.setSuffix(" bpm")
        self.bpm.setValue(read_setting(settings, "loop/bpm", DEFAULT_BPM))
        self.play_button = QPushButton("▶ Play")
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setEnabled(False)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.now = QLabel("Stopped")
        font = self.now.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.now.setFont(font)

        row = QHBoxLayout()
        row.addWidget(QLabel("Progression"))
        row.addWidget(self.input, 1)
        row.addWidget(self.bpm)
        row.addWidget(self.play_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.now)
        layout.addWidget(self.list, 1)

        self._items: list[Any] = []
        self._index = -1
        self._due = 0.0  # monotonic time the current chord should end
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._advance)
        self.play_button.clicked.connect(self.play)
        self.stop_button.clicked.connect(self.stop)
        self.input.returnPressed.connect(self.play)
        self.bpm.valueChanged.connect(lambda v: write_setting(context.settings, "loop/bpm", v))

    # ------------------------------------------------------------------ API
    def set_progression(self, text: str, bpm: int | None = None) -> None:
        self.input.setText(text)
        if bpm is not None:
            self.bpm.setValue(bpm)

    def is_playing(self) -> bool:
        return self._index >= 0

    def current_index(self) -> int:
        """Index of the chord sounding now, -1 when stopped."""
        return self._index

    def items(self) -> list[Any]:
        """The parsed progression (kord_engine.audio.sound.progression.LoopItem)."""
        return list(self._items)

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def play(self) -> bool:
        """Parse the progression and start looping it from the first chord (False on error)."""
        from kord_engine.audio.sound.progression import parse_loop_items
        from kord_engine.errors import KordError

        self.stop()
        text = self.input.text()
        try:
            items = parse_loop_items(split_progression(text), float(self.bpm.value()))
        except KordError as exc:
            self._set_error(str(exc))
            return False
        except Exception as exc:  # an engine bug must not escape a Qt slot as a traceback
            self._set_error(f"kord could not read the progression ({type(exc).__name__}: {exc})")
            return False
        self._set_error("")
        write_setting(self.context.settings, "loop/progression", text)
        self._items = items
        self.list.clear()
        for item in items:
            tones = " ".join(n.pitch_name for n in item.chord.notes())
            row = QListWidgetItem(
                displayable(f"{item.chord.precise_name}   ·   {item.n32}/32   ({tones})")
            )
            row.setToolTip(item.chord.description)
            self.list.addItem(row)
        self.play_button.setEnabled(True)
        self.stop_button.setEnabled(True)
        self.playing_changed.emit(True)
        self._due = time.monotonic()
        self._enter(0)
        return True

    def stop(self) -> None:
        """Stop playing: silence the chord and unlight it."""
        was_playing = self._index >= 0
        self._timer.stop()
        self._index = -1
        self._mark_current()
        self.stop_button.setEnabled(False)
        self.now.setText("Stopped")
        if was_playing:
            self.context.synth.all_off()
            self.context.keyboard.clear("chord")
            self.playing_changed.emit(False)
            self.current_changed.emit(-1)

    # ------------------------------------------------------------------ internals
    def _set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _enter(self, index: int) -> None:
        item = self._items[index]
        self._index = index
        seconds = chord_seconds(item.n32, self.bpm.value())
        midis = [int(n.midi) for n in item.chord.notes()]
        self._mark_current()
        self.now.setText(
            displayable(f"{item.chord.precise_name}    ({index + 1}/{len(self._items)})")
        )
        self.context.keyboard.set_notes("chord", midis)
        self.context.synth.play_chord(midis, False, duration=seconds)
        # Aim each change at the ideal time (start + sum of lengths) so timer lateness never
        # drifts; after a stall longer than a chord, restart the clock instead of bursting.
        now = time.monotonic()
        self._due += seconds
        if self._due <= now:
            self._due = now + seconds
        self._timer.start(max(1, round((self._due - now) * 1000)))
        self.current_changed.emit(index)

    def _advance(self) -> None:
        if self._index >= 0 and self._items:
            self._enter((self._index + 1) % len(self._items))

    def _mark_current(self) -> None:
        for i in range(self.list.count()):
            row = self.list.item(i)
            current = i == self._index
            f = QFont(row.font())
            f.setBold(current)
            row.setFont(f)
            row.setBackground(QBrush(CURRENT_BRUSH) if current else QBrush())
            row.setForeground(QBrush(QColor("white")) if current else QBrush())
        if self._index >= 0:  # no setCurrentRow: the selection colour would hide the mark
            self.list.scrollToItem(self.list.item(self._index))

    def marked_row(self) -> int:
        """Row shown as the current chord (bold, chord colour), -1 when none."""
        for i in range(self.list.count()):
            if self.list.item(i).font().bold():
                return i
        return -1

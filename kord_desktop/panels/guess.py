"""Guess: notes typed (or Shift+clicked on the piano) → kord's ranked chord candidates.

Tokens split on whitespace , ; | and are each checked (a bad one is named inline, in red).
Selecting keys by hand guesses immediately; clicking a candidate lights and plays it.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kord_desktop.panels.synth_controls import arpeggio_enabled
from kord_desktop.theme import ERROR_STYLE
from kord_desktop.widgets.chord_card import (
    AdaptiveSplitter,
    ChordCard,
    ChordView,
    chord_view,
    displayable,
)
from kord_desktop.widgets.debounce import debounce_typing

SHOWN = 8
_SPLIT = re.compile(r"[\s,;|]+")


def split_notes(text: str) -> list[str]:
    """Note tokens of a notes text box: split on whitespace , ; | (kord's web Guess page)."""
    return [t for t in _SPLIT.split(text.strip()) if t]


def parse_notes(text: str) -> list[Any]:
    """kord Notes for each token; raises ParseError naming the first bad token."""
    from kord_engine import theory
    from kord_engine.errors import KordError, ParseError

    notes = []
    for token in split_notes(text):
        try:
            notes.append(theory.Note.parse(token))
        except (KordError, ValueError) as exc:
            raise ParseError(f"Invalid note '{token}': {exc}") from exc
    return notes


class GuessPanel(QWidget):
    """kord's `guess` as a live panel over a notes text box and the piano's selected keys."""

    def __init__(self, context: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.keyboard = context.keyboard
        self.input = QLineEdit()
        self.input.setPlaceholderText("Notes, e.g. C E G Bb  —  or Shift+click keys on the piano")
        self.input.setClearButtonEnabled(True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.show_all = QCheckBox("Show all")
        self.click_selects = QCheckBox("Clicks select keys")
        self.click_selects.setToolTip(
            "Plain clicks on the piano select keys (Shift+click always does)"
        )
        self.follow_playing = QCheckBox("Guess what I play")
        self.follow_playing.setToolTip(
            "Keys held down together (mouse, computer keys or a MIDI keyboard) become the selection"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.results = QListWidget()
        self.results.setAlternatingRowColors(True)
        self.card = ChordCard()
        self.count = QLabel()

        row = QHBoxLayout()
        row.addWidget(QLabel("Notes"))
        row.addWidget(self.input, 1)
        row.addWidget(self.clear_button)
        options = QHBoxLayout()
        options.addWidget(self.click_selects)
        options.addWidget(self.follow_playing)
        options.addStretch(1)
        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.count, 1)
        head.addWidget(self.show_all)
        left_col.addLayout(head)
        left_col.addWidget(self.results, 1)
        split = AdaptiveSplitter()
        split.addWidget(left)
        split.addWidget(self.card)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(options)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

        self._chords: list[Any] = []
        self._timer = debounce_typing(self, self.input, self.refresh)
        self.show_all.toggled.connect(lambda _: self._fill())
        self.results.itemClicked.connect(self._row_clicked)
        self.results.currentRowChanged.connect(self._row_selected)
        self.card.play_requested.connect(self._play)
        self.keyboard.selection_changed.connect(self._from_keyboard)
        self.keyboard.note_pressed.connect(self._key_pressed)
        self.click_selects.toggled.connect(self.keyboard.set_select_mode)
        self._set_count()

    # ------------------------------------------------------------------ API
    def set_notes_text(self, text: str) -> None:
        """Type `text` and guess now (no debounce)."""
        self.input.blockSignals(True)
        self.input.setText(text)
        self.input.blockSignals(False)
        self.refresh()

    def candidates(self) -> list[Any]:
        """Every chord kord guessed, best first."""
        return list(self._chords)

    def shown_names(self) -> list[str]:
        """Precise names of the rows shown."""
        return [
            self.results.item(i).data(Qt.ItemDataRole.UserRole + 1)
            for i in range(self.results.count())
        ]

    def error_text(self) -> str:
        return self.message.text() if self.message.property("error") else ""

    def clear(self) -> None:
        self.keyboard.set_selection((), emit=False)
        self.keyboard.clear("chord")
        self.set_notes_text("")

    def refresh(self) -> None:
        """Parse the notes text and run kord's guess."""
        self._timer.stop()
        from kord_engine import theory
        from kord_engine.errors import KordError

        text = self.input.text()
        try:
            notes = parse_notes(text)
        except KordError as exc:
            self._set_results([], str(exc), error=True)
            return
        self.keyboard.set_selection((int(n.midi) for n in notes), emit=False)
        if not notes:
            self._set_results([], "")
            return
        if len(notes) < 3:
            self._set_results([], "Enter at least 3 notes to guess a chord.")
            return
        try:
            chords = list(theory.guess(notes))
        except KordError as exc:
            self._set_results([], str(exc), error=True)
            return
        except Exception as exc:  # an engine bug must not escape a Qt slot as a traceback
            self._set_results([], f"kord could not guess ({type(exc).__name__}: {exc})", True)
            return
        self._set_results(chords, "" if chords else "kord knows no chord with exactly these notes.")

    # ------------------------------------------------------------------ internals
    def _from_keyboard(self, selection: set[int]) -> None:
        from kord_engine import theory

        names = [theory.Note.from_midi(m).name_ascii for m in sorted(selection)]
        self.set_notes_text(" ".join(names))

    def _key_pressed(self, midi: int, velocity: float) -> None:
        """With "Guess what I play": the keys held right now replace the selection."""
        if self.follow_playing.isChecked():
            self.keyboard.set_selection(self.keyboard.notes("pressed"))

    def _set_results(self, chords: list[Any], message: str, error: bool = False) -> None:
        self._chords = chords
        self.message.setText(message)
        self.message.setProperty("error", error)
        self.message.setStyleSheet(ERROR_STYLE if error else "color: palette(mid);")
        self.message.setVisible(bool(message))
        self._fill()

    def _fill(self) -> None:
        shown = self._chords if self.show_all.isChecked() else self._chords[:SHOWN]
        self.results.blockSignals(True)
        self.results.clear()
        for rank, chord in enumerate(shown, 1):
            tones = " ".join(n.pitch_name for n in chord.notes())
            text = f"{rank}. {chord.precise_name}   ·   {chord.description}   ({tones})"
            item = QListWidgetItem(displayable(text))
            item.setData(Qt.ItemDataRole.UserRole, chord)
            item.setData(Qt.ItemDataRole.UserRole + 1, chord.precise_name)
            self.results.addItem(item)
        self.results.blockSignals(False)
        self._set_count()
        self.card.set_view(chord_view(shown[0]) if shown else None)
        if not shown:
            self.keyboard.clear("chord")

    def _set_count(self) -> None:
        n = len(self._chords)
        shown = n if self.show_all.isChecked() else min(n, SHOWN)
        self.count.setText(
            f"{n} candidate{'s' if n != 1 else ''}" + (f" ({shown} shown)" if shown < n else "")
        )
        self.show_all.setEnabled(n > SHOWN)

    def _row_selected(self, row: int) -> None:
        item = self.results.item(row) if row >= 0 else None
        if item is not None:
            view = chord_view(item.data(Qt.ItemDataRole.UserRole))
            self.card.set_view(view)
            self._light(view)

    def _row_clicked(self, item: QListWidgetItem) -> None:
        """Clicking a candidate lights it on the piano and plays it."""
        view = chord_view(item.data(Qt.ItemDataRole.UserRole))
        self.card.set_view(view)
        self._light(view)
        self.context.synth.play_chord(list(view.midis), arpeggio_enabled(self.context.settings))

    def _light(self, view: ChordView) -> None:
        self.keyboard.set_notes("chord", view.midis)

    def _play(self, midis: list[int], arpeggio: bool) -> None:
        self.keyboard.set_notes("chord", midis)
        self.context.synth.play_chord(midis, arpeggio)

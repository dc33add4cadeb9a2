"""Teach it your instrument, part 1: choose what to record, then record it chord by chord.

`RecordSetupPage` picks the instrument's name and the chords (a named set or the chords of a
song); `RecordPage` shows each chord big, lights a suggested voicing on its own keyboard (click
keys to label what you really play), waits for the onset, records a fixed window (or a take
you start and stop), shows the input level and what the live detector hears, and offers
retake / skip / delete. Takes are saved with the engine's `save_take` off the GUI thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from kord_desktop.keymap import midi_name
from kord_desktop.panels.page_labels import error_label, hint, show_error
from kord_desktop.widgets.keyboard import ROLE_COLORS, PianoKeyboard
from kord_desktop.widgets.level_meter import LevelMeter
from kord_engine.errors import KordError
from kord_engine.ml.chord_sets import DEFAULT_COUNT, ChordPrompt, chord_set, parse_chord_list
from kord_engine.ml.recordings import list_instruments, list_takes, slugify

#: a fine-tune needs a few takes to learn from and a few to check it on
MIN_TAKES = 4
DEFAULT_INSTRUMENT = "my instrument"
#: the chord sets offered, (key, title, help)
SETS = (
    ("default", "A mix (recommended)", "every root, 8 chord qualities and their inversions"),
    ("triads", "Triads", "major, minor, diminished, augmented and their inversions"),
    ("sevenths", "Seventh chords", "7, maj7, m7, m7♭5, dim7 and their inversions"),
    ("song", "The chords of my song", "type them as symbols, e.g. C Am7 F/A G7"),
)
RECORDING_STYLE = "color: #e5534b; font-weight: 600;"
STATE_TEXT = {
    "IDLE": "Not recording.",
    "WAITING": "Play it now — recording starts when you play.",
    "RECORDING": "● Recording…",
    "DONE": "Saving…",
}


def pretty(text: str) -> str:
    """A chord symbol or note name as a musician reads it: Eb → E♭, F# → F♯, m7b5 → m7♭5."""
    text = re.sub(r"(?<=[A-G])b", "♭", text)
    text = re.sub(r"b(?=\d)", "♭", text)
    return text.replace("#", "♯")


def note_names(midis: Iterable[int], symbol: str = "") -> str:
    """'A3 C4 E4' for MIDI notes; spelled as the chord `symbol` spells its tones (C♯3 E3 G♯3
    A3 for Amaj7/C♯), other notes as the keyboard names them."""
    spelled: dict[int, str] = {}
    if symbol:
        try:
            from kord_engine.theory import Chord

            spelled = {n.pitch_class: n.pitch_name for n in Chord.parse(symbol).notes()}
        except Exception:  # noqa: BLE001 - not a symbol: the keyboard's names
            spelled = {}
    names = []
    for m in sorted(midis):
        name = spelled.get(m % 12)
        names.append(f"{name}{m // 12 - 1}" if name else pretty(midi_name(m)))
    return " ".join(names)


def _setting(settings: Any, key: str, default: Any) -> Any:
    """A typed Settings value (kord_desktop.settings) or a plain QSettings one."""
    getter = getattr(settings, "get", None)
    if callable(getter):
        try:
            return getter(key)
        except KeyError:
            pass
    value = settings.value(key, default) if settings is not None else default
    return default if value is None else value


def _store(settings: Any, key: str, value: Any) -> None:
    setter = getattr(settings, "set", None)
    try:
        if callable(setter):
            setter(key, value)
            return
    except (KeyError, ValueError):
        pass
    if settings is not None:
        settings.setValue(key, value)


class RecordSetupPage(QWizardPage):
    """What to record: the instrument's name and a chord set (or the chords of a song)."""

    def __init__(self, settings: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.setTitle("Teach it your instrument")
        self.setSubTitle(
            "Play the chords it asks for on your instrument; then it fine-tunes the current "
            "model on them, so it hears your instrument as well as the ones it knows."
        )
        self.instrument = QComboBox()
        self.instrument.setEditable(True)
        self.instrument.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.instrument.lineEdit().setPlaceholderText("e.g. my guitar")
        self.instrument_hint = hint()
        self.sets = QButtonGroup(self)
        self.set_buttons: dict[str, QRadioButton] = {}
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, (key, title, help_text) in enumerate(SETS):
            button = QRadioButton(title)
            button.setProperty("set", key)
            self.sets.addButton(button)
            self.set_buttons[key] = button
            grid.addWidget(button, row, 0)
            grid.addWidget(hint(help_text), row, 1)
        grid.setColumnStretch(1, 1)
        self.song = QLineEdit()
        self.song.setPlaceholderText("C Am7 F/A G7")
        self.count = QSpinBox()
        self.count.setRange(1, 500)
        self.count.setValue(DEFAULT_COUNT)
        self.count.setSuffix(" chords")
        self.count.setMaximumWidth(150)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.5, 5.0)
        self.seconds.setSingleStep(0.25)
        self.seconds.setDecimals(2)
        self.seconds.setValue(1.5)
        self.seconds.setSuffix(" s")
        self.seconds.setMaximumWidth(150)
        self.preview = hint()
        self.preview.setObjectName("preview")
        self.error = error_label()

        who = QGroupBox("Instrument")
        form = QFormLayout(who)
        form.addRow("Name", self.instrument)
        form.addRow("", self.instrument_hint)
        what = QGroupBox("Chords to record")
        form2 = QFormLayout(what)
        form2.addRow(box)
        form2.addRow("Song chords", self.song)
        form2.addRow("How many", self.count)
        form2.addRow("Each take", self.seconds)
        form2.addRow(self.preview)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(what)
        layout.addWidget(self.error)
        layout.addStretch(1)

        self.refresh_instruments()
        chosen = str(_setting(settings, "record/chord_set", "default"))
        self.set_buttons.get(chosen, self.set_buttons["default"]).setChecked(True)
        self.song.setText(str(_setting(settings, "record/song_chords", "")))
        self.instrument.setCurrentText(
            str(_setting(settings, "record/instrument", DEFAULT_INSTRUMENT))
        )
        self.sets.buttonToggled.connect(self._changed)
        self.song.textChanged.connect(self._song_edited)
        self.count.valueChanged.connect(self._changed)
        self.instrument.currentTextChanged.connect(self._changed)
        self._changed()

    def refresh_instruments(self) -> None:
        """Offer the instruments recorded before (their takes count towards the fine-tune)."""
        text = self.instrument.currentText()
        self.instrument.blockSignals(True)
        self.instrument.clear()
        try:
            names = list_instruments()
        except (OSError, KordError):
            names = []
        self.instrument.addItems(names)
        self.instrument.setCurrentText(text)
        self.instrument.blockSignals(False)

    def chosen_set(self) -> str:
        button = self.sets.checkedButton()
        return button.property("set") if button is not None else "default"

    def instrument_name(self) -> str:
        return self.instrument.currentText().strip()

    def seconds_per_take(self) -> float:
        return float(self.seconds.value())

    def prompts(self) -> list[ChordPrompt]:
        """The chords to ask for (ChordSetError for a song whose symbols do not parse)."""
        name = self.chosen_set()
        if name == "song":
            return parse_chord_list(self.song.text())
        count = self.count.value()
        return chord_set(name, count)

    def _song_edited(self, text: str) -> None:
        if text.strip() and self.chosen_set() != "song":
            self.set_buttons["song"].setChecked(True)  # typing chords means "these"
        self._changed()

    def problem(self) -> str | None:
        """Why the page cannot go on (a bad name or chord symbol), or None."""
        name = self.instrument_name()
        if not name:
            return "Give the instrument a name (e.g. “my guitar”)."
        try:
            slugify(name)
        except KordError as exc:
            return str(exc)
        try:
            self.prompts()
        except KordError as exc:
            return str(exc)
        return None

    def _changed(self, *_args) -> None:
        song = self.chosen_set() == "song"
        self.count.setEnabled(not song)
        name = self.instrument_name()
        try:
            have = len(list_takes(name)) if name else 0
        except KordError:
            have = 0
        self.instrument_hint.setText(
            f"{have} takes of “{name}” recorded before: they are used too." if have else ""
        )
        self.instrument_hint.setVisible(bool(have))
        try:
            prompts = self.prompts()
        except KordError:
            prompts = []
        if prompts:
            shown = ", ".join(p.symbol for p in prompts[:10])
            more = f", … ({len(prompts)} in all)" if len(prompts) > 10 else ""
            seconds = len(prompts) * (self.seconds.value() + 1.5)
            self.preview.setText(f"{shown}{more} — about {max(1, round(seconds / 60))} min")
        else:
            self.preview.setText("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        problem = self.problem()
        show_error(self.error, problem)
        return problem is None

    def remember(self) -> None:
        """Keep the choices for next time (settings)."""
        _store(self.settings, "record/instrument", self.instrument_name())
        _store(self.settings, "record/chord_set", self.chosen_set())
        _store(self.settings, "record/song_chords", self.song.text().strip())


class RecordPage(QWizardPage):
    """Record each chord: symbol, suggested voicing (click keys to change the label), level,
    what the live detector hears, and retake / skip / delete. `takes` is a TakeBridge."""

    #: emitted when the user asks to start listening from this page
    listen_requested = Signal()

    def __init__(self, context: Any, takes: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.takes = takes
        self.setTitle("Record")
        self.setSubTitle(
            "Play each chord once and let it ring. The keys show the suggested voicing; click "
            "keys to mark the notes you really play."
        )
        self.instrument = DEFAULT_INSTRUMENT
        self.seconds = 1.5
        self.prompts: list[ChordPrompt] = []
        self.index = 0
        self.labels: dict[int, tuple[int, ...]] = {}  # the notes each chord is labelled with
        self.recorded: dict[int, Any] = {}  # prompt index → Take saved in this session
        self.skipped: set[int] = set()
        self.history: list[int] = []  # prompt indices in the order they were recorded
        self.total_takes = 0  # the instrument's takes on disk, this session's included
        self.errors: list[str] = []
        self._pending: dict[int, tuple[str, Any]] = {}  # request id → (what, prompt index)
        self._active = False
        self._manual = False  # a take started with the button runs

        self.progress = QLabel()
        self.progress.setObjectName("progress")
        self.symbol = QLabel("–")
        self.symbol.setObjectName("symbol")
        self.symbol.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.font())
        big.setPointSize(40)
        big.setBold(True)
        self.symbol.setFont(big)
        self.symbol.setMinimumHeight(72)
        self.voicing = QLabel()
        self.voicing.setObjectName("voicing")
        self.voicing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state = QLabel(STATE_TEXT["IDLE"])
        self.state.setObjectName("state")
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hears = QLabel()
        self.hears.setObjectName("hears")
        self.hears.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.level = LevelMeter()
        self.level.setFixedHeight(120)
        self.level_db = -120.0
        self.listen_note = QLabel("Kord is not listening to the microphone.")
        self.listen_button = QPushButton("Start listening")
        self.error = error_label()

        self.keyboard = PianoKeyboard()
        self.keyboard.setObjectName("recordKeyboard")
        self.keyboard.set_select_mode(True)  # clicks mark notes; they play nothing
        self.keyboard.setToolTip("Click keys to mark the notes you play (the take's label)")
        self.keyboard.setFixedHeight(112)
        self.keyboard.set_zoom(2.0)

        self.prev_button = QPushButton("◀ Previous")
        self.retake_button = QPushButton("Retake")
        self.retake_button.setToolTip("Throw the last take away and record that chord again")
        self.skip_button = QPushButton("Skip ▶")
        self.skip_button.setToolTip("Go on to the next chord without recording this one")
        self.manual_button = QPushButton("● Start take")
        self.manual_button.setToolTip(
            "Record from now until you press Stop (for a soft attack the onset would miss)"
        )
        self.relabel_button = QPushButton("Save with these notes")
        self.relabel_button.setToolTip("Label this chord's take with the keys marked now")
        self.relabel_button.hide()
        self.reset_keys_button = QPushButton("Suggested notes")
        self.reset_keys_button.setToolTip("Mark the suggested voicing again")
        self.list = QListWidget()
        self.list.setObjectName("takes")
        self.list.setMinimumHeight(60)
        self.delete_button = QPushButton("Delete take")
        self.delete_button.setEnabled(False)
        self.summary = hint()
        self.summary.setObjectName("summary")

        listen_row = QHBoxLayout()
        listen_row.addStretch(1)
        listen_row.addWidget(self.listen_note)
        listen_row.addWidget(self.listen_button)
        listen_row.addStretch(1)
        self.listen_box = QWidget()
        self.listen_box.setLayout(listen_row)
        self.listen_box.hide()

        centre = QVBoxLayout()
        centre.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        centre.addWidget(self.symbol)
        centre.addWidget(self.voicing)
        centre.addWidget(self.state)
        centre.addWidget(self.hears)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addLayout(centre, 4)
        top.addStretch(1)
        level_box = QVBoxLayout()
        level_box.addWidget(self.level, 0, Qt.AlignmentFlag.AlignHCenter)
        level_caption = hint("Level")
        level_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        level_box.addWidget(level_caption)
        top.addLayout(level_box)

        legend = QHBoxLayout()
        legend.setSpacing(8)
        for role, text in (
            ("selected", "What you play (the label)"),
            ("chord", "Suggested"),
            ("detected", "What the model hears"),
        ):
            swatch = QLabel()
            swatch.setFixedSize(12, 12)
            swatch.setStyleSheet(
                f"background:{ROLE_COLORS[role]}; border:1px solid #444; border-radius:2px;"
            )
            legend.addWidget(swatch)
            legend.addWidget(QLabel(text))
        legend.addStretch(1)
        legend.addWidget(self.reset_keys_button)
        legend.addWidget(self.relabel_button)

        buttons = QHBoxLayout()
        buttons.addWidget(self.prev_button)
        buttons.addWidget(self.retake_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.manual_button)

        takes_box = QGroupBox("Takes")
        takes_row = QHBoxLayout(takes_box)
        takes_row.addWidget(self.list, 1)
        side = QVBoxLayout()
        side.addWidget(self.delete_button)
        side.addWidget(self.summary)
        side.addStretch(1)
        takes_row.addLayout(side)

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self.listen_box)
        layout.addLayout(top)
        layout.addLayout(legend)
        layout.addWidget(self.keyboard)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(takes_box, 1)

        self.prev_button.clicked.connect(self.previous)
        self.retake_button.clicked.connect(self.retake)
        self.skip_button.clicked.connect(self.skip)
        self.manual_button.clicked.connect(self.toggle_manual)
        self.relabel_button.clicked.connect(self.relabel)
        self.reset_keys_button.clicked.connect(self.suggested_keys)
        self.delete_button.clicked.connect(self.delete_selected)
        self.listen_button.clicked.connect(self.listen_requested)
        self.list.itemSelectionChanged.connect(
            lambda: self.delete_button.setEnabled(bool(self.list.selectedItems()))
        )
        self.keyboard.selection_changed.connect(self._keys_changed)
        takes.state_changed.connect(self._state_changed)
        takes.level.connect(self._level)
        takes.take_ready.connect(self._take_ready)
        takes.saved.connect(self._saved)
        takes.save_failed.connect(self._save_failed)
        takes.deleted.connect(self._deleted)
        analyzer = getattr(context, "analyzer", None)
        if analyzer is not None:
            analyzer.detection.connect(self._heard)
            analyzer.running_changed.connect(self._listening_changed)

    # ------------------------------------------------------------------ session
    def begin(self, instrument: str, prompts: Sequence[ChordPrompt], seconds: float) -> None:
        """Start a session: these chords for this instrument, `seconds` per take."""
        self.instrument = instrument
        self.prompts = list(prompts)
        self.seconds = float(seconds)
        self.index = 0
        self.labels = {i: tuple(p.notes) for i, p in enumerate(self.prompts)}
        self.recorded.clear()
        self.skipped.clear()
        self.history.clear()
        self.errors.clear()
        self.list.clear()
        self._follow_theme()
        self._count_takes()
        show_error(self.error, None)
        self._active = True
        self._listening_changed(self._listening())
        self._show_prompt()

    def _follow_theme(self) -> None:
        """The level meter in the app's theme (View → Theme)."""
        from kord_desktop import theme

        choice = str(_setting(getattr(self.context, "settings", None), "view/theme", "system"))
        self.level.apply_theme(theme.resolve(choice))

    def resume(self) -> None:
        """Back on the page (from the fine-tune page): go on where the session left off."""
        self._active = True
        self._count_takes()
        self._listening_changed(self._listening())
        self._show_prompt()

    def leave(self) -> None:
        """The page is left (Next, Back, the wizard closing): stop recording."""
        self._active = False
        self.takes.disarm()

    def _count_takes(self) -> None:
        try:
            self.total_takes = len(list_takes(self.instrument))
        except (OSError, KordError):
            self.total_takes = 0
        self._update_summary()

    def _listening(self) -> bool:
        analyzer = getattr(self.context, "analyzer", None)
        return bool(analyzer is not None and analyzer.running)

    def _listening_changed(self, running: bool) -> None:
        analyzer = getattr(self.context, "analyzer", None)
        self.listen_box.setVisible(analyzer is not None and not running and self._active)

    # ------------------------------------------------------------------ the current chord
    @property
    def done(self) -> bool:
        """Every chord has been recorded or skipped (the page waits for Next)."""
        return self.index >= len(self.prompts)

    def current(self) -> ChordPrompt | None:
        return None if self.done else self.prompts[self.index]

    def label(self) -> tuple[int, ...]:
        """The notes the current chord will be (or was) labelled with."""
        return self.labels.get(self.index, ())

    def _show_prompt(self) -> None:
        prompt = self.current()
        n = len(self.prompts)
        self.relabel_button.hide()
        if prompt is None:
            self.progress.setText(f"{n} of {n}")
            self.symbol.setText("✓")
            self.voicing.setText(
                f"All chords done: {len(self.recorded)} recorded, {len(self.skipped)} skipped."
            )
            self.state.setText(
                "Press Next to fine-tune, or go back to record a chord again."
                if self.total_takes >= MIN_TAKES
                else f"Record at least {MIN_TAKES} takes to fine-tune."
            )
            self.keyboard.set_notes("chord", ())
            self.keyboard.set_selection((), emit=False)
            self.takes.disarm()
            self._update_buttons()
            self.completeChanged.emit()
            return
        self.progress.setText(f"Chord {self.index + 1} of {n}")
        self.symbol.setText(pretty(prompt.symbol))
        take = self.recorded.get(self.index)
        notes = tuple(take.notes) if take is not None else self.label()
        self.keyboard.set_notes("chord", prompt.notes)
        self.keyboard.set_selection(notes, emit=False)
        self.keyboard.ensure_visible([*prompt.notes, *notes])
        self._show_label()
        if take is not None:
            self.takes.disarm()
            self.state.setText("Recorded. Retake to record it again, or Skip to go on.")
        else:
            self._arm()
        self._update_buttons()

    def _show_label(self) -> None:
        prompt = self.current()
        if prompt is None:
            return
        notes = self.label()
        text = note_names(notes, prompt.symbol) if notes else "no notes marked"
        if tuple(notes) != tuple(prompt.notes):
            text += f"  (suggested: {note_names(prompt.notes, prompt.symbol)})"
        self.voicing.setText(text)

    def _arm(self) -> None:
        if not self._active or self.done:
            return
        if not self.label():
            self.takes.disarm()
            self.state.setText("Mark at least one key: the notes you will play.")
            return
        self.takes.arm(self.seconds)

    def _update_buttons(self) -> None:
        busy = bool(self._pending)
        self.prev_button.setEnabled(self.index > 0)
        self.skip_button.setEnabled(not self.done)
        target = self._retake_target()
        self.retake_button.setEnabled(not busy and target is not None)
        self.retake_button.setText(
            f"Retake {pretty(self.prompts[target].symbol)}" if target is not None else "Retake"
        )
        self.manual_button.setEnabled(not self.done and bool(self.label()))
        self.reset_keys_button.setEnabled(not self.done)

    def _update_summary(self) -> None:
        self.summary.setText(
            f"{self.total_takes} takes of “{self.instrument}”\n"
            f"{len(self.recorded)} this session, {len(self.skipped)} skipped"
        )

    def _go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.prompts)))
        self._show_prompt()

    def _next_open(self, start: int) -> int:
        """The first chord at or after `start` not recorded yet (len(prompts) when none)."""
        i = start
        while i < len(self.prompts) and i in self.recorded:
            i += 1
        return i

    # ------------------------------------------------------------------ user actions
    def previous(self) -> None:
        """Back to the chord before (to hear it again, relabel or retake it)."""
        if self.index > 0:
            self._go(self.index - 1)

    def skip(self) -> None:
        """Leave this chord unrecorded and go on."""
        if self.done:
            return
        if self.index not in self.recorded:
            self.skipped.add(self.index)
        self._update_summary()
        self._go(self.index + 1)

    def retake(self) -> None:
        """Delete this chord's take (or, when it has none yet, the last take) and record it
        again."""
        target = self._retake_target()
        if self._pending or target is None:
            return
        self._delete(target)
        self._go(target)

    def _retake_target(self) -> int | None:
        """The chord Retake records again: this one if it has a take, else the last taken."""
        if self.index in self.recorded:
            return self.index
        return self.history[-1] if self.history else None

    def delete_selected(self) -> None:
        """Delete the take selected in the list (that chord can be recorded again)."""
        for item in self.list.selectedItems():
            index = item.data(Qt.ItemDataRole.UserRole)
            if index in self.recorded:
                self._delete(index)
        if self.index not in self.recorded and not self.done:
            self._show_prompt()

    def toggle_manual(self) -> None:
        """Start a take now, or stop the one started so."""
        if self._manual:
            self.takes.stop_manual()
            return
        if self.done or not self.label():
            return
        self._manual = True
        self.manual_button.setText("■ Stop take")
        self.takes.start_manual()

    def suggested_keys(self) -> None:
        """Mark the suggested voicing again."""
        prompt = self.current()
        if prompt is not None:
            self.keyboard.set_selection(prompt.notes)

    def relabel(self) -> None:
        """Label this chord's saved take with the keys marked now."""
        take = self.recorded.get(self.index)
        notes = self.label()
        if take is None or not notes:
            return
        request = self.takes.relabel(take, notes)
        self._pending[request] = ("relabel", self.index)
        self.relabel_button.hide()
        self._update_buttons()

    def _keys_changed(self, selection: set[int]) -> None:
        if self.done:
            return
        self.labels[self.index] = tuple(sorted(selection))
        self._show_label()
        take = self.recorded.get(self.index)
        if take is not None:
            self.relabel_button.setVisible(bool(selection) and set(take.notes) != selection)
        elif self.takes.state == "IDLE" and selection:
            self._arm()
        elif not selection:
            self._arm()  # says what is missing
        self._update_buttons()

    # ------------------------------------------------------------------ take bridge
    def _state_changed(self, state: str) -> None:
        self.state.setStyleSheet(RECORDING_STYLE if state == "RECORDING" else "")
        if state != "RECORDING" and self._manual:
            self._manual = False
            self.manual_button.setText("● Start take")
        if self.done or (state == "IDLE" and self.index in self.recorded):
            return
        if state == "WAITING":
            prompt = self.current()
            self.state.setText(
                f"Play {pretty(prompt.symbol)} now — recording starts when you play."
            )
        else:
            self.state.setText(STATE_TEXT.get(state, state))

    def _level(self, db: float) -> None:
        self.level_db = float(db)
        self.level.set_level(db)

    def _take_ready(self, audio, rate: int) -> None:
        if not self._active or self.done:
            return
        prompt = self.prompts[self.index]
        request = self.takes.save(self.instrument, audio, rate, self.label(), prompt.symbol)
        self._pending[request] = ("save", self.index)
        self.state.setText("Saving…")
        self._update_buttons()
        self.completeChanged.emit()

    def _saved(self, request: int, take: Any) -> None:
        what, index = self._pending.pop(request, (None, None))
        if what is None:
            return
        old = self.recorded.get(index)
        self.recorded[index] = take
        self.skipped.discard(index)
        if what == "save":
            self.history.append(index)
        self._list_take(index, take, replace=old)
        self._count_takes()
        if what == "save" and self._active and index == self.index:
            self._go(self._next_open(index + 1))
            if not self.done:
                self.state.setText(
                    f"Saved {pretty(take.symbol) or 'the take'} "
                    f"({note_names(take.notes, take.symbol)}). "
                    f"Now play {pretty(self.prompts[self.index].symbol)}."
                )
        elif index == self.index:
            self._show_prompt()
        self._update_buttons()
        self.completeChanged.emit()

    def _save_failed(self, request: int, message: str) -> None:
        what, index = self._pending.pop(request, (None, None))
        self.errors.append(message)
        show_error(self.error, f"Could not save the take: {message}")
        if what == "save" and index == self.index:
            self._arm()
        self._update_buttons()
        self.completeChanged.emit()

    def _deleted(self, request: int) -> None:
        self._pending.pop(request, None)
        self._count_takes()
        self._update_buttons()
        self.completeChanged.emit()

    def _delete(self, index: int) -> None:
        take = self.recorded.pop(index, None)
        if take is None:
            return
        if index in self.history:
            self.history.remove(index)
        request = self.takes.delete(take)
        self._pending[request] = ("delete", index)
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == index:
                self.list.takeItem(row)
                break
        self._update_summary()
        self._update_buttons()

    def _list_take(self, index: int, take: Any, replace: Any = None) -> None:
        text = f"{index + 1}. {pretty(take.symbol) or '?'} — {note_names(take.notes, take.symbol)}"
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == index:
                item.setText(text)
                item.setToolTip(str(take.sample))
                return
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, index)
        item.setToolTip(str(take.sample))
        self.list.addItem(item)
        self.list.scrollToItem(item)

    # ------------------------------------------------------------------ what it hears
    def _heard(self, detection: Any, changed: bool) -> None:
        if not changed or not self.isVisible():
            return
        if detection is None or detection.is_empty:
            self.hears.setText("The model hears: nothing")
            self.keyboard.set_notes("detected", ())
            return
        try:
            from kord_engine.audio.listen.naming import with_names

            style = str(_setting(getattr(self.context, "settings", None), "view/chord_names", ""))
            detection = with_names(detection, style or "lead-sheet")
        except Exception:  # noqa: BLE001 - the kord name is still a name
            pass
        if detection.notes:
            midis = {n + 12 for n in detection.notes}
        else:
            midis = {60 + pc for pc in detection.pitch_classes}
        name = detection.chord or "?"
        self.hears.setText(f"The model hears: {name}  ({note_names(midis)})")
        self.keyboard.set_notes("detected", midis)

    # ------------------------------------------------------------------ wizard
    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self._pending and self.total_takes >= MIN_TAKES

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until pending saves/deletes ran (tests); their signals arrive after."""
        return self.takes.wait_saved(timeout)

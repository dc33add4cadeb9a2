"""The big chord readout: name, notes, bass, confidence, and clickable runner-up names.

A provisional label (shown fast after an attack, still being refined) is drawn in italics
and paler, with a small "provisional" note; once confirmed it is drawn as usual.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kord_engine.audio.listen.detection import Detection
from kord_engine.samples import note_id_name

PITCH_NAMES = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")
MAX_ALTERNATIVES = 5
NO_CHORD = "—"
#: how opaque a provisional name is drawn
PROVISIONAL_OPACITY = 0.55


class ChordDisplay(QWidget):
    """Shows one Detection; clicking the name or a runner-up emits `chord_clicked(name)`."""

    chord_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.detection: Detection | None = None
        self.provisional = False
        self.name_button = QPushButton(NO_CHORD)
        self.name_button.setObjectName("chordName")
        self.name_button.setFlat(True)
        self.name_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.name_button.setToolTip("Play this chord")
        font = QFont(self.font())
        font.setPointSizeF(max(40.0, font.pointSizeF() * 4.4))
        font.setBold(True)
        self.name_button.setFont(font)
        self.name_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.name_button.clicked.connect(self._name_clicked)
        self._fade = QGraphicsOpacityEffect(self.name_button)
        self._fade.setOpacity(PROVISIONAL_OPACITY)
        self._fade.setEnabled(False)
        self.name_button.setGraphicsEffect(self._fade)
        self.provisional_label = QLabel("provisional")
        self.provisional_label.setObjectName("provisionalNote")
        self.provisional_label.setToolTip(
            "Shown as soon as the notes were heard; the bass and extensions may still be refined"
        )
        note_font = QFont(self.font())
        note_font.setItalic(True)
        self.provisional_label.setFont(note_font)
        self.provisional_label.setEnabled(False)  # drawn in the palette's muted text colour

        self.notes_label = QLabel("Notes: —")
        self.bass_label = QLabel("Bass: —")
        for label in (self.notes_label, self.bass_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confidence = QProgressBar()
        self.confidence.setRange(0, 100)
        self.confidence.setValue(0)
        self.confidence.setFormat("confidence %p%")
        self.confidence.setMaximumHeight(18)

        self.alt_label = QLabel("Also:")
        self.alt_row = QHBoxLayout()
        self.alt_row.setSpacing(4)
        self.alt_row.addWidget(self.alt_label)
        self.alt_buttons: list[QPushButton] = []
        for _ in range(MAX_ALTERNATIVES):
            b = QPushButton()
            b.setFlat(True)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setToolTip("Play and show this chord")
            b.clicked.connect(lambda _=False, button=b: self.chord_clicked.emit(button.text()))
            b.hide()
            self.alt_row.addWidget(b)
            self.alt_buttons.append(b)
        self.alt_row.addStretch(1)
        # hidden rows keep their room: a label with or without runner-ups (or "provisional")
        # has the same height, so the spectrum below does not jump (and get re-laid out,
        # resized and its grid redrawn) on every chord change
        for w in (self.alt_label, *self.alt_buttons, self.provisional_label):
            policy = w.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            w.setSizePolicy(policy)

        info = QHBoxLayout()
        info.addWidget(self.notes_label, 1)
        info.addWidget(self.provisional_label)
        info.addWidget(self.bass_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.name_button)
        layout.addLayout(info)
        layout.addWidget(self.confidence)
        layout.addLayout(self.alt_row)
        self.set_detection(None)

    @property
    def chord_name(self) -> str:
        """The chord shown now ('' when none)."""
        text = self.name_button.text()
        return "" if text == NO_CHORD else text

    def alternatives(self) -> list[str]:
        return [b.text() for b in self.alt_buttons if not b.isHidden()]

    def set_detection(self, detection: Detection | None, provisional: bool = False) -> None:
        """Show `detection` (None or empty → the no-chord state); `provisional`: it may still
        be refined (italic, paler, with a note)."""
        self.detection = detection
        self._set_provisional(provisional and detection is not None and not detection.is_empty)
        if detection is None or detection.is_empty:
            self.name_button.setText(NO_CHORD)
            self.notes_label.setText("Notes: —")
            self.bass_label.setText("Bass: —")
            self._set_confidence(0)
            self._set_alternatives(())
            return
        name = detection.chord
        if name is None:
            name = " ".join(PITCH_NAMES[pc] for pc in detection.pitch_classes)
        self.name_button.setText(name)
        if detection.notes:
            notes = " ".join(note_id_name(n) for n in detection.notes)
        else:
            notes = " ".join(PITCH_NAMES[pc] for pc in detection.pitch_classes)
        self.notes_label.setText(f"Notes: {notes}")
        bass = PITCH_NAMES[detection.bass] if detection.bass is not None else "—"
        self.bass_label.setText(f"Bass: {bass}")
        self._set_confidence(round(100 * min(1.0, max(0.0, detection.confidence))))
        self._set_alternatives(detection.chords[1 : 1 + MAX_ALTERNATIVES])

    def _set_confidence(self, percent: int) -> None:
        """QProgressBar.setValue repaints at once (its own window repaint and flush, ~0.7 ms);
        with updates held it is drawn with the rest of the label in the window's next pass."""
        if percent == self.confidence.value():
            return
        self.confidence.setUpdatesEnabled(False)
        self.confidence.setValue(percent)
        self.confidence.setUpdatesEnabled(True)  # update(): the pending pass draws it

    def _set_provisional(self, provisional: bool) -> None:
        shown = (self.name_button.font().italic(), not self.provisional_label.isHidden())
        self.provisional = provisional
        if shown == (provisional, provisional):
            return  # unchanged: no font change (a relayout of the display) on every label
        font = QFont(self.name_button.font())
        font.setItalic(provisional)
        self.name_button.setFont(font)
        self._fade.setEnabled(provisional)
        self.provisional_label.setVisible(provisional)

    def _set_alternatives(self, names) -> None:
        self.alt_label.setVisible(bool(names))
        for i, b in enumerate(self.alt_buttons):
            if i < len(names):
                b.setText(names[i])
                b.show()
            else:
                b.hide()

    def _name_clicked(self) -> None:
        if self.chord_name and self.detection is not None and self.detection.chord:
            self.chord_clicked.emit(self.chord_name)

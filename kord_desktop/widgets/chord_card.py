"""A card for one chord, scale or mode: name, description, scale, tones, recommended
scales/modes (clickable) and Play buttons — the desktop version of kord's ChordAnalysis panel.

`chord_view()` / `notation_view()` turn kord_engine.theory objects into plain data the card shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class CandidateView:
    """One recommended scale/mode for a chord, with its notes rooted at the chord root."""

    rank: int
    name: str
    kind: str  # "scale" | "mode"
    reason: str
    description: str
    note_names: tuple[str, ...]
    midis: tuple[int, ...]


@dataclass(frozen=True)
class ChordView:
    """What a card shows about a chord, scale or mode."""

    kind: str  # "chord" | "scale" | "mode"
    title: str
    description: str
    midis: tuple[int, ...]
    tone_names: tuple[str, ...]
    scale_names: tuple[str, ...] = ()
    recommended: tuple[CandidateView, ...] = field(default_factory=tuple)


_DOUBLES = {0x1D12A: "♯♯", 0x1D12B: "♭♭"}  # 𝄪 𝄫: missing from most UI fonts


def displayable(text: str, font: QFont | None = None) -> str:
    """`text` with 𝄪/𝄫 written ♯♯/♭♭ when `font` (default: the app font) cannot draw them."""
    if not any(chr(c) in text for c in _DOUBLES):
        return text
    metrics = QFontMetrics(font if font is not None else QFont())
    for code, fallback in _DOUBLES.items():
        if chr(code) in text and not metrics.inFontUcs4(code):
            text = text.replace(chr(code), fallback)
    return text


def _call(obj: Any, name: str, default: Any = None) -> Any:
    """obj.name() if it is a method, obj.name if it is an attribute, else default."""
    value = getattr(obj, name, default)
    return value() if callable(value) else value


def _pitch(note: Any) -> str:
    return str(_call(note, "pitch_name") or _call(note, "name"))


def _midis(notes: Sequence[Any]) -> tuple[int, ...]:
    return tuple(int(_call(n, "midi")) for n in notes)


def _candidate_view(chord: Any, c: Any, index: int) -> CandidateView:
    notes = list(chord.candidate_notes(c))
    kind = "mode" if _call(c, "is_mode") else "scale"
    return CandidateView(
        rank=int(_call(c, "rank") or index + 1),
        name=str(_call(c, "name") or ""),
        kind=kind,
        reason=str(_call(c, "reason") or ""),
        description=str(_call(c, "description") or ""),
        note_names=tuple(_pitch(n) for n in notes),
        midis=_midis(notes),
    )


def chord_view(chord: Any) -> ChordView:
    """Card data for a kord_engine.theory.Chord."""
    notes = list(chord.notes())
    scale = list(_call(chord, "scale") or [])
    candidates = list(_call(chord, "scale_candidates") or [])
    return ChordView(
        kind="chord",
        title=str(_call(chord, "precise_name")),
        description=str(_call(chord, "description")),
        midis=_midis(notes),
        tone_names=tuple(_pitch(n) for n in notes),
        scale_names=tuple(_pitch(n) for n in scale),
        recommended=tuple(_candidate_view(chord, c, i) for i, c in enumerate(candidates)),
    )


def notation_view(obj: Any, kind: str) -> ChordView:
    """Card data for a Chord, Scale or Mode (kind = "chord" | "scale" | "mode")."""
    if kind == "chord":
        return chord_view(obj)
    notes = list(obj.notes())
    return ChordView(
        kind=kind,
        title=str(_call(obj, "name")),
        description=str(_call(obj, "description")),
        midis=_midis(notes),
        tone_names=tuple(_pitch(n) for n in notes),
    )


class AdaptiveSplitter(QSplitter):
    """A splitter that stacks its panes vertically when it is narrower than `breakpoint` px."""

    def __init__(self, breakpoint: int = 900, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._breakpoint = breakpoint
        self.setChildrenCollapsible(False)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        wanted = (
            Qt.Orientation.Horizontal
            if event.size().width() >= self._breakpoint
            else Qt.Orientation.Vertical
        )
        if wanted != self.orientation():
            self.setOrientation(wanted)
        super().resizeEvent(event)


class ChordCard(QFrame):
    """Shows a ChordView; Play buttons and recommended-scale clicks are signals."""

    play_requested = Signal(object, bool)  # midis (list[int]), arpeggio
    candidate_selected = Signal(object)  # CandidateView, or None when the chord is reselected

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("chordCard")
        self._view: ChordView | None = None
        self._candidate: CandidateView | None = None

        self.badge = QLabel()
        self.badge.setObjectName("kindBadge")
        self.badge.setStyleSheet(
            "QLabel#kindBadge { background: #7d4fd1; color: white; border-radius: 8px;"
            " padding: 1px 8px; font-weight: 600; }"
        )
        self.title = QLabel()
        self.title.setObjectName("chordTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.scale_label = QLabel()
        self.scale_label.setWordWrap(True)
        self.tones_label = QLabel()
        self.tones_label.setWordWrap(True)
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("Play the notes together")
        self.arpeggio_button = QPushButton("▶ Arpeggio")
        self.arpeggio_button.setToolTip("Play the notes one after another")
        self.play_button.clicked.connect(lambda: self._play(False))
        self.arpeggio_button.clicked.connect(lambda: self._play(True))
        self.back_button = QPushButton("Back to the chord")
        self.back_button.setToolTip("Light and play the chord again instead of the chosen scale")
        self.back_button.clicked.connect(lambda: self.select_candidate(-1))
        self.back_button.hide()
        self.recommended_title = QLabel(
            "<b>Recommended scales/modes</b> (click to light, double-click to play)"
        )
        self.recommended = QListWidget()
        self.recommended.setWordWrap(True)
        self.recommended.setAlternatingRowColors(True)
        self.recommended.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.recommended.currentRowChanged.connect(self._candidate_row)
        self.recommended.itemDoubleClicked.connect(lambda *_: self._play(True))

        self.title.setMinimumWidth(10)  # may clip in a narrow dock rather than push the card
        self.badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.recommended_title.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.arpeggio_button)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.description)
        layout.addWidget(self.scale_label)
        layout.addWidget(self.tones_label)
        layout.addLayout(buttons)
        layout.addWidget(self.recommended_title)
        layout.addWidget(self.recommended, 1)
        layout.addStretch(0)  # takes the space only while the list is hidden (scales, modes)
        self.set_view(None)

    def view(self) -> ChordView | None:
        return self._view

    def set_view(self, view: ChordView | None) -> None:
        """Show a chord/scale/mode (None: an empty, disabled card)."""
        self._view, self._candidate = view, None
        self._label_buttons()
        self.recommended.blockSignals(True)
        self.recommended.clear()
        self.recommended.blockSignals(False)
        has = view is not None
        for w in (self.play_button, self.arpeggio_button):
            w.setEnabled(has and bool(view.midis))
        if not has:
            self.title.setText("—")
            self.badge.setText("")
            self.badge.hide()
            for w in (self.description, self.scale_label, self.tones_label):
                w.setText("")
            self.recommended_title.hide()
            self.recommended.hide()
            return
        self.title.setText(displayable(view.title, self.title.font()))
        self.title.setToolTip(view.title)
        self.badge.setText(view.kind.capitalize())
        self.badge.show()
        self.description.setText(view.description)
        scale = displayable(", ".join(view.scale_names))
        self.scale_label.setText(f"<b>Scale:</b> {scale}" if view.scale_names else "")
        self.scale_label.setVisible(bool(view.scale_names))
        label = "Chord" if view.kind == "chord" else "Notes"
        self.tones_label.setText(f"<b>{label}:</b> {displayable(', '.join(view.tone_names))}")
        for c in view.recommended:
            notes = displayable(", ".join(c.note_names))
            item = QListWidgetItem(
                f"{c.rank}. {c.name} — {c.reason}\n    {notes}   ·   {c.description}"
            )
            item.setData(Qt.ItemDataRole.UserRole, c)
            item.setToolTip(f"{c.name} ({c.kind}): {c.description}")
            self.recommended.addItem(item)
        self.recommended_title.setVisible(bool(view.recommended))
        self.recommended.setVisible(bool(view.recommended))

    def selected_candidate(self) -> CandidateView | None:
        return self._candidate

    def select_candidate(self, row: int) -> None:
        """Select a recommended scale/mode by row (-1 clears back to the chord)."""
        self.recommended.setCurrentRow(row)

    def current_midis(self) -> list[int]:
        """Notes Play would sound: the selected recommended scale's, else the card's own."""
        if self._candidate is not None:
            return list(self._candidate.midis)
        return list(self._view.midis) if self._view else []

    def _candidate_row(self, row: int) -> None:
        item = self.recommended.item(row) if row >= 0 else None
        self._candidate = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self._label_buttons()
        self.candidate_selected.emit(self._candidate)

    def _label_buttons(self) -> None:
        """Say on the Play buttons whether they play the chord or the chosen scale/mode."""
        what = f" {self._candidate.name}" if self._candidate is not None else ""
        self.play_button.setText(f"▶ Play{what}")
        self.arpeggio_button.setText(f"▶ Arpeggio{what}")
        self.back_button.setVisible(self._candidate is not None)

    def _play(self, arpeggio: bool) -> None:
        midis = self.current_midis()
        if midis:
            self.play_requested.emit(midis, arpeggio)

"""Describe: type a chord, scale or mode and see kord's description, its notes lit on the
piano, the recommended scales/modes, and play it. Errors are shown inline, in red."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kord_desktop.theme import ERROR_STYLE
from kord_desktop.widgets.chord_card import (
    AdaptiveSplitter,
    CandidateView,
    ChordCard,
    ChordView,
    displayable,
    notation_view,
)
from kord_desktop.widgets.debounce import debounce_typing

KINDS = ("auto", "chord", "scale", "mode")


def kind_of(obj: Any) -> str:
    """'chord', 'scale' or 'mode' for a kord_engine.theory object."""
    from kord_engine import theory

    for kind, cls in (("chord", theory.Chord), ("scale", theory.Scale), ("mode", theory.Mode)):
        if isinstance(obj, cls):
            return kind
    return type(obj).__name__.lower()


class DescribePanel(QWidget):
    """kord's `describe` as a live panel: text (+ kind) in, card + verbose text + lit keys out."""

    def __init__(self, context: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.input = QLineEdit()
        self.input.setPlaceholderText(
            "A chord, scale or mode: Cm7b5, Bb7#9#11/D, D dorian, A harmonic minor…"
        )
        self.input.setClearButtonEnabled(True)
        self.kind = QComboBox()
        for k in KINDS:
            self.kind.addItem(k.capitalize(), k)
        self.kind.setToolTip("Auto tries a scale, then a mode, then a chord (like kord)")
        self.error = QLabel()
        self.error.setObjectName("describeError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.card = ChordCard()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.text.setPlaceholderText("kord's description appears here")

        row = QHBoxLayout()
        row.addWidget(QLabel("Describe"))
        row.addWidget(self.input, 1)
        row.addWidget(self.kind)
        split = AdaptiveSplitter()
        split.addWidget(self.card)
        split.addWidget(self.text)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(split, 1)

        self._timer = debounce_typing(self, self.input, self.refresh)
        self.kind.currentIndexChanged.connect(lambda _: self.refresh())
        self.card.play_requested.connect(self._play)
        self.card.candidate_selected.connect(self._candidate_selected)
        self._view: ChordView | None = None

    # ------------------------------------------------------------------ API
    def describe(self, text: str, kind: str = "auto") -> None:
        """Show `text` now (no debounce): what typing + Enter does."""
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.kind.blockSignals(False)
        self.input.blockSignals(True)
        self.input.setText(text)
        self.input.blockSignals(False)
        self.refresh()

    def view(self) -> ChordView | None:
        """What is shown (None when empty or an error)."""
        return self._view

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def refresh(self) -> None:
        """Parse the text with kord's engine and update every view of it."""
        self._timer.stop()
        text = self.input.text().strip()
        if not text:
            self._show(None, "", "")
            return
        from kord_engine import theory
        from kord_engine.errors import KordError

        kind = self.kind.currentData()
        forced = None if kind == "auto" else kind
        try:
            obj = theory.parse_notation(text, forced)
            verbose = theory.describe(text, forced)
            view = notation_view(obj, kind_of(obj))
        except KordError as exc:
            self._show(None, "", str(exc))
            return
        except Exception as exc:  # an engine bug must not escape a Qt slot as a traceback
            self._show(None, "", f"kord could not describe {text!r} ({type(exc).__name__}: {exc})")
            return
        self._show(view, verbose, "")

    # ------------------------------------------------------------------ internals
    def _show(self, view: ChordView | None, verbose: str, error: str) -> None:
        self._view = view
        self.error.setText(error)
        self.error.setVisible(bool(error))
        if error:  # keep the last good card, dimmed, so typing does not flicker
            self.card.setEnabled(False)
            self.context.keyboard.clear("chord")
            return
        self.card.setEnabled(True)
        self.card.set_view(view)
        self.text.setPlainText(displayable(verbose.rstrip("\n"), self.text.font()))
        self._light(list(view.midis) if view else [])

    def _light(self, midis: list[int]) -> None:
        kb = self.context.keyboard
        kb.set_notes("chord", midis)
        if midis and hasattr(kb, "ensure_visible"):
            kb.ensure_visible(midis)

    def _candidate_selected(self, candidate: CandidateView | None) -> None:
        if candidate is not None:
            self._light(list(candidate.midis))
            self.context.status(f"{candidate.name}: {', '.join(candidate.note_names)}")
        elif self._view is not None:
            self._light(list(self._view.midis))

    def _play(self, midis: list[int], arpeggio: bool) -> None:
        self._light(midis)
        self.context.synth.play_chord(midis, arpeggio)

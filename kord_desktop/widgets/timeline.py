"""Chord history: a strip of the last minute (one coloured block per chord) over a list.

The history is plain data (`TimelineEntry`), so it can be copied or exported as text. A
provisional label (shown fast after an attack, still being refined) is drawn paler and in
italics; its refinements and its confirmation update the same entry (`refine_chord`), so a
chord refined within its first moments is one entry, not two.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter
from PySide6.QtWidgets import QListWidget, QSizePolicy, QVBoxLayout, QWidget

from kord_desktop.theme import DARK, ThemeColors
from kord_engine.atomic import atomic_write_text

WINDOW_S = 60.0  # the strip shows at most the last minute…
MIN_WINDOW_S = 10.0  # …and at least this much, so a short history fills the strip
MAX_ENTRIES = 5000


@dataclass
class TimelineEntry:
    """One chord heard from `start` (stream seconds) until `end` (None while still sounding)."""

    start: float
    chord: str
    notes: str = ""
    end: float | None = None
    provisional: bool = False  # shown fast, may still be refined (display only)

    def line(self) -> str:
        end = f"{self.end:8.2f}" if self.end is not None else "     now"
        notes = f"  ({self.notes})" if self.notes else ""
        return f"{self.start:8.2f} – {end} s  {self.chord}{notes}"


def format_history(entries: list[TimelineEntry]) -> str:
    """The history as text, one chord a line: start – end seconds, chord (notes)."""
    header = "# Kord Desktop chord history: start – end (seconds), chord (notes)\n"
    return header + "".join(e.line() + "\n" for e in entries)


@lru_cache(maxsize=512)
def chord_color(name: str) -> QColor:
    """A stable colour per chord name, so repeats of a chord look the same on the strip
    (cached: the strip asks for every visible block on every repaint; do not modify it)."""
    hue = zlib.crc32(name.encode()) % 360
    return QColor.fromHsl(hue, 150, 120)


class TimeStrip(QWidget):
    """Paints the entries of the last WINDOW_S seconds as labelled blocks (newest at the right)."""

    def __init__(self, timeline: ChordTimeline):
        super().__init__(timeline)
        self.timeline = timeline
        # it fills its whole rect: repainting it (at most once per analyzer event, as the
        # clock moves it by a pixel) repaints nothing behind it
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, 34)

    def paintEvent(self, event) -> None:  # noqa: N802
        c = self.timeline.colors
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, QColor(c.base))
        now = self.timeline.now
        window = self.timeline.strip_seconds()
        t0 = now - window
        scale = w / window
        p.setPen(QColor(c.grid))
        step = 10 if window > 20 else 1
        for s in range(0, int(window) + 1, step):
            x = w - s * scale
            p.drawLine(int(x), h - 4, int(x), h)
        fonts: dict[bool, QFont] = {}  # plain / italic (provisional), made once a paint
        text_pen = QColor("#ffffff")
        for e in reversed(self.timeline.entries):
            end = e.end if e.end is not None else now
            if end < t0:
                break
            x0 = max(0.0, (e.start - t0) * scale)
            x1 = min(float(w), (end - t0) * scale)
            if x1 - x0 < 1:
                continue
            rect = QRectF(x0, 2, x1 - x0 - 1, h - 8)
            color = QColor(chord_color(e.chord))
            if e.provisional:
                color.setAlphaF(0.45)
            p.fillRect(rect, color)
            if rect.width() > 24:
                font = fonts.get(e.provisional)
                if font is None:
                    font = fonts[e.provisional] = QFont(self.font())
                    font.setItalic(e.provisional)
                p.setFont(font)
                p.setPen(text_pen)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, e.chord)
        p.end()


class ChordTimeline(QWidget):
    """History of stable chords; `add_chord(t, name, notes)`, `refine_chord(name, notes)` for
    an in-place update of the newest one, `end_chord(t)` for silence."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, colors: ThemeColors = DARK):
        super().__init__(parent)
        self.colors = colors
        self.entries: list[TimelineEntry] = []
        self.now = 0.0
        self._painted_now = 0.0
        self.strip = TimeStrip(self)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setToolTip("Chords heard (start – end seconds)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.strip)
        layout.addWidget(self.list, 1)

    def apply_theme(self, colors: ThemeColors) -> None:
        self.colors = colors
        self.strip.update()

    def strip_seconds(self) -> float:
        """Seconds the strip spans: the history so far, between MIN_WINDOW_S and WINDOW_S."""
        if not self.entries:
            return MIN_WINDOW_S
        return min(WINDOW_S, max(MIN_WINDOW_S, self.now - self.entries[0].start))

    def chords(self) -> list[str]:
        return [e.chord for e in self.entries]

    def set_now(self, t: float) -> None:
        """Advance the strip's clock (stream seconds) without adding anything; the strip
        repaints when that moves it by about a pixel."""
        if t > self.now:
            step = self.strip_seconds() / max(1, self.strip.width())
            if t - self._painted_now >= step:
                self._painted_now = t
                self.strip.update()
            self.now = t

    def add_chord(self, t: float, chord: str, notes: str = "", provisional: bool = False) -> None:
        """A new stable chord from time `t`; closes the previous one. Repeats are merged."""
        self.set_now(t)
        last = self.entries[-1] if self.entries else None
        if last is not None and last.end is None:
            if last.chord == chord:
                if last.provisional and not provisional:  # the same chord, now confirmed
                    self.refine_chord(chord, notes or last.notes, False)
                return
            last.end = t
            self._refresh_last_row()
        self.entries.append(TimelineEntry(t, chord, notes, provisional=provisional))
        self.list.addItem(self.entries[-1].line())
        self._style_last_row()
        if len(self.entries) > MAX_ENTRIES:
            del self.entries[0]
            self.list.takeItem(0)
        self.list.scrollToBottom()
        self.strip.update()
        self.changed.emit()

    def refine_chord(self, chord: str, notes: str = "", provisional: bool = False) -> None:
        """The newest chord, refined (a better name, its bass) or confirmed, in place: the
        same entry from the same start. Refined back into the chord before it (the
        provisional one was a false start), the two are one entry again."""
        last = self.entries[-1] if self.entries else None
        if last is None or last.end is not None:
            self.add_chord(self.now, chord, notes, provisional)
            return
        before = self.entries[-2] if len(self.entries) > 1 else None
        if before is not None and before.chord == chord and before.end == last.start:
            del self.entries[-1]
            self.list.takeItem(self.list.count() - 1)
            before.end = None
            last = before
        last.chord, last.notes, last.provisional = chord, notes or last.notes, provisional
        self._refresh_last_row()
        self.strip.update()
        self.changed.emit()

    def end_chord(self, t: float) -> None:
        """Silence (or no chord) from `t` on."""
        self.set_now(t)
        if self.entries and self.entries[-1].end is None:
            self.entries[-1].end = t
            self._refresh_last_row()
            self.strip.update()
            self.changed.emit()

    def clear(self) -> None:
        self.entries.clear()
        self.list.clear()
        self.now = self._painted_now = 0.0
        self.strip.update()
        self.changed.emit()

    def _refresh_last_row(self) -> None:
        item = self.list.item(self.list.count() - 1)
        if item is not None:
            item.setText(self.entries[-1].line())
            self._style_last_row()

    def _style_last_row(self) -> None:
        """Provisional rows in italics, paler; confirmed ones as the list draws them."""
        item = self.list.item(self.list.count() - 1)
        if item is None:
            return
        provisional = self.entries[-1].provisional
        font = QFont(self.list.font())
        font.setItalic(provisional)
        item.setFont(font)
        if provisional:
            color = QColor(self.list.palette().text().color())
            color.setAlphaF(0.6)
            item.setForeground(color)
            item.setToolTip("Provisional: still being refined")
        else:
            item.setData(Qt.ItemDataRole.ForegroundRole, None)
            item.setToolTip("")

    def to_text(self) -> str:
        return format_history(self.entries)

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.to_text())

    def export(self, path: str | Path) -> Path:
        """Write the history as text to `path` atomically (never a half-written file)."""
        path = Path(path)
        atomic_write_text(path, self.to_text())
        return path

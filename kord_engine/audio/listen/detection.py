"""What every detector returns (kord's, ours, the ONNX model) and the interface they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kord_engine.samples import note_id_name


@dataclass(frozen=True)
class Detection:
    """Notes heard in one window of audio.

    notes: note ids (12·octave + pitch class, C4 = 48), ascending; may be empty when a
        detector only knows pitch classes.
    pitch_classes: sorted pitch classes (C = 0).
    bass: pitch class of the lowest note, or None.
    confidence: 0..1, how sure the detector is that these are the notes.
    chords: ranked chord names (kord's rendering), best first; may be empty.  What is shown
        or printed is named by kord_engine.audio.listen.naming.chord_names (lead-sheet by default).
    timestamp: stream time in seconds of the end of the analysed window (0 for files).
    tuning_hz: the reference pitch (A4, Hz) the notes were read against, when one was
        estimated or given (None: not reported).
    """

    notes: tuple[int, ...] = ()
    pitch_classes: tuple[int, ...] = ()
    bass: int | None = None
    confidence: float = 0.0
    chords: tuple[str, ...] = ()
    timestamp: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    tuning_hz: float | None = field(default=None, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.pitch_classes

    @property
    def chord(self) -> str | None:
        """The best chord name, if any."""
        return self.chords[0] if self.chords else None

    def note_names(self) -> list[str]:
        return [note_id_name(i) for i in self.notes]

    def to_json(self, names: str | None = None) -> dict[str, Any]:
        """kord analyze's JSON fields (without 'file'); "tuning_hz" when it is known.

        `names`: the style of "chords" ("lead-sheet" or "kord", see
        kord_engine.audio.listen.naming.chord_names); None: `chords` as they are (kord's names)."""
        if names is None:
            chords = list(self.chords)
        else:
            from kord_engine.audio.listen.naming import chord_names

            chords = list(chord_names(self, names))
        out: dict[str, Any] = {
            "notes": self.note_names(),
            "pitch_classes": list(self.pitch_classes),
            "bass": self.bass,
            "chords": chords,
            "confidence": round(float(self.confidence), 4),
        }
        if self.tuning_hz is not None:
            out["tuning_hz"] = round(float(self.tuning_hz), 1)
        return out


EMPTY = Detection()


@runtime_checkable
class Detector(Protocol):
    """Window of mono float32 audio in, Detection out. Implementations must be thread-safe
    for one caller at a time and cheap to call every hop."""

    name: str
    #: how many seconds of audio the detector wants to see (the live analyzer's window)
    window_seconds: float

    def detect(self, audio: np.ndarray, sample_rate: int) -> Detection: ...

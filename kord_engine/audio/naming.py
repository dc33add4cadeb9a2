"""Turn detected note ids into a `Detection` with ranked chord names (via kord_engine.theory)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from kord_engine.audio.detection import Detection

#: how many chord candidates a Detection carries (kord's web UI shows 8)
CHORD_LIMIT = 8


def rank_chords(
    note_ids: Sequence[int], pitch_classes: Iterable[int], bass: int | None, mode: str
) -> list[Any]:
    """Chord candidates, best first (cached: live analysis asks for the same sets again)."""
    key_notes = tuple(sorted(int(i) for i in note_ids)) if mode == "notes" else ()
    return list(_rank_cached(key_notes, tuple(sorted(set(pitch_classes))), bass, mode))


@lru_cache(maxsize=4096)
def _rank_cached(
    note_ids: tuple[int, ...], pitch_classes: tuple[int, ...], bass: int | None, mode: str
) -> tuple[Any, ...]:
    return tuple(_rank(note_ids, pitch_classes, bass, mode))


def _rank(
    note_ids: Sequence[int], pitch_classes: Iterable[int], bass: int | None, mode: str
) -> list[Any]:
    """Chord candidates, best first. mode "notes": kord's try_from_notes on the exact voicing,
    falling back to pitch classes when that voicing has no name; "pitch_classes": kord's
    try_from_pitches with our bass-first ordering."""
    from kord_engine import theory

    pcs = sorted(set(pitch_classes))
    if len(pcs) < 3:
        return []
    chords: list[Any] = []
    if mode == "notes" and len(note_ids) >= 3:
        notes = [theory.Note.from_id_index(int(i)) for i in sorted(note_ids)]
        chords = list(theory.guess(notes))
    if not chords:
        chords = list(theory.guess_pitch_classes(pcs, bass, limit=None))
    unique, seen = [], set()
    for c in chords:  # one candidate per name (different voicings render alike)
        if str(c.name) not in seen:
            seen.add(str(c.name))
            unique.append(c)
    return unique[:CHORD_LIMIT]


def detection_from_notes(
    note_ids: Iterable[int],
    confidence: float,
    timestamp: float = 0.0,
    *,
    guess_mode: str = "pitch_classes",
    extra: dict[str, Any] | None = None,
) -> Detection:
    """A Detection for `note_ids` (any order): sorted notes, pitch classes, bass = lowest note's
    pitch class, chords ranked by theory. extra["candidates"] keeps the Chord objects."""
    notes = tuple(sorted({int(i) for i in note_ids}))
    if not notes:
        return Detection(timestamp=timestamp, extra=dict(extra or {}))
    pcs = tuple(sorted({i % 12 for i in notes}))
    bass = notes[0] % 12
    candidates = rank_chords(notes, pcs, bass, guess_mode)
    info = dict(extra or {})
    info["candidates"] = candidates
    return Detection(
        notes=notes,
        pitch_classes=pcs,
        bass=bass,
        confidence=float(min(1.0, max(0.0, confidence))),
        chords=tuple(str(c.name) for c in candidates),
        timestamp=timestamp,
        extra=info,
    )

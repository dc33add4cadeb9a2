"""Turn detected note ids into a `Detection` with ranked chord names (via kord_engine.theory),
and name what was heard in a naming style.

Detectors fill `Detection.chords` with kord's names (`rank_chords`).  What is shown or printed
goes through `chord_names(detection, style)`, the one place that decides the names of what was
heard: "kord" gives kord's exact strings back (`detection.chords`), "lead-sheet" (the default,
`kord_engine.theory.DEFAULT_NAMING_STYLE`) names the pitch classes over the detection's bass
(the lowest note's pitch class; root position when a detector reports no bass, like the ML
model's folded target), single notes (C) and power chords (C5) included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kord_engine.audio.listen.detection import Detection

if TYPE_CHECKING:
    from kord_engine.audio.listen.analysis import Segment
    from kord_engine.theory.leadsheet import LeadSheetChord

#: how many chord candidates a Detection carries (kord's web UI shows 8)
CHORD_LIMIT = 8


def rank_chords(
    note_ids: Sequence[int], pitch_classes: Iterable[int], bass: int | None, mode: str
) -> list[Any]:
    """Chord candidates, best first (cached: live analysis asks for the same sets again)."""
    key_notes = tuple(sorted(int(i) for i in note_ids)) if mode == "notes" else ()
    return list(_rank_cached(key_notes, tuple(sorted(set(pitch_classes))), bass, mode))


def rank_chords_named(
    note_ids: Sequence[int], pitch_classes: Iterable[int], bass: int | None, mode: str
) -> tuple[list[Any], tuple[str, ...]]:
    """`rank_chords` and the candidates' kord names, both cached (a live hop names the same
    sets again and again; building each name string anew cost ~0.2 ms a hop)."""
    key_notes = tuple(sorted(int(i) for i in note_ids)) if mode == "notes" else ()
    key = (key_notes, tuple(sorted(set(pitch_classes))), bass, mode)
    return list(_rank_cached(*key)), _names_cached(*key)


@lru_cache(maxsize=4096)
def _rank_cached(
    note_ids: tuple[int, ...], pitch_classes: tuple[int, ...], bass: int | None, mode: str
) -> tuple[Any, ...]:
    return tuple(_rank(note_ids, pitch_classes, bass, mode))


@lru_cache(maxsize=4096)
def _names_cached(
    note_ids: tuple[int, ...], pitch_classes: tuple[int, ...], bass: int | None, mode: str
) -> tuple[str, ...]:
    return tuple(str(c.name) for c in _rank_cached(note_ids, pitch_classes, bass, mode))


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
    named: bool = True,
) -> Detection:
    """A Detection for `note_ids` (any order): sorted notes, pitch classes, bass = lowest note's
    pitch class, chords ranked by theory. extra["candidates"] keeps the Chord objects.
    `named=False` leaves the chords out (a detector's half-way result, named later: naming a
    set not seen before costs milliseconds)."""
    notes = tuple(sorted({int(i) for i in note_ids}))
    if not notes:
        return Detection(timestamp=timestamp, extra=dict(extra or {}))
    pcs = tuple(sorted({i % 12 for i in notes}))
    bass = notes[0] % 12
    candidates, names = rank_chords_named(notes, pcs, bass, guess_mode) if named else ([], ())
    info = dict(extra or {})
    info["candidates"] = candidates
    return Detection(
        notes=notes,
        pitch_classes=pcs,
        bass=bass,
        confidence=float(min(1.0, max(0.0, confidence))),
        chords=names,
        timestamp=timestamp,
        extra=info,
    )


def named(detection: Detection) -> Detection:
    """`detection` with its chords ranked, where a detector left them out (`named=False`:
    the live analyzer names only the labels it shows, not every hop)."""
    if detection.chords or len(detection.pitch_classes) < 3:
        return detection
    candidates, names = rank_chords_named(
        detection.notes, detection.pitch_classes, detection.bass, "pitch_classes"
    )
    return replace(detection, chords=names, extra={**detection.extra, "candidates": candidates})


def warm_up() -> None:
    """Build the naming tables now (about 0.1 s: theory's shape indexes, the lead-sheet
    tables) instead of while the first label waits to be shown."""
    lead_sheet_candidates(detection_from_notes([48, 52, 55, 58], 1.0))


# ---- naming what was heard --------------------------------------------------------------------
def lead_sheet_candidates(detection: Detection) -> tuple[LeadSheetChord, ...]:
    """Lead-sheet readings of `detection`, best first (at most CHORD_LIMIT; () when empty).

    Named from its pitch classes over its bass (= the lowest note's pitch class for every
    detector that reports notes); with no bass, in root position."""
    return _lead_sheet_cached(tuple(sorted(set(detection.pitch_classes))), detection.bass)


@lru_cache(maxsize=4096)
def _lead_sheet_cached(pitch_classes: tuple[int, ...], bass: int | None) -> tuple[Any, ...]:
    from kord_engine.theory.leadsheet import lead_sheet_chords

    if not pitch_classes:
        return ()
    return tuple(lead_sheet_chords(None, pitch_classes, bass, limit=CHORD_LIMIT))


def chord_names(detection: Detection, style: str | None = None) -> tuple[str, ...]:
    """The names of what `detection` heard, best first, in `style` ("lead-sheet" or "kord";
    None: the default, lead-sheet).  "kord": `detection.chords` unchanged (nothing under three
    pitch classes); "lead-sheet": see lead_sheet_candidates (C, C5, C/E, Cø7 …)."""
    from kord_engine.theory.leadsheet import DEFAULT_NAMING_STYLE, check_naming_style

    if check_naming_style(style or DEFAULT_NAMING_STYLE) == "kord":
        return tuple(detection.chords)
    return tuple(c.name for c in lead_sheet_candidates(detection))


def chord_name(detection: Detection, style: str | None = None) -> str | None:
    """The best name of what `detection` heard in `style` (see chord_names), or None."""
    names = chord_names(detection, style)
    return names[0] if names else None


def with_names(detection: Detection, style: str | None = None) -> Detection:
    """`detection` with its `chords` in `style` (the same object for "kord"), for code that
    shows `detection.chord` / `detection.chords` (the app's widgets, the live lines)."""
    names = chord_names(detection, style)
    if names == tuple(detection.chords):
        return detection
    from dataclasses import replace

    return replace(detection, chords=names)


def name_segments(segments: Iterable[Segment], style: str | None = None) -> list[Segment]:
    """Timeline segments with `chord` in `style` (see chord_names; "kord": unchanged; a
    segment without pitch classes keeps chord None)."""
    from dataclasses import replace

    from kord_engine.theory.leadsheet import DEFAULT_NAMING_STYLE, check_naming_style

    if check_naming_style(style or DEFAULT_NAMING_STYLE) == "kord":
        return list(segments)
    out = []
    for seg in segments:
        heard = Detection(notes=seg.notes, pitch_classes=seg.pitch_classes, bass=seg.bass)
        out.append(replace(seg, chord=chord_name(heard, style)))
    return out


#: lead-sheet symbols → what kord's chord parser reads for the same tones
_KORD_SPELLING = (("ø7", "m7b5"), ("°7", "dim"), ("°", "m(b5)"), ("6/9", "6add9"))


def kord_equivalent(chord: LeadSheetChord) -> str | None:
    """kord's name for the same tones as a lead-sheet chord — a symbol kord's parser takes
    ("Cø7" → "Cm7(♭5)", "C°" → "Cm(♭5)", "C6/9" → "C(add6)(add9)"); None when kord has no
    chord for them (single notes, power chords)."""
    from kord_engine.errors import KordError
    from kord_engine.theory import Chord, guess_pitch_classes

    if len(chord.pitch_classes) < 3:
        return None
    text = chord.name
    for lead, kord in _KORD_SPELLING:
        text = text.replace(lead, kord)
    try:
        parsed = Chord.parse(text)
        if sorted(set(parsed.pitch_classes())) == list(chord.pitch_classes):
            return str(parsed.name)
    except KordError:
        pass
    bass = chord.bass_pc if chord.bass_pc is not None else chord.root_pc
    candidates = list(guess_pitch_classes(list(chord.pitch_classes), bass, limit=None))
    for c in candidates:
        if c.root.pitch_class == chord.root_pc:
            return str(c.name)
    return str(candidates[0].name) if candidates else None

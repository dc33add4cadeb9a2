"""Chord tones as a root-independent shape: kord's chord() steps on (fifths, semitones) pairs.

A tone is (line-of-fifths distance from the root, semitones above the root).  The pair names
the spelled note exactly (so kord's "drop identical notes" works), and the semitones order
the tones by frequency, so the whole of kord's recipe (§7: intervals, inversions, crunchy
voicing, sort, de-duplication) runs without building a Note until the end.  Cached: the
guesser asks for the same few thousand shapes again and again.
"""

from __future__ import annotations

from functools import lru_cache

from kord_engine.theory.errors import TheoryError
from kord_engine.theory.interval import Interval
from kord_engine.theory.known_chord import dominant_degree, resolve_known_chord
from kord_engine.theory.modifiers import (
    ALL_EXTENSIONS,
    DOMINANT_ADDS,
    EXTENSION_INTERVAL,
    MODIFIER_APPENDS,
    Extension,
    Modifier,
)
from kord_engine.theory.note import Note, check_octave
from kord_engine.theory.pitch import PITCH_COUNT, SOUNDING_OFFSET

Tone = tuple[int, int]

_FIFTHS = (Interval.PerfectFifth, Interval.DiminishedFifth, Interval.AugmentedFifth)
_THIRDS = (Interval.MajorThird, Interval.MinorThird)


@lru_cache(maxsize=8192)
def chord_intervals(
    modifiers: frozenset[Modifier], extensions: frozenset[Extension]
) -> tuple[Interval, ...]:
    """The chord's intervals above the root, sorted in kord's enum order, without duplicates.

    ♭5/♯5 replace the fifth and sus2/sus4 replace the third.  kord removes "index 2" and
    "index 1" instead, so its Csus2sus4 loses the fifth (C D F); here it is C D F G.
    """
    intervals = list(resolve_known_chord(modifiers).intervals)
    degree = dominant_degree(modifiers)
    if degree is not None:
        intervals.extend(DOMINANT_ADDS[degree])
    if Modifier.Flat5 in modifiers:
        intervals = [iv for iv in intervals if iv not in _FIFTHS] + [Interval.DiminishedFifth]
    if Modifier.Augmented5 in modifiers:
        intervals = [iv for iv in intervals if iv not in _FIFTHS] + [Interval.AugmentedFifth]
    intervals.extend(iv for m, iv in MODIFIER_APPENDS.items() if m in modifiers)
    if Extension.Sus2 in extensions or Extension.Sus4 in extensions:
        intervals = [iv for iv in intervals if iv not in _THIRDS]
    intervals.extend(EXTENSION_INTERVAL[e] for e in ALL_EXTENSIONS if e in extensions)
    return tuple(sorted(set(intervals), key=lambda iv: iv.order))


@lru_cache(maxsize=8192)
def interval_tones(modifiers: frozenset, extensions: frozenset) -> tuple[Tone, ...]:
    return tuple((iv.fifths, iv.semitones) for iv in chord_intervals(modifiers, extensions))


@lru_cache(maxsize=65536)
def chord_shape(
    modifiers: frozenset[Modifier],
    extensions: frozenset[Extension],
    inversion: int,
    crunchy: bool,
) -> tuple[Tone, ...]:
    """Tones relative to the root after inversions and crunchy voicing, sorted by pitch."""
    return voice(interval_tones(modifiers, extensions), inversion, crunchy)


def voice(intervals: tuple[Tone, ...], inversion: int, crunchy: bool) -> tuple[Tone, ...]:
    """kord's §7 steps 3, 4 and 6 on interval tones: invert, crunch, sort, drop repeats."""
    tones = list(intervals)
    for _ in range(inversion):
        fifths, semis = tones.pop(0)
        last = tones[-1][1] if tones else semis
        if semis < last:
            semis += 12 * ((last - semis + 11) // 12)
        tones.append((fifths, semis))
    if crunchy:
        top = tones[0][1] + 12
        tones = [(f, s - 12 * ((s - top + 11) // 12)) if s > top else (f, s) for f, s in tones]
    tones.sort(key=_semis)
    out = [tones[0]]
    for tone in tones[1:]:
        if out[-1] != tone:
            out.append(tone)
    return tuple(out)


def _semis(tone: Tone) -> int:
    return tone[1]


def tone_note(root: Note, tone: Tone) -> Note:
    """The spelled note `tone` names above `root`."""
    fifths, semis = tone
    pitch = root.pitch + fifths
    if not 0 <= pitch < PITCH_COUNT:
        raise TheoryError(f"a tone above {root.name} needs more than a triple accidental")
    octave, rest = divmod(root.semitone + semis - SOUNDING_OFFSET[pitch], 12)
    assert rest == 0
    return Note(pitch, check_octave(octave, f"chord tone above {root.name}: octave"))


def place_slash(slash: Note, lowest: Note) -> Note:
    """kord's slash bass: from octave 0 up to the first octave ≥ one octave below `lowest`."""
    threshold = lowest.semitone - 12
    offset = SOUNDING_OFFSET[slash.pitch]
    octave = max(0, -((offset - threshold) // 12))
    return Note(slash.pitch, check_octave(octave, f"slash {slash.pitch_name}: octave"))

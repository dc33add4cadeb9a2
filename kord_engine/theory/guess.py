"""Guess chords from notes: kord's try_from_notes brute force, made fast and deterministic.

kord tries 43 modifier sets × 7 one-off modifiers × 11 extension sets × crunchy, each on up to
three roots and with or without a slash, and keeps the chords whose tones sound exactly the
input.  The tone shapes do not depend on the root (see tones.py), so they are indexed once per
inversion: a guess is then a few dictionary look-ups.  Ordering is kord's simplicity key with a
full deterministic tie-break (kord's falls back to HashSet order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from kord_engine.errors import ParseError
from kord_engine.theory.chord import Chord, add_modifier
from kord_engine.theory.errors import TheoryError
from kord_engine.theory.modifiers import Extension, Modifier
from kord_engine.theory.note import Note, parse_notes
from kord_engine.theory.tones import interval_tones, voice

TOO_FEW_NOTES = "Must have at least three notes to guess a chord."
M = Modifier

_BASE_SETS: tuple[tuple[Modifier, ...], ...] = ((), (M.Minor,), (M.Major7,), (M.Minor, M.Major7),
    (M.Augmented5,), (M.Augmented5, M.Major7), (M.Diminished,))  # fmt: skip
_DOMINANT_SETS: tuple[tuple[Modifier, ...], ...] = ((), (M.Minor,), (M.Sharp11,),
    (M.Augmented5,), (M.Minor, M.Flat5), (M.Flat9,), (M.Sharp9,), (M.Minor, M.Flat13),
    (M.Minor, M.Flat9, M.Flat13))  # fmt: skip
_DOMINANTS = (M.Dominant7, M.Dominant9, M.Dominant11, M.Dominant13)
KNOWN_MODIFIER_SETS = (
    _BASE_SETS[:3] + tuple(s + (d,) for s in _DOMINANT_SETS for d in _DOMINANTS) + _BASE_SETS[3:]
)  # 43 sets, as in kord's modifier.rs
ONE_OFF_MODIFIERS = (None, M.Augmented5, M.Flat5, M.Flat9, M.Sharp9, M.Sharp11, M.Flat13)
EXTENSION_SETS = (None,) + tuple(Extension[n] for n in
    ["Sus2", "Sus4", "Add2", "Add4", "Add6", "Add9", "Add11", "Add13", "Flat11", "Sharp13"])  # fmt: skip

_CLEAN_UP = {
    M.Dominant9: (Extension.Add9,),
    M.Dominant11: (Extension.Add9, Extension.Add11),
    M.Dominant13: (Extension.Add9, Extension.Add11, Extension.Add13),
}


def _combination(known, one_off, extension) -> tuple[frozenset, frozenset]:
    """One brute-force combination after kord's add rules and its clean-up step."""
    mods: set[Modifier] = set()
    for modifier in known + ((one_off,) if one_off is not None else ()):
        add_modifier(mods, modifier)
    exts = {extension} if extension is not None else set()
    for modifier, dropped in _CLEAN_UP.items():
        if modifier in mods:
            exts.difference_update(dropped)
    if M.Diminished in mods:
        mods -= {M.Minor, M.Flat5, M.Augmented5}
    return frozenset(mods), frozenset(exts)


@lru_cache(maxsize=1)
def combinations() -> tuple[tuple[frozenset, frozenset], ...]:
    """The distinct (modifiers, extensions) pairs kord's 43×7×11 loops produce."""
    seen: dict[tuple[frozenset, frozenset], None] = {}
    for known in KNOWN_MODIFIER_SETS:
        for one_off in ONE_OFF_MODIFIERS:
            for extension in EXTENSION_SETS:
                seen.setdefault(_combination(known, one_off, extension), None)
    return tuple(seen)


@lru_cache(maxsize=3)
def shape_index(inversion: int) -> dict[tuple[int, ...], list[tuple[frozenset, frozenset, bool]]]:
    """Semitone offsets above the root → every combination (and crunchy flag) that sounds them."""
    index: dict[tuple[int, ...], list[tuple[frozenset, frozenset, bool]]] = {}
    for mods, exts in combinations():
        tones = interval_tones(mods, exts)
        for crunchy in (False, True):
            shape = tuple(s for _, s in voice(tones, inversion, crunchy))
            index.setdefault(shape, []).append((mods, exts, crunchy))
    return index


def prepare() -> None:
    """Build the shape indexes now (about half a second) instead of on the first guess."""
    for inversion in range(3):
        shape_index(inversion)


def _sort_key(chord: Chord) -> tuple:
    """kord's simplicity key, then a full deterministic tie-break."""
    has_slash = chord.slash is not None
    n_mods, n_exts = len(chord.modifiers), len(chord.extensions)
    return (
        n_mods + n_exts + 2 * has_slash + 2 * (chord.inversion != 0),
        chord.inversion,
        has_slash,
        n_exts,
        n_mods,
        chord.root.semitone,
        chord.crunchy,
        sorted(m.order for m in chord.modifiers),
        sorted(e.order for e in chord.extensions),
        int(chord.root.pitch),
    )


def _dedup_key(chord: Chord) -> tuple:
    return (chord.modifiers, chord.extensions, chord.slash, chord.inversion)


def _matches(chord: Chord, semitones: list[int]) -> bool:
    try:
        return [n.semitone for n in chord.notes()] == semitones
    except TheoryError:
        return False


def _candidates(notes: list[Note]) -> list[Chord]:
    notes = sorted(notes, key=lambda n: n.semitone)
    semitones = [n.semitone for n in notes]
    found: list[Chord] = []
    for inversion in range(3):
        if inversion == 0:
            root, slash_root = notes[0], notes[1]
        else:
            try:
                root = notes[-inversion].with_octave(notes[-inversion].octave - 1)
            except TheoryError:
                continue
            slash_root = root
        index = shape_index(inversion)
        plain = tuple(s - root.semitone for s in semitones)
        for mods, exts, crunchy in index.get(plain, ()):
            chord = Chord(root, modifiers=mods, extensions=exts, inversion=inversion,
                          crunchy=crunchy)  # fmt: skip
            if _matches(chord, semitones):
                found.append(chord)
        above = tuple(s - slash_root.semitone for s in semitones[1:])
        for mods, exts, crunchy in index.get(above, ()):
            chord = Chord(slash_root, slash=notes[0], modifiers=mods, extensions=exts,
                          inversion=inversion, crunchy=crunchy)  # fmt: skip
            if _matches(chord, semitones):
                found.append(chord)
    return found


def _rank(chords: Iterable[Chord]) -> list[Chord]:
    out, seen = [], set()
    for chord in sorted(chords, key=_sort_key):
        key = _dedup_key(chord)
        if key not in seen:
            seen.add(key)
            out.append(chord)
    return out


def guess(notes: Sequence[Note | str]) -> list[Chord]:
    """Every chord whose tones sound exactly `notes`, simplest first (kord's try_from_notes)."""
    parsed = parse_notes(notes)
    if len(parsed) < 3:
        raise ParseError(TOO_FEW_NOTES)
    return _rank(_candidates(parsed))


_ODD_WITH_MINOR = {M.Augmented5}
_SUS = {Extension.Sus2, Extension.Sus4}


def _heard_key(chord: Chord) -> tuple:
    """Ranking when the bass is known: how a musician would name what sounds.

    kord's key ties "Em(♯5)" with "C/E" for E–G–C over an E bass and then prefers the
    unslashed one. Here a slash over one of the chord's own tones (an inversion) costs one
    symbol, a slash over a foreign bass two (so "Am7" beats "C/A"), and odd spellings (a
    minor chord with a ♯5, a sus or added tone on a diminished chord, a minor sus) cost half
    a symbol more than the plain ones.
    """
    mods, exts = chord.modifiers, chord.extensions
    cost = len(mods) + len(exts) + 2 * (chord.inversion != 0)
    if M.Minor in mods and mods & _ODD_WITH_MINOR:
        cost += 0.5
    if (M.Diminished in mods and exts) or (M.Minor in mods and exts & _SUS):
        cost += 0.5
    if chord.slash is not None:
        own = {n.pitch_class for n in chord.with_slash(None).notes()}
        cost += 1 if chord.slash.pitch_class in own else 2
    return (cost, chord.crunchy, *_sort_key(chord))


def guess_pitch_classes(
    pitch_classes: Iterable[int], bass: int | None = None, limit: int | None = 8
) -> list[Chord]:
    """Chords for a set of pitch classes (kord's try_from_pitches), never raising.

    Voicings: the pitch classes at octave 4, then with the lowest k bumped to octave 5.  With
    a `bass`, voicings with the bass doubled below are tried too, chords sounding the bass
    lowest are kept, and they are ranked by how a musician would name them (`_heard_key`).
    """
    try:
        pcs = sorted({int(p) % 12 for p in pitch_classes})
        if bass is not None:
            bass = int(bass) % 12
            pcs = sorted(set(pcs) | {bass})
    except (TypeError, ValueError):
        return []
    if len(pcs) < 3:
        return []
    found: list[Chord] = []
    for k in range(len(pcs)):
        voicing = [Note.from_pitch_class(p, 5 if i < k else 4) for i, p in enumerate(pcs)]
        found.extend(_candidates(voicing))
        if bass is not None:  # the bass doubled an octave below, as in a slash chord's voicing
            found.extend(_candidates([Note.from_pitch_class(bass, 3), *voicing]))
    ranked_all = _rank(found)
    if bass is not None:
        over_bass = [
            c
            for c in ranked_all
            if c.notes()[0].pitch_class == bass
            and (c.slash is None or c.slash.pitch_class != c.root.pitch_class)
        ]
        ranked_all = sorted(over_bass, key=_heard_key) or ranked_all
    ranked, seen = [], set()
    for chord in ranked_all:
        if chord.name not in seen:
            seen.add(chord.name)
            # crunchy is an artifact of the octave-4/5 voicings tried here: pitch classes
            # carry no voicing, so no `!`
            ranked.append(chord.with_crunchy(False))
    return ranked if limit is None else ranked[: max(0, int(limit))]

"""Chords to ask a musician for: named sets (triads, sevenths, a default spread) or a typed list.

Each prompt is a symbol and a suggested voicing in MIDI notes: the bass (the chord's bass, a
slash bass included) in C3..B3, the other tones stacked close above it, so every voicing
lies within C3..C6 and is playable on a keyboard or a guitar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kord_engine.errors import KordError, ParseError

CHORD_SETS = ("default", "triads", "sevenths")
#: MIDI range of suggested voicings: bass in BASS_LOW..BASS_LOW+11, top at most TOP
BASS_LOW = 48  # C3
TOP = 84  # C6
_ROOTS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
#: (suffix, intervals from the root) written the way kord's grammar parses them
_TRIADS = (("", (0, 4, 7)), ("m", (0, 3, 7)), ("m(b5)", (0, 3, 6)), ("+", (0, 4, 8)))
_SEVENTHS = (
    ("7", (0, 4, 7, 10)),
    ("maj7", (0, 4, 7, 11)),
    ("m7", (0, 3, 7, 10)),
    ("m7b5", (0, 3, 6, 10)),
    ("dim7", (0, 3, 6, 9)),
)
_DEFAULT_QUALITIES = (
    ("", (0, 4, 7)),
    ("m", (0, 3, 7)),
    ("7", (0, 4, 7, 10)),
    ("m7", (0, 3, 7, 10)),
    ("maj7", (0, 4, 7, 11)),
    ("sus4", (0, 5, 7)),
    ("m(b5)", (0, 3, 6)),
    ("6", (0, 4, 7, 9)),
)
DEFAULT_COUNT = 40


class ChordSetError(KordError):
    """An unknown chord set, a bad count, or a chord symbol that does not parse."""


@dataclass(frozen=True)
class ChordPrompt:
    """One chord to play: its symbol and a suggested voicing (MIDI notes, lowest first)."""

    symbol: str
    notes: tuple[int, ...]

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple(sorted({n % 12 for n in self.notes}))


def voice(pitch_classes: list[int] | tuple[int, ...], bass: int) -> tuple[int, ...]:
    """A close voicing of `pitch_classes` over `bass` (a pitch class) within C3..C6.

    A bass that is a chord tone starts a close inversion; any other bass (C/D) sits under the
    chord in root position (the first pitch class given is the root)."""
    pcs = list(dict.fromkeys(int(p) % 12 for p in pitch_classes))
    if not pcs:
        raise ChordSetError("a chord needs at least one pitch class")
    bass = int(bass) % 12
    low = BASS_LOW + bass
    notes = [low]
    if bass in pcs:
        rest = sorted((p - bass) % 12 for p in pcs if p != bass)
        notes += [low + r for r in rest]
    else:
        root = low + (pcs[0] - bass) % 12
        notes += [root + (p - pcs[0]) % 12 for p in pcs]
    while notes[-1] > TOP:  # never for these ranges, but keep the promise
        notes = [notes[0], *(n - 12 if n - 12 > notes[0] else n for n in notes[1:])]
        notes = sorted(set(notes))
    return tuple(sorted(set(notes)))


def prompt_for(symbol: str) -> ChordPrompt:
    """A typed symbol (kord's grammar: C, Am7, F/A, G7, Bbm7b5, …) → its prompt.

    ChordSetError names the symbol when it does not parse."""
    from kord_engine.theory import Chord

    text = symbol.strip()
    try:
        chord = Chord.parse(text)
    except (ParseError, KordError) as exc:
        raise ChordSetError(f"chord {text!r} is not a chord symbol: {exc}") from exc
    notes = chord.notes()
    tones = [n.pitch_class for n in (notes[1:] if chord.slash is not None else notes)]
    return ChordPrompt(text, voice(tones, notes[0].pitch_class))


def parse_chord_list(text: str) -> list[ChordPrompt]:
    """'C Am7 F/A G7' (spaces, commas or '|' between chords) → prompts, in order."""
    tokens = [t for t in text.replace(",", " ").replace("|", " ").split() if t]
    if not tokens:
        raise ChordSetError("no chords given (type symbols, e.g. 'C Am7 F/A G7')")
    return [prompt_for(t) for t in tokens]


def _symbol(root: int, suffix: str, bass: int | None = None) -> str:
    """'Amaj7/C#': the bass spelled as the chord's own tone (C♯ in A, not D♭)."""
    from kord_engine.theory import Chord

    name = f"{_ROOTS[root % 12]}{suffix}"
    if bass is None or bass == root % 12:
        return name
    tones = {n.pitch_class: n.pitch_name for n in Chord.parse(name).notes()}
    spelled = tones.get(bass % 12, _ROOTS[bass % 12]).replace("♯", "#").replace("♭", "b")
    return f"{name}/{spelled}"


def _prompt(root: int, suffix: str, intervals: tuple[int, ...], inversion: int) -> ChordPrompt:
    pcs = [(root + i) % 12 for i in intervals]
    bass = pcs[inversion % len(pcs)]
    return ChordPrompt(_symbol(root, suffix, bass), voice(pcs, bass))


def _every(qualities, inversions: int) -> list[ChordPrompt]:
    return [
        _prompt(root, suffix, intervals, inv)
        for suffix, intervals in qualities
        for root in range(12)
        for inv in range(inversions)
    ]


def chord_set(name: str, count: int | None = None, seed: int = 0) -> list[ChordPrompt]:
    """The prompts of a named set (CHORD_SETS), `count` of them (None: the set's size).

    "triads": major, minor, diminished, augmented on every root, root position and both
    inversions (144); "sevenths": 7, maj7, m7, m7♭5, dim7 on every root, root position and
    three inversions (240); "default": `DEFAULT_COUNT` (40) chords spread evenly over the 12
    roots, 8 qualities and their inversions. A smaller `count` draws an even spread (seeded);
    a larger one repeats the set."""
    if name not in CHORD_SETS:
        raise ChordSetError(f"chord set {name!r} is unknown; choose one of {list(CHORD_SETS)}")
    if count is not None and int(count) < 1:
        raise ChordSetError(f"count must be at least 1, got {count}")
    if name == "triads":
        pool = _every(_TRIADS, 3)
    elif name == "sevenths":
        pool = _every(_SEVENTHS, 4)
    else:
        return _default_spread(DEFAULT_COUNT if count is None else int(count), seed)
    if count is None:
        return pool
    rng = np.random.default_rng(seed)
    out: list[ChordPrompt] = []
    while len(out) < int(count):
        order = rng.permutation(len(pool))
        out += [pool[i] for i in order[: int(count) - len(out)]]
    return out


def _default_spread(count: int, seed: int) -> list[ChordPrompt]:
    """An even spread over every root × quality × inversion: from a seeded shuffle of all of
    them, each next chord is the one whose root, quality and inversion have been used least
    so far (ties: the shuffle's order), so 40 chords cover the 12 roots 3–4 times each, the
    8 qualities 5 times and root position / 1st / 2nd inversion about equally."""
    rng = np.random.default_rng(seed)
    pool = [
        (root, q, inv)
        for root in range(12)
        for q in range(len(_DEFAULT_QUALITIES))
        for inv in range(3)
    ]
    pool = [pool[i] for i in rng.permutation(len(pool))]
    used_root = [0] * 12
    used_quality = [0] * len(_DEFAULT_QUALITIES)
    used_inv = [0] * 3
    left = list(pool)
    out = []
    for _ in range(count):
        if not left:
            left = list(pool)
        best = min(
            range(len(left)),
            key=lambda k: used_root[left[k][0]] + used_quality[left[k][1]] + used_inv[left[k][2]],
        )
        root, q, inv = left.pop(best)
        used_root[root] += 1
        used_quality[q] += 1
        used_inv[inv] += 1
        suffix, intervals = _DEFAULT_QUALITIES[q]
        out.append(_prompt(root, suffix, intervals, inv))
    return out

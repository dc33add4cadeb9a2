"""Lead-sheet chord names: what a musician writes for the notes that sound.

    lead_sheet_name([40, 48, 55])                      -> "C/E"    (note ids E3 C4 G4)
    lead_sheet_name(["G3", "B3", "D#4"])               -> "G+"
    lead_sheet_name(None, {0, 4, 7, 9}, bass=9)        -> "Am7"
    lead_sheet_names(None, {0, 4, 7, 9}, bass=0)       -> ["C6", "Am7/C", ...]
    lead_sheet_chords(...)                             -> [LeadSheetChord] (root, bass, tones ...)

Inputs (all optional, combined): `notes` are note ids (12·octave + pitch class, C4 = 48, as in
kord_engine.samples) or spelled notes ("E♭3", "F#4", Note objects); `pitch_classes` (C = 0)
add to the notes' pitch classes; `bass` is the pitch class of the lowest note (default: the
lowest of `notes`; with pitch classes only and no bass, names are in root position).

How a name is chosen (see leadsheet_quality.py for the symbols):

* every pitch class is tried as the root; the intervals above it are read as a quality with a
  cost (template commonness, completeness: an omitted fifth costs a little, odd combinations
  a lot);
* the lowest note is the bass: a bass that is not the root costs INVERSION_COST when it is a
  chord tone and is written as a slash (C7/E, G/D); a tension in the bass costs more; a bass
  outside a plain triad or seventh chord above it is a foreign bass (F/G, B♭/C);
* so a common chord in inversion beats an exotic name in root position (C F A♭ is Fm/C, not
  C+(sus4)); symmetric chords (C+, C°7, C7♭5) are rooted on the bass because every root costs
  the same; where two common names fit the same notes the bass decides (C E G A over C is C6,
  over A it is Am7); and where the bass is neither root, the more common quality wins (m7 over
  6, ø7 over m6: E G A C is Am7/E);
* spelling: one spelling per chord, consistent with its root.  Spelled input keeps the
  player's spelling of the root and bass; otherwise the root is spelled with the fewest
  accidentals over all the chord's tones (no double sharps or flats anywhere if avoidable;
  ties: D♭ E♭ F♯ A♭ B♭), and the bass is spelled as the chord tone it is.

The names use the repository's Unicode accidentals (♭ ♯) and "ø7" for the half-diminished
seventh ("m7♭5" in other books), "°" / "°7" for diminished, "+" for augmented.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from kord_engine.theory.leadsheet_quality import (
    FOREIGN_BASS_COST,
    INVERSION_COST,
    TENSION_BASS_COST,
    Quality,
    read_quality,
)
from kord_engine.theory.note import Note
from kord_engine.theory.pitch import ACCIDENTAL, ACCIDENTAL_TEXT, LETTER

__all__ = [
    "NAMING_STYLES",
    "DEFAULT_NAMING_STYLE",
    "LeadSheetChord",
    "NamingStyle",
    "NoteLike",
    "check_naming_style",
    "chord_display_name",
    "format_chord_block",
    "lead_sheet_chords",
    "lead_sheet_name",
    "lead_sheet_name_of_chord",
    "lead_sheet_names",
]

#: "lead-sheet": what a musician writes (this module); "kord": kord's exact strings
NamingStyle = Literal["lead-sheet", "kord"]
NAMING_STYLES: tuple[str, ...] = ("lead-sheet", "kord")
#: the default for what was heard (analyze, ml infer, the app); describe/guess keep "kord"
DEFAULT_NAMING_STYLE: NamingStyle = "lead-sheet"

#: a note id (int), a spelled note ("E♭3", "F#4") or a Note
NoteLike = int | str | Note

_LETTERS = "CDEFGAB"
_NATURAL = (0, 2, 4, 5, 7, 9, 11)
#: pitch classes whose black-key spelling ties: the usual lead-sheet choice
_TIE_ACCIDENTAL = {1: -1, 3: -1, 6: 1, 8: -1, 10: -1}


def check_naming_style(style: str) -> NamingStyle:
    """`style` if it is "lead-sheet" or "kord"; ValueError otherwise."""
    if style not in NAMING_STYLES:
        raise ValueError(f"naming style must be one of {', '.join(NAMING_STYLES)}, not {style!r}")
    return style  # type: ignore[return-value]


@dataclass(frozen=True)
class LeadSheetChord:
    """One lead-sheet reading of a set of notes."""

    #: the symbol, e.g. "C7/E", "F♯m7", "B♭/C"
    name: str
    #: spelled root ("E♭") and quality suffix ("m7"); name = root + quality (+ "/" + bass)
    root: str
    quality: str
    #: spelled bass when it is written as a slash, else None
    bass: str | None
    root_pc: int
    bass_pc: int | None
    #: every pitch class named (the bass's included), ascending
    pitch_classes: tuple[int, ...]
    #: the chord spelled from its root: root first, then ascending intervals (bass excluded
    #: when it is a foreign bass)
    tones: tuple[str, ...]
    description: str
    #: ranking cost (lower first); comparable only among candidates for the same notes
    cost: float

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "root": self.root,
            "quality": self.quality,
            "bass": self.bass,
            "description": self.description,
            "tones": list(self.tones),
            "pitch_classes": list(self.pitch_classes),
        }


# ---- spelling ---------------------------------------------------------------------------------
_Spelling = tuple[int, int]  # (letter index 0..6 from C, accidental −2..2)


def _text(spelling: _Spelling) -> str:
    letter, accidental = spelling
    return _LETTERS[letter] + ACCIDENTAL_TEXT[accidental]


def _root_options(pc: int) -> list[_Spelling]:
    """Single-accidental spellings of `pc`; a white key is always its natural (C, not B♯)."""
    if pc in _NATURAL:
        return [(_NATURAL.index(pc), 0)]
    out = []
    for letter, natural in enumerate(_NATURAL):
        accidental = (pc - natural + 6) % 12 - 6
        if -1 <= accidental <= 1:
            out.append((letter, accidental))
    return out


def _tone(root: _Spelling, root_pc: int, interval: int, degree: int) -> _Spelling:
    letter = (root[0] + degree - 1) % 7
    return letter, (root_pc + interval - _NATURAL[letter] + 6) % 12 - 6


def _spell_tones(root: _Spelling, root_pc: int, quality: Quality) -> list[_Spelling]:
    return [_tone(root, root_pc, i, d) for i, d in quality.degrees]


def _spelling_cost(root: _Spelling, tones: list[_Spelling], root_pc: int) -> tuple:
    accidentals = sum(abs(a) for _, a in tones)
    doubles = sum(1 for _, a in tones if abs(a) >= 2)
    tie = 0 if root[1] == _TIE_ACCIDENTAL.get(root_pc, 0) else 1
    return (doubles, accidentals + abs(root[1]), tie)


def _best_root(root_pc: int, quality: Quality) -> _Spelling:
    return min(
        _root_options(root_pc),
        key=lambda r: _spelling_cost(r, _spell_tones(r, root_pc, quality), root_pc),
    )


def _plain_spelling(pc: int, direction: int) -> _Spelling:
    """A single-accidental spelling of `pc`, flat or sharp as `direction` says (0: the tie rule)."""
    options = _root_options(pc)
    if len(options) == 1:
        return options[0]
    want = direction or _TIE_ACCIDENTAL.get(pc, -1)
    return next((o for o in options if o[1] == want), options[0])


# ---- ranking (pitch classes only; cached) -------------------------------------------------
@dataclass(frozen=True)
class _Reading:
    cost: float
    root_pc: int
    quality: Quality
    bass_pc: int | None  # written as a slash
    foreign: bool
    root: _Spelling
    bass: _Spelling | None
    tones: tuple[_Spelling, ...]
    accidentals: int


def _mask(pcs: Iterable[int], root: int) -> int:
    mask = 0
    for p in pcs:
        mask |= 1 << ((p - root) % 12)
    return mask


def _reading(pcs: frozenset[int], root: int, bass: int | None, foreign: bool) -> _Reading:
    upper = pcs - {bass} if foreign else pcs
    quality = read_quality(_mask(upper, root))
    cost = quality.cost
    slash = None
    if bass is not None and bass != root:
        slash = bass
        if foreign:
            cost += FOREIGN_BASS_COST
        elif (bass - root) % 12 in quality.chord_tones:
            # the same for every chord tone, but a third in the bass wins a tie (C7♭5/E
            # rather than G♭7♭5/F♭), then a fifth, then a sixth or seventh
            degree = quality.degree_of((bass - root) % 12)
            cost += INVERSION_COST + {3: 0.0, 5: 0.05}.get(degree, 0.1)
        else:
            cost += TENSION_BASS_COST
    spelled_root = _best_root(root, quality)
    tones = _spell_tones(spelled_root, root, quality)
    spelled_bass = None
    if slash is not None:
        if foreign:
            direction = (
                -1 if any(a < 0 for _, a in tones) else 1 if any(a > 0 for _, a in tones) else 0
            )
            spelled_bass = _plain_spelling(slash, direction)
        else:
            spelled_bass = tones[[i for i, _ in quality.degrees].index((slash - root) % 12)]
            if abs(spelled_bass[1]) >= 2:
                spelled_bass = _plain_spelling(slash, 1 if spelled_bass[1] > 0 else -1)
    accidentals = sum(abs(a) for _, a in tones) + abs(spelled_root[1])
    return _Reading(
        cost=round(cost, 3),
        root_pc=root,
        quality=quality,
        bass_pc=slash,
        foreign=foreign,
        root=spelled_root,
        bass=spelled_bass,
        tones=tuple(tones),
        accidentals=accidentals,
    )


@lru_cache(maxsize=8192)
def _ranked(pcs: frozenset[int], bass: int | None) -> tuple[_Reading, ...]:
    readings = [_reading(pcs, root, bass, False) for root in sorted(pcs)]
    if bass is not None and len(pcs) >= 4:
        for root in sorted(pcs - {bass}):
            foreign = _reading(pcs, root, bass, True)
            full = read_quality(_mask(pcs, root))
            # F/G (G is F's 9th) but not D/C♯ (C♯ is D's major seventh: Dmaj7/C♯)
            if foreign.quality.simple and (bass - root) % 12 not in full.chord_tones:
                readings.append(foreign)
    readings.sort(
        key=lambda r: (r.cost, r.bass_pc is not None, r.accidentals, r.foreign, r.root_pc)
    )
    return tuple(readings)


# ---- public API -------------------------------------------------------------------------------
def _note_of(value: NoteLike) -> tuple[int, int, _Spelling | None]:
    """(sounding semitone, pitch class, spelling or None) of one input note."""
    if isinstance(value, Note):
        note = value
    elif isinstance(value, str):
        note = Note.parse(value.strip())
    else:
        if isinstance(value, bool):
            raise TypeError("a note id must be an int, not bool")
        ident = operator.index(value)
        if ident < 0:
            raise ValueError(f"note id {ident} is negative")
        return ident, ident % 12, None
    spelling = (_LETTERS.index(LETTER[note.pitch]), ACCIDENTAL[note.pitch])
    return note.semitone, note.pitch_class, spelling


def _inputs(
    notes: Sequence[NoteLike] | None,
    pitch_classes: Iterable[int] | None,
    bass: int | str | Note | None,
) -> tuple[frozenset[int], int | None, dict[int, _Spelling]]:
    pcs: set[int] = set()
    hints: dict[int, _Spelling] = {}
    lowest: tuple[int, int] | None = None
    for value in () if notes is None else notes:
        semitone, pc, spelling = _note_of(value)
        pcs.add(pc)
        if spelling is not None and abs(spelling[1]) <= 1:  # B𝄫 is named A
            hints.setdefault(pc, spelling)
        if lowest is None or semitone < lowest[0]:
            lowest = (semitone, pc)
    for pc in () if pitch_classes is None else pitch_classes:
        if isinstance(pc, bool):
            raise TypeError("a pitch class must be an int, not bool")
        pcs.add(operator.index(pc) % 12)
    if bass is None:
        bass_pc = lowest[1] if lowest is not None else None
    elif isinstance(bass, (str, Note)):
        _, bass_pc, spelling = _note_of(bass)
        if spelling is not None and abs(spelling[1]) <= 1:
            hints[bass_pc] = spelling
    else:
        if isinstance(bass, bool):
            raise TypeError("a bass must be a pitch class, not bool")
        bass_pc = operator.index(bass) % 12
    if bass_pc is not None:
        pcs.add(bass_pc)
    return frozenset(pcs), bass_pc, hints


def _describe(reading: _Reading) -> str:
    text = reading.quality.description
    if reading.bass_pc is None:
        return text
    bass = _text(reading.bass)
    if reading.foreign:
        return f"{text} over {bass}"
    interval = (reading.bass_pc - reading.root_pc) % 12
    degree = reading.quality.degree_of(interval)
    if interval in reading.quality.chord_tones:
        word = {2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th"}[degree]
        return f"{text}, {word} ({bass}) in the bass"
    tension = {2: "9th", 4: "11th", 6: "13th", 7: "7th"}[degree]
    return f"{text}, {tension} ({bass}) in the bass"


def _chord(reading: _Reading, pcs: frozenset[int], hints: dict[int, _Spelling]) -> LeadSheetChord:
    root = hints.get(reading.root_pc, reading.root)
    tones = reading.tones
    if root != reading.root:
        tones = tuple(_spell_tones(root, reading.root_pc, reading.quality))
    bass = None
    if reading.bass_pc is not None:
        bass = hints.get(reading.bass_pc, reading.bass)
        if bass == reading.bass and not reading.foreign and root != reading.root:
            index = [i for i, _ in reading.quality.degrees].index(
                (reading.bass_pc - reading.root_pc) % 12
            )
            bass = tones[index]
            if abs(bass[1]) >= 2:
                bass = _plain_spelling(reading.bass_pc, 1 if bass[1] > 0 else -1)
    root_text, bass_text = _text(root), _text(bass) if bass is not None else None
    name = root_text + reading.quality.suffix + (f"/{bass_text}" if bass_text else "")
    return LeadSheetChord(
        name=name,
        root=root_text,
        quality=reading.quality.suffix,
        bass=bass_text,
        root_pc=reading.root_pc,
        bass_pc=reading.bass_pc,
        pitch_classes=tuple(sorted(pcs)),
        tones=tuple(_text(t) for t in tones),
        description=_describe(reading),
        cost=reading.cost,
    )


def lead_sheet_chords(
    notes: Sequence[NoteLike] | None = None,
    pitch_classes: Iterable[int] | None = None,
    bass: int | str | Note | None = None,
    *,
    limit: int | None = 8,
) -> list[LeadSheetChord]:
    """Lead-sheet readings of the notes, best first, one per name (see the module docstring).

    `notes`: note ids (C4 = 48) or spelled notes; `pitch_classes`: extra pitch classes (C = 0);
    `bass`: pitch class of the bass (default: the lowest note; None with pitch classes only:
    root-position names).  Empty input gives [].  Bad notes raise ParseError (text) or
    TypeError/ValueError (numbers).
    """
    pcs, bass_pc, hints = _inputs(notes, pitch_classes, bass)
    if not pcs:
        return []
    out: list[LeadSheetChord] = []
    seen: set[str] = set()
    for reading in _ranked(pcs, bass_pc):
        chord = _chord(reading, pcs, hints)
        if chord.name not in seen:
            seen.add(chord.name)
            out.append(chord)
            if limit is not None and len(out) >= limit:
                break
    return out


def lead_sheet_names(
    notes: Sequence[NoteLike] | None = None,
    pitch_classes: Iterable[int] | None = None,
    bass: int | str | Note | None = None,
    *,
    limit: int | None = 8,
) -> list[str]:
    """Ranked lead-sheet names for the notes (best first, no duplicates; [] when empty)."""
    return [c.name for c in lead_sheet_chords(notes, pitch_classes, bass, limit=limit)]


def lead_sheet_name(
    notes: Sequence[NoteLike] | None = None,
    pitch_classes: Iterable[int] | None = None,
    bass: int | str | Note | None = None,
) -> str | None:
    """The lead-sheet name of the notes ("C/E", "G+", "Am7"), or None when there are none.

    Same inputs as lead_sheet_chords: `notes` are note ids (12·octave + pitch class, C4 = 48)
    or spelled notes, `pitch_classes` C = 0, `bass` a pitch class (default: the lowest note).
    """
    chords = lead_sheet_chords(notes, pitch_classes, bass, limit=1)
    return chords[0].name if chords else None


def lead_sheet_name_of_chord(chord) -> str:
    """The lead-sheet name of a kord `Chord`'s tones, keeping its root's spelling.

    Chord.parse("Cm7b5").name is kord's "Cm7(♭5)"; this gives "Cø7".  Chord.parse("C^1")
    (first inversion) gives "C/E", Chord.parse("Am7^1") gives "C6".
    """
    return lead_sheet_name(chord.notes()) or chord.name


def chord_display_name(chord, style: NamingStyle = "kord") -> str:
    """The first line of a kord `Chord`'s describe block in `style`.

    "kord": kord's precise name ("Cm7(♭5)", "C@3^1"); "lead-sheet": lead_sheet_name_of_chord.
    """
    if check_naming_style(style) == "kord":
        return chord.precise_name
    return lead_sheet_name_of_chord(chord)


def format_chord_block(chord, style: NamingStyle = "kord") -> str:
    """chord.format_verbose() (kord's describe block) with its name line in `style`."""
    text = chord.format_verbose()
    if check_naming_style(style) == "kord":
        return text
    _, _, rest = text.partition("\n")
    return chord_display_name(chord, style) + "\n" + rest

"""The 49 named pitches on the line of fifths (F♭𝄫 … B♯𝄪), their spelling, pitch class and sound.

A named pitch is an int index 0..48; letters cycle F C G D A E B and every 7 steps add a sharp.
Index 22 is C natural.  Tables here are plain tuples so the hot paths (guess) stay cheap.
"""

from __future__ import annotations

from enum import IntEnum

from kord_engine.errors import ParseError

LETTERS_BY_FIFTHS = "FCGDAEB"
LETTER_ORDER = {"C": 0, "D": 1, "E": 2, "F": 3, "G": 4, "A": 5, "B": 6}
NATURAL_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
ACCIDENTAL_TEXT = {-3: "♭𝄫", -2: "𝄫", -1: "♭", 0: "", 1: "♯", 2: "𝄪", 3: "♯𝄪"}
_ACCIDENTAL_WORD = {-3: "TripleFlat", -2: "DoubleFlat", -1: "Flat", 0: "", 1: "Sharp"}
_ACCIDENTAL_WORD.update({2: "DoubleSharp", 3: "TripleSharp"})

#: kord's octave-0 frequencies per pitch class (2 decimals, so A4 = 440, C4 = 261.6).
BASE_FREQUENCIES = (
    16.35,
    17.32,
    18.35,
    19.45,
    20.60,
    21.83,
    23.12,
    24.50,
    25.96,
    27.50,
    29.14,
    30.87,
)
#: kord names a bare pitch class with flats.
PITCH_CLASS_NAMES = ("C", "D♭", "D", "E♭", "E", "F", "G♭", "G", "A♭", "A", "B♭", "B")

PITCH_COUNT = 49
C_NATURAL = 22

LETTER = tuple(LETTERS_BY_FIFTHS[i % 7] for i in range(PITCH_COUNT))
ACCIDENTAL = tuple(i // 7 - 3 for i in range(PITCH_COUNT))
PITCH_NAME = tuple(LETTER[i] + ACCIDENTAL_TEXT[ACCIDENTAL[i]] for i in range(PITCH_COUNT))
#: semitones above the written octave's C (−3..14): C♭ = −1 sounds in the octave below.
SOUNDING_OFFSET = tuple(NATURAL_PITCH_CLASS[LETTER[i]] + ACCIDENTAL[i] for i in range(PITCH_COUNT))
PITCH_CLASS = tuple(o % 12 for o in SOUNDING_OFFSET)
LETTER_INDEX = tuple(LETTER_ORDER[LETTER[i]] for i in range(PITCH_COUNT))

_ASCII = str.maketrans({"♯": "#", "♭": "b", "𝄪": "##", "𝄫": "bb", "°": "dim"})


def ascii_name(text: str) -> str:
    """kord's name_ascii: ♯→#, ♭→b, 𝄪→##, 𝄫→bb, °→dim."""
    return text.translate(_ASCII)


class _PitchBase(IntEnum):
    @property
    def letter(self) -> str:
        return LETTER[self]

    @property
    def accidental(self) -> int:
        """−3 (♭𝄫) .. +3 (♯𝄪)."""
        return ACCIDENTAL[self]

    @property
    def text(self) -> str:
        """Rendered spelling, e.g. "C♯", "B𝄫"."""
        return PITCH_NAME[self]

    @property
    def pitch_class(self) -> int:
        return PITCH_CLASS[self]

    @property
    def name_ascii(self) -> str:
        return ascii_name(PITCH_NAME[self])


NamedPitch = _PitchBase(
    "NamedPitch",
    [(LETTER[i] + _ACCIDENTAL_WORD[ACCIDENTAL[i]], i) for i in range(PITCH_COUNT)],
    module=__name__,
)
NamedPitch.__doc__ = "One of the 49 spellings, valued by its index on the line of fifths."


def pitch_index(letter: str, accidental: int) -> int:
    """Index on the line of fifths of a letter with −3..3 accidentals."""
    return LETTERS_BY_FIFTHS.index(letter) + 7 * (accidental + 3)


#: flat-preferring spelling of each pitch class (kord's default named pitch)
DEFAULT_PITCH = tuple(
    pitch_index(name[0], -1 if len(name) > 1 else 0) for name in PITCH_CLASS_NAMES
)

_SHARPS = {"#": 1, "♯": 1, "𝄪": 2}
_FLATS = {"b": -1, "♭": -1, "𝄫": -2}
#: single and double accidentals as typed, plus the triple spellings kord renders (♯𝄪, ♭𝄫)
_ACCEPTED = ("#", "♯", "b", "♭", "##", "bb", "𝄪", "𝄫", "♯𝄪", "♭𝄫")
STANDARD_MESSAGE = "Please use fairly standard notes (e.g., don't use triple sharps / flats)."


def read_pitch(text: str, pos: int, what: str = "note") -> tuple[int, int]:
    """Read `letter accidental{0,2}` at `pos` (kord's note_atomic); return (pitch index, new pos).

    Accidentals are `#` `♯` `b` `♭` (and the single-character doubles `𝄪` `𝄫`, and kord's
    rendered triples `♯𝄪` `♭𝄫`); never mixed or typed triples (`C#b`, `C♯♯`, `C###` are
    refused with kord's "fairly standard notes" message).
    """
    if pos >= len(text) or text[pos] not in LETTER_ORDER:
        found = repr(text[pos]) if pos < len(text) else "the end"
        raise ParseError(f"expected a {what} letter A-G, found {found}", text, pos)
    letter = text[pos]
    end = pos + 1
    marks = ""
    while end < len(text) and len(marks) < 2 and (text[end] in _SHARPS or text[end] in _FLATS):
        marks += text[end]
        end += 1
    if not marks:
        return pitch_index(letter, 0), end
    if len(marks) == 2 and end < len(text) and (text[end] in _SHARPS or text[end] in _FLATS):
        raise ParseError(STANDARD_MESSAGE, text, end)
    if marks in _ACCEPTED:
        value = sum(_SHARPS.get(m, 0) + _FLATS.get(m, 0) for m in marks)
        return pitch_index(letter, value), end
    raise ParseError(STANDARD_MESSAGE, text, pos + 1)

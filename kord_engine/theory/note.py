"""Notes: a named pitch at a written octave (0..15), with kord's frequency, MIDI and id rules.

Equality is by (spelling, octave); ordering is by sounding pitch, so C♯4 ≠ D♭4 yet neither
sorts before the other, and B♯4 sorts with C5 (its frequency).
"""

from __future__ import annotations

from collections.abc import Iterable

from kord_engine.errors import ParseError
from kord_engine.theory.errors import TheoryError
from kord_engine.theory.interval import Interval
from kord_engine.theory.pitch import (
    BASE_FREQUENCIES,
    DEFAULT_PITCH,
    LETTER_INDEX,
    PITCH_CLASS,
    PITCH_COUNT,
    PITCH_NAME,
    SOUNDING_OFFSET,
    NamedPitch,
    ascii_name,
    read_pitch,
)

MIN_OCTAVE, MAX_OCTAVE, DEFAULT_OCTAVE = 0, 15, 4
_PITCHES: tuple[NamedPitch, ...] = tuple(NamedPitch)

_HARMONICS = [
    "PerfectOctave",
    "PerfectOctaveAndPerfectFifth",
    "TwoPerfectOctaves",
    "TwoPerfectOctavesAndMajorThird",
    "TwoPerfectOctavesAndPerfectFifth",
    "TwoPerfectOctavesAndMinorSeventh",
    "ThreePerfectOctavesAndMajorSecond",
    "ThreePerfectOctavesAndMajorThird",
    "ThreePerfectOctavesAndAugmentedFourth",
    "ThreePerfectOctavesAndPerfectFifth",
    "ThreePerfectOctavesAndMinorSixth",
    "ThreePerfectOctavesAndMinorSeventh",
    "ThreePerfectOctavesAndMajorSeventh",
]


def check_octave(octave: int, what: str = "octave") -> int:
    if not MIN_OCTAVE <= octave <= MAX_OCTAVE:
        raise TheoryError(f"{what} {octave} is outside {MIN_OCTAVE}..{MAX_OCTAVE}")
    return octave


class Note:
    """A spelled note, e.g. `Note.parse("C#4")`; immutable and hashable."""

    __slots__ = ("pitch", "octave", "semitone")

    def __init__(self, pitch: int | NamedPitch, octave: int = DEFAULT_OCTAVE):
        if not 0 <= pitch < PITCH_COUNT:
            raise TheoryError(f"named pitch index {int(pitch)} is outside 0..48")
        if not MIN_OCTAVE <= octave <= MAX_OCTAVE:
            check_octave(int(octave))
        object.__setattr__(self, "pitch", _PITCHES[pitch])
        object.__setattr__(self, "octave", int(octave))
        #: sounding semitone above C0 (C♭4 = 47 = B3); frequency order is the order of this
        object.__setattr__(self, "semitone", 12 * self.octave + SOUNDING_OFFSET[self.pitch])

    def __setattr__(self, key, value):  # pragma: no cover - immutability guard
        raise AttributeError("Note is immutable")

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Note:
        """`letter accidental{0,2} octave?` with `#`/`♯`/`b`/`♭` (or `𝄪`/`𝄫`); octave 0..15, default 4.

        Unlike kord, trailing text is an error (kord reads `C11` as C1 and `Dbbb` as D𝄫4).
        """
        if not isinstance(text, str):
            raise ParseError(f"a note must be text, not {type(text).__name__}")
        pitch, pos = read_pitch(text, 0)
        digits_end = pos
        while digits_end < len(text) and text[digits_end] in "0123456789":
            digits_end += 1
        if digits_end < len(text):
            raise ParseError(f"unexpected {text[digits_end]!r} in note", text, digits_end)
        if digits_end == pos:
            return cls(pitch, DEFAULT_OCTAVE)
        digits = text[pos:digits_end]
        if len(digits) > 2 or int(digits) > MAX_OCTAVE or (len(digits) > 1 and digits[0] == "0"):
            shown = digits if len(digits) <= 6 else digits[:6] + "…"
            raise ParseError(f"octave {shown} is not 0..15", text, pos)
        return cls(pitch, int(digits))

    @classmethod
    def from_pitch_class(cls, pitch_class: int, octave: int = DEFAULT_OCTAVE) -> Note:
        """The flat-preferring spelling of a pitch class (kord's default), at `octave`."""
        return cls(DEFAULT_PITCH[pitch_class % 12], octave)

    @classmethod
    def from_id_index(cls, index: int) -> Note:
        """Note id index = 12·octave + pitch class (C4 = 48), flat spelling."""
        if index < 0:
            raise TheoryError(f"note id {index} is negative")
        return cls.from_pitch_class(index % 12, index // 12)

    @classmethod
    def from_midi(cls, midi: int) -> Note:
        """MIDI 60 = C4; kord refuses MIDI numbers below 12 (octave −1)."""
        if midi < 12:
            raise TheoryError(f"MIDI note {midi} is below C0 (12)")
        return cls.from_pitch_class(midi % 12, midi // 12 - 1)

    @classmethod
    def from_id(cls, bit: int) -> Note:
        """The note whose id is the single bit `bit` (an int with one bit set)."""
        if bit <= 0 or bit & (bit - 1):
            raise TheoryError("a note id has exactly one bit set")
        return cls.from_id_index(bit.bit_length() - 1)

    @classmethod
    def from_id_mask(cls, mask: int) -> list[Note]:
        """Flat-spelled notes of every set bit, ascending."""
        out, index = [], 0
        while mask:
            if mask & 1:
                out.append(cls.from_id_index(index))
            mask >>= 1
            index += 1
        return out

    @staticmethod
    def id_mask(notes: Iterable[Note]) -> int:
        mask = 0
        for note in notes:
            mask |= note.id
        return mask

    # ---- properties ---------------------------------------------------------------------
    @property
    def pitch_name(self) -> str:
        return PITCH_NAME[self.pitch]

    @property
    def name(self) -> str:
        return f"{PITCH_NAME[self.pitch]}{self.octave}"

    @property
    def name_ascii(self) -> str:
        return ascii_name(self.name)

    @property
    def pitch_class(self) -> int:
        return PITCH_CLASS[self.pitch]

    @property
    def frequency(self) -> float:
        """kord's table × 2^octave, with B♯-like spellings an octave up and C♭-like ones down."""
        return BASE_FREQUENCIES[self.semitone % 12] * 2.0 ** (self.semitone // 12)

    @property
    def midi(self) -> int:
        """Sounding MIDI number (C♭4 = 59)."""
        return self.semitone + 12

    @property
    def id_index(self) -> int:
        """kord's note id: 12·written octave + pitch class (no enharmonic octave correction)."""
        return 12 * self.octave + PITCH_CLASS[self.pitch]

    @property
    def id(self) -> int:
        return 1 << self.id_index

    def to_universal(self) -> Note:
        """Respell with the default (flat) name, keeping the written octave: F♯5 → G♭5."""
        return Note(DEFAULT_PITCH[self.pitch_class], self.octave)

    def with_octave(self, octave: int) -> Note:
        return Note(self.pitch, octave)

    def primary_harmonic_series(self) -> list[Note]:
        return [self + Interval[name] for name in _HARMONICS]

    # ---- arithmetic ---------------------------------------------------------------------
    def __add__(self, interval: Interval) -> Note:
        if not isinstance(interval, Interval):
            return NotImplemented
        pitch = self.pitch + interval.fifths
        if not 0 <= pitch < PITCH_COUNT:
            raise TheoryError(f"{self.name} + {interval.short} needs more than a triple accidental")
        octave = self.octave + (LETTER_INDEX[self.pitch] + interval.steps) // 7
        return Note(pitch, check_octave(octave, f"{self.name} + {interval.short}: octave"))

    def __sub__(self, other):
        if isinstance(other, Interval):
            pitch = self.pitch - other.fifths
            if not 0 <= pitch < PITCH_COUNT:
                raise TheoryError(
                    f"{self.name} - {other.short} needs more than a triple accidental"
                )
            octave = self.octave + (LETTER_INDEX[self.pitch] - other.steps) // 7
            return Note(pitch, check_octave(octave, f"{self.name} - {other.short}: octave"))
        if isinstance(other, Note):
            return self.distance_to(other)
        return NotImplemented

    def distance_to(self, other: Note) -> Interval:
        """The first interval (kord's enum order) that spells the lower note up to the higher."""
        low, high = (self, other) if self.semitone <= other.semitone else (other, self)
        for interval in Interval:
            try:
                if low + interval == high:
                    return interval
            except TheoryError:
                continue
        raise TheoryError(f"no kord interval spells {low.name} to {high.name}")

    # ---- comparison ---------------------------------------------------------------------
    def __eq__(self, other) -> bool:
        if not isinstance(other, Note):
            return NotImplemented
        return self.pitch == other.pitch and self.octave == other.octave

    def __hash__(self) -> int:
        return hash((int(self.pitch), self.octave))

    def __lt__(self, other: Note) -> bool:
        return self.semitone < other.semitone

    def __le__(self, other: Note) -> bool:
        return self.semitone <= other.semitone

    def __gt__(self, other: Note) -> bool:
        return self.semitone > other.semitone

    def __ge__(self, other: Note) -> bool:
        return self.semitone >= other.semitone

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Note({self.name!r})"

    def __reduce__(self):
        return (Note, (int(self.pitch), self.octave))


def parse_notes(texts: Iterable[str | Note]) -> list[Note]:
    """Notes from a mix of Note objects and note text."""
    return [t if isinstance(t, Note) else Note.parse(t) for t in texts]

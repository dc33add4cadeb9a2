"""Chord modifiers and extensions (kord's two sets), with their static names and tone intervals."""

from __future__ import annotations

from enum import Enum

from kord_engine.theory.interval import Interval


class Modifier(Enum):
    """kord's chord modifiers; `Dominant(d)` is one member per degree. Value = static name."""

    Minor = "m"
    Flat5 = "♭5"
    Augmented5 = "+"
    Major7 = "maj7"
    Dominant7 = "7"
    Dominant9 = "9"
    Dominant11 = "11"
    Dominant13 = "13"
    Flat9 = "♭9"
    Sharp9 = "♯9"
    Sharp11 = "♯11"
    Flat13 = "♭13"
    Diminished = "°"

    __hash__ = object.__hash__  # members are singletons; Enum's name hash is slow in set tests

    def __init__(self, value: str):
        #: 7/9/11/13 for a Dominant member, else None
        self.degree = int(value) if value.isdigit() else None

    @property
    def static_name(self) -> str:
        return self.value

    @property
    def order(self) -> int:
        return _MODIFIER_ORDER[self]

    @classmethod
    def dominant(cls, degree: int) -> Modifier:
        try:
            return DOMINANTS[degree]
        except KeyError:
            raise ValueError(f"dominant degree must be 7, 9, 11 or 13, not {degree}") from None


class Extension(Enum):
    """kord's chord extensions. Value = static name (rendered in parentheses)."""

    Sus2 = "sus2"
    Sus4 = "sus4"
    Flat11 = "♭11"
    Sharp13 = "♯13"
    Add2 = "add2"
    Add4 = "add4"
    Add6 = "add6"
    Add9 = "add9"
    Add11 = "add11"
    Add13 = "add13"

    __hash__ = object.__hash__

    @property
    def static_name(self) -> str:
        return self.value

    @property
    def order(self) -> int:
        return _EXTENSION_ORDER[self]

    @property
    def interval(self) -> Interval:
        return EXTENSION_INTERVAL[self]


ALL_MODIFIERS: tuple[Modifier, ...] = tuple(Modifier)
ALL_EXTENSIONS: tuple[Extension, ...] = tuple(Extension)
_MODIFIER_ORDER = {m: i for i, m in enumerate(Modifier)}
_EXTENSION_ORDER = {e: i for i, e in enumerate(Extension)}
DOMINANTS = {
    7: Modifier.Dominant7,
    9: Modifier.Dominant9,
    11: Modifier.Dominant11,
    13: Modifier.Dominant13,
}
DEGREE_NAMES = {7: "Seven", 9: "Nine", 11: "Eleven", 13: "Thirteen"}

#: tones a dominant degree adds on top of the KnownChord's own intervals
DOMINANT_ADDS = {
    7: (),
    9: (Interval.MajorNinth,),
    11: (Interval.MajorNinth, Interval.PerfectEleventh),
    13: (Interval.MajorNinth, Interval.PerfectEleventh, Interval.MajorThirteenth),
}
#: extensions that spell out what a hidden dominant degree adds (see chord naming)
DOMINANT_IMPLIED = {
    7: (),
    9: (Extension.Add9,),
    11: (Extension.Add9, Extension.Add11),
    13: (Extension.Add9, Extension.Add11, Extension.Add13),
}
MODIFIER_APPENDS = {
    Modifier.Flat9: Interval.MinorNinth,
    Modifier.Sharp9: Interval.AugmentedNinth,
    Modifier.Sharp11: Interval.AugmentedEleventh,
    Modifier.Flat13: Interval.MinorThirteenth,
}
EXTENSION_INTERVAL = {
    Extension.Sus2: Interval.MajorSecond,
    Extension.Sus4: Interval.PerfectFourth,
    Extension.Flat11: Interval.DiminishedEleventh,
    Extension.Sharp13: Interval.AugmentedThirteenth,
    Extension.Add2: Interval.MajorSecond,
    Extension.Add4: Interval.PerfectFourth,
    Extension.Add6: Interval.MajorSixth,
    Extension.Add9: Interval.MajorNinth,
    Extension.Add11: Interval.PerfectEleventh,
    Extension.Add13: Interval.MajorThirteenth,
}

#: rendering order of modifier suffixes after the KnownChord suffix (kord's fixed order)
MODIFIER_SUFFIXES = (
    (Modifier.Flat5, "(♭5)"),
    (Modifier.Augmented5, "(♯5)"),
    (Modifier.Flat9, "(♭9)"),
    (Modifier.Sharp9, "(♯9)"),
    (Modifier.Sharp11, "(♯11)"),
    (Modifier.Flat13, "(♭13)"),
)

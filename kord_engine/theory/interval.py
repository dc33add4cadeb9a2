"""kord's 48 intervals, in kord's enum (and sort) order.

Each interval is a distance on the line of fifths plus a generic step count (letters moved,
0 = unison, 7 = octave); the step count is what keeps written octaves right for every
spelling (kord's own pitch-class rule puts the tones of C♭ chords an octave too high).
"""

from __future__ import annotations

from enum import Enum

_NATURAL_STEP_SEMITONES = (0, 2, 4, 5, 7, 9, 11)


def _semitones(fifths: int, steps: int) -> int:
    """Size in semitones: 7 per fifth, folded into the octave the step count says."""
    natural = 12 * (steps // 7) + _NATURAL_STEP_SEMITONES[steps % 7]
    return natural + ((7 * fifths - natural + 6) % 12) - 6


class Interval(Enum):
    """One of kord's 48 intervals: (short name, line-of-fifths distance, kord's octave add, steps).

    `.semitones` is the size; `.order` the enum position kord sorts chord tones by.
    """

    PerfectUnison = ("P1", 0, 0, 0)
    DiminishedSecond = ("d2", -12, 0, 1)
    AugmentedUnison = ("A1", 7, 0, 0)
    MinorSecond = ("m2", -5, 0, 1)
    MajorSecond = ("M2", 2, 0, 1)
    DiminishedThird = ("d3", -10, 0, 2)
    AugmentedSecond = ("A2", 9, 0, 1)
    MinorThird = ("m3", -3, 0, 2)
    MajorThird = ("M3", 4, 0, 2)
    DiminishedFourth = ("d4", -8, 0, 3)
    AugmentedThird = ("A3", 11, 0, 2)
    PerfectFourth = ("P4", -1, 0, 3)
    AugmentedFourth = ("A4", 6, 0, 3)
    DiminishedFifth = ("d5", -6, 0, 4)
    PerfectFifth = ("P5", 1, 0, 4)
    DiminishedSixth = ("d6", -11, 0, 5)
    AugmentedFifth = ("A5", 8, 0, 4)
    MinorSixth = ("m6", -4, 0, 5)
    MajorSixth = ("M6", 3, 0, 5)
    DiminishedSeventh = ("d7", -9, 0, 6)
    AugmentedSixth = ("A6", 10, 0, 5)
    MinorSeventh = ("m7", -2, 0, 6)
    MajorSeventh = ("M7", 5, 0, 6)
    DiminishedOctave = ("d8", -7, 0, 7)
    AugmentedSeventh = ("A7", 12, 1, 6)
    PerfectOctave = ("P8", 0, 1, 7)
    MinorNinth = ("m9", -5, 1, 8)
    MajorNinth = ("M9", 2, 1, 8)
    AugmentedNinth = ("A9", 9, 1, 8)
    DiminishedEleventh = ("d11", -8, 1, 10)
    PerfectEleventh = ("P11", -1, 1, 10)
    AugmentedEleventh = ("A11", 6, 1, 10)
    MinorThirteenth = ("m13", -4, 1, 12)
    MajorThirteenth = ("M13", 3, 1, 12)
    AugmentedThirteenth = ("A13", 10, 1, 12)
    PerfectOctaveAndPerfectFifth = ("P8+P5", 1, 1, 11)
    TwoPerfectOctaves = ("2P8", 0, 2, 14)
    TwoPerfectOctavesAndMajorThird = ("2P8+M3", 4, 2, 16)
    TwoPerfectOctavesAndPerfectFifth = ("2P8+P5", 1, 2, 18)
    TwoPerfectOctavesAndMinorSeventh = ("2P8+m7", -2, 2, 20)
    ThreePerfectOctaves = ("3P8", 0, 3, 21)
    ThreePerfectOctavesAndMajorSecond = ("3P8+M2", 2, 3, 22)
    ThreePerfectOctavesAndMajorThird = ("3P8+M3", 4, 3, 23)
    ThreePerfectOctavesAndAugmentedFourth = ("3P8+A4", 6, 3, 24)
    ThreePerfectOctavesAndPerfectFifth = ("3P8+P5", 1, 3, 25)
    ThreePerfectOctavesAndMinorSixth = ("3P8+m6", -4, 3, 26)
    ThreePerfectOctavesAndMinorSeventh = ("3P8+m7", -2, 3, 27)
    ThreePerfectOctavesAndMajorSeventh = ("3P8+M7", 5, 3, 27)

    __hash__ = object.__hash__  # members are singletons; Enum's name hash is slow in sets

    def __init__(self, short: str, fifths: int, octaves: int, steps: int):
        self.short = short
        self.fifths = fifths
        self.kord_octave = octaves
        self.steps = steps
        self.semitones = _semitones(fifths, steps)
        self.order = len(self.__class__._member_names_)

    def __lt__(self, other: Interval) -> bool:
        return self.order < other.order

    def __repr__(self) -> str:
        return f"Interval.{self.name}"


ALL_INTERVALS: tuple[Interval, ...] = tuple(Interval)
BY_SHORT = {iv.short: iv for iv in ALL_INTERVALS}

"""Scale and mode kinds: kord's static names, ASCII names, intervals and descriptions."""

from __future__ import annotations

from enum import Enum

from kord_engine.theory.interval import BY_SHORT, Interval


def _ivs(shorts: str) -> tuple[Interval, ...]:
    return tuple(BY_SHORT[s] for s in shorts.split())


class ScaleKind(Enum):
    """(static name, ascii name, intervals, description)."""

    Major = ("major", "major", "P1 M2 M3 P4 P5 M6 M7", "major scale, ionian mode parent")
    NaturalMinor = (
        "natural minor",
        "natural minor",
        "P1 M2 m3 P4 P5 m6 m7",
        "natural minor scale, aeolian mode parent",
    )
    HarmonicMinor = (
        "harmonic minor",
        "harmonic minor",
        "P1 M2 m3 P4 P5 m6 M7",
        "harmonic minor scale, raised seventh degree",
    )
    MelodicMinor = (
        "melodic minor",
        "melodic minor",
        "P1 M2 m3 P4 P5 M6 M7",
        "melodic minor scale, raised sixth and seventh degrees",
    )
    WholeTone = (
        "whole tone",
        "whole tone",
        "P1 M2 M3 A4 A5 A6",
        "whole tone scale, all whole steps",
    )
    Chromatic = (
        "chromatic",
        "chromatic",
        "P1 m2 M2 m3 M3 P4 A4 P5 m6 M6 m7 M7",
        "chromatic scale, all twelve semitones",
    )
    DiminishedWholeHalf = (
        "diminished (whole-half)",
        "diminished whole-half",
        "P1 M2 m3 P4 d5 m6 d7 M7",
        "diminished scale, whole-half (W-H) pattern, fully diminished 7th chord parent",
    )
    DiminishedHalfWhole = (
        "diminished (half-whole)",
        "diminished half-whole",
        "P1 m2 m3 M3 A4 P5 M6 m7",
        "diminished scale, half-whole (H-W) pattern, dominant 7♭9 (flat 9) chord parent",
    )
    MajorPentatonic = (
        "major pentatonic",
        "major pentatonic",
        "P1 M2 M3 P5 M6",
        "major pentatonic scale, five-note major scale without 4th and 7th",
    )
    MinorPentatonic = (
        "minor pentatonic",
        "minor pentatonic",
        "P1 m3 P4 P5 m7",
        "minor pentatonic scale, five-note minor scale without 2nd and 6th",
    )
    Blues = (
        "blues",
        "blues",
        "P1 m3 P4 A4 P5 m7",
        "blues scale, minor pentatonic with added ♯4 (blue note)",
    )

    def __init__(self, static_name: str, ascii_name: str, intervals: str, description: str):
        self.static_name = static_name
        self.ascii_name = ascii_name
        self.intervals = _ivs(intervals)
        self.description = description


class ModeKind(Enum):
    """(static name, ascii name, parent scale, degree in parent, intervals, description)."""

    Ionian = ("ionian", "ionian", "Major", 1, "P1 M2 M3 P4 P5 M6 M7",
              "ionian, 1st mode of major scale, major scale")  # fmt: skip
    Dorian = ("dorian", "dorian", "Major", 2, "P1 M2 m3 P4 P5 M6 m7",
              "dorian, 2nd mode of major scale, minor with raised 6th")  # fmt: skip
    Phrygian = ("phrygian", "phrygian", "Major", 3, "P1 m2 m3 P4 P5 m6 m7",
                "phrygian, 3rd mode of major scale, minor with lowered 2nd")  # fmt: skip
    Lydian = ("lydian", "lydian", "Major", 4, "P1 M2 M3 A4 P5 M6 M7",
              "lydian, 4th mode of major scale, major with raised 4th")  # fmt: skip
    Mixolydian = ("mixolydian", "mixolydian", "Major", 5, "P1 M2 M3 P4 P5 M6 m7",
                  "mixolydian, 5th mode of major scale, major with lowered 7th")  # fmt: skip
    Aeolian = ("aeolian", "aeolian", "Major", 6, "P1 M2 m3 P4 P5 m6 m7",
               "aeolian, 6th mode of major scale, natural minor")  # fmt: skip
    Locrian = ("locrian", "locrian", "Major", 7, "P1 m2 m3 P4 d5 m6 m7",
               "locrian, 7th mode of major scale, diminished, half-diminished chord scale")  # fmt: skip
    LocrianNatural6 = ("locrian ♮6", "locrian nat6", "HarmonicMinor", 2, "P1 m2 m3 P4 d5 M6 m7",
                       "locrian ♮6, 2nd mode of harmonic minor, m7♭5(♮13) color")  # fmt: skip
    IonianSharp5 = ("ionian ♯5", "ionian #5", "HarmonicMinor", 3, "P1 M2 M3 P4 A5 M6 M7",
                    "ionian ♯5, 3rd mode of harmonic minor, augmented major")  # fmt: skip
    DorianSharp4 = ("dorian ♯4", "dorian #4", "HarmonicMinor", 4, "P1 M2 m3 A4 P5 M6 m7",
                    "dorian ♯4, 4th mode of harmonic minor, minor with lydian bite")  # fmt: skip
    PhrygianDominant = ("phrygian dominant", "phrygian dominant", "HarmonicMinor", 5,
                        "P1 m2 M3 P4 P5 m6 m7",
                        "phrygian dominant, 5th mode of harmonic minor, spanish phrygian")  # fmt: skip
    LydianSharp2 = ("lydian ♯2", "lydian #2", "HarmonicMinor", 6, "P1 A2 M3 A4 P5 M6 M7",
                    "lydian ♯2, 6th mode of harmonic minor, bright + exotic")  # fmt: skip
    Ultralocrian = ("ultralocrian", "ultralocrian", "HarmonicMinor", 7, "P1 m2 m3 d4 d5 m6 d7",
                    "ultralocrian, 7th mode of harmonic minor, very unstable/dark")  # fmt: skip
    # kord gives dorian ♭2 a major 7th (P1 m2 m3 P4 P5 M6 M7); the 2nd mode of melodic minor
    # (= phrygian ♮6) has a minor 7th: B dorian ♭2 is B C D E F♯ G♯ A.
    DorianFlat2 = ("dorian ♭2", "dorian b2", "MelodicMinor", 2, "P1 m2 m3 P4 P5 M6 m7",
                   "dorian ♭2, 2nd mode of melodic minor, phrygian ♮6, minor with spicy ♭2")  # fmt: skip
    LydianAugmented = ("lydian augmented", "lydian augmented", "MelodicMinor", 3,
                       "P1 M2 M3 A4 A5 M6 M7",
                       "lydian augmented, 3rd mode of melodic minor, lydian ♯5")  # fmt: skip
    LydianDominant = ("lydian dominant", "lydian dominant", "MelodicMinor", 4, "P1 M2 M3 A4 P5 M6 m7",
                      "lydian dominant, 4th mode of melodic minor, acoustic scale, "
                      "dominant with ♯11")  # fmt: skip
    MixolydianFlat6 = ("mixolydian ♭6", "mixolydian b6", "MelodicMinor", 5, "P1 M2 M3 P4 P5 m6 m7",
                       "mixolydian ♭6, 5th mode of melodic minor, aeolian dominant, "
                       "dominant with ♭13")  # fmt: skip
    LocrianNatural2 = ("locrian ♮2", "locrian nat2", "MelodicMinor", 6, "P1 M2 m3 P4 d5 m6 m7",
                       "locrian ♮2, 6th mode of melodic minor, half-diminished ♮2")  # fmt: skip
    Altered = ("altered", "altered", "MelodicMinor", 7, "P1 m2 m3 d4 d5 m6 m7",
               "altered, 7th mode of melodic minor, super locrian, V7alt scale")  # fmt: skip

    def __init__(self, static_name, ascii_name, parent, degree, intervals, description):
        self.static_name = static_name
        self.ascii_name = ascii_name
        self.parent_scale = ScaleKind[parent]
        self.parent_degree = degree
        self.intervals = _ivs(intervals)
        self.description = description

"""KnownChord: the chord quality kord derives from a modifier set, with its suffix, tones and scales."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from kord_engine.theory.candidates_data import CANDIDATES
from kord_engine.theory.interval import BY_SHORT, Interval
from kord_engine.theory.kinds import ModeKind, ScaleKind
from kord_engine.theory.modifiers import DEGREE_NAMES, Modifier


class KnownChordKind(Enum):
    """(suffix template with `{d}` = dominant degree, description, chord-tone intervals)."""

    Major = ("", "major", "P1 M3 P5")
    Minor = ("m", "minor", "P1 m3 P5")
    Major7 = ("maj7", "major 7", "P1 M3 P5 M7")
    Dominant = ("{d}", "dominant", "P1 M3 P5 m7")
    MinorMajor7 = ("m(maj7)", "minor major 7", "P1 m3 P5 M7")
    MinorDominant = ("m{d}", "minor 7", "P1 m3 P5 m7")
    DominantSharp11 = ("{d}(♯11)", "dominant sharp 11", "P1 M3 P5 m7 A11")
    Augmented = ("+", "augmented", "P1 M3 A5")
    AugmentedMajor7 = ("+(maj7)", "augmented major 7", "P1 M3 A5 M7")
    AugmentedDominant = ("+{d}", "augmented dominant", "P1 M3 A5 m7")
    HalfDiminished = ("m{d}(♭5)", "half diminished", "P1 m3 d5 m7")
    Diminished = ("dim", "diminished", "P1 m3 d5 d7")
    DominantFlat9 = ("{d}(♭9)", "dominant flat 9", "P1 M3 P5 m7 m9")
    DominantSharp9 = ("{d}(♯9)", "dominant sharp 9", "P1 M3 P5 m7 A9")
    AugmentedDominantFlat9 = ("+{d}(♭9)", "augmented dominant flat 9", "P1 M3 A5 m7 m9")
    MinorDominantFlat13 = ("m{d}(♭13)", "minor dominant flat 13", "P1 m3 P5 m7 m13")
    # kord renders this "{d}(♭9)(♭13)", dropping the minor: Em7b9b13 came out "E7(♭9)(♭13)".
    MinorDominantFlat9Flat13 = (
        "m{d}(♭9)(♭13)",
        "minor dominant flat 9 flat 13",
        "P1 m3 P5 m7 m9 m13",
    )
    Sharp11 = ("(♯11)", "sharp 11", "P1 M3 P5 M7 A11")

    def __init__(self, suffix: str, description: str, intervals: str):
        self.template = suffix
        self.description = description
        self.intervals = tuple(BY_SHORT[s] for s in intervals.split())

    @property
    def has_degree(self) -> bool:
        return "{d}" in self.template


@dataclass(frozen=True)
class ScaleCandidate:
    """One recommended scale or mode for a chord quality (rank 1 = the chord's scale)."""

    rank: int
    kind: ScaleKind | ModeKind
    reason: str

    @property
    def is_mode(self) -> bool:
        return isinstance(self.kind, ModeKind)

    @property
    def is_scale(self) -> bool:
        return isinstance(self.kind, ScaleKind)

    @property
    def type_name(self) -> str:
        return "mode" if self.is_mode else "scale"

    @property
    def name(self) -> str:
        return self.kind.static_name

    @property
    def description(self) -> str:
        return self.kind.description

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self.kind.intervals


def _candidates(kind: KnownChordKind) -> tuple[ScaleCandidate, ...]:
    out = []
    for rank, (type_name, kind_name, reason) in enumerate(CANDIDATES[kind.name], start=1):
        enum = ModeKind if type_name == "mode" else ScaleKind
        out.append(ScaleCandidate(rank, enum[kind_name], reason))
    return tuple(out)


_CANDIDATES = {kind: _candidates(kind) for kind in KnownChordKind}


@dataclass(frozen=True)
class KnownChord:
    """A chord quality, e.g. KnownChord(DominantFlat9, 7) → suffix "7(♭9)"."""

    kind: KnownChordKind
    degree: int | None = None

    @property
    def suffix(self) -> str:
        return self.kind.template.replace("{d}", str(self.degree or ""))

    @property
    def description(self) -> str:
        return self.kind.description

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self.kind.intervals

    @property
    def scale_candidates(self) -> tuple[ScaleCandidate, ...]:
        return _CANDIDATES[self.kind]

    @property
    def label(self) -> str:
        """kord's Debug form, e.g. "Dominant(Seven)" or "Major"."""
        if self.kind.has_degree:
            return f"{self.kind.name}({DEGREE_NAMES[self.degree or 7]})"
        return self.kind.name

    def __str__(self) -> str:
        return self.label


def dominant_degree(modifiers: Collection[Modifier]) -> int | None:
    """The (highest) dominant degree present; kord picks one at random when there are several."""
    degrees = [m.degree for m in modifiers if m.degree is not None]
    return max(degrees) if degrees else None


def resolve_known_chord(modifiers: Collection[Modifier]) -> KnownChord:
    """kord's KnownChord resolution order (known_chord.rs)."""
    K = KnownChordKind
    d = dominant_degree(modifiers)
    if Modifier.Diminished in modifiers:
        return KnownChord(K.Diminished)
    if Modifier.Minor in modifiers:
        if Modifier.Major7 in modifiers:
            return KnownChord(K.MinorMajor7)
        if d is not None:
            if Modifier.Flat5 in modifiers:
                return KnownChord(K.HalfDiminished, d)
            if Modifier.Flat13 in modifiers:
                if Modifier.Flat9 in modifiers:
                    return KnownChord(K.MinorDominantFlat9Flat13, d)
                return KnownChord(K.MinorDominantFlat13, d)
            return KnownChord(K.MinorDominant, d)
        return KnownChord(K.Minor)
    if Modifier.Augmented5 in modifiers:
        if Modifier.Major7 in modifiers:
            return KnownChord(K.AugmentedMajor7)
        if d is not None:
            if Modifier.Flat9 in modifiers:
                return KnownChord(K.AugmentedDominantFlat9, d)
            return KnownChord(K.AugmentedDominant, d)
        return KnownChord(K.Augmented)
    if Modifier.Major7 in modifiers:
        return KnownChord(K.Major7)
    if d is not None:
        if Modifier.Flat9 in modifiers:
            return KnownChord(K.DominantFlat9, d)
        if Modifier.Sharp9 in modifiers:
            return KnownChord(K.DominantSharp9, d)
        if Modifier.Sharp11 in modifiers:
            return KnownChord(K.DominantSharp11, d)
        return KnownChord(K.Dominant, d)
    if set(modifiers) == {Modifier.Sharp11}:
        return KnownChord(K.Sharp11)
    return KnownChord(K.Major)

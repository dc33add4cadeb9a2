"""Scales and modes: a root note plus a kind; kord's parsing rules for their names.

Scale names: the root (letter + up to two accidentals, no octave), any spaces, then a
case-insensitive name with kord's spacing rules ("natural minor" takes one space or none,
"diminished" needs at least one space before "whole-half").  Modes: the same root, then a
mode name where an accidental word or symbol (♯ # sharp, ♭ b flat, ♮ nat natural) needs a
space before it, e.g. "D dorian #4", "B locrian nat6", "G# super locrian".
"""

from __future__ import annotations

import re
from typing import Any

from kord_engine.errors import ParseError
from kord_engine.theory.kinds import ModeKind, ScaleKind
from kord_engine.theory.note import DEFAULT_OCTAVE, Note
from kord_engine.theory.pitch import read_pitch

_SHARP = r"(?:#|♯|sharp)"
_FLAT = r"(?:b|♭|flat)"
_NATURAL = r"(?:♮|natural|nat)"

_SCALE_PATTERNS = (
    (ScaleKind.Major, r"major"),
    (ScaleKind.NaturalMinor, r"natural ?minor"),
    (ScaleKind.HarmonicMinor, r"harmonic ?minor"),
    (ScaleKind.MelodicMinor, r"melodic ?minor"),
    (ScaleKind.MajorPentatonic, r"major ?pentatonic"),
    (ScaleKind.MinorPentatonic, r"minor ?pentatonic"),
    (ScaleKind.WholeTone, r"whole ?tone"),
    (ScaleKind.Chromatic, r"chromatic"),
    (ScaleKind.Blues, r"blues"),
    (ScaleKind.DiminishedWholeHalf, r"diminished +-?whole-?half"),
    (ScaleKind.DiminishedHalfWhole, r"diminished +-?half-?whole"),
)

_MODE_PATTERNS = (
    (ModeKind.LocrianNatural6, rf"locrian +{_NATURAL} *6"),
    (ModeKind.IonianSharp5, rf"(?:ionian|major) +{_SHARP} *5|ionian +augmented"),
    (ModeKind.DorianSharp4, rf"dorian +{_SHARP} *4"),
    (ModeKind.PhrygianDominant, r"phrygian +dominant|spanish +phrygian|phrygian +major"),
    (ModeKind.LydianSharp2, rf"lydian +{_SHARP} *2"),
    (ModeKind.Ultralocrian, r"ultra *locrian"),
    (ModeKind.DorianFlat2, rf"dorian +{_FLAT} *2|phrygian +{_NATURAL} *6"),
    (ModeKind.LydianAugmented, rf"lydian +augmented|lydian +{_SHARP} *5"),
    (
        ModeKind.LydianDominant,
        rf"lydian +dominant|lydian +{_FLAT} *7|mixolydian +{_SHARP} *4|acoustic(?: +scale)?",
    ),
    (ModeKind.MixolydianFlat6, rf"mixolydian +{_FLAT} *6|aeolian +dominant"),
    (ModeKind.LocrianNatural2, rf"locrian +(?:{_NATURAL}|{_SHARP}) *2"),
    (ModeKind.Altered, r"altered(?: +scale)?|super +locrian"),
    (ModeKind.Ionian, r"ionian"),
    (ModeKind.Dorian, r"dorian"),
    (ModeKind.Phrygian, r"phrygian"),
    (ModeKind.Lydian, r"lydian"),
    (ModeKind.Mixolydian, r"mixolydian"),
    (ModeKind.Aeolian, r"aeolian"),
    (ModeKind.Locrian, r"locrian"),
)


def _compile(patterns):
    return tuple((kind, re.compile(rf"(?:{p}) *", re.IGNORECASE)) for kind, p in patterns)


_SCALES = _compile(_SCALE_PATTERNS)
_MODES = _compile(_MODE_PATTERNS)


def _read_root(text: str, what: str) -> tuple[Note, int]:
    if not isinstance(text, str):
        raise ParseError(f"a {what} must be text, not {type(text).__name__}")
    pitch, pos = read_pitch(text, 0, f"{what} root")
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return Note(pitch, DEFAULT_OCTAVE), pos


def _match(text: str, what: str, table, names: str):
    root, pos = _read_root(text, what)
    for kind, pattern in table:
        if pattern.fullmatch(text, pos):
            return root, kind
    raise ParseError(f"expected a {what} name ({names})", text, pos)


class _RootedKind:
    """Shared behaviour of Scale and Mode: notes = root + each interval, in interval order."""

    __slots__ = ("root", "kind")
    kind_label = ""

    def __init__(self, root: str | Note, kind):
        self.root = root if isinstance(root, Note) else Note.parse(root)
        self.kind = kind

    @property
    def name(self) -> str:
        return f"{self.root.pitch_name} {self.kind.static_name}"

    @property
    def precise_name(self) -> str:
        return f"{self.root.name} {self.kind.static_name}"

    @property
    def description(self) -> str:
        return self.kind.description

    @property
    def intervals(self):
        return self.kind.intervals

    def notes(self) -> list[Note]:
        return [self.root + iv for iv in self.kind.intervals]

    def display(self) -> str:
        """kord's Display: name, description, pitch names (3 lines, no trailing newline)."""
        notes = ", ".join(n.pitch_name for n in self.notes())
        return f"{self.name}\n   {self.description}\n   {notes}"

    format_verbose = display

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind_label,
            "name": self.name,
            "precise_name": self.precise_name,
            "description": self.description,
            "notes": [n.name for n in self.notes()],
        }

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and (self.root, self.kind) == (other.root, other.kind)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.root, self.kind))

    def __str__(self) -> str:
        return self.precise_name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Scale(_RootedKind):
    """A scale, e.g. `Scale.parse("A harmonic minor")`."""

    kind_label = "scale"

    @classmethod
    def parse(cls, text: str) -> Scale:
        root, kind = _match(text, "scale", _SCALES, "major, natural minor, harmonic minor, …")
        return cls(root, kind)


class Mode(_RootedKind):
    """A mode, e.g. `Mode.parse("D dorian")`."""

    kind_label = "mode"

    @classmethod
    def parse(cls, text: str) -> Mode:
        root, kind = _match(text, "mode", _MODES, "ionian, dorian, …, lydian dominant, altered")
        return cls(root, kind)

"""Notation auto-detection (scale, then mode, then chord) and kord's `describe` text/JSON."""

from __future__ import annotations

from typing import Any

from kord_engine.errors import ParseError
from kord_engine.theory.chord import Chord
from kord_engine.theory.scales import Mode, Scale

KINDS = ("chord", "scale", "mode")
_PARSERS = {"scale": Scale.parse, "mode": Mode.parse, "chord": Chord.parse}


def parse_notation(text: str, kind: str | None = None) -> Chord | Scale | Mode:
    """Parse as `kind`, or try scale, mode and chord in turn (the chord's error if all fail)."""
    if kind is not None:
        if kind not in _PARSERS:
            raise ParseError(f"Unknown notation type '{kind}'. Use 'chord', 'scale', or 'mode'.")
        return _PARSERS[kind](text)
    for parser in (Scale.parse, Mode.parse):
        try:
            return parser(text)
        except ParseError:
            pass
    return Chord.parse(text)


def describe(text: str, kind: str | None = None) -> str:
    """Exactly what `kord describe` prints: the verbose block plus println's newline."""
    return parse_notation(text, kind).format_verbose() + "\n"


def describe_json(text: str, kind: str | None = None) -> dict[str, Any]:
    """Chord: Chord.to_json(); scale/mode: {kind, name, precise_name, description, notes}."""
    return parse_notation(text, kind).to_json()

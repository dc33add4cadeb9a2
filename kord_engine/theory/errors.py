"""Errors of the theory engine that are not parse errors (arithmetic leaving the note range)."""

from __future__ import annotations

from kord_engine.errors import KordError, ParseError

__all__ = ["ParseError", "TheoryError"]


class TheoryError(KordError, ValueError):
    """Music arithmetic that leaves what kord can name (octave outside 0..15, spelling beyond ♯𝄪/♭𝄫)."""

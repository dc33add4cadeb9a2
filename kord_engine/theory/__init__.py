"""kord's music theory: notes, intervals, chords, scales, modes, describe and guess."""

from kord_engine.errors import ParseError
from kord_engine.theory.chord import Chord
from kord_engine.theory.errors import TheoryError
from kord_engine.theory.guess import guess, guess_pitch_classes
from kord_engine.theory.guess import prepare as prepare_guess
from kord_engine.theory.interval import Interval
from kord_engine.theory.kinds import ModeKind, ScaleKind
from kord_engine.theory.known_chord import KnownChord, KnownChordKind, ScaleCandidate
from kord_engine.theory.modifiers import Extension, Modifier
from kord_engine.theory.notation import describe, describe_json, parse_notation
from kord_engine.theory.note import Note
from kord_engine.theory.pitch import NamedPitch
from kord_engine.theory.scales import Mode, Scale

__all__ = [
    "Chord",
    "Extension",
    "Interval",
    "KnownChord",
    "KnownChordKind",
    "Mode",
    "ModeKind",
    "Modifier",
    "NamedPitch",
    "Note",
    "ParseError",
    "Scale",
    "ScaleCandidate",
    "ScaleKind",
    "TheoryError",
    "describe",
    "describe_json",
    "guess",
    "guess_pitch_classes",
    "parse_notation",
    "prepare_guess",
]

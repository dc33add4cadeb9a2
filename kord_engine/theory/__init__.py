"""kord's music theory: notes, intervals, chords, scales, modes, describe and guess.

    Note.parse("C#4"), Note.from_midi(60), Note.from_id_index(48); note + Interval.MajorThird
    Chord.parse("Cm7b5") / Chord("C").minor().seven().flat5(): .name, .precise_name,
        .notes(), .scale(), .scale_candidates(), .display(), .format_verbose(), .to_json()
    Scale.parse("A harmonic minor"), Mode.parse("D dorian"); parse_notation(text, kind=None)
    describe(text, kind=None) -> kord's CLI text; describe_json(text, kind=None) -> dict
    guess(["C", "E", "G"]) -> [Chord]; guess_pitch_classes({0, 4, 7}, bass=4, limit=8)
    prepare_guess(): build guess's index now (~0.3 s) rather than on the first guess

Bad text raises ParseError (with the position); arithmetic past octave 15 or a triple
accidental raises TheoryError.  Both are KordError.
"""

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

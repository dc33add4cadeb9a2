"""kord's music theory: notes, intervals, chords, scales, modes, describe and guess.

    Note.parse("C#4"), Note.from_midi(60), Note.from_id_index(48); note + Interval.MajorThird
    Chord.parse("Cm7b5") / Chord("C").minor().seven().flat5(): .name, .precise_name,
        .notes(), .scale(), .scale_candidates(), .display(), .format_verbose(), .to_json()
    Scale.parse("A harmonic minor"), Mode.parse("D dorian"); parse_notation(text, kind=None)
    describe(text, kind=None) -> kord's CLI text; describe_json(text, kind=None) -> dict
    guess(["C", "E", "G"]) -> [Chord]; guess_pitch_classes({0, 4, 7}, bass=4, limit=8)
    prepare_guess(): build guess's index now (~0.3 s) rather than on the first guess
    lead_sheet_name(note_ids | None, pitch_classes, bass) -> "C/E" (what a musician writes);
        lead_sheet_names(...) -> ranked [str]; lead_sheet_chords(...) -> [LeadSheetChord];
        NamingStyle = "lead-sheet" | "kord" (NAMING_STYLES); format_chord_block(chord, style)

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
from kord_engine.theory.leadsheet import (
    NAMING_STYLES,
    LeadSheetChord,
    NamingStyle,
    check_naming_style,
    chord_display_name,
    format_chord_block,
    lead_sheet_chords,
    lead_sheet_name,
    lead_sheet_name_of_chord,
    lead_sheet_names,
)
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
    "LeadSheetChord",
    "Mode",
    "ModeKind",
    "Modifier",
    "NAMING_STYLES",
    "NamedPitch",
    "NamingStyle",
    "Note",
    "ParseError",
    "Scale",
    "ScaleCandidate",
    "ScaleKind",
    "TheoryError",
    "check_naming_style",
    "chord_display_name",
    "describe",
    "describe_json",
    "format_chord_block",
    "guess",
    "guess_pitch_classes",
    "lead_sheet_chords",
    "lead_sheet_name",
    "lead_sheet_name_of_chord",
    "lead_sheet_names",
    "parse_notation",
    "prepare_guess",
]

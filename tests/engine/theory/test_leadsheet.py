"""Lead-sheet chord names (kord_engine.theory.leadsheet) and `--names` on the theory/synth CLI.

The voicing table (leadsheet_table.py) is written from chord spelling, not from any namer's
output; every row must be named exactly as the table says.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from kord_engine.cli import main
from kord_engine.errors import ParseError
from kord_engine.theory import (
    NAMING_STYLES,
    Chord,
    LeadSheetChord,
    Note,
    check_naming_style,
    format_chord_block,
    guess,
    lead_sheet_chords,
    lead_sheet_name,
    lead_sheet_name_of_chord,
    lead_sheet_names,
)
from tests.engine.theory.leadsheet_table import TABLE

_NAME = re.compile(r"^([A-G][♭♯]?)(.*?)(?:/([A-G][♭♯]?))?$")
_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _pc(spelled: str) -> int:
    return (_PC[spelled[0]] + spelled.count("♯") - spelled.count("♭")) % 12


def _enharmonic(name: str) -> tuple[int, str, int | None]:
    """(root pitch class, suffix, bass pitch class): a name modulo its spelling."""
    match = _NAME.match(name)
    assert match, name
    root, suffix, bass = match.groups()
    return _pc(root), suffix, None if bass is None else _pc(bass)


def _ids(notes: str) -> list[int]:
    return [Note.parse(n).semitone for n in notes.split()]


# ---- the table ----------------------------------------------------------------------------


def test_the_table_is_several_hundred_distinct_voicings_of_every_common_type():
    assert len(TABLE) >= 600
    assert len({row[0] for row in TABLE}) == len(TABLE)
    kinds = {what.rsplit(" ", 1)[0] for _, _, what in TABLE}
    for kind in ("major", "m", "°", "+", "sus2", "sus4", "7sus4", "6", "m6", "6/9", "add9",
                 "m(add9)", "7", "maj7", "m7", "m(maj7)", "ø7", "°7", "9", "maj9", "m9", "11",
                 "13", "7♭9", "7♯9", "7♯11", "7♭13", "7alt", "5", "single"):  # fmt: skip
        assert kind in kinds, kind


@pytest.mark.parametrize(("notes", "expected", "what"), TABLE, ids=[row[0] for row in TABLE])
def test_table_voicing_is_named_as_a_musician_writes_it(notes, expected, what):
    assert lead_sheet_name(notes.split()) == expected


def test_table_as_note_ids_names_the_same_chords_modulo_spelling():
    wrong = []
    for notes, expected, _ in TABLE:
        got = lead_sheet_name(_ids(notes))
        if got is None or _enharmonic(got) != _enharmonic(expected):
            wrong.append((notes, expected, got))
    assert not wrong, wrong[:20]


def test_pitch_classes_and_bass_name_like_the_voicing():
    wrong = []
    for notes, _, _ in TABLE[::5]:
        ids = _ids(notes)
        by_ids = lead_sheet_name(ids)
        by_pcs = lead_sheet_name(None, {i % 12 for i in ids}, bass=min(ids) % 12)
        if by_ids != by_pcs:
            wrong.append((notes, by_ids, by_pcs))
    assert not wrong, wrong[:20]


# ---- the rules from the issue -------------------------------------------------------------


@pytest.mark.parametrize(
    ("notes", "name"),
    [
        (["E3", "C4", "G4"], "C/E"),  # the lowest note is the bass
        (["E3", "G3", "B♭3", "C4"], "C7/E"),
        (["D3", "G3", "B3"], "G/D"),
        (["C3", "F3", "A♭3"], "Fm/C"),  # not C+(sus4)
        (["G3", "B3", "D♯4"], "G+"),  # not E♭+/G
        (["A3", "C4", "E♭4", "G♭4"], "A°7"),  # not Cdim/A
        (["C3", "E3", "G3", "A3"], "C6"),  # not C(add6)
        (["A2", "C3", "E3", "G3"], "Am7"),
        (["D3", "F3", "A3", "B3"], "Dm6"),  # not Dm(add6)
        (["E3", "G3", "B♭3"], "E°"),  # not Em(♭5)
        (["G2", "F3", "A3", "C4"], "F/G"),
        (["C3", "G3"], "C5"),
        (["B♭2"], "B♭"),
    ],
)
def test_issue_examples(notes, name):
    assert lead_sheet_name(notes) == name


def test_where_two_common_names_fit_the_bass_decides():
    assert lead_sheet_names(None, {0, 4, 7, 9}, bass=0)[:2] == ["C6", "Am7/C"]
    assert lead_sheet_names(None, {0, 4, 7, 9}, bass=9)[:2] == ["Am7", "C6/A"]
    assert lead_sheet_name(None, {0, 3, 6, 10}, bass=0) == "Cø7"
    assert lead_sheet_name(None, {0, 3, 6, 10}, bass=3) == "E♭m6"


def test_symmetric_chords_are_rooted_on_the_bass():
    for bass, name in ((0, "C+"), (4, "E+"), (8, "A♭+")):
        assert lead_sheet_name(None, {0, 4, 8}, bass=bass) == name
    for bass, name in ((0, "C°7"), (3, "D♯°7"), (6, "F♯°7"), (9, "A°7")):
        assert lead_sheet_name(None, {0, 3, 6, 9}, bass=bass) == name
    assert lead_sheet_name(["G♯2", "C3", "E3"]) == "G♯+"  # the player's spelling


def test_without_a_bass_names_are_in_root_position():
    assert lead_sheet_name(None, [4, 7, 0]) == "C"
    assert lead_sheet_name(None, [9, 0, 4, 7]) == "Am7"
    assert lead_sheet_name(None, [0, 4, 8]) == "C+"
    assert all(c.bass is None for c in lead_sheet_chords(None, [2, 5, 9, 0], limit=None))


@pytest.mark.parametrize(
    ("ids", "name"),
    [
        ([49, 53, 56], "D♭"),  # D♭ F A♭: 2 flats; C♯ E♯ G♯: 3 sharps
        ([49, 52, 56], "C♯m"),
        ([44, 48, 51], "A♭"),
        ([44, 47, 51], "G♯m"),
        ([51, 55, 58], "E♭"),
        ([51, 54, 58, 61], "E♭m7"),
        ([46, 49, 53], "B♭m"),
        ([54, 58, 61], "F♯"),  # the tie goes to F♯
        ([54, 58, 61, 64], "F♯7"),  # F♯7 beats G♭7 (F♭)
        ([49, 53, 56, 59], "D♭7"),
        ([44, 47, 50, 53], "G♯°7"),
        ([42, 50, 57], "D/F♯"),  # the bass spelled as the chord tone it is
        ([43, 51, 58], "E♭/G"),
        ([47, 50, 55], "G/B"),
        ([45, 48, 54], "F♯°/A"),  # F♯ A C: 1 sharp; G♭ B𝄫 D𝄫 needs doubles
        ([48, 55, 58, 62, 65], "C11"),
        ([48, 52, 58, 63, 68], "C7alt"),
    ],
)
def test_note_ids_are_spelled_with_the_fewest_accidentals(ids, name):
    assert lead_sheet_name(ids) == name


def test_no_double_accidentals_in_names_of_what_was_heard():
    for size in (3, 4):
        for pcs in itertools.combinations(range(12), size):
            for bass in pcs:
                for name in lead_sheet_names(None, pcs, bass, limit=3):
                    assert "𝄫" not in name and "𝄪" not in name, (pcs, bass, name)
    assert lead_sheet_name(["B𝄫2", "C3", "E♭3", "G♭3"]) == "A°7"


def test_tensions_are_in_ascending_order():
    assert lead_sheet_name(None, {0, 4, 7, 10, 1, 6}, bass=0) == "C7♭9♯11"
    assert lead_sheet_name(None, {0, 4, 7, 10, 3, 8}, bass=0) == "C7♯9♭13"
    assert lead_sheet_name(None, {0, 4, 7, 10, 2, 6, 9}, bass=0) == "C13♯11"
    assert lead_sheet_name(None, {0, 4, 7, 10, 1, 9}, bass=0) == "C13♭9"


# ---- the API --------------------------------------------------------------------------------


def test_lead_sheet_chords_carry_root_bass_tones_and_description():
    best = lead_sheet_chords([40, 48, 55])[0]
    assert isinstance(best, LeadSheetChord)
    assert (best.name, best.root, best.quality, best.bass) == ("C/E", "C", "", "E")
    assert (best.root_pc, best.bass_pc, best.pitch_classes) == (0, 4, (0, 4, 7))
    assert best.tones == ("C", "E", "G")
    assert "3rd" in best.description
    assert best.to_json()["name"] == "C/E"
    cø = lead_sheet_chords(["C3", "E♭3", "G♭3", "B♭3"])[0]
    assert cø.tones == ("C", "E♭", "G♭", "B♭") and cø.bass is None
    over = lead_sheet_chords(["G2", "F3", "A3", "C4"])[0]
    assert over.name == "F/G" and over.tones == ("F", "A", "C")


def test_inputs_mix_and_validate():
    assert lead_sheet_name(None) is None and lead_sheet_names() == []
    assert lead_sheet_name([]) is None
    assert lead_sheet_name(np.array([40, 48, 55])) == "C/E"
    assert lead_sheet_name([48, 52], pitch_classes=[7]) == "C"
    assert lead_sheet_name([52, 55, 60], bass=0) == "C"  # an explicit bass wins
    assert lead_sheet_name(["C4", "E4", "G4"], bass="E") == "C/E"
    assert lead_sheet_name([Note.parse("E3"), "C4", 55]) == "C/E"
    assert lead_sheet_name(["F#3", "A#3", "C#4"]) == "F♯"  # ASCII accidentals read
    assert lead_sheet_name(["Gb3", "Bb3", "Db4"]) == "G♭"
    assert len(lead_sheet_names([48, 52, 55], limit=2)) == 2
    names = lead_sheet_names([48, 52, 55], limit=None)
    assert len(names) == len(set(names)) >= 3
    with pytest.raises(ParseError):
        lead_sheet_name(["H3"])
    with pytest.raises(ValueError):
        lead_sheet_name([-1])
    with pytest.raises(TypeError):
        lead_sheet_name([True, 4, 7])


def test_kord_chords_get_lead_sheet_names_with_their_spelling():
    for symbol, name in (("Cm7b5", "Cø7"), ("C^1", "C/E"), ("Am7^1", "C6"), ("C#m", "C♯m"),
                         ("Dbm", "D♭m"), ("C7@3^3", "C7/B♭"), ("Bb7(b9)", "B♭7♭9"),
                         ("Gsus4", "Gsus4"), ("C(add9)", "Cadd9"), ("Cdim", "C°7")):  # fmt: skip
        assert lead_sheet_name_of_chord(Chord.parse(symbol)) == name, symbol


def test_format_chord_block_changes_only_the_name_line():
    chord = Chord.parse("Cm7b5")
    assert format_chord_block(chord) == chord.format_verbose()
    assert format_chord_block(chord, "kord") == chord.format_verbose()
    lead = format_chord_block(chord, "lead-sheet")
    assert lead.startswith("Cø7\n")
    assert lead.split("\n")[1:] == chord.format_verbose().split("\n")[1:]


def test_naming_styles():
    assert NAMING_STYLES == ("lead-sheet", "kord")
    assert check_naming_style("kord") == "kord"
    with pytest.raises(ValueError):
        check_naming_style("jazz")


# ---- CLI ------------------------------------------------------------------------------------


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _heads(out: str) -> list[str]:
    return [line for line in out.split("\n") if line and not line.startswith(" ")]


def test_describe_names_option(capsys):
    _, kord_text, _ = _run(capsys, "describe", "Cm7b5")
    assert kord_text.startswith("Cm7(♭5)\n")
    code, same, _ = _run(capsys, "describe", "Cm7b5", "--names", "kord")
    assert code == 0 and same == kord_text
    code, lead, _ = _run(capsys, "describe", "--names", "lead-sheet", "Cm7b5")
    assert code == 0 and lead.startswith("Cø7\n")
    assert lead.split("\n")[1:] == kord_text.split("\n")[1:]
    _, inverted, _ = _run(capsys, "describe", "--names", "lead-sheet", "C^1")
    assert inverted.startswith("C/E\n")
    code, out, _ = _run(capsys, "describe", "--names", "lead-sheet", "--json", "Am7^1")
    data = json.loads(out)
    assert (data["name"], data["kord_name"], data["precise_name"]) == ("C6", "Am7", "Am7^1")
    # scales and modes have no chord name to restyle
    _, mode_kord, _ = _run(capsys, "describe", "D dorian")
    _, mode_lead, _ = _run(capsys, "describe", "--names", "lead-sheet", "D dorian")
    assert mode_lead == mode_kord


def test_describe_rejects_unknown_style(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["describe", "C", "--names", "jazz"])
    assert exc.value.code == 2
    assert "lead-sheet" in capsys.readouterr().err


def test_guess_lead_sheet_names_voiced_notes(capsys):
    code, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "E3", "C4", "G4")
    assert code == 0
    assert out.startswith("C/E\n   major triad, 3rd (E) in the bass\n   C, E, G\n\n")
    _, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "G3", "B3", "D#4")
    assert _heads(out)[0] == "G+"
    _, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "A2", "C3", "E3", "G3")
    assert _heads(out)[0] == "Am7"


def test_guess_lead_sheet_reads_pitch_classes_from_the_bass_up(capsys):
    _, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "E", "G", "C")
    assert _heads(out)[0] == "C/E"
    _, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "4", "0", "7")
    assert _heads(out)[0] == "C/E"
    _, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "9", "C", "E", "G")
    assert _heads(out)[0] == "Am7"
    _, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "Bb")
    assert _heads(out) == ["B♭"]
    code, out, _ = _run(capsys, "guess", "--names", "lead-sheet", "--json", "E3", "C4", "G4")
    data = json.loads(out)
    assert code == 0 and data[0]["name"] == "C/E" and data[0]["bass"] == "E"
    assert data[0]["tones"] == ["C", "E", "G"] and data[0]["pitch_classes"] == [0, 4, 7]


def test_guess_kord_style_is_kords_output_for_what_kord_accepts(capsys):
    code, out, _ = _run(capsys, "guess", "C", "E", "G", "Bb")
    assert code == 0
    assert out == "".join(c.format_verbose() + "\n" for c in guess(["C", "E", "G", "Bb"]))
    _, same, _ = _run(capsys, "guess", "--names", "kord", "C", "E", "G", "Bb")
    assert same == out
    _, voiced, _ = _run(capsys, "guess", "C3", "E3", "G3")
    assert voiced == "".join(c.format_verbose() + "\n" for c in guess(["C3", "E3", "G3"]))


def test_guess_kord_style_names_a_voicing_kord_cannot_find(capsys):
    assert guess(["E3", "C4", "G4"]) == []  # kord's exact-voicing search
    code, out, _ = _run(capsys, "guess", "E3", "C4", "G4")
    assert code == 0 and _heads(out)[0] == "C/E"
    _, out, _ = _run(capsys, "guess", "--json", "E3", "C4", "G4")
    assert json.loads(out)[0]["name"] == "C/E"


def test_guess_kord_style_takes_pitch_classes(capsys):
    _, numbers, _ = _run(capsys, "guess", "0", "4", "7", "10")
    _, letters, _ = _run(capsys, "guess", "C", "E", "G", "Bb")
    assert numbers == letters


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["guess", "0", "4", "12"], "pitch class 12 is not 0..11"),
        (["guess", "C", "E"], "at least three notes"),
        (["guess", "--names", "lead-sheet"], "at least one note"),
        (["guess", "--names", "lead-sheet", "C", "Q"], "Q"),
    ],
)
def test_guess_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_play_and_loop_print_lead_sheet_names(capsys, tmp_path):
    wav = str(tmp_path / "x.wav")
    code, out, _ = _run(capsys, "play", "Cm7b5", "--names", "lead-sheet", "-l", "1", "-o", wav)
    assert code == 0 and out.startswith("Cø7\n   half diminished\n")
    code, out, _ = _run(capsys, "play", "Cm7b5", "-l", "1", "-o", wav)
    assert code == 0 and out.startswith("Cm7(♭5)\n")
    code, out, _ = _run(
        capsys, "loop", "C^1", "G7|16", "--names", "lead-sheet", "-b", "240", "-o", wav
    )
    assert code == 0 and _heads(out) == ["C/E", "G7"]
    code, out, _ = _run(capsys, "loop", "C^1", "G7|16", "-b", "240", "-o", wav)
    assert _heads(out) == ["C^1", "G7"]

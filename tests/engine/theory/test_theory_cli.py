"""`kord describe` and `kord guess` through kord_engine.cli.main, checked against kord's output."""

from __future__ import annotations

import json

import pytest

from kord_engine.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def readme(vectors):
    """kord's README examples that run a command, by command line."""
    return {e["cmd"]: e for e in vectors["readme"] if "cmd" in e}


def test_describe_chord_prints_kords_block(capsys, readme):
    code, out, _ = _run(capsys, "describe", "Cmaj7")
    assert code == 0
    assert out == readme["kord describe Cmaj7"]["head_cli_output"]
    code, out, _ = _run(capsys, "describe", "-t", "chord", "C")
    assert out == readme['kord describe -t chord "C"']["head_cli_output"]


def test_describe_mode_and_scale(capsys, readme):
    code, out, _ = _run(capsys, "describe", "D dorian")
    assert code == 0
    assert out == readme['kord describe "D dorian"']["head_cli_output"]
    code, out, _ = _run(capsys, "describe", "--type", "scale", "A harmonic minor")
    assert out == readme['kord describe "A harmonic minor"']["head_cli_output"]


def test_describe_json_chord(capsys):
    code, out, _ = _run(capsys, "describe", "Cm7b5", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "Cm7(♭5)"
    assert data["description"] == "half diminished"
    assert data["notes"] == ["C4", "E♭4", "G♭4", "B♭4"]
    assert data["pitch_classes"] == [0, 3, 6, 10]
    assert data["bass"] == 0
    assert data["scale"] == ["C4", "D♭4", "E♭4", "F4", "G♭4", "A♭4", "B♭4"]
    assert [r["name"] for r in data["recommended"]] == ["locrian", "locrian ♮2", "locrian ♮6"]
    assert {r["kind"] for r in data["recommended"]} == {"mode"}


def test_describe_json_mode(capsys):
    code, out, _ = _run(capsys, "describe", "D dorian", "--json")
    assert json.loads(out) == {
        "kind": "mode",
        "name": "D dorian",
        "precise_name": "D4 dorian",
        "description": "dorian, 2nd mode of major scale, minor with raised 6th",
        "notes": ["D4", "E4", "F4", "G4", "A4", "B4", "C5"],
    }


def test_guess_prints_every_block_in_order(capsys, vectors):
    code, out, _ = _run(capsys, "guess", "C", "F#", "D#", "A")
    assert code == 0
    readme = next(e for e in vectors["readme"] if e.get("cmd") == "kord guess C F# D# A")
    heads = [line for line in out.split("\n") if line and not line.startswith(" ")]
    assert [h.rstrip("!") for h in heads] == [c.rstrip("!") for c in readme["head_candidates"]]
    assert out.startswith("Cdim\n   diminished\n   C, D, E♭, F, G♭, A♭, B𝄫, B\n   C, E♭, G♭, B𝄫\n")


def test_guess_c7(capsys):
    code, out, _ = _run(capsys, "guess", "C", "E", "G", "Bb")
    assert code == 0
    assert out.startswith("C7\n   dominant\n   C, D, E, F, G, A, B♭\n   C, E, G, B♭\n\n")
    assert "   Recommended scales/modes:\n     1. mixolydian - " in out


def test_guess_json(capsys):
    code, out, _ = _run(capsys, "guess", "C", "E", "G", "--json")
    data = json.loads(out)
    assert [d["precise_name"] for d in data] == ["C", "Em(♯5)@3^2"]
    assert data[0]["notes"] == ["C4", "E4", "G4"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["guess", "C", "E"], "Must have at least three notes to guess a chord."),
        (["guess"], "Must have at least three notes to guess a chord."),
        (["guess", "C", "E", "H"], "position 0"),
        (["describe", "Cb5"], "position 2"),
        (["describe", "-t", "foo", "C"], "Unknown notation type 'foo'."),
        (["describe", "-t", "scale", "C"], "scale name"),
        (["describe", ""], "empty chord symbol"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_guess_with_no_candidates(capsys):
    code, out, err = _run(capsys, "guess", "C", "C#", "D")
    assert code == 0 and out == ""
    assert "No chord candidates found" in err
    code, out, err = _run(capsys, "-q", "guess", "C", "C#", "D")
    assert code == 0 and out == "" and err == ""

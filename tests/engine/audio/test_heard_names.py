"""Names of what was heard: lead-sheet symbols by default for `kord analyze file|sample|mic`
and `kord ml infer`, kord's exact strings with `--names kord` (kord_engine.audio.listen.naming)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kord_engine.audio.listen.analysis import Segment
from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.naming import (
    chord_name,
    chord_names,
    detection_from_notes,
    kord_equivalent,
    lead_sheet_candidates,
    name_segments,
    with_names,
)
from kord_engine.cli import build_parser, main
from kord_engine.theory import lead_sheet_name
from tests.audio_fixtures import harmonic_chord, write_wav

C7B9 = [48, 52, 55, 58, 61]  # C4 E4 G4 B♭4 D♭5


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


# ---- the one place that names ------------------------------------------------------------------
def test_lead_sheet_by_default_kord_gives_the_detectors_strings_back():
    d = detection_from_notes(C7B9, 0.9)
    assert d.chords[0] == "C7(♭9)"  # detectors keep kord's names
    assert chord_names(d)[0] == "C7♭9" and chord_name(d) == "C7♭9"
    assert chord_names(d, "lead-sheet") == chord_names(d)
    assert chord_names(d, "kord") == d.chords
    assert d.to_json()["chords"] == list(d.chords)  # raw data unchanged
    assert d.to_json("kord")["chords"] == list(d.chords)
    assert d.to_json("lead-sheet")["chords"][0] == "C7♭9"
    assert with_names(d, "kord") is d and with_names(d).chord == "C7♭9"
    with pytest.raises(ValueError):
        chord_names(d, "jazz")


@pytest.mark.parametrize(
    "notes, name",
    [
        ([40, 48, 55], "C/E"),  # E3 C4 G4: the lowest note is the bass
        ([43, 47, 50], "G"),
        ([38, 43, 47, 50], "G/D"),
        ([40, 48, 52, 55, 58], "C7/E"),
        ([45, 48, 51, 54], "A°7"),
        ([48, 51, 54, 58], "Cø7"),
        ([48, 53, 56], "Fm/C"),
    ],
)
def test_voicings_are_named_over_their_bass(notes, name):
    assert chord_name(detection_from_notes(notes, 0.9)) == name


def test_single_notes_and_power_chords_are_named_in_lead_sheet_style_only():
    single = detection_from_notes([45], 0.8)
    power = detection_from_notes([43, 50], 0.8)  # G3 D4
    assert chord_name(single) == "A" and chord_name(power) == "G5"
    assert chord_names(single, "kord") == () and chord_names(power, "kord") == ()  # as kord
    assert chord_name(Detection()) is None and chord_names(Detection()) == ()


def test_no_bass_names_the_pitch_classes_in_root_position():
    """The ML model's folded target reports pitch classes and no bass (its notes are a made-up
    octave-4 voicing): named in root position, not over the made-up lowest note."""
    heard = Detection(notes=(52, 55, 60), pitch_classes=(0, 4, 7), bass=None, chords=("C",))
    assert chord_name(heard) == "C"
    heard = Detection(notes=(48, 52, 55, 57), pitch_classes=(0, 4, 7, 9), bass=None)
    assert chord_name(heard) == lead_sheet_name(None, (0, 4, 7, 9))
    assert chord_name(Detection(pitch_classes=(0, 4, 7, 9), bass=9)) == "Am7"


def test_segments_follow_the_style():
    segs = [
        Segment(0.0, 1.0, None),
        Segment(1.0, 2.0, None, (7,), 7, (43,)),
        Segment(2.0, 3.0, None, (2, 7), 7, (43, 50)),
        Segment(3.0, 4.0, "C/E", (0, 4, 7), 4, (40, 48, 55)),
        Segment(4.0, 5.0, "C7(♭9)", (0, 1, 4, 7, 10), 0, tuple(C7B9)),
    ]
    assert [s.chord for s in name_segments(segs)] == [None, "G", "G5", "C/E", "C7♭9"]
    assert name_segments(segs, "kord") == segs


def test_kord_equivalent_is_a_symbol_kords_parser_reads():
    from kord_engine.theory import Chord

    for notes, kord in (([48, 51, 54, 58], "Cm7(♭5)"), (C7B9, "C7(♭9)"), ([40, 48, 55], "C/E")):
        best = lead_sheet_candidates(detection_from_notes(notes, 0.9))[0]
        assert kord_equivalent(best) == kord
        assert Chord.parse(kord).name == kord
    dim = lead_sheet_candidates(detection_from_notes([48, 51, 54], 0.9))[0]
    assert dim.name == "C°" and sorted(Chord.parse(kord_equivalent(dim)).pitch_classes()) == [
        0,
        3,
        6,
    ]
    assert kord_equivalent(lead_sheet_candidates(detection_from_notes([43, 50], 0.9))[0]) is None


# ---- the commands ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, default",
    [
        (["analyze", "file", "x.wav"], "lead-sheet"),
        (["analyze", "file", "x.wav", "--timeline"], "lead-sheet"),
        (["analyze", "sample", "x.bin"], "lead-sheet"),
        (["analyze", "mic"], "lead-sheet"),
        (["analyze", "mic", "--live"], "lead-sheet"),
        (["ml", "infer", "file", "x.wav"], "lead-sheet"),
        (["ml", "infer", "sample", "x.bin"], "lead-sheet"),
        (["ml", "infer", "mic"], "lead-sheet"),
        (["describe", "C"], "kord"),  # these mirror kord's own commands
        (["guess", "C", "E", "G"], "kord"),
    ],
)
def test_default_naming_style_per_command(argv, default):
    parser = build_parser()
    assert parser.parse_args(argv).names == default
    assert parser.parse_args([*argv, "--names", "kord"]).names == "kord"
    assert parser.parse_args([*argv, "--names", "lead-sheet"]).names == "lead-sheet"


def test_timeline_names_single_notes_and_power_chords(capsys, tmp_path):
    rate = 22050
    audio = np.concatenate(
        [
            harmonic_chord([45], rate, 1.5),  # A3
            harmonic_chord([43, 50], rate, 1.5),  # G3 D4
            harmonic_chord([40, 48, 55], rate, 1.5),  # E3 C4 G4
        ]
    )
    path = str(write_wav(tmp_path / "t.wav", audio, rate))
    rows = json.loads(run(capsys, "analyze", "file", path, "--timeline", "--json"))["segments"]
    heard = [(r["pitch_classes"], r["bass"], r["chord"]) for r in rows if r["pitch_classes"]]
    assert [c for _, _, c in heard] == ["A", "G5", "C/E"], heard
    rows = json.loads(
        run(capsys, "analyze", "file", path, "--timeline", "--json", "--names", "kord")
    )["segments"]
    assert [r["chord"] for r in rows if r["pitch_classes"]] == [None, None, "C/E"]
    text = run(capsys, "analyze", "file", path, "--timeline")
    assert " G5\n" in text and text.rstrip().endswith("C/E")


def test_analyze_file_names_a_single_note(capsys, tmp_path):
    path = str(write_wav(tmp_path / "a.wav", harmonic_chord([45], 22050, 1.0), 22050))
    row = json.loads(run(capsys, "analyze", "file", path, "--json"))
    assert row["pitch_classes"] == [9] and row["chords"][0] == "A"
    assert (
        json.loads(run(capsys, "analyze", "file", path, "--json", "--names", "kord"))["chords"]
        == []
    )
    text = run(capsys, "analyze", "file", path)
    assert "\nA\n   " in text and "No chord candidates found" not in text
    assert "No chord candidates found" in run(capsys, "analyze", "file", path, "--names", "kord")


def test_analyze_sample_both_styles(capsys, shared_dir):
    sample = sorted((shared_dir / "data/samples/captured").glob("A3_C4_E4_*.bin"))[0]
    row = json.loads(run(capsys, "analyze", "sample", str(sample), "--json"))
    assert row["notes"] == ["A3", "C4", "E4"] and row["chords"][0] == "Am"
    sample = sorted((shared_dir / "data/samples/captured").glob("A2_C3_E3_F♯3_*.bin"))[0]
    lead = json.loads(run(capsys, "analyze", "sample", str(sample), "--json"))
    kord = json.loads(run(capsys, "analyze", "sample", str(sample), "--json", "--names", "kord"))
    assert lead["bass"] == 9 and lead["chords"][0] == "Am6"
    from kord_engine.audio.listen.naming import rank_chords

    ranked = rank_chords([], kord["pitch_classes"], kord["bass"], "pitch_classes")
    assert kord["chords"][0] == str(ranked[0].name) != "Am6"  # kord's own string


def test_ml_infer_names_without_a_bass(capsys, shared_dir):
    """The shipped model (folded target) reports no bass: root-position lead-sheet names;
    --names kord gives kord's names of the same pitch classes."""
    sample = str(sorted((shared_dir / "data/samples/captured").glob("A2_C3_E3_F♯3_*.bin"))[0])
    lead = json.loads(run(capsys, "ml", "infer", "sample", sample, "--json"))
    kord = json.loads(run(capsys, "ml", "infer", "sample", sample, "--json", "--names", "kord"))
    assert lead["pitch_classes"] == kord["pitch_classes"] and lead["pitch_classes"]
    if lead["bass"] is None:
        assert lead["chords"][0] == lead_sheet_name(None, lead["pitch_classes"])
    else:
        assert lead["chords"][0] == lead_sheet_name(None, lead["pitch_classes"], lead["bass"])
    from kord_engine.audio.listen.naming import rank_chords

    ranked = rank_chords([], kord["pitch_classes"], kord["bass"], "pitch_classes")
    assert kord["chords"] == [str(c.name) for c in ranked]
    line = run(capsys, "ml", "infer", "sample", sample)
    assert f"→ {lead['chords'][0]}, " in line
    line = run(capsys, "ml", "infer", "sample", sample, "--names", "kord")
    assert f"→ {kord['chords'][0]}, " in line


def test_live_lines_follow_the_style():
    from kord_engine.cli.mic_cmds import format_change

    heard = detection_from_notes(C7B9, 0.9)
    assert format_change(1.0, heard) == "   1.00s  C7♭9    (C D♭ E G B♭, bass C, 0.90)"
    assert format_change(1.0, heard, "kord").startswith("   1.00s  C7(♭9)  (")
    assert "  G5 " in format_change(2.0, detection_from_notes([43, 50], 0.9))
    assert "  ?  " in format_change(2.0, detection_from_notes([43, 50], 0.9), "kord")


@pytest.fixture
def constant_detector(monkeypatch):
    """make_detector → a detector that hears C7♭9 (C4 E4 G4 B♭4 D♭5) in anything not silent."""
    from kord_engine.audio.listen import detect

    class Constant:
        name = "constant"
        window_seconds = 0.25

        def detect(self, audio, sample_rate):
            if not np.any(audio):
                return Detection()
            return detection_from_notes(C7B9, 0.9)

    monkeypatch.setattr(detect, "make_detector", lambda name, **kw: Constant())


@pytest.mark.parametrize("names, chord", [(None, "C7♭9"), ("kord", "C7(♭9)")])
def test_mic_live_json_follows_the_style(constant_detector, capsys, mic_cli, names, chord):
    from kord_engine.audio.listen import live

    pytest.importorskip("tests.engine.audio.test_live")
    from tests.engine.audio.test_live import FakeCapture

    FakeCapture.instances = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(live, "Capture", FakeCapture)
        argv = ["--live", "--json", "--seconds", "0.6", "--hop", "0.02"]
        assert mic_cli(argv + (["--names", names] if names else [])) == 0
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    chords = [r["chords"][0] for r in records if r["chords"]]
    assert chords and chords[0] == chord, out

"""`kord analyze file|sample`: JSON and text output, timelines, detectors, and bad input as a
one-line error with exit code 2 (never a traceback)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kord_engine.cli import main
from tests.audio_fixtures import harmonic_chord, write_wav


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code, err, *words):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kord: error:"), err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0]


def test_file_json_kord_detector_c7b9(capsys, shared_dir):
    code, out, _ = run(
        capsys,
        "analyze",
        "file",
        str(shared_dir / "data/audio/C7b9.wav"),
        "--json",
        "--detector",
        "kord",
    )
    assert code == 0
    row = json.loads(out)
    assert row["notes"] == ["C4", "E4", "G4", "B♭4", "D♭5"]
    assert row["pitch_classes"] == [0, 1, 4, 7, 10] and row["bass"] == 0
    assert row["chords"][0] == "C7♭9"  # lead-sheet names by default
    assert set(row) == {
        "file",
        "notes",
        "pitch_classes",
        "bass",
        "chords",
        "confidence",
        "tuning_hz",
    }
    # a real recording close to A440 (kord's detector reports it but keeps A440's grid)
    assert abs(row["tuning_hz"] - 440.0) < 3.0


def test_file_json_names_kord_gives_kords_strings(capsys, shared_dir):
    path = str(shared_dir / "data/audio/C7b9.wav")
    code, out, _ = run(
        capsys, "analyze", "file", path, "--json", "--detector", "kord", "--names", "kord"
    )
    assert code == 0
    row = json.loads(out)
    assert row["chords"][0] == "C7(♭9)"
    from kord_engine.audio.listen.analysis import analyze_file

    assert row["chords"] == list(analyze_file(path, "kord").chords)  # the detector's, unchanged


def test_file_text_lead_sheet_is_compact(capsys, shared_dir):
    code, out, _ = run(
        capsys, "analyze", "file", str(shared_dir / "data/audio/C7b9.mp3"), "--detector", "kord"
    )
    assert code == 0
    assert out.startswith("Notes: C4 E4 G4 B♭4 D♭5\nC7♭9\n   dominant 7th")
    assert "\n   C, D♭, E, G, B♭\n" in out and "C7(♭9)" not in out


def test_file_text_like_kord(capsys, shared_dir):
    code, out, _ = run(
        capsys,
        "analyze",
        "file",
        str(shared_dir / "data/audio/C7b9.mp3"),
        "--detector",
        "kord",
        "--names",
        "kord",
    )
    assert code == 0
    assert out.startswith("Notes: C4 E4 G4 B♭4 D♭5\nC7(♭9)\n")


def test_several_files_one_json_line_each(capsys, tmp_path):
    a = write_wav(tmp_path / "a.wav", harmonic_chord([48, 52, 55], 44100, 1.0), 44100)
    b = write_wav(tmp_path / "b.wav", harmonic_chord([57, 60, 64], 44100, 1.0), 44100)
    code, out, _ = run(capsys, "analyze", "file", str(a), str(b), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["file"] for r in rows] == [str(a), str(b)]
    assert rows[0]["chords"][0] == "C" and rows[1]["chords"][0] == "Am"


def test_start_end_and_timeline(capsys, tmp_path):
    rate = 22050
    x = np.concatenate(
        [harmonic_chord([48, 52, 55], rate, 1.5), harmonic_chord([53, 57, 60], rate, 1.5)]
    )
    path = write_wav(tmp_path / "p.wav", x, rate)
    code, out, _ = run(
        capsys, "analyze", "file", str(path), "--json", "--start", "1.6", "--end", "3s"
    )
    assert code == 0 and json.loads(out)["chords"][0] == "F"
    code, out, _ = run(capsys, "analyze", "file", str(path), "--json", "--timeline")
    segs = json.loads(out)["segments"]
    assert code == 0 and [s["chord"] for s in segs] == ["C", "F"]
    assert set(segs[0]) == {"start", "end", "chord", "pitch_classes", "bass"}


def test_timeline_release_holds_a_dying_chord_into_the_silence(capsys, tmp_path):
    rate = 22050
    t = np.arange(int(0.6 * rate)) / rate
    hit = harmonic_chord([48, 52, 55], rate, 0.6) * np.exp(-t / 0.08).astype(np.float32)
    x = np.concatenate([hit, np.zeros(int(1.4 * rate), np.float32)])
    path = write_wav(tmp_path / "dying.wav", x, rate)

    def first_end(*extra):
        code, out, _ = run(capsys, "analyze", "file", str(path), "--json", "--timeline", *extra)
        assert code == 0
        segs = json.loads(out)["segments"]
        assert segs[0]["chord"] == "C" and segs[-1]["pitch_classes"] == [], segs
        return segs[0]["end"]

    assert first_end() == pytest.approx(first_end("--release", "0") + 0.5, abs=0.002)
    assert first_end("--release", "250ms") == pytest.approx(
        first_end("--release", "0") + 0.25, abs=0.002
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("1.5", 1.5),
        ("90s", 90.0),
        ("1m 30s", 90.0),
        ("1min30s", 90.0),  # before: "1m" matched, "in30s" was left over
        ("250ms", 0.25),  # before: "250m" and a stray "s"
        ("1hr", 3600.0),
        ("2 hours", 7200.0),
        ("3 minutes", 180.0),
        ("10 sec", 10.0),
        ("1h2m3s", 3723.0),
    ],
)
def test_times_in_every_documented_form(text, seconds):
    from kord_engine.cli.audio_cmds import parse_time

    assert parse_time(text) == pytest.approx(seconds)


def test_silent_file_reports_no_notes(capsys, tmp_path):
    path = write_wav(tmp_path / "s.wav", np.zeros(44100, np.float32), 44100)
    code, out, _ = run(capsys, "analyze", "file", str(path))
    assert code == 0
    assert out == "Notes: (none)\nNo chord candidates found\nTuning: A = 440.0 Hz (+0.0 cents)\n"
    code, out, _ = run(capsys, "analyze", "file", str(path), "--json", "--detector", "kord")
    assert code == 0 and json.loads(out)["notes"] == []


def test_sample_json_has_label(capsys, shared_dir):
    f = shared_dir / "data/samples/captured/A3_C4_E4_3709226405532565024.bin"
    for det in ("kord", "default"):
        code, out, _ = run(capsys, "analyze", "sample", str(f), "--json", "--detector", det)
        row = json.loads(out)
        assert code == 0 and row["label"] == ["A3", "C4", "E4"]
        assert row["notes"] == ["A3", "C4", "E4"] and row["chords"][0] == "Am"


@pytest.mark.parametrize("rate,channels", [(8000, 1), (192000, 2), (44100, 8)])
def test_unusual_files_work(capsys, tmp_path, rate, channels):
    path = write_wav(tmp_path / "u.wav", harmonic_chord([48, 52, 55], rate, 1.0), rate, channels)
    code, out, _ = run(capsys, "analyze", "file", str(path), "--json")
    assert code == 0 and json.loads(out)["pitch_classes"] == [0, 4, 7]


def _bad_files(tmp_path, shared_dir):
    wav = write_wav(tmp_path / "ok.wav", harmonic_chord([60], 8000, 1.0), 8000).read_bytes()
    (tmp_path / "trunc.wav").write_bytes(wav[:30])
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF" + bytes(200))
    (tmp_path / "corrupt.mp3").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.wav").write_bytes(b"")
    write_wav(tmp_path / "zero.wav", np.zeros(0, np.float32), 8000)
    nan = harmonic_chord([60], 8000, 1.0)
    nan[5] = np.nan
    write_wav(tmp_path / "nan.wav", nan, 8000, subtype="FLOAT")
    return {
        "trunc.wav": "trunc.wav",
        "corrupt.wav": "corrupt.wav",
        "corrupt.mp3": "corrupt.mp3",
        "empty.wav": "empty",
        "zero.wav": "zero-length",
        "nan.wav": "NaN",
        "missing.wav": "no such file",
    }


@pytest.mark.parametrize("detector", ["default", "kord"])
def test_bad_files_are_one_line_errors(capsys, tmp_path, shared_dir, detector):
    for name, words in _bad_files(tmp_path, shared_dir).items():
        code, _, err = run(capsys, "analyze", "file", str(tmp_path / name), "--detector", detector)
        assert_clean_error(code, err, words)


def test_bad_ranges_and_times(capsys, tmp_path):
    path = write_wav(tmp_path / "r.wav", harmonic_chord([60], 8000, 1.0), 8000)
    code, _, err = run(capsys, "analyze", "file", str(path), "--start", "0.8", "--end", "0.2")
    assert_clean_error(code, err, "before start")
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "file", str(path), "--start", "soon"])
    assert exc.value.code == 2


def test_kord_detector_needs_a_whole_second(capsys, tmp_path):
    path = write_wav(tmp_path / "short.wav", harmonic_chord([60], 8000, 0.5), 8000)
    code, _, err = run(capsys, "analyze", "file", str(path), "--detector", "kord")
    assert_clean_error(code, err, "whole second")


def test_wrong_size_bin(capsys, tmp_path):
    (tmp_path / "bad.bin").write_bytes(b"\x00" * 1000)
    code, _, err = run(capsys, "analyze", "sample", str(tmp_path / "bad.bin"))
    assert_clean_error(code, err, "32784 bytes")


def test_ml_detector_missing_is_a_clear_error(capsys, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "kord_engine.audio.listen.model.infer":
            raise ImportError("no module named kord_engine.audio.listen.model.infer")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    path = write_wav(tmp_path / "a.wav", harmonic_chord([60], 8000, 1.0), 8000)
    code, _, err = run(capsys, "analyze", "file", str(path), "--detector", "ml")
    assert_clean_error(code, err, "ml detector")


def test_analyze_without_source(capsys):
    code, _, err = run(capsys, "analyze")
    assert_clean_error(code, err, "source")


def test_model_detector_text_output_lists_its_chords(shared_dir, capsys):
    """The ML detector reports chord names only; the text output still shows their blocks."""
    from kord_engine.cli import main

    path = str(shared_dir / "data/audio/C7b9.wav")
    assert main(["analyze", "file", "--detector", "ml", path, "--names", "kord"]) == 0
    out = capsys.readouterr().out
    assert "No chord candidates found" not in out
    assert "\nC7(♭9)\n   dominant flat 9" in out
    assert main(["analyze", "file", "--detector", "ml", path]) == 0  # lead-sheet by default
    out = capsys.readouterr().out
    assert "\nC7♭9\n   dominant 7th" in out

"""`kord play` and `kord loop`: descriptions printed, WAVs of the right length and content,
kord's errors as one line and exit 2; live playback on the null sink (e2e)."""

import numpy as np
import pytest
import soundfile as sf

from kord_engine.audio.input import devices
from kord_engine.audio.sound.voices import midi_to_frequency
from kord_engine.cli import main

SR = 48000


def _level(audio, hz):
    spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    freqs = np.fft.rfftfreq(len(audio), 1 / SR)
    return spec[(freqs > hz - 3) & (freqs < hz + 3)].max() / spec.max()


def _one_line_error(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kord: error:"), err
    assert "Traceback" not in err
    return lines[0]


def test_play_to_wav_prints_description_and_writes_the_arpeggiated_chord(tmp_path, capsys):
    out = tmp_path / "x.wav"
    assert main(["play", "Cmaj7", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Cmaj7\n   ") and "C, E, G, B" in printed
    audio, rate = sf.read(out, dtype="float32")
    assert rate == SR and audio.shape == (3 * SR,)
    c4, e4, g4, b4 = (midi_to_frequency(m) for m in (60, 64, 67, 71))
    first = audio[int(0.05 * SR) : int(0.2 * SR)]
    assert _level(first, c4) > 0.5 and _level(first, e4) < 0.05
    full = audio[int(1.0 * SR) : int(2.9 * SR)]
    assert all(_level(full, f) > 0.5 for f in (c4, e4, g4, b4))
    assert 0.6 < np.abs(full).max() <= 0.81  # four sines at kord's amplitude 0.2
    assert np.abs(audio[-10:]).max() < 1e-4  # released to silence exactly at the length


def test_play_with_piano_timbre_and_custom_length(tmp_path, capsys):
    out = tmp_path / "p.wav"
    assert main(["play", "Am", "-l", "1.5", "-d", "0", "--timbre", "piano", "-o", str(out)]) == 0
    audio, _ = sf.read(out, dtype="float32")
    assert audio.shape == (int(1.5 * SR),) and np.abs(audio).max() > 0.1


def test_play_delay_too_long_is_kords_error(tmp_path, capsys):
    out = tmp_path / "x.wav"
    assert main(["play", "C", "-d", "1.0", "-l", "3.0", "-o", str(out)]) == 2
    assert "delay is too long" in _one_line_error(capsys.readouterr().err)
    assert not out.exists()


@pytest.mark.parametrize("cmd", [["play", "Hmaj7"], ["loop", "C", "Xq"], ["loop", "C|0"]])
def test_bad_chords_exit_2_with_one_line(cmd, tmp_path, capsys):
    assert main([*cmd, "-o", str(tmp_path / "x.wav")]) == 2
    _one_line_error(capsys.readouterr().err)


def test_unwritable_output_keeps_the_old_file_and_exits_2(tmp_path, capsys):
    target = tmp_path / "taken"
    target.mkdir()
    assert main(["play", "C", "-l", "1", "-o", str(target)]) == 2
    _one_line_error(capsys.readouterr().err)
    assert target.is_dir() and list(target.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_loop_to_wav_has_kords_length_and_prints_chords_in_order(tmp_path, capsys):
    out = tmp_path / "loop.wav"
    assert main(["loop", "-b", "120", "C", "G|16", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.index("C\n   major") < printed.index("G\n   major")
    audio, rate = sf.read(out, dtype="float32")
    assert audio.shape == (3 * SR,)  # 32/32·4 beats + 16/32·4 beats at 120 bpm = 2 s + 1 s
    g = audio[int(2.2 * SR) : int(2.8 * SR)]
    assert _level(g, midi_to_frequency(67)) > 0.5 and _level(g, midi_to_frequency(60)) < 0.05


def test_loop_repeat_renders_that_many_passes(tmp_path, capsys):
    out = tmp_path / "loop.wav"
    assert main(["loop", "-b", "240", "--repeat", "3", "Dm7|8", "G7|8", "-o", str(out)]) == 0
    assert capsys.readouterr().out.count("Dm7\n") == 3
    assert sf.info(str(out)).frames == int(3 * 0.5 * SR)


def test_bad_tempo_exits_2(tmp_path, capsys):
    assert main(["loop", "-b", "0", "C", "-o", str(tmp_path / "x.wav")]) == 2
    _one_line_error(capsys.readouterr().err)


def test_live_play_without_output_device_is_a_one_line_error(monkeypatch, capsys):
    monkeypatch.setattr(devices, "_query", lambda: ([], "PortAudio found no audio devices"))
    assert main(["play", "C"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("C\n")
    assert "no audio output device" in _one_line_error(captured.err)


@pytest.mark.e2e
def test_live_play_and_loop_on_the_default_output(capsys):
    ok, why = devices.audio_available("output")
    if not ok:
        pytest.skip(why)
    assert main(["play", "C", "-l", "0.5", "-d", "0.1"]) == 0
    assert main(["loop", "-b", "480", "--repeat", "1", "C|8", "G|8"]) == 0
    out = capsys.readouterr().out
    assert out.count("C\n   major") == 2 and "G\n   major" in out

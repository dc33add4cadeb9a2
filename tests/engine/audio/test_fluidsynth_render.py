"""Rendering test audio: MIDI writing, soundfont discovery, and clear errors when fluidsynth or a
soundfont is missing."""

from __future__ import annotations

import pytest

from kord_engine.audio.sound import fluidsynth as fs
from kord_engine.errors import AudioError
from tests.audio_fixtures import have_fluidsynth


def test_write_chords_midi_roundtrip(tmp_path):
    import mido

    path = fs.write_chords_midi(
        [([60, 64, 67], 1.0), ([], 0.5), ([57], 0.5)], 24, 80, tmp_path / "c.mid", gap=0.25
    )
    mid = mido.MidiFile(str(path))
    ons = [m for m in mid if m.type == "note_on" and m.velocity > 0]
    assert [m.note for m in ons] == [60, 64, 67, 57]
    assert all(m.velocity == 80 for m in ons)
    programs = [m.program for m in mid if m.type == "program_change"]
    assert programs == [24]
    assert mid.length == pytest.approx(1.0 + 0.25 + 0.5 + 0.25 + 0.5 + 0.25 + 1.0, abs=0.01)


def test_bad_midi_arguments(tmp_path):
    with pytest.raises(AudioError, match="outside 0..127"):
        fs.write_chords_midi([([200], 1.0)], 0, 90, tmp_path / "x.mid")
    with pytest.raises(AudioError, match="program"):
        fs.write_chords_midi([([60], 1.0)], 128, 90, tmp_path / "x.mid")


def test_missing_fluidsynth_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(fs.shutil, "which", lambda name: None)
    midi = fs.write_chords_midi([([60], 0.5)], 0, 90, tmp_path / "x.mid")
    sf2 = tmp_path / "fake.sf2"
    sf2.write_bytes(b"RIFF")
    with pytest.raises(AudioError, match="fluidsynth is not installed"):
        fs.render_midi(midi, tmp_path / "x.wav", sf2)


def test_missing_soundfont_is_a_clear_error(tmp_path, monkeypatch):
    midi = fs.write_chords_midi([([60], 0.5)], 0, 90, tmp_path / "x.mid")
    with pytest.raises(AudioError, match="soundfont not found"):
        fs.render_midi(midi, tmp_path / "x.wav", tmp_path / "none.sf2")
    monkeypatch.setenv("KORD_SOUNDFONTS", str(tmp_path / "nowhere"))
    assert fs.find_soundfonts() == []
    with pytest.raises(AudioError, match="no soundfont found"):
        fs.render_chords([([60], 0.5)])


def test_soundfonts_from_env(tmp_path, monkeypatch):
    (tmp_path / "b.sf2").write_bytes(b"x")
    (tmp_path / "TimGM6mb.sf2").write_bytes(b"x")
    monkeypatch.setenv("KORD_SOUNDFONTS", str(tmp_path))
    assert [f.name for f in fs.find_soundfonts()] == ["TimGM6mb.sf2", "b.sf2"]


@pytest.mark.skipif(not have_fluidsynth(), reason="fluidsynth or a soundfont is missing")
def test_render_chords_returns_audio_and_spans(tmp_path):
    audio, rate, spans = fs.render_chords(
        [([60, 64, 67], 0.5), ([57], 0.5)], sample_rate=22050, workdir=tmp_path
    )
    assert rate == 22050 and audio.ndim == 1 and audio.dtype.name == "float32"
    assert len(audio) >= rate and abs(audio).max() > 0.01
    assert spans == [(0.0, 0.5, (60, 64, 67)), (0.5, 1.0, (57,))]
    assert list(tmp_path.iterdir()) == []  # temporary files cleaned up


def test_each_chord_can_have_its_own_detune(tmp_path):
    import mido

    path = fs.write_chords_midi(
        [([60], 0.5), ([], 0.5), ([64], 0.5)], 0, 90, tmp_path / "d.mid", cents=[25.0, 0.0, -40.0]
    )
    events = [m for m in mido.MidiFile(str(path)) if m.type in ("pitchwheel", "note_on")]
    kinds = [
        (m.type, getattr(m, "note", None)) for m in events if m.type == "pitchwheel" or m.velocity
    ]
    assert kinds == [("pitchwheel", None), ("note_on", 60), ("pitchwheel", None), ("note_on", 64)]
    bends = [m.pitch for m in events if m.type == "pitchwheel"]
    assert bends == [round(25 / 200 * 8192), round(-40 / 200 * 8192)]
    with pytest.raises(AudioError, match="one per chord"):
        fs.write_chords_midi([([60], 0.5)], 0, 90, tmp_path / "x.mid", cents=[1.0, 2.0])
    with pytest.raises(AudioError, match="within ±200"):
        fs.write_chords_midi([([60], 0.5)], 0, 90, tmp_path / "x.mid", cents=[250.0])

import shutil
import subprocess

import mido
import numpy as np
import pytest
import soundfile as sf

from kord_engine.cli import main
from kord_engine.errors import KordError
from kord_engine.ml.midi import read_midi, select_notes
from kord_engine.ml.process import ProcessOptions, process_midi_audio, read_mono_audio
from kord_engine.samples import mask_to_ids, read_sample

PPQ = 480
MEASURE = 4 * PPQ  # 4/4; 2 s at 120 bpm
RATE = 16000


def write_midi(path, events, tempo=500_000, signature=(4, 4), end=None):
    """events: (tick, 'on'|'off', key, channel); the track lasts until tick `end`."""
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(
        mido.MetaMessage("time_signature", numerator=signature[0], denominator=signature[1], time=0)
    )
    now = 0
    for tick, kind, key, channel in sorted(events, key=lambda e: (e[0], e[1] == "on")):
        velocity = 90 if kind == "on" else 0  # note_on velocity 0 = note off
        track.append(
            mido.Message("note_on", note=key, velocity=velocity, channel=channel, time=tick - now)
        )
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, (end or now) - now)))
    mid.save(str(path))
    return path


def note(key, start, end, channel=0):
    return [(start, "on", key, channel), (end, "off", key, channel)]


def sines(spans, seconds, rate=RATE):
    """Audio with a sine per (key, start_s, end_s)."""
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros_like(t)
    for key, a, b in spans:
        f = 440.0 * 2 ** ((key - 69) / 12)
        on = (t >= a) & (t < b)
        out[on] += 0.2 * np.sin(2 * np.pi * f * t[on])
    return out.astype(np.float32)


@pytest.fixture()
def song(tmp_path):
    events = (
        note(60, 0, MEASURE)
        + note(64, 0, MEASURE)
        + note(67, 0, MEASURE)  # measure 0: C E G
        + note(57, MEASURE, MEASURE + MEASURE // 2)  # measure 1: A3 for half
        + note(72, MEASURE, MEASURE + MEASURE // 10)  # C5 for 10% (below min_fraction)
        + note(36, MEASURE, 2 * MEASURE, channel=9)  # drums: ignored
        # measure 2: rest
    )
    midi = write_midi(tmp_path / "song.mid", events, end=3 * MEASURE)
    audio = sines([(60, 0, 2), (64, 0, 2), (67, 0, 2), (57, 2, 3), (72, 2, 2.2)], 6.0)
    wav = tmp_path / "song.wav"
    sf.write(wav, audio, RATE)
    return midi, wav


def test_one_sample_per_measure_with_kords_names(song, tmp_path):
    midi, wav = song
    result = process_midi_audio(midi, wav, tmp_path / "out")
    names = sorted(p.name for p in result.measures)
    assert len(names) == 3
    assert names[0].startswith("song_measure_0000_2s_C4_E4_G4_")
    assert names[1].startswith("song_measure_0001_2s_A3_")  # C5 at 10% and drums dropped
    assert names[2].startswith("song_measure_0002_2s_rest_")
    first = read_sample(sorted(result.measures)[0])
    assert first.note_ids == (48, 52, 55)
    assert abs(int(np.argmax(first.spectrum)) - 262) <= 1  # C4 sine


def test_min_notes_tops_up_and_limit_stops(song, tmp_path):
    midi, wav = song
    options = ProcessOptions(min_notes=2, limit=2)
    result = process_midi_audio(midi, wav, tmp_path / "out", options)
    assert len(result.measures) == 2
    ids = sorted(read_sample(p).note_ids for p in result.measures)
    assert (45, 60) in ids  # A3 + the C5 topped up


def test_measures_past_the_audio_are_skipped(song, tmp_path):
    midi, _ = song
    short = tmp_path / "short.wav"
    sf.write(short, sines([(60, 0, 2)], 3.0), RATE)
    result = process_midi_audio(midi, short, tmp_path / "out")
    assert len(result.measures) == 1
    assert result.skipped == [(1, "past the end of the audio"), (2, "past the end of the audio")]


def test_windows_are_labelled_by_what_sounds_in_them(song, tmp_path):
    midi, wav = song
    result = process_midi_audio(midi, wav, tmp_path / "out", ProcessOptions(window=0.5))
    assert len(result.windows) == 12  # 4 per 2-s measure
    by_name = {p.name.split("_", 4)[2] + p.name.split("_", 4)[3]: p for p in result.windows}
    assert read_sample(by_name["0001w00"]).note_ids == (45, 60)  # C5 sounds 0.2 s of 0.5
    assert read_sample(by_name["0001w01"]).note_ids == (45,)
    assert read_sample(by_name["0001w02"]).note_ids == ()  # A3 stopped at 1 s
    assert all("_500ms_" in p.name for p in result.windows)


def test_tempo_changes_move_measure_times(tmp_path):
    mid = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=1_000_000, time=0))  # 60 bpm
    track.append(mido.MetaMessage("set_tempo", tempo=500_000, time=MEASURE))  # 120 bpm
    track.append(mido.Message("note_on", note=60, velocity=80, time=0))
    track.append(mido.Message("note_off", note=60, velocity=0, time=MEASURE))
    mid.save(str(tmp_path / "t.mid"))
    timeline = read_midi(tmp_path / "t.mid")
    assert [(m.start, m.end) for m in timeline.measures] == [(0.0, 4.0), (4.0, 6.0)]


def test_overlapping_notes_pair_lifo_and_time_signature(tmp_path):
    events = [(0, "on", 60, 0), (100, "on", 60, 0), (200, "off", 60, 0), (900, "off", 60, 0)]
    timeline = read_midi(write_midi(tmp_path / "o.mid", events, signature=(3, 4)))
    assert timeline.measure_ticks == 3 * PPQ
    spans = sorted((n.start, n.end) for n in timeline.notes)
    assert spans == [(0, 900), (100, 200)]


def test_select_notes_rules():
    assert select_notes({60: 0.9, 64: 0.1}, 0.2, 1, 20) == [60]
    assert select_notes({60: 0.1, 64: 0.15}, 0.2, 1, 20) == [64]  # top-up from most prominent
    assert select_notes({60: 0.1, 64: 0.15}, 0.2, 0, 20) == [60, 64]  # none qualify: all
    assert select_notes({60: 0.9, 64: 0.8, 67: 0.7}, 0.2, 1, 2) == [60, 64]
    assert select_notes({}, 0.2, 1, 20) == []


def test_24_bit_wav_is_scaled_like_float(tmp_path):
    audio = sines([(69, 0, 1)], 1.0)
    sf.write(tmp_path / "f.wav", audio, RATE, subtype="FLOAT")
    sf.write(tmp_path / "i24.wav", audio, RATE, subtype="PCM_24")
    a, _ = read_mono_audio(tmp_path / "f.wav")
    b, _ = read_mono_audio(tmp_path / "i24.wav")
    np.testing.assert_allclose(a, b, atol=1e-5)  # kord read 24-bit ints at ~1/256 scale


def test_stereo_is_mixed_to_mono(tmp_path):
    audio = sines([(69, 0, 1)], 1.0)
    sf.write(tmp_path / "s.flac", np.stack([audio, audio * 0], axis=1), RATE)
    mono, rate = read_mono_audio(tmp_path / "s.flac")
    assert rate == RATE and mono.ndim == 1
    np.testing.assert_allclose(mono, audio / 2, atol=1e-3)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ProcessOptions(min_fraction=1.5), "min fraction"),
        (ProcessOptions(min_notes=3, max_notes=2), "max notes"),
        (ProcessOptions(window=0.0), "window"),
    ],
)
def test_bad_options(song, tmp_path, options, message):
    midi, wav = song
    with pytest.raises(KordError, match=message):
        process_midi_audio(midi, wav, tmp_path / "out", options)


def test_bad_inputs(song, tmp_path):
    midi, wav = song
    (tmp_path / "x.ogg").write_bytes(b"not audio")
    with pytest.raises(KordError, match="cannot read audio"):
        process_midi_audio(midi, tmp_path / "x.ogg", tmp_path / "out")
    (tmp_path / "bad.mid").write_bytes(b"MThd garbage")
    with pytest.raises(KordError, match="cannot read MIDI"):
        process_midi_audio(tmp_path / "bad.mid", wav, tmp_path / "out")


def test_cli_process(song, tmp_path, capsys):
    midi, wav = song
    out = tmp_path / "cli"
    code = main(
        [
            "ml",
            "process",
            "--midi",
            str(midi),
            "--audio",
            str(wav),
            "-d",
            str(out),
            "--window",
            "1.0",
            "--skip-rests",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "wrote 2 measure samples" in captured.out
    assert "measure/s" not in captured.err  # no progress bar where stderr is no terminal
    assert (
        main(["ml", "process", "--midi", str(midi), "--audio", str(wav), "--min-fraction", "2"])
        == 2
    )


def test_shared_test_mid_rendered_with_fluidsynth(shared_dir, tmp_path):
    fonts = [p for p in ("/usr/share/sounds/sf2/TimGM6mb.sf2",) if shutil.os.path.exists(p)]
    if not shutil.which("fluidsynth") or not fonts:
        pytest.skip("fluidsynth / TimGM6mb not installed")
    full = mido.MidiFile(str(shared_dir / "data/audio/test.mid"))
    cut = mido.MidiFile(ticks_per_beat=full.ticks_per_beat)  # first 6 measures only
    track, tick = mido.MidiTrack(), 0
    for msg in full.tracks[0]:
        tick += msg.time
        if tick > 6 * 4 * full.ticks_per_beat:
            break
        if msg.type != "end_of_track":
            track.append(msg)
    for channel in range(16):  # release everything at the cut, so the rendering ends
        track.append(mido.Message("control_change", channel=channel, control=64, value=0, time=0))
        track.append(mido.Message("control_change", channel=channel, control=123, value=0, time=0))
    track.append(mido.MetaMessage("end_of_track", time=full.ticks_per_beat))
    cut.tracks.append(track)
    cut.save(str(tmp_path / "test.mid"))
    wav = tmp_path / "test.wav"
    subprocess.run(
        [
            "fluidsynth",
            "-ni",
            "-g",
            "0.6",
            "-F",
            str(wav),
            "-r",
            "22050",
            fonts[0],
            str(tmp_path / "test.mid"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    result = process_midi_audio(tmp_path / "test.mid", wav, tmp_path / "out")
    assert 5 <= len(result.measures) <= 7
    names = sorted(p.name for p in result.measures)
    assert names[1].startswith("test_measure_0001_3s_")  # 4/4 at 749,906 µs/qn = 3 s measures
    second = read_sample(sorted(result.measures)[1])
    assert 45 in second.note_ids  # A3 (MIDI 57) sounds 80% of measure 1
    assert all(0 <= i < 128 for i in mask_to_ids(second.mask))


def test_notes_below_midi_12_are_dropped_not_fatal(tmp_path):
    # kord aborted the whole file on MIDI < 12 (no label bit); we keep the rest of the measure
    midi = write_midi(tmp_path / "low.mid", note(5, 0, MEASURE) + note(60, 0, MEASURE))
    wav = tmp_path / "low.wav"
    sf.write(wav, sines([(60, 0, 2)], 2.0), RATE)
    result = process_midi_audio(midi, wav, tmp_path / "out")
    assert [read_sample(p).note_ids for p in result.measures] == [(48,)]

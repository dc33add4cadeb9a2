"""ml.recordings: takes saved atomically (WAV + label + .bin), read back, listed, deleted."""

import json

import numpy as np
import pytest

import kord_engine.ml.recordings as recordings
from kord_engine.ml.recordings import (
    RecordingError,
    delete_take,
    instrument_dir,
    list_instruments,
    list_takes,
    load_take_audio,
    read_take,
    save_take,
    slugify,
)
from kord_engine.ml.sources import load_source
from kord_engine.samples import SAMPLE_BYTES, read_sample

RATE = 16000


def chord_audio(midi=(60, 64, 67), seconds=1.5, cents=0.0):
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.zeros_like(t)
    for m in midi:
        f = 440.0 * 2 ** ((m - 69 + cents / 100) / 12)
        for k in (1, 2, 3):
            out += 0.2 / k * np.sin(2 * np.pi * f * k * t)
    return (out * np.exp(-t)).astype(np.float32)


def test_a_take_round_trips_its_label_audio_and_sample(tmp_path):
    audio = chord_audio()
    take = save_take("My Guitar", audio, RATE, [67, 60, 64], "C", root=tmp_path)
    assert take.instrument == "My Guitar" and take.symbol == "C"
    assert take.notes == (60, 64, 67) and take.rate == RATE
    assert take.sample.parent == instrument_dir("my guitar", tmp_path) == tmp_path / "my-guitar"
    assert {p.name for p in take.sample.parent.iterdir()} == {
        take.wav.name,
        take.label.name,
        take.sample.name,
    }
    assert take.sample.name.startswith("C4_E4_G4_") and take.sample.stat().st_size == SAMPLE_BYTES
    sample = read_sample(take.sample)
    assert sample.note_ids == (48, 52, 55)  # kord ids = MIDI − 12
    peak = int(np.argmax(sample.spectrum))
    assert min(abs(peak - f) for f in (262, 330, 392)) <= 2
    label = json.loads(take.label.read_text())
    assert label["notes"] == [60, 64, 67] and label["note_names"] == ["C4", "E4", "G4"]
    assert label["symbol"] == "C" and label["rate"] == RATE
    assert read_take(take.label) == take
    back, rate = load_take_audio(take)
    assert rate == RATE and np.allclose(back, audio, atol=1e-6)
    # the folder is a training source as it is
    data = load_source(str(take.sample.parent))
    assert data.masks == [sample.mask]


def test_the_spectrum_is_read_against_the_takes_own_tuning(tmp_path):
    take = save_take("flat", chord_audio((57,), cents=-30), RATE, [57], root=tmp_path)
    assert take.tuning_hz == pytest.approx(440 * 2 ** (-30 / 1200), abs=1.0)
    peak = int(np.argmax(read_sample(take.sample).spectrum))
    assert abs(peak - 220) <= 1  # warped back onto A440's grid, as the detectors read it


def test_list_sorts_by_time_and_delete_removes_all_files(tmp_path):
    first = save_take("piano", chord_audio((60,)), RATE, [60], "C", root=tmp_path)
    second = save_take("piano", chord_audio((62,)), RATE, [62], "D", root=tmp_path)
    third = save_take("piano", chord_audio((60,)), RATE, [60], "C", root=tmp_path)
    assert len({first.sample, third.sample}) == 2  # same notes, two takes
    assert list_takes("piano", tmp_path) == [first, second, third]
    delete_take(second)
    assert list_takes("piano", tmp_path) == [first, third]
    assert not second.wav.exists() and not second.label.exists()
    assert list_takes("never recorded", tmp_path) == []


def test_instruments_are_listed_by_name(tmp_path):
    save_take("My Guitar", chord_audio(), RATE, [60, 64, 67], root=tmp_path)
    save_take("cello", chord_audio(), RATE, [60, 64, 67], root=tmp_path)
    (tmp_path / "empty-one").mkdir()
    assert list_instruments(tmp_path) == ["cello", "empty-one", "My Guitar"]
    assert all(instrument_dir(n, tmp_path).is_dir() for n in list_instruments(tmp_path))
    assert list_instruments(tmp_path / "missing") == []


def test_a_crash_while_writing_the_sample_leaves_no_take(tmp_path, monkeypatch):
    real = recordings.atomic_write_bytes

    def crash_on_bin(path, data):
        if str(path).endswith(".bin"):
            real(path, data[: len(data) // 2])  # even a half sample written …
            raise KeyboardInterrupt("cancelled mid-write")  # … is taken back
        real(path, data)

    monkeypatch.setattr(recordings, "atomic_write_bytes", crash_on_bin)
    with pytest.raises(KeyboardInterrupt):
        save_take("crashy", chord_audio(), RATE, [60, 64, 67], root=tmp_path)
    folder = instrument_dir("crashy", tmp_path)
    assert list(folder.iterdir()) == []
    assert list_takes("crashy", tmp_path) == []


def test_a_killed_save_leaves_nothing_that_counts_as_a_take(tmp_path):
    good = save_take("piano", chord_audio(), RATE, [60, 64, 67], root=tmp_path)
    folder = good.sample.parent
    # what a process killed mid-save can leave: the WAV and label written, the .bin's temp
    # file half full (atomic_write_bytes's temp names start with "." and end with ".tmp")
    (folder / "D4_1.wav").write_bytes(good.wav.read_bytes())
    label = json.loads(good.label.read_text())
    label.update(wav="D4_1.wav", sample="D4_1.bin", created="2099-01-01T00:00:00+00:00")
    (folder / "D4_1.json").write_text(json.dumps(label))
    (folder / ".D4_1.bin.abc123.tmp").write_bytes(good.sample.read_bytes()[:1000])
    assert list_takes("piano", tmp_path) == [good]
    assert [p.name for p in folder.glob("*.bin")] == [good.sample.name]
    load_source(str(folder))  # every .bin there is whole


@pytest.mark.parametrize(
    ("audio", "rate", "notes", "match"),
    [
        (np.zeros(0, np.float32), RATE, [60], "empty or too short"),
        (chord_audio(), RATE, [], "no notes"),
        (chord_audio(), 0, [60], "sample rate"),
        (chord_audio(), 44100.5, [60], "integer"),
        (chord_audio(), RATE, [200], "outside MIDI"),
        (np.full(RATE, np.nan, np.float32), RATE, [60], "NaN"),
    ],
)
def test_bad_takes_are_clear_errors_and_write_nothing(tmp_path, audio, rate, notes, match):
    with pytest.raises(RecordingError, match=match):
        save_take("piano", audio, rate, notes, root=tmp_path)
    assert not (tmp_path / "piano").exists() or not any((tmp_path / "piano").iterdir())


def test_instrument_names_need_a_letter():
    assert slugify("  Grandma's Upright Piano  ") == "grandma-s-upright-piano"
    assert slugify("Gitarre (Å)") == "gitarre-a"
    with pytest.raises(RecordingError, match="letter or digit"):
        slugify("!!!")

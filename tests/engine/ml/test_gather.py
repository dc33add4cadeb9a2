import numpy as np
import pytest

from kord_engine.errors import KordError
from kord_engine.ml.gather import gather, parse_note_ids
from kord_engine.samples import read_sample

RATE = 8000


def fake_recorder(freqs):
    def record(seconds, device, sample_rate):
        t = np.arange(int(seconds * RATE)) / RATE
        out = np.zeros_like(t)
        for f in freqs:
            out += 0.2 * np.sin(2 * np.pi * f * t)
        return out.astype(np.float32), RATE

    return record


def test_gather_saves_the_labelled_spectrum(tmp_path):
    answers = iter(["C4 E4 G4"])
    said = []
    path = gather(
        tmp_path,
        length=2,
        recorder=fake_recorder([261.63, 329.63, 392.0]),
        ask=lambda prompt: next(answers),
        say=said.append,
    )
    sample = read_sample(path)
    assert sample.note_ids == (48, 52, 55)
    assert path.name.startswith("C4_E4_G4_")
    assert abs(int(np.argmax(sample.spectrum)) - 262) <= 1
    assert any("Saved" in s for s in said)


def test_bad_answers_are_asked_again_then_an_error(tmp_path):
    answers = iter(["H4", "C", "A4"])
    said = []
    path = gather(
        tmp_path,
        length=1,
        recorder=fake_recorder([440.0]),
        ask=lambda p: next(answers),
        say=said.append,
    )
    assert read_sample(path).note_ids == (57,)
    assert sum("try again" in s for s in said) == 2
    with pytest.raises(KordError, match="octave"):
        gather(
            tmp_path, length=1, recorder=fake_recorder([440.0]), ask=lambda p: "C", say=said.append
        )


def test_silence_warns_and_rest_is_allowed(tmp_path):
    said = []
    path = gather(
        tmp_path, length=1, recorder=fake_recorder([]), ask=lambda p: "rest", say=said.append
    )
    assert read_sample(path).mask == 0
    assert any("silent" in s for s in said)


def test_parse_and_length_checks(tmp_path):
    assert parse_note_ids("C#4, Bb3") == [49, 46]
    with pytest.raises(KordError, match="no notes"):
        parse_note_ids("  ")
    with pytest.raises(KordError, match="1..255"):
        gather(tmp_path, length=0, recorder=fake_recorder([440.0]), ask=lambda p: "A4")

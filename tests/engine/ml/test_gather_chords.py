"""kord ml gather --chords: chord by chord, with an injected recorder and prompt."""

import json

import numpy as np
import pytest

import kord_engine.ml.gather as gather_module
from kord_engine.cli import main
from kord_engine.ml.chord_sets import parse_chord_list
from kord_engine.ml.gather import GatherError, cut_take, gather_chords
from kord_engine.ml.recordings import list_takes, takes_in
from kord_engine.samples import read_sample

RATE = 16000


def played(midi, silence=0.4, seconds=3.0):
    """A recording: silence, then the notes (decaying partials)."""
    t = np.arange(int((seconds - silence) * RATE)) / RATE
    tone = np.zeros_like(t)
    for m in midi:
        f = 440.0 * 2 ** ((m - 69) / 12)
        tone += sum(0.15 / k * np.sin(2 * np.pi * f * k * t) for k in (1, 2, 3))
    return np.concatenate([np.zeros(int(silence * RATE)), tone * np.exp(-t)]).astype(np.float32)


class Musician:
    """Plays what it is asked (or `wrong` for one chord), records what the calls ask."""

    def __init__(self, prompts, silent_first=False):
        self.queue = [p.notes for p in prompts]
        self.calls = []
        self.silent_first = silent_first

    def __call__(self, seconds, device, rate):
        self.calls.append(seconds)
        if self.silent_first:
            self.silent_first = False
            return np.zeros(int(seconds * RATE), np.float32), RATE
        return played(self.queue[0], seconds=seconds), RATE


def test_each_chord_is_cut_after_its_onset_and_saved_with_its_label(tmp_path):
    prompts = parse_chord_list("C Am7 F/A")
    musician = Musician(prompts)
    answers = iter(["", "A3 C4 E4 G4", ""])  # accept, correct the voicing, accept
    asked, said = [], []

    def ask(prompt):
        asked.append(prompt)
        return next(answers)

    def say(message):
        said.append(message)
        if message.startswith("Saved"):
            musician.queue.pop(0)  # the next chord is played next

    takes = gather_chords(prompts, "My Piano", root=tmp_path, recorder=musician, ask=ask, say=say)
    assert [t.symbol for t in takes] == ["C", "Am7", "F/A"]
    assert takes[0].notes == (48, 52, 55)
    assert takes[1].notes == (57, 60, 64, 67)
    assert takes[2].notes == (57, 60, 65)
    assert list_takes("My Piano", tmp_path) == takes
    for take in takes:
        assert len(take.wav.read_bytes()) > 0
        label = json.loads(take.label.read_text())
        assert label["seconds"] == pytest.approx(1.55, abs=0.01)  # 50 ms pre-roll + 1.5 s
        assert read_sample(take.sample).note_ids == tuple(n - 12 for n in take.notes)
    assert any("F/A — play A3 C4 F4" in s for s in said)
    assert "[A3 C4 F4]" in asked[2]


def test_retake_skip_and_silence(tmp_path):
    prompts = parse_chord_list("C G")
    musician = Musician(prompts, silent_first=True)
    answers = iter(["", "r", "", "s"])  # silence: record again; retake C; accept; skip G
    said = []
    takes = gather_chords(
        prompts,
        "x",
        destination=tmp_path / "mine",
        recorder=musician,
        ask=lambda p: next(answers),
        say=said.append,
    )
    assert [t.symbol for t in takes] == ["C"]
    assert len(musician.calls) == 4  # silent, C, C again, G
    assert any("No chord heard" in s for s in said)
    assert takes_in(tmp_path / "mine") == takes  # --destination: the folder as it is


def test_bad_notes_are_asked_again(tmp_path):
    prompts = parse_chord_list("C")
    answers = iter(["H4", "C4 E4 G4 C5"])
    said = []
    takes = gather_chords(
        prompts,
        "x",
        root=tmp_path,
        recorder=Musician(prompts),
        ask=lambda p: next(answers),
        say=said.append,
    )
    assert takes[0].notes == (60, 64, 67, 72)
    assert any("try again" in s for s in said)
    with pytest.raises(GatherError, match="length"):
        gather_chords(prompts, "x", root=tmp_path, length=0.1, recorder=Musician(prompts))


def test_cut_take_finds_the_onset():
    audio = played((60,), silence=0.5)
    take = cut_take(audio, RATE, seconds=1.0)
    assert len(take) == int(0.05 * RATE) + RATE
    assert np.abs(take[: int(0.04 * RATE)]).max() < 1e-6  # the pre-roll is the silence
    assert cut_take(np.zeros(RATE, np.float32), RATE) is None


def test_the_cli_prompts_chord_by_chord(tmp_path, monkeypatch, capsys):
    prompts = parse_chord_list("C Am")
    musician = Musician(prompts)

    def record(seconds, device, rate):
        audio = musician(seconds, device, rate)
        musician.queue = musician.queue[1:] or musician.queue
        return audio

    monkeypatch.setattr(gather_module, "record_default", record)
    monkeypatch.setattr("builtins.input", lambda prompt="": "")
    code = main(
        ["ml", "gather", "--chords", "C Am", "--instrument", "uke", "-d", str(tmp_path / "u")]
    )
    assert code == 0
    takes = takes_in(tmp_path / "u")
    assert [t.symbol for t in takes] == ["C", "Am"]
    assert takes[1].instrument == "uke" and takes[1].notes == (57, 60, 64)
    out = capsys.readouterr().out
    assert "2 of 2 chords recorded" in out and "--init-from" in out


def test_the_cli_rejects_a_bad_chord(capsys):
    assert main(["ml", "gather", "--chords", "C Xm7"]) == 2
    assert "'Xm7'" in capsys.readouterr().err

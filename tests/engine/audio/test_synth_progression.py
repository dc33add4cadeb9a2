"""Progressions (kord's `SYMBOL|N` loop items): parsing, timing, offline render, live Looper."""

import numpy as np
import pytest

from kord_engine.audio.sound.progression import (
    Looper,
    n32_seconds,
    parse_loop_item,
    parse_loop_items,
    progression_seconds,
    render_progression,
)
from kord_engine.audio.sound.synth import Synth, SynthConfig
from kord_engine.audio.sound.voices import midi_to_frequency
from kord_engine.errors import KordError, ParseError

SR = 48000


def _level(audio, hz):
    spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    freqs = np.fft.rfftfreq(len(audio), 1 / SR)
    return spec[(freqs > hz - 3) & (freqs < hz + 3)].max() / spec.max()


def test_kords_lengths_in_32nd_notes():
    assert n32_seconds(32, 60) == 4.0
    assert n32_seconds(16, 120) == 1.0
    items = parse_loop_items(["C", "G|16", "Am7|8"], bpm=120)
    assert [i.symbol for i in items] == ["C", "G", "Am7"]
    assert [i.n32 for i in items] == [32, 16, 8]
    assert [i.seconds for i in items] == [2.0, 1.0, 0.5]
    assert progression_seconds(items) == 3.5
    assert items[0].midis == [60, 64, 67]


def test_kords_example_progression_parses():
    items = parse_loop_items(["Em7b5@3^2", "A7b13@3!", "D-maj7@3^2", "G7@3", "Cmaj7@3^2"], 120)
    assert len(items) == 5 and all(i.seconds == 2.0 for i in items)
    assert all(i.midis for i in items)


@pytest.mark.parametrize("text", ["C|0", "C|x", "C|70000", "C|", "|8", "C|-1"])
def test_bad_lengths_are_parse_errors(text):
    with pytest.raises(ParseError):
        parse_loop_item(text)


def test_bad_chord_and_empty_progression_and_bad_tempo_are_errors():
    with pytest.raises(KordError):
        parse_loop_items(["C", "Hx7"])
    with pytest.raises(KordError):
        parse_loop_items([])
    with pytest.raises(KordError):
        parse_loop_items(["C"], bpm=0)


def test_render_progression_plays_each_chord_in_its_slot():
    items = parse_loop_items(["C", "G|16"], bpm=120)
    audio = render_progression(items, SynthConfig(timbre="sine"), repeat=2)
    assert audio.shape == (6 * SR,)
    c_slot, g_slot = audio[int(0.3 * SR) : int(1.8 * SR)], audio[int(2.2 * SR) : int(2.8 * SR)]
    c4, b4 = midi_to_frequency(60), midi_to_frequency(71)  # C4 only in C, B4 only in G
    assert _level(c_slot, c4) > 0.5 and _level(c_slot, b4) < 0.05
    assert _level(g_slot, b4) > 0.5 and _level(g_slot, c4) < 0.05
    np.testing.assert_allclose(audio[: 3 * SR], audio[3 * SR :], atol=1e-4)  # second pass
    assert np.abs(audio[2 * SR - 48 : 2 * SR]).max() < 1e-3  # C has died away when G starts


def test_looper_reports_chords_as_they_start_and_stops_after_repeats():
    synth = Synth(SynthConfig(timbre="sine"))
    items = parse_loop_items(["C|8", "G|8"], bpm=240)  # 0.25 s each
    looper = Looper(synth, items, repeat=2, lead=0.0)
    seen = []
    while not looper.finished:
        seen += [(round(synth.time, 2), item.symbol) for item in looper.poll()]
        synth.render(480)
    assert [s for _, s in seen] == ["C", "G", "C", "G"]
    assert [t for t, _ in seen] == [0.0, 0.25, 0.5, 0.75]
    assert synth.time >= 1.0 and synth.pending_events == 0


def test_looper_stop_silences_and_ends():
    synth = Synth(SynthConfig(timbre="sine"))
    looper = Looper(synth, parse_loop_items(["C", "F"]))
    looper.poll()
    synth.render(4800)
    assert synth.active_voices == 3
    looper.stop()
    synth.render(SR // 2)
    assert looper.finished and synth.active_voices == 0 and looper.poll() == []

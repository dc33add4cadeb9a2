"""ADSR envelope maths, and the synth applying it sample-accurately."""

import numpy as np
import pytest

from kord_engine.audio.sound.envelope import Adsr, adsr_curve, held_level, release_level
from kord_engine.audio.sound.synth import Synth, SynthConfig
from kord_engine.audio.sound.wav import render_offline

SR = 48000


def test_attack_peaks_on_its_last_sample_then_decays_to_sustain():
    attack, decay, sustain = 144, 960, 0.5
    ages = np.arange(attack + decay + 100)
    level = held_level(ages, attack, decay, sustain)
    assert level[attack - 1] == pytest.approx(1.0)
    assert np.all(level[: attack - 1] < 1.0)
    assert np.all(np.diff(level[:attack]) > 0)
    assert np.argmax(level) == attack - 1
    assert np.all(np.diff(level[attack - 1 : attack + decay]) < 0)
    assert level[attack + decay - 1] == pytest.approx(sustain)
    assert np.all(level[attack + decay :] == pytest.approx(sustain))


def test_release_falls_monotonically_to_exactly_zero():
    release = 1200
    level = release_level(np.arange(release + 50), 0.8, release)
    assert level[0] < 0.8
    assert np.all(np.diff(level[:release]) < 0)
    assert level[release - 1] == 0.0
    assert np.all(level[release:] == 0.0)


def test_adsr_in_samples_rounds_and_keeps_at_least_one_sample():
    s = Adsr(0.003, 0.0, 0.85, 0.25).in_samples(SR)
    assert (s.attack, s.decay, s.release) == (144, 1, 12000)
    assert s.sustain == 0.85


def test_synth_output_is_envelope_times_sine_to_the_sample():
    """A lone sine voice renders exactly gain · velocity · ADSR · sin(ωn)."""
    adsr = Adsr(attack=0.01, decay=0.02, sustain=0.5, release=0.03)
    cfg = SynthConfig(
        timbre="sine",
        attack=adsr.attack,
        decay=adsr.decay,
        sustain=adsr.sustain,
        release=adsr.release,
        gain=0.25,
    )
    synth = Synth(cfg)
    synth.note_on(69, velocity=0.8)
    held = render_offline(synth, 0.1, blocksize=200)
    synth.note_off(69)
    tail = render_offline(synth, 0.05, blocksize=333)
    out = np.concatenate([held, tail])
    n = np.arange(len(out))
    expected = 0.25 * 0.8 * adsr_curve(adsr, SR, 0.1, 0.05) * np.sin(2 * np.pi * 440 * n / SR)
    np.testing.assert_allclose(out, expected, atol=2e-5)
    assert np.all(out[round(0.13 * SR) :] == 0.0)
    assert synth.active_voices == 0


def test_piano_uses_kords_envelope_by_default():
    env = SynthConfig().envelope()
    assert (env.attack, env.decay, env.sustain, env.release) == (0.003, 0.02, 0.85, 0.25)
    assert SynthConfig(timbre="piano", release=1.0).envelope().release == 1.0

"""The master limiter: a dense fortissimo chord never leaves ±1.0, quiet audio is untouched."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kord_engine.audio.sound.limiter import Limiter, soft_clip
from kord_engine.audio.sound.synth import Synth, SynthConfig
from kord_engine.audio.sound.wav import render_offline

SR = 48000


@given(arrays(np.float32, st.integers(1, 300), elements=st.floats(-1e6, 1e6, width=32)))
def test_soft_clip_stays_strictly_inside_unit_range(x):
    y = soft_clip(x)
    assert np.all(np.abs(y) < 1.0)
    assert np.all(np.sign(y) == np.sign(x))


def test_soft_clip_is_identity_below_the_knee_and_monotonic_above():
    x = np.linspace(-0.8, 0.8, 1001, dtype=np.float32)
    assert np.array_equal(soft_clip(x), x)
    big = np.linspace(0.0, 50.0, 5001, dtype=np.float32)
    assert np.all(np.diff(soft_clip(big)) >= 0)


def test_limiter_leaves_quiet_audio_untouched():
    t = np.arange(SR) / SR
    x = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    lim = Limiter(SR)
    out = np.concatenate([lim.process(b) for b in np.split(x, SR // 480)])
    assert np.array_equal(out, x)


def test_limiter_pulls_a_loud_signal_down_smoothly():
    t = np.arange(SR) / SR
    x = (4.0 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    lim = Limiter(SR)
    out = np.concatenate([lim.process(b) for b in np.split(x, 250)])
    assert np.abs(out).max() < 1.0
    settled = out[SR // 2 :]
    assert 0.7 < np.abs(settled).max() <= 0.85  # gain-reduced to the threshold, not clipped


def test_ten_note_fortissimo_piano_chord_never_exceeds_unity():
    synth = Synth(SynthConfig(timbre="piano", gain=3.0))
    chord = [36, 43, 48, 52, 55, 60, 64, 67, 72, 76]
    synth.play_chord(chord, duration=1.5, velocity=1.0)
    out = render_offline(synth, 2.0)
    assert np.abs(out).max() <= 1.0
    assert np.abs(out).max() > 0.7  # loud, not silenced


def test_ten_note_organ_chord_at_full_gain_never_exceeds_unity():
    synth = Synth(SynthConfig(timbre="organ", gain=10.0))
    for m in range(48, 68, 2):
        synth.note_on(m, 1.0)
    out = render_offline(synth, 1.0, blocksize=1024)
    assert np.abs(out).max() <= 1.0

"""kord's 1 Hz frequency space and the any-length window space."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.listen.spectrum import frequency_space, window_frequency_space
from kord_engine.errors import AudioError


def sine(freq: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("seconds", [1, 3])
def test_sine_peaks_at_its_bin_with_kord_scale(seconds):
    rate = 48000
    space = frequency_space(sine(440.0, seconds, rate), rate)
    assert space.shape == (8192,) and space.dtype == np.float32
    assert int(np.argmax(space)) == 440
    # kord: a sine of amplitude A on a bin peaks at A·fs/2 whatever L is
    assert space[440] == pytest.approx(0.5 * rate / 2, rel=1e-3)


def test_partial_second_is_dropped_like_kord():
    rate = 16000
    x = sine(300.0, 2.0, rate)
    tail = np.concatenate([x, np.ones(rate // 2, np.float32)])
    assert np.allclose(frequency_space(tail, rate), frequency_space(x, rate))


def test_block_mean_matches_the_definition():
    rng = np.random.default_rng(1)
    rate, seconds = 20000, 2
    x = rng.standard_normal(rate * seconds).astype(np.float32)
    full = np.abs(np.fft.fft(x.astype(np.float64)))
    expected = full[: 8192 * seconds].reshape(8192, seconds).mean(axis=1)
    assert np.allclose(frequency_space(x, rate), expected, rtol=1e-4)


def test_less_than_a_second_is_an_error():
    with pytest.raises(AudioError, match="whole second"):
        frequency_space(np.zeros(1000, np.float32), 8000)


def test_low_rates_are_zero_above_nyquist():
    space = frequency_space(sine(1000.0, 1.0, 8000), 8000)
    assert int(np.argmax(space)) == 1000
    assert not space[4001:].any()  # kord would show a mirror image here; we do not


@pytest.mark.parametrize("frames", [4096, 12000, 24000])
def test_short_windows_share_kord_scale(frames):
    rate = 48000
    w = window_frequency_space(sine(440.0, 1.0, rate)[:frames], rate)
    assert w.shape == (8192,)
    assert abs(int(np.argmax(w)) - 440) <= 1
    assert w.max() == pytest.approx(0.5 * rate / 2, rel=0.1)


def test_whole_second_window_equals_frequency_space():
    x = sine(523.25, 2.0, 22050)
    assert np.allclose(window_frequency_space(x, 22050), frequency_space(x, 22050))


def test_empty_window_is_zeros_and_bad_shapes_error():
    assert not window_frequency_space(np.zeros(0, np.float32), 48000).any()
    with pytest.raises(AudioError, match="mono"):
        window_frequency_space(np.zeros((10, 2), np.float32), 48000)

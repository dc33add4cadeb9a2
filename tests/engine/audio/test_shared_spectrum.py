"""One Hann spectrum per hop: the tuning vote, the harmonic detector and the early bass that
window the same audio share one transform, and get what their own transform gave."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.listen import bass, fft, tuning
from kord_engine.audio.listen.detect.harmonic import HarmonicDetector

RATE = 48000


def tone(seconds: float, seed: int = 0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(seed)
    x = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((130.81, 261.63, 329.63), 1))
    return (0.2 * x + 0.001 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture
def transforms(monkeypatch):
    calls = []
    real = fft.rfft

    def counted(x, n=None, axis=-1):
        calls.append(n)
        return real(x, n, axis)

    monkeypatch.setattr(fft, "rfft", counted)
    monkeypatch.setattr(fft, "_newest", None)
    return calls


def test_tuning_and_harmonic_detector_share_one_transform(transforms):
    audio = tone(0.5)
    mags, bin_hz = tuning.window_spectrum(audio, RATE)
    again, again_hz = HarmonicDetector().spectrum(audio, RATE)
    assert len(transforms) == 1 and again is mags and again_hz == bin_hz
    own = np.abs(np.fft.rfft(audio * np.hanning(audio.size).astype(np.float32), 48000))
    np.testing.assert_array_equal(mags, own)
    with pytest.raises(ValueError):
        mags[0] = 1.0  # shared: nobody may write into it


def test_other_audio_gets_its_own_transform(transforms):
    a, b = tone(0.5, 0), tone(0.5, 1)
    first, _ = HarmonicDetector().spectrum(a, RATE)
    second, _ = HarmonicDetector().spectrum(b, RATE)
    assert len(transforms) == 2 and not np.array_equal(first, second)
    short = tone(0.2)
    HarmonicDetector().spectrum(short, RATE)
    assert bass.lowest_chord_tone(short, RATE, {0, 4}) == 0
    assert len(transforms) == 3  # the early bass read the detector's spectrum of that audio

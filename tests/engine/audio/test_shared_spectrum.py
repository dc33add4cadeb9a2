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
    n = audio.size
    periodic = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)
    own = np.abs(np.fft.rfft(audio * periodic, 48000))
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


def test_hann_spectrum_derived_from_the_rectangular_one_is_the_same():
    rng = np.random.default_rng(3)
    for n, nfft in ((24000, 48000), (12000, 48000), (7, 14)):
        x = rng.standard_normal(n).astype(np.float32)
        derived = np.abs(fft.hann_from_rect(np.fft.rfft(x, nfft), n, nfft))
        direct = np.abs(np.fft.rfft(x * fft.hann(n), nfft))
        np.testing.assert_allclose(derived, direct, rtol=1e-4, atol=1e-5 * direct.max())
    with pytest.raises(ValueError, match="multiple"):
        fft.hann_from_rect(np.fft.rfft(x, 48000), 7000, 48000)


def test_hybrid_hop_takes_one_transform_for_both_halves(transforms):
    from kord_engine.audio.listen.detect.hybrid import HybridDetector

    det = HybridDetector()
    t = np.arange(RATE // 2) / RATE
    audio = (0.1 * sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0))).astype(
        np.float32
    )
    found = det.detect(audio, RATE)
    assert found.pitch_classes == (0, 4, 7) and found.chords[0] == "C"  # named once, at the end
    assert transforms == [48000]  # the model's rectangular FFT; the Hann one derived from it
    mags, _ = det.harmonic.spectrum(audio, RATE)
    n = audio.size
    own = np.abs(np.fft.rfft(audio * fft.hann(n), 48000))
    np.testing.assert_allclose(mags, own, rtol=1e-4, atol=1e-5 * own.max())
    transforms.clear()
    det.detect(tone(0.3), RATE)  # 0.3 s does not divide 48,000 samples' worth of bins evenly
    assert len(transforms) == 2

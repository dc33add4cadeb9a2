"""The app's engine runs on numpy alone: each scipy call it used to make has a numpy
replacement that gives the same results (compared here against scipy where it is installed,
on realistic audio), and neither the CLI's analysis nor the main window imports scipy."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from kord_engine.audio.listen import bass, novelty, spectrum, tuning
from kord_engine.audio.listen.detect.harmonic import HarmonicDetector
from kord_engine.audio.listen.fft import hann, next_fast_len, rfft
from kord_engine.audio.listen.median import running_median
from kord_engine.audio.listen.model import features as F
from kord_engine.audio.listen.sparse_rows import SparseRows

RATE = 48000


def chord_audio(seconds: float = 1.0, seed: int = 0) -> np.ndarray:
    """A decaying C major triad with partials (piano-like) over a little noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(seed)
    x = np.zeros_like(t)
    for f0 in (130.81, 164.81, 196.0, 261.63):
        for h in range(1, 9):
            x += 0.3 / h * np.exp(-t * (1.5 + h)) * np.sin(2 * np.pi * f0 * h * 1.0004 * t + h)
    x += 0.002 * rng.standard_normal(t.size)
    return (0.3 * x / np.abs(x).max()).astype(np.float32)


def test_next_fast_len_matches_scipys_real_sizes():
    sfft = pytest.importorskip("scipy.fft")
    sizes = [*range(1, 3000), 24000, 44100, 47999, 48000, 48001, 88200, 96001, 250000]
    assert [next_fast_len(n) for n in sizes] == [sfft.next_fast_len(n, real=True) for n in sizes]


def test_rfft_matches_scipy_on_the_detectors_windows():
    sfft = pytest.importorskip("scipy.fft")
    x = chord_audio(0.5) * hann(RATE // 2)
    ours = np.abs(rfft(x, 48000))
    theirs = np.abs(sfft.rfft(x, 48000, workers=1))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5 * theirs.max())


def test_running_median_is_scipys_median_filter_value_for_value():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(3)
    for shape, size in (((298,), 25), ((64, 298), 25), ((3, 7), 5), ((2, 4), 9), ((5,), 1)):
        s = rng.random(shape).astype(np.float32) ** 3
        want = ndimage.median_filter(s, size=(1,) * (s.ndim - 1) + (size,), mode="nearest")
        np.testing.assert_array_equal(running_median(s, size), want)
    with pytest.raises(ValueError, match="odd"):
        running_median(np.zeros(4), 4)


def test_sparse_rows_is_a_csr_product():
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(4)
    dense = np.where(rng.random((40, 300)) < 0.05, rng.random((40, 300)), 0).astype(np.float32)
    dense[7] = 0  # an empty row
    x = rng.random((3, 300)).astype(np.float32)
    ours = SparseRows.from_dense(dense)
    np.testing.assert_allclose(ours.apply(x), (sparse.csr_matrix(dense) @ x.T).T, rtol=1e-6)
    np.testing.assert_array_equal(ours.toarray(), dense)
    summed = SparseRows([0, 0, 1], [2, 2, 0], [1.0, 2.0, 5.0], (2, 3))  # duplicates add up
    np.testing.assert_array_equal(summed.toarray(), [[0, 0, 3], [5, 0, 0]])
    with pytest.raises(ValueError, match="column index"):
        SparseRows([0], [3], [1.0], (1, 3))


def test_mel_and_note_bin_features_match_the_scipy_sparse_product():
    sparse = pytest.importorskip("scipy.sparse")
    spectra = np.stack(
        [spectrum.window_frequency_space(chord_audio(0.5, seed), RATE) for seed in range(4)]
    )
    for loader, bank in (("mel", F.mel_matrix()), ("note_binned_convolution", F.note_bin_matrix())):
        csr = sparse.csr_matrix(bank.toarray())
        want = np.asarray(csr @ spectra.T).T
        got = F.raw_loader_output(spectra, loader)
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6 * want.max())
        np.testing.assert_allclose(
            F.normalise(got), F.normalise(want.astype(np.float32)), atol=2e-5
        )


def test_frequency_space_matches_scipys_fft():
    sfft = pytest.importorskip("scipy.fft")
    x = chord_audio(1.0)
    raw = np.abs(sfft.rfft(x, workers=1))[: spectrum.SPECTRUM_BINS]
    np.testing.assert_allclose(spectrum.frequency_space(x, RATE), raw, rtol=1e-4, atol=1e-3)


def _scipy_harmonic_spectrum(audio: np.ndarray, n: int):
    sfft = pytest.importorskip("scipy.fft")
    signal = pytest.importorskip("scipy.signal")
    nfft = sfft.next_fast_len(max(2 * n, RATE), real=True)
    # scipy's spectral Hann is the periodic one, as ours
    x = audio[len(audio) - n :] * signal.get_window("hann", n).astype(np.float32)
    return np.abs(sfft.rfft(x, nfft, workers=1)).astype(np.float32), RATE / nfft


def test_harmonic_detector_hears_what_it_heard_with_scipy():
    ndimage = pytest.importorskip("scipy.ndimage")
    det = HarmonicDetector()
    for seed, seconds in ((0, 0.5), (1, 0.3), (2, 0.12)):
        audio = chord_audio(seconds, seed)
        n = min(len(audio), int(round(det.window_seconds * RATE)))
        mags, bin_hz = det.spectrum(audio, RATE)
        want_mags, want_hz = _scipy_harmonic_spectrum(audio, n)
        assert bin_hz == want_hz
        np.testing.assert_allclose(mags, want_mags, rtol=1e-4, atol=1e-5 * want_mags.max())
        # the whitened spectrum with scipy's median filter, from the same magnitudes
        y = det.whiten(want_mags, want_hz)
        cfg = det.config
        from kord_engine.audio.listen.detect.harmonic import _log_pooler

        s = np.power(np.maximum(_log_pooler(cfg, want_mags.size, want_hz)(want_mags), 0), 0.5)
        s = s.astype(np.float32)
        size = max(3, int(cfg.floor_semitones * cfg.bins_per_semitone) | 1)
        floor = ndimage.median_filter(s, size=(size,), mode="nearest")
        want_y = np.maximum(s - floor, 0)
        want_y[s < cfg.prominence * (floor + 1e-3 * s.max() + 1e-12)] = 0
        np.testing.assert_array_equal(y, want_y)
        spectrum = (want_mags, want_hz)  # (as detect reads it: off-grid peaks are no notes)
        want_notes = det._notes(det.whiten(want_mags, want_hz), n / RATE, spectrum)[0]
        assert det.detect(audio, RATE).notes == tuple(sorted(want_notes))


def test_bass_tuning_and_novelty_match_scipy():
    sfft = pytest.importorskip("scipy.fft")
    sparse = pytest.importorskip("scipy.sparse")
    audio = chord_audio(0.5)
    assert bass.lowest_chord_tone(audio[:4000], RATE, {0, 4, 7}) == 0
    mags, bin_hz = tuning.window_spectrum(audio, RATE)
    nfft = sfft.next_fast_len(max(2 * len(audio), RATE), real=True)
    hann = pytest.importorskip("scipy.signal").get_window  # periodic, as ours
    want = np.abs(sfft.rfft(audio * hann("hann", len(audio)).astype(np.float32), nfft, workers=1))
    assert bin_hz == RATE / nfft
    np.testing.assert_allclose(mags, want, rtol=1e-4, atol=1e-5 * want.max())
    ours = tuning.estimate_tuning_spectrum(mags, bin_hz)
    theirs = tuning.estimate_tuning_spectrum(want, bin_hz)
    assert ours.reference_hz == pytest.approx(theirs.reference_hz, abs=1e-3)
    n = novelty.frame_length(RATE)
    frames = np.lib.stride_tricks.sliding_window_view(audio, n)[::480][:6]
    m = np.abs(sfft.rfft(frames * hann("hann", n).astype(np.float32), axis=-1, workers=1))
    bands = sparse.csr_matrix(novelty._bands(n, RATE).T)
    want_bands = np.sqrt(np.sqrt(np.asarray(bands @ (m * m).T, np.float32).T))
    got = novelty.band_spectra(frames, RATE)
    np.testing.assert_allclose(got, want_bands, rtol=1e-4, atol=1e-6 * want_bands.max())


_PROBE = """
import sys, numpy as np, soundfile as sf
t = np.arange(48000) / 48000
x = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0)) * 0.1
sf.write(sys.argv[1], x.astype(np.float32), 48000)
from kord_engine.cli import main
main(["analyze", "file", sys.argv[1], "--detector", "hybrid"])
main(["analyze", "file", sys.argv[1], "--detector", "default", "--timeline"])
from kord_engine.audio.listen.detect import make_detector
from kord_engine.audio.listen.live import LiveAnalyzer
events = LiveAnalyzer(make_detector("hybrid")).process_block(x.astype(np.float32), 48000)
print("live:", events[-1].stable.chords[0] if events[-1].stable else None)
print("scipy loaded:", any(m == "scipy" or m.startswith("scipy.") for m in sys.modules))
"""


def test_kord_analyze_file_imports_no_scipy(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "c.wav")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "C" in out.stdout
    assert "scipy loaded: False" in out.stdout


@pytest.mark.gui
def test_main_window_offscreen_imports_no_scipy(tmp_path):
    pytest.importorskip("PySide6")
    probe = (
        "import sys; sys.argv = ['kord-desktop', '--offscreen-smoke'];"
        "from kord_desktop.app import main; rc = main();"
        "print('scipy loaded:', any(m.split('.')[0] == 'scipy' for m in sys.modules));"
        "sys.exit(rc)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KORD_CONFIG_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "kord-desktop: main window up" in out.stdout
    assert "scipy loaded: False" in out.stdout

"""The per-hop shortcuts give what the plain numpy spelling gives, bit for bit: the live
analyzer's labels must not move when its hops get cheaper."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.listen import fft
from kord_engine.audio.listen.novelty import ChangeTracker, _mean_rows, band_spectra
from kord_engine.audio.listen.sparse_rows import GridInterpolation, SparseRows

RATE = 48000


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("right", [None, 0.0])
def test_grid_interpolation_is_np_interp(right):
    rng = np.random.default_rng(0)
    for n, x in (
        (8192, np.arange(8192) / (440.0 / 437.5)),  # a tuning warp, points past the top
        (8192, np.arange(8192) / (440.0 / 443.0)),
        (717, np.geomspace(4.7, 714.3, 1024)),  # the spectrum view
        (50, np.concatenate([np.arange(50.0), [-1.0, 49.0, 49.5, 53.0, 0.0]])),
    ):
        plan = GridInterpolation(x, n, right)
        for dtype in (np.float32, np.float64):
            y = (rng.standard_normal(n) * 1e3).astype(dtype)
            assert same_bits(plan(y), np.interp(x, np.arange(n, dtype=np.float64), y, right=right))
        y = rng.standard_normal(n)
        y[n // 2] = np.inf  # not finite: numpy's own interp
        np.testing.assert_array_equal(
            plan(y), np.interp(x, np.arange(n, dtype=float), y, right=right)
        )


def test_sparse_rows_with_empty_rows_and_short_input():
    m = SparseRows(np.array([0, 0, 2]), np.array([1, 3, 0]), np.array([0.5, 2.0, 1.0]), (3, 6))
    x = np.arange(8, dtype=np.float32).reshape(2, 4)  # stops at used_cols
    np.testing.assert_array_equal(m.apply(x), x @ m.toarray()[:, :4].T)
    assert m.apply(x)[:, 1].tolist() == [0.0, 0.0]


def test_hann_from_rect_is_its_extended_spelling():
    rng = np.random.default_rng(1)
    for n, nfft in ((24000, 48000), (12000, 48000), (4800, 48000), (7, 14), (3, 6)):
        spectrum = np.fft.rfft(rng.standard_normal(n).astype(np.float32), nfft)
        m, k = nfft // n, spectrum.shape[-1]
        plain = fft._hann_from_rect_extended(spectrum, m, k)
        assert same_bits(fft.hann_from_rect(spectrum, n, nfft), plain)
        assert same_bits(fft.hann_from_rect(spectrum, n, nfft, np.empty_like(spectrum)), plain)


def test_mean_rows_is_np_mean():
    rng = np.random.default_rng(2)
    for k in (1, 5, 37, 120):
        rows = (rng.standard_normal((k, 76)) ** 2).astype(np.float32)
        assert same_bits(_mean_rows(rows), np.mean(rows, axis=0))


def test_change_tracker_is_the_same_whatever_its_room():
    """Forgotten frames move only the head; full arrays are compacted (or grown): a tracker
    with almost no room sees exactly what a roomy one sees, hop after hop."""
    rng = np.random.default_rng(3)
    t = np.arange(6 * RATE) / RATE
    f = np.where(t < 3.0, 261.63, 220.0)  # a legato change at 3 s
    audio = (0.2 * np.sin(2 * np.pi * f * t) + 0.01 * rng.standard_normal(t.size)).astype(
        np.float32
    )
    roomy, tight = ChangeTracker(RATE), ChangeTracker(RATE)
    tight._starts, tight._spectra = tight._starts[:3], tight._spectra[:3]
    hop, window = 2400, 24000
    for end in range(window, audio.size + 1, hop):
        got = [tr.update(audio[end - window : end], end) for tr in (roomy, tight)]
        assert got[0] == got[1] and roomy.distance == tight.distance
        assert roomy.segment_start == tight.segment_start
        a, b = roomy.newest_shape(), tight.newest_shape()
        assert (a is None and b is None) or same_bits(a, b)
        assert roomy.newest_shape() is a  # kept until frames come or go
        begin = end - window
        x, y = roomy.shape_between(begin, end - hop), tight.shape_between(begin, end - hop)
        assert (x is None and y is None) or same_bits(x, y)
    assert roomy.segment_start > 2 * RATE  # the change was heard


def test_band_spectra_of_frames_windowed_in_place():
    rng = np.random.default_rng(4)
    frames = rng.standard_normal((5, 4096)).astype(np.float32)
    tracker = ChangeTracker(RATE)
    window = np.concatenate([frames[0], frames[1]])  # two overlapping frame starts
    got = tracker._band_frames(window, 0, range(0, 4096 + 1, 2048))
    want = band_spectra(np.stack([window[s : s + 4096] for s in range(0, 4096 + 1, 2048)]), RATE)
    assert same_bits(got, want)

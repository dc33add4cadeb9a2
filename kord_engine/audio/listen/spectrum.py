"""kord's 1 Hz "frequency space" (spec §1.2) and the same space for windows of any length.

kord: whole seconds L, rectangular FFT magnitude of all samples, no normalisation, mean of
L-bin blocks → 1 Hz bins, first 8192 kept. A sine of amplitude A gives a peak of about A·fs/2.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kord_engine.audio.listen.fft import rfft, window_rfft
from kord_engine.errors import AudioError

SPECTRUM_BINS = 8192
#: kord casts the listening length to u8: at most 255 whole seconds are used
MAX_SECONDS = 255


def _check(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise AudioError(f"expected mono samples of shape (frames,), got {x.shape}")
    if int(sample_rate) <= 0:
        raise AudioError(f"sample rate must be positive, got {sample_rate}")
    return x


def _block_mean_space(
    x: np.ndarray, sample_rate: int, seconds: int, length: int | None = None
) -> np.ndarray:
    """|FFT| of `x` (zero-padded to `length`, default its own: seconds·fs), averaged in
    blocks of `seconds` raw bins, 8192 kept."""
    want = SPECTRUM_BINS * seconds
    x = x.astype(np.float32, copy=False)  # f32 like rustfft in kord
    if seconds == 1:  # a live window: the harmonic detector may share its transform
        raw = np.abs(window_rfft(x, length or len(x))[:want])
    else:
        raw = np.abs(rfft(x, length)[:want])
    m = len(raw)
    if seconds == 1 and m == want:  # a mean of one bin is the bin: the live windows' case
        return raw
    out = np.zeros(want, dtype=np.float64)
    # bins past Nyquist would be kord's mirror image (fs < 16,384 Hz); we leave them 0
    out[:m] = raw
    return out.reshape(SPECTRUM_BINS, seconds).mean(axis=1).astype(np.float32)


def window_fft_size(frames: int, sample_rate: int) -> int:
    """The transform length window_frequency_space pads a window of `frames` to: whole
    seconds of samples."""
    return min(MAX_SECONDS, max(1, -(-int(frames) // int(sample_rate)))) * int(sample_rate)


def whole_seconds(frames: int, sample_rate: int) -> int:
    """kord's L: floor(frames / fs), capped at 255."""
    return min(MAX_SECONDS, int(frames) // int(sample_rate))


def frequency_space(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """kord's exact 1 Hz frequency space (8192,) float32 of the first whole seconds of `samples`.

    Raises AudioError for clips shorter than one second (kord: "Listening length in seconds
    must be greater than 1").
    """
    x = _check(samples, sample_rate)
    seconds = whole_seconds(len(x), sample_rate)
    if seconds < 1:
        raise AudioError(
            f"kord's frequency space needs at least one whole second of audio, got "
            f"{len(x) / sample_rate:.3f} s"
        )
    return _block_mean_space(x[: seconds * int(sample_rate)], int(sample_rate), seconds)


def window_frequency_space(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """The same 1 Hz space for a window of ANY length (rectangular, like kord).

    The window is zero-padded to the next whole second L and scaled by L·fs/n, so a sine of
    amplitude A peaks at about A·fs/2 as in kord's space; whole-second windows give exactly
    `frequency_space`.
    """
    x = _check(samples, sample_rate)
    sr = int(sample_rate)
    n = len(x)
    if n == 0:
        return np.zeros(SPECTRUM_BINS, dtype=np.float32)
    seconds = min(MAX_SECONDS, max(1, -(-n // sr)))
    n = min(n, seconds * sr)
    space = _block_mean_space(x[:n], sr, seconds, seconds * sr)  # rfft pads with zeros
    if n != seconds * sr:
        space *= np.float32(seconds * sr / n)
    return space


def bin_frequencies(seconds: int = 1) -> np.ndarray:
    """Centre frequency of each smoothed bin as kord reports it live: i + (L−1)/(2L)."""
    return np.arange(SPECTRUM_BINS, dtype=np.float64) + (seconds - 1) / (2.0 * seconds)


#: bin indices of the frequency space (bin k ≈ k Hz)
_SPECTRUM_GRID = np.arange(SPECTRUM_BINS, dtype=np.float64)


def shift_spectra(spectra: np.ndarray, ratio: np.ndarray | float) -> np.ndarray:
    """Scale the frequency axis of each row by `ratio` (out[f] = in[f / ratio], linear interp).

    `ratio` is a scalar, one per row (N,), or one per row and bin (N, 8192): a frequency-
    dependent ratio (notes detuned individually)."""
    spectra = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    r = np.asarray(ratio, dtype=np.float64)
    if r.ndim == 2:
        ratios = np.broadcast_to(r, spectra.shape)
    else:
        ratios = np.broadcast_to(r.reshape(-1, 1), (len(spectra), 1))
    out = np.empty_like(spectra)
    for n in range(len(spectra)):
        query = _warped_grid(float(r)) if r.ndim == 0 else _SPECTRUM_GRID / ratios[n]
        out[n] = np.interp(query, _SPECTRUM_GRID, spectra[n], right=0.0)
    return out


@lru_cache(maxsize=64)
def _warped_grid(ratio: float) -> np.ndarray:
    """The bin positions a scalar `ratio` reads from (live: the same tuning every hop)."""
    grid = _SPECTRUM_GRID / ratio
    grid.flags.writeable = False
    return grid

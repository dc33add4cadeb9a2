"""Model input features from kord's 8192-bin frequency space (kord's four loaders, vectorised).

Every loader maps spectra `(N, 8192)` float32 (bin k ≈ k Hz) to `(N, F)` float32 with kord's
normalisation order: ÷ max per sample, prepend the deterministic guess (optional), z-score.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kord_engine.audio.listen.sparse_rows import SparseRows
from kord_engine.errors import KordError
from kord_engine.samples import SPECTRUM_BINS

LOADERS = ("note_binned_convolution", "mel", "frequency", "frequency_pooled")
DEFAULT_LOADER = "mel"
GUESS_WIDTH = 128

_WIDTHS = {"note_binned_convolution": 128, "mel": 512, "frequency": 8192, "frequency_pooled": 512}
MEL_BANDS = 512
POOL = 16

# kord's note table: 2-decimal octave-0 frequencies × 2^octave; index = 12·octave + pc = label bit.
NOTE_BASES = np.array(
    [16.35, 17.32, 18.35, 19.45, 20.60, 21.83, 23.12, 24.50, 25.96, 27.50, 29.14, 30.87]
)


def note_table_frequency(note_id: int | np.ndarray) -> np.ndarray:
    """kord's table frequency of note id(s) (C4 = 48 → 261.6 Hz, not 261.626)."""
    ids = np.asarray(note_id)
    return NOTE_BASES[ids % 12] * 2.0 ** (ids // 12)


class FeatureError(KordError):
    """An unknown loader or spectra of the wrong shape."""


def check_loader(loader: str) -> str:
    """Return `loader` if it is one of LOADERS, else raise a FeatureError naming the choices."""
    if loader not in _WIDTHS:
        raise FeatureError(f"unknown loader {loader!r}; choose one of {', '.join(LOADERS)}")
    return loader


def feature_width(loader: str, include_guess: bool = False) -> int:
    """Width F of a loader's feature vector (+128 with the deterministic guess)."""
    return _WIDTHS[check_loader(loader)] + (GUESS_WIDTH if include_guess else 0)


def _round_half_away(x: np.ndarray) -> np.ndarray:
    """Rust's f64::round for non-negative values (numpy rounds half to even)."""
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5)


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """HTK mel scale."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


@lru_cache(maxsize=1)
def mel_edges() -> np.ndarray:
    """The 514 filter edge bins: linear in HTK mel over 0..8192 Hz, floor(Hz) → bin."""
    mels = np.linspace(0.0, float(hz_to_mel(SPECTRUM_BINS)), MEL_BANDS + 2)
    hz = mel_to_hz(mels)
    hz[-1] = SPECTRUM_BINS  # exact top edge (float round-off could floor it to 8191)
    return np.floor(hz + 1e-9).astype(np.int64)


@lru_cache(maxsize=1)
def mel_matrix() -> SparseRows:
    """kord's triangular mel bank (512, 8192): peak weight 1, no area normalisation."""
    edges = mel_edges()
    rows, cols, vals = [], [], []
    for m in range(MEL_BANDS):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        if mid > lo:
            j = np.arange(lo, mid)
            rows.append(np.full(j.size, m))
            cols.append(j)
            vals.append((j - lo) / (mid - lo))
        if hi > mid:
            j = np.arange(mid, hi)
            rows.append(np.full(j.size, m))
            cols.append(j)
            vals.append((hi - j) / (hi - mid))
    return SparseRows(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), (MEL_BANDS, SPECTRUM_BINS)
    )


@lru_cache(maxsize=1)
def note_bin_matrix() -> SparseRows:
    """(128, 8192) 0/1 matrix: row = note bit G0..C8, columns = bins within ±1/8 semitone."""
    rows, cols = [], []
    for note in range(7, 97):
        f = float(note_table_frequency(note))
        lo = int(_round_half_away(f * (1.0 - 1.0 / 139.696)))
        hi = int(_round_half_away(f * (1.0 + 1.0 / 134.5568)))
        j = np.arange(max(lo, 0), min(hi, SPECTRUM_BINS))
        rows.append(np.full(j.size, note))
        cols.append(j)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return SparseRows(r, c, np.ones(r.size), (128, SPECTRUM_BINS))


def _check_spectra(spectra: np.ndarray) -> np.ndarray:
    spectra = np.asarray(spectra, dtype=np.float32)
    if spectra.ndim == 1:
        spectra = spectra[None, :]
    if spectra.ndim != 2 or spectra.shape[1] != SPECTRUM_BINS:
        raise FeatureError(f"spectra must have shape (N, {SPECTRUM_BINS}), got {spectra.shape}")
    if not np.isfinite(spectra).all():
        raise FeatureError("spectra contain NaN or infinite values")
    return spectra


def raw_loader_output(spectra: np.ndarray, loader: str) -> np.ndarray:
    """The loader transform alone (before normalisation): (N, 8192) → (N, width) float32."""
    check_loader(loader)
    spectra = _check_spectra(spectra)
    if loader == "frequency":
        return spectra
    if loader == "frequency_pooled":
        return (
            spectra.reshape(len(spectra), -1, POOL)
            .mean(axis=2, dtype=np.float64)
            .astype(np.float32)
        )
    matrix = mel_matrix() if loader == "mel" else note_bin_matrix()
    return matrix.apply(spectra)


def guess_matrix(spectra: np.ndarray) -> np.ndarray:
    """kord's deterministic guess per spectrum as MSB-first 0/1 rows (index i = bit 127 − i)."""
    from kord_engine.audio.listen.detect.kord import kord_notes  # lazy: audio-detect's module

    spectra = _check_spectra(spectra)
    out = np.zeros((len(spectra), GUESS_WIDTH), dtype=np.float32)
    for n, spectrum in enumerate(spectra):
        if not np.any(spectrum > 0):
            continue
        for note_id in kord_notes(spectrum):
            if 0 <= note_id < 128:
                out[n, 127 - note_id] = 1.0
    return out


def normalise(values: np.ndarray, guess: np.ndarray | None = None) -> np.ndarray:
    """kord's order: ÷ max per row (skipped when max ≤ 0), prepend guess, z-score (population).

    float32 values like kord, with the row statistics accumulated in float64. (The means
    are numpy's `mean` spelled out — the float64 sum over the count — and the deviations
    are computed once: the same operations, fewer calls on the live path.)
    """
    values = np.asarray(values, dtype=np.float32)
    peak = values.max(axis=1, initial=0.0)  # ≥ 0 (NaN stays NaN)
    scale = np.where(peak > 0, peak, 1.0).astype(np.float32)
    values = values / scale[:, None]
    if guess is not None:
        values = np.concatenate([np.asarray(guess, dtype=np.float32), values], axis=1)
    width = values.shape[1]
    mean = np.add.reduce(values, axis=1, keepdims=True, dtype=np.float64) / width
    deviation = values - mean
    std = np.sqrt(np.add.reduce(np.square(deviation), axis=1, keepdims=True) / width)
    safe = np.where(std > 0, std, 1.0)
    out = (deviation / safe).astype(np.float32)
    out[(std <= 0)[:, 0]] = 0.0
    return out


def compute_features(
    spectra: np.ndarray, loader: str = DEFAULT_LOADER, include_guess: bool = False
) -> np.ndarray:
    """(N, 8192) spectra → (N, feature_width) float32 features, exactly as kord's loaders."""
    values = raw_loader_output(spectra, loader)
    guess = guess_matrix(spectra) if include_guess else None
    return normalise(values, guess)


def features_from_audio(
    window: np.ndarray,
    sample_rate: int,
    loader: str = DEFAULT_LOADER,
    include_guess: bool = False,
) -> np.ndarray:
    """One audio window (any length) → (1, F) features, so files, samples and the mic share a model."""
    from kord_engine.audio.listen.spectrum import (
        window_frequency_space,  # lazy: audio-detect's module
    )

    spectrum = window_frequency_space(np.asarray(window, dtype=np.float32), int(sample_rate))
    return compute_features(np.asarray(spectrum, dtype=np.float32)[None, :], loader, include_guess)

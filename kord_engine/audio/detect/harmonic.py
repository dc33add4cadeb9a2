"""Our detector: log-frequency spectrum → adaptive noise floor → NNLS onto per-note harmonic
templates (overtones explained away, like Chordino's NNLS chroma) → relative + absolute
gates → notes, bass = lowest confident note.

Works on short windows (0.25–0.5 s) and on kord's 1 Hz spectra (`detect_spectrum`); both paths
share the salience stage. Everything heavy is a precomputed matrix, so a window costs ~1–2 ms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.ndimage import median_filter

from kord_engine.audio.detection import Detection

LOW_MIDI = 21  # A0
HIGH_MIDI = 108  # C8


@dataclass(frozen=True)
class HarmonicConfig:
    """Every knob of the detector (defaults tuned on FluidR3 piano + organ renders only)."""

    window_seconds: float = 0.5
    bins_per_semitone: int = 3
    max_freq: float = 8000.0
    harmonics: int = 12
    harmonic_decay: float = 0.75
    kernel_width: float = 0.6  # Gaussian σ in log bins
    floor_semitones: float = 8.0  # width of the moving-median noise floor
    compress: float = 0.5  # magnitude ** compress before the floor
    iterations: int = 60
    rel_threshold: float = 0.18
    abs_threshold: float = 0.02  # salience gate relative to the whole window's level
    silence_db: float = -70.0  # RMS below this (dBFS) → no notes
    min_freq: float = 27.0


@lru_cache(maxsize=16)
def _log_axis(cfg: HarmonicConfig) -> np.ndarray:
    """Centre frequencies (Hz) of the log bins, from A0 − 1 semitone up to max_freq."""
    b = cfg.bins_per_semitone
    start = LOW_MIDI - 1
    top = 69 + 12 * np.log2(cfg.max_freq / 440.0)
    n = int(np.floor((top - start) * b)) + 1
    midi = start + np.arange(n) / b
    return 440.0 * 2 ** ((midi - 69) / 12)


@lru_cache(maxsize=32)
def _log_matrix(cfg: HarmonicConfig, n_bins: int, bin_hz: float) -> sparse.csr_matrix:
    """(n_log, n_bins) triangular pooling of linear bins onto the log axis (rows sum to 1)."""
    centres = _log_axis(cfg)
    rows, cols, vals = [], [], []
    ratio = 2 ** (1 / (12 * cfg.bins_per_semitone))
    for i, fc in enumerate(centres):
        half = max(fc * (ratio - 1), 1.0 * bin_hz)
        lo, hi = fc - half, fc + half
        k0, k1 = int(np.ceil(lo / bin_hz)), int(np.floor(hi / bin_hz))
        ks = np.arange(max(k0, 1), min(k1, n_bins - 1) + 1)
        if len(ks) == 0:
            k = int(round(fc / bin_hz))
            if 0 < k < n_bins:
                rows.append(i), cols.append(k), vals.append(1.0)
            continue
        w = 1.0 - np.abs(ks * bin_hz - fc) / (half * 1.0001)
        w = np.maximum(w, 1e-3)
        w /= w.sum()
        rows.extend([i] * len(ks)), cols.extend(ks.tolist()), vals.extend(w.tolist())
    return sparse.csr_matrix(
        (np.asarray(vals, np.float32), (rows, cols)), shape=(len(centres), n_bins)
    )


@lru_cache(maxsize=16)
def _dictionary(cfg: HarmonicConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Note templates D (n_log, n_notes), DᵀD, and the log-bin index of each fundamental."""
    b = cfg.bins_per_semitone
    n_log = len(_log_axis(cfg))
    pos = np.arange(n_log, dtype=np.float64)
    notes = np.arange(LOW_MIDI, HIGH_MIDI + 1)
    d = np.zeros((n_log, len(notes)), dtype=np.float64)
    fund = (notes - (LOW_MIDI - 1)) * b
    for j, f0 in enumerate(fund):
        for h in range(1, cfg.harmonics + 1):
            p = f0 + 12 * b * np.log2(h)
            if p > n_log - 1:
                break
            d[:, j] += cfg.harmonic_decay ** (h - 1) * np.exp(
                -0.5 * ((pos - p) / cfg.kernel_width) ** 2
            )
    d /= np.linalg.norm(d, axis=0, keepdims=True)
    return d.astype(np.float32), (d.T @ d).astype(np.float32), fund.astype(int)


class HarmonicDetector:
    """The product's default detector (see module docstring)."""

    name = "default"

    def __init__(self, config: HarmonicConfig | None = None, **overrides: float):
        cfg = config or HarmonicConfig()
        self.config = replace(cfg, **overrides) if overrides else cfg
        self.window_seconds = self.config.window_seconds
        self._lock = threading.Lock()
        self._windows: dict[int, np.ndarray] = {}

    # -- salience -------------------------------------------------------------------------
    def salience(self, mags: np.ndarray, bin_hz: float) -> tuple[np.ndarray, np.ndarray]:
        """(note activations (88,) for A0..C8, whitened log spectrum) of a magnitude spectrum."""
        cfg = self.config
        m = _log_matrix(cfg, len(mags), float(bin_hz))
        s = m @ np.asarray(mags, np.float32)
        s = np.power(np.maximum(s, 0), cfg.compress, dtype=np.float32)
        size = max(3, int(cfg.floor_semitones * cfg.bins_per_semitone) | 1)
        floor = median_filter(s, size=size, mode="nearest")
        y = np.maximum(s - floor, 0)
        d, dtd, _ = _dictionary(cfg)
        dty = d.T @ y
        a = np.maximum(dty, 0) + 1e-9
        for _ in range(cfg.iterations):
            a *= dty / (dtd @ a + 1e-9)
        return a, y

    def notes_from_salience(
        self, a: np.ndarray, y: np.ndarray, level: float
    ) -> tuple[list[int], float]:
        """Note ids (C4 = 48) passing the gates, and a 0..1 confidence."""
        cfg = self.config
        top = float(a.max()) if a.size else 0.0
        if top <= 0 or top < cfg.abs_threshold * level:
            return [], 0.0
        keep = np.flatnonzero(a > cfg.rel_threshold * top)
        _, _, fund = _dictionary(cfg)
        notes = []
        for j in keep:
            f = fund[j]
            # the fundamental itself must stand above the floor (no ghost subharmonics)
            if y[max(f - 1, 0) : f + 2].max() <= 0:
                continue
            notes.append(int(j + LOW_MIDI - 12))
        if not notes:
            return [], 0.0
        kept = a[[n + 12 - LOW_MIDI for n in notes]].sum()
        confidence = float(kept / (a.sum() + 1e-12))
        return notes, confidence

    # -- entry points ---------------------------------------------------------------------
    def detect_spectrum(
        self, mags: np.ndarray, bin_hz: float = 1.0, timestamp: float = 0.0
    ) -> Detection:
        """Detection from a linear magnitude spectrum with bins `bin_hz` apart (e.g. a .bin)."""
        from kord_engine.audio.naming import detection_from_notes

        mags = np.asarray(mags, np.float32)
        a, y = self.salience(mags, bin_hz)
        level = float(np.sqrt(np.mean(np.square(y)))) + 1e-12 if y.size else 0.0
        notes, conf = self.notes_from_salience(a, y, level * 0 + 1.0)
        return detection_from_notes(notes, conf, timestamp, extra={"salience": a})

    def _hann(self, n: int) -> np.ndarray:
        w = self._windows.get(n)
        if w is None:
            w = np.hanning(n).astype(np.float32)
            self._windows[n] = w
        return w

    def spectrum(self, audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
        """Hann-windowed, zero-padded magnitude spectrum of the last window_seconds of audio."""
        n = min(len(audio), max(256, int(round(self.window_seconds * sample_rate))))
        x = np.asarray(audio[len(audio) - n :], np.float32)
        nfft = 1 << int(np.ceil(np.log2(max(n, 1) * 2)))
        nfft = max(nfft, 1 << int(np.ceil(np.log2(sample_rate))))  # ≤ 1 Hz bins
        mags = np.abs(np.fft.rfft(x * self._hann(n), nfft)).astype(np.float32)
        return mags, sample_rate / nfft

    def detect(self, audio: np.ndarray, sample_rate: int, timestamp: float = 0.0) -> Detection:
        from kord_engine.audio.naming import detection_from_notes

        audio = np.asarray(audio, np.float32)
        n = min(len(audio), int(round(self.window_seconds * sample_rate)))
        if n == 0:
            return detection_from_notes([], 0.0, timestamp)
        rms = float(np.sqrt(np.mean(np.square(audio[len(audio) - n :], dtype=np.float64))))
        if rms <= 10 ** (self.config.silence_db / 20):
            return detection_from_notes([], 0.0, timestamp)
        with self._lock:
            mags, bin_hz = self.spectrum(audio, sample_rate)
            a, y = self.salience(mags, bin_hz)
            notes, conf = self.notes_from_salience(a, y, 1.0)
        return detection_from_notes(notes, conf, timestamp, extra={"salience": a})

"""Label-aware augmentation of recorded spectra: transpose, detune, tilt, extra noise.

Recorded and rendered samples are few next to sim; shifting a 1 Hz spectrum along a log-
frequency factor moves every partial together, so a transposition by k semitones is a new
labelled example (mask bits shifted by k). Applied to the train split only (sources.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kord_engine.errors import KordError
from kord_engine.samples import SPECTRUM_BINS

_BINS = np.arange(SPECTRUM_BINS, dtype=np.float64)
_MASK128 = (1 << 128) - 1


class AugmentError(KordError):
    """Bad augmentation settings."""


@dataclass
class AugmentConfig:
    """How many augmented copies per recorded train item, and how each one is varied."""

    copies: int = 2
    max_transpose: int = 5  # semitones, uniform in [−max, max] (0 allowed)
    detune_cents: float = 15.0  # extra uniform ± cents (keeps the label)
    tilt_db_per_octave: float = 3.0  # uniform ± spectral slope
    noise_level: float = 0.0  # add noise spectra scaled to U(0, level) × item max (needs noise)

    def validate(self) -> AugmentConfig:
        if self.copies < 0:
            raise AugmentError(f"augmented copies must be ≥ 0, got {self.copies}")
        if not 0 <= self.max_transpose <= 24:
            raise AugmentError(f"max transpose must be 0..24 semitones, got {self.max_transpose}")
        if not 0 <= self.detune_cents < 50:
            raise AugmentError(f"detune must be in [0, 50) cents, got {self.detune_cents}")
        return self


def shift_spectra(spectra: np.ndarray, ratio: np.ndarray | float) -> np.ndarray:
    """Scale the frequency axis of each row by `ratio` (out[f] = in[f / ratio], linear interp)."""
    spectra = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    ratios = np.broadcast_to(np.asarray(ratio, dtype=np.float64), (len(spectra),))
    out = np.empty_like(spectra)
    for n, (row, r) in enumerate(zip(spectra, ratios, strict=True)):
        out[n] = np.interp(_BINS / r, _BINS, row, right=0.0)
    return out


def transpose_masks(masks: list[int], semitones: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Shift each mask by its semitones; (masks, ok) where ok is False if a note left 0..127."""
    out, ok = [], np.ones(len(masks), dtype=bool)
    for i, (mask, k) in enumerate(zip(masks, np.asarray(semitones).tolist(), strict=True)):
        k = int(k)
        shifted = mask << k if k >= 0 else mask >> -k
        if (shifted & _MASK128) != shifted or (k < 0 and mask & ((1 << -k) - 1)):
            ok[i] = False
        out.append(shifted & _MASK128)
    return out, ok


def augment(
    spectra: np.ndarray,
    masks: list[int],
    rng: np.random.Generator,
    config: AugmentConfig | None = None,
    noise: np.ndarray | None = None,
) -> tuple[np.ndarray, list[int]]:
    """One augmented copy of each item: (spectra (N, 8192) float32, masks); items whose notes
    would leave the 128-bit range are transposed by 0 instead."""
    config = (config or AugmentConfig()).validate()
    spectra = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    n = len(spectra)
    k = rng.integers(-config.max_transpose, config.max_transpose + 1, size=n)
    new_masks, ok = transpose_masks(list(masks), k)
    k = np.where(ok, k, 0)
    new_masks = [m if good else old for m, old, good in zip(new_masks, masks, ok, strict=True)]
    cents = rng.uniform(-config.detune_cents, config.detune_cents, size=n)
    out = shift_spectra(spectra, 2.0 ** ((k * 100 + cents) / 1200))
    if config.tilt_db_per_octave > 0:
        tilt = rng.uniform(-config.tilt_db_per_octave, config.tilt_db_per_octave, size=(n, 1))
        octaves = np.log2(np.maximum(_BINS, 27.5) / 440.0)[None, :]
        out = out * (10 ** (tilt * octaves / 20)).astype(np.float32)
    if config.noise_level > 0 and noise is not None and len(noise):
        pick = rng.integers(len(noise), size=n)
        base = np.asarray(noise, dtype=np.float32)[pick]
        scale = rng.uniform(0, config.noise_level, size=(n, 1)) * out.max(axis=1, keepdims=True)
        out = out + base / np.maximum(base.max(axis=1, keepdims=True), 1e-12) * scale
    return out.astype(np.float32), new_masks

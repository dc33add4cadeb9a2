"""Simulated labelled spectra ("sim", kord §2.5): harmonic peaks on recorded noise, seeded.

Each iteration makes 75 roots (A0..B6) × 5 shapes = 375 items: root, root, root + {1..5}
semitones, + {6..9}, + {10, 11, 13..18, 20..22}. Each note gets 13 harmonics of strength
4000·(1−decay)^(h−1)·U(0.8, 1) with a tanh peak of radius r and wobble U(±w)/35. Optional
realism (all off by default = kord's numbers): SNR spread, spectral tilt, inharmonicity,
per-note loudness, radius jitter and short-window ("blurred") peaks like live analysis windows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kord_engine.audio.listen.model.features import note_table_frequency
from kord_engine.errors import KordError
from kord_engine.samples import SPECTRUM_BINS, list_samples, read_sample

ROOTS = np.arange(9, 84)  # A0 .. B6 (table indices)
SHAPES = 5
ITEMS_PER_ITERATION = len(ROOTS) * SHAPES  # 375
HARMONICS = 13
MAX_NOTES = 4
SECOND = np.array([1, 2, 3, 4, 5])
THIRD = np.array([6, 7, 8, 9])
FOURTH = np.array([10, 11, 13, 14, 15, 16, 17, 18, 20, 21, 22])
NOISE_FILES = ("no_noise.bin", "pink_noise.bin", "white_noise.bin", "brown_noise.bin")


class SimulationError(KordError):
    """Bad simulation parameters or a missing noise folder."""


@dataclass
class SimConfig:
    """kord's three knobs plus optional realism; defaults reproduce kord's simulation."""

    peak_radius: float = 2.0
    harmonic_decay: float = 0.1
    frequency_wobble: float = 0.2
    snr_db: float = 0.0  # peaks scaled by 10^(U(±snr_db)/20) against the noise base
    tilt_db_per_octave: float = 0.0  # harmonic roll-off varied by U(±tilt) dB per octave
    inharmonicity: float = 0.0  # B ~ U(0, max): f_h = h·f0·sqrt(1 + B·h²) (piano-like strings)
    note_loudness_db: float = 0.0  # each note's level varied by U(±) dB
    radius_jitter: float = 0.0  # per-item radius × U(1 − j, 1 + j)
    blur_fraction: float = 0.0  # share of items with short-window (wider) peaks
    blur_window_seconds: tuple[float, float] = (0.15, 0.5)  # their window length range

    def validate(self) -> SimConfig:
        if not self.peak_radius > 0:
            raise SimulationError(f"peak radius must be > 0, got {self.peak_radius}")
        if not 0 <= self.harmonic_decay < 1:
            raise SimulationError(f"harmonic decay must be in [0, 1), got {self.harmonic_decay}")
        if not 0 <= self.frequency_wobble <= 35:
            raise SimulationError(
                f"frequency wobble must be in [0, 35], got {self.frequency_wobble}"
            )
        if not 0 <= self.blur_fraction <= 1:
            raise SimulationError(f"blur fraction must be in [0, 1], got {self.blur_fraction}")
        if not 0 <= self.radius_jitter < 1:
            raise SimulationError(f"radius jitter must be in [0, 1), got {self.radius_jitter}")
        lo, hi = self.blur_window_seconds
        if not 0 < lo <= hi:
            raise SimulationError(f"blur window seconds must be 0 < lo ≤ hi, got {lo}, {hi}")
        return self


REALISTIC = SimConfig(
    snr_db=12.0,
    tilt_db_per_octave=4.0,
    inharmonicity=4e-4,
    note_loudness_db=6.0,
    radius_jitter=0.3,
    blur_fraction=0.3,
)


def load_noise(noise_root: str | os.PathLike[str] | None) -> np.ndarray:
    """The 4 noise spectra (4, 8192) from `noise_root`; None gives silent (zero) bases."""
    if noise_root is None:
        return np.zeros((1, SPECTRUM_BINS), dtype=np.float32)
    root = Path(noise_root)
    if not root.is_dir():
        raise SimulationError(
            f"noise folder {root} does not exist (needs {', '.join(NOISE_FILES)})"
        )
    wanted = [root / name for name in NOISE_FILES]
    paths = wanted if all(p.is_file() for p in wanted) else list_samples(root)
    if not paths:
        raise SimulationError(f"noise folder {root} has no .bin noise spectra")
    return np.stack([read_sample(p).spectrum for p in paths]).astype(np.float32)


def _iteration_notes(rng: np.random.Generator) -> np.ndarray:
    """(375, 4) note ids of one iteration (−1 = no note), roots × shapes in kord's order."""
    n = len(ROOTS)
    second = ROOTS + rng.choice(SECOND, n)
    third = ROOTS + rng.choice(THIRD, n)
    fourth = ROOTS + rng.choice(FOURTH, n)
    notes = np.full((n, SHAPES, MAX_NOTES), -1, dtype=np.int64)
    notes[:, :, 0] = ROOTS[:, None]
    notes[:, 2:, 1] = second[:, None]
    notes[:, 3:, 2] = third[:, None]
    notes[:, 4, 3] = fourth
    return notes.reshape(-1, MAX_NOTES)


def _masks(notes: np.ndarray) -> list[int]:
    out = []
    for row in notes.tolist():
        mask = 0
        for note in row:
            if note >= 0:
                mask |= 1 << note
        out.append(mask)
    return out


def _render(notes: np.ndarray, noise: np.ndarray, config: SimConfig, rng: np.random.Generator):
    """Spectra (B, 8192) float32 for the note rows, drawing every random number from `rng`."""
    b = len(notes)
    present = notes >= 0
    w = config.frequency_wobble
    h = np.arange(1, HARMONICS + 1, dtype=np.float64)
    base = np.where(present, note_table_frequency(np.maximum(notes, 0)), 0.0)
    f0 = base * (1 + rng.uniform(-w, w, size=(b, MAX_NOTES)) / 35)
    fh = h * f0[..., None] * (1 + rng.uniform(-w, w, size=(b, MAX_NOTES, HARMONICS)) / 35)
    if config.inharmonicity > 0:
        bcoef = rng.uniform(0, config.inharmonicity, size=(b, MAX_NOTES, 1))
        fh = fh * np.sqrt(1 + bcoef * h**2)
    radius = np.full((b, 1, 1), config.peak_radius)
    if config.radius_jitter > 0:
        j = config.radius_jitter
        radius = radius * rng.uniform(1 - j, 1 + j, size=(b, 1, 1))
    if config.blur_fraction > 0:
        lo, hi = config.blur_window_seconds
        blurred = rng.random((b, 1, 1)) < config.blur_fraction
        seconds = rng.uniform(lo, hi, size=(b, 1, 1))
        radius = np.where(blurred, np.maximum(radius, 2.0 / seconds), radius)
    valid = present[..., None] & (fh - radius >= 0) & (fh + radius <= SPECTRUM_BINS)
    prior = np.cumsum(valid, axis=2) - valid  # harmonics kept before this one
    strength = 4000.0 * (1 - config.harmonic_decay) ** prior
    strength = strength * rng.uniform(0.8, 1.0, size=(b, MAX_NOTES, HARMONICS))
    if config.note_loudness_db > 0:
        d = config.note_loudness_db
        strength = strength * 10 ** (rng.uniform(-d, d, size=(b, MAX_NOTES, 1)) / 20)
    if config.tilt_db_per_octave > 0:
        t = config.tilt_db_per_octave
        tilt = rng.uniform(-t, t, size=(b, 1, 1))
        strength = strength * 10 ** (tilt * np.log2(h) / 20)
    if config.snr_db > 0:
        strength = strength * 10 ** (rng.uniform(-config.snr_db, config.snr_db, (b, 1, 1)) / 20)
    choice = rng.integers(len(noise), size=b)

    start = np.floor(fh - radius + 0.5)  # Rust round (half away from zero) for x ≥ 0
    stop = np.floor(fh + radius + 0.5)
    span = int(np.ceil(2 * radius.max())) + 2
    offsets = np.arange(span, dtype=np.float64)
    idx = start[..., None] + offsets  # (B, 4, 13, span)
    keep = valid[..., None] & (idx < stop[..., None]) & (idx >= 0) & (idx < SPECTRUM_BINS)
    weight = 1 - np.tanh((2.0 / radius[..., None]) * np.abs(idx - fh[..., None]))
    values = (strength[..., None] * weight)[keep]
    rows = np.broadcast_to(np.arange(b)[:, None, None, None], keep.shape)[keep]
    flat = rows * SPECTRUM_BINS + idx[keep].astype(np.int64)
    spectra = np.bincount(flat, weights=values, minlength=b * SPECTRUM_BINS)
    spectra = spectra.reshape(b, SPECTRUM_BINS) + noise[choice]
    return spectra.astype(np.float32)


def simulate_chunks(
    n_iterations: int,
    noise_root: str | os.PathLike[str] | None,
    config: SimConfig | None = None,
    seed: int = 0,
    iterations_per_chunk: int = 4,
) -> Iterator[tuple[np.ndarray, list[int]]]:
    """Yield (spectra (B, 8192) float32, masks) chunk by chunk; same output for any chunking."""
    config = (config or SimConfig()).validate()
    if n_iterations < 0:
        raise SimulationError(f"simulation size must be ≥ 0, got {n_iterations}")
    noise = load_noise(noise_root)
    for first in range(0, n_iterations, max(1, iterations_per_chunk)):
        last = min(n_iterations, first + max(1, iterations_per_chunk))
        parts = []
        for i in range(first, last):
            rng = np.random.default_rng([seed, i])
            notes = _iteration_notes(rng)
            parts.append((_render(notes, noise, config, rng), _masks(notes)))
        yield (
            np.concatenate([p[0] for p in parts]),
            [m for p in parts for m in p[1]],
        )


def simulate(
    n_iterations: int,
    noise_root: str | os.PathLike[str] | None,
    peak_radius: float = 2.0,
    harmonic_decay: float = 0.1,
    frequency_wobble: float = 0.2,
    seed: int = 0,
    config: SimConfig | None = None,
) -> tuple[np.ndarray, list[int]]:
    """kord's sim: n_iterations × 375 spectra (N, 8192) float32 and their note masks.

    `config` (if given) overrides the three kord knobs and adds the optional realism.
    Memory: 32 KiB per item, so keep n_iterations small or use `simulate_chunks`.
    """
    if config is None:
        config = SimConfig(peak_radius, harmonic_decay, frequency_wobble)
    spectra, masks = [], []
    for chunk, chunk_masks in simulate_chunks(n_iterations, noise_root, config, seed):
        spectra.append(chunk)
        masks.extend(chunk_masks)
    if not spectra:
        return np.zeros((0, SPECTRUM_BINS), dtype=np.float32), []
    return np.concatenate(spectra), masks

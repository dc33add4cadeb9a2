"""ADSR envelopes, computed for many voices and a whole block at once (no per-sample loops).

A voice's envelope is a pure function of its age (samples since note-on) and, once released,
of its release age and the level it had when released, so any block can be computed directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Adsr:
    """Envelope times in seconds and the sustain level (0..1)."""

    attack: float
    decay: float
    sustain: float
    release: float

    def in_samples(self, sample_rate: int) -> AdsrSamples:
        """The same envelope with times rounded to whole samples (at least one sample each)."""
        return AdsrSamples(
            attack=max(1, round(self.attack * sample_rate)),
            decay=max(1, round(self.decay * sample_rate)),
            sustain=float(min(max(self.sustain, 0.0), 1.0)),
            release=max(1, round(self.release * sample_rate)),
        )


@dataclass(frozen=True)
class AdsrSamples:
    """An ADSR with integer sample counts: attack reaches 1.0 on sample `attack - 1`."""

    attack: int
    decay: int
    sustain: float
    release: int


def held_level(age: np.ndarray, attack: np.ndarray, decay: np.ndarray, sustain: np.ndarray):
    """Level of held (not released) voices at integer `age` (any shape, broadcast with params).

    Attack rises linearly to 1.0 at age `attack - 1`, decay falls linearly to `sustain`
    over `decay` samples, then the level stays at `sustain`.
    """
    age = np.asarray(age)
    rising = (age + 1) / attack
    falling = 1.0 - (1.0 - sustain) * np.minimum((age - attack + 1) / decay, 1.0)
    return np.where(age < attack, rising, falling)


def release_level(rel_age: np.ndarray, start_level: np.ndarray, release: np.ndarray):
    """Level of released voices: `start_level` falling as (1 - x)² to exactly 0 after `release`."""
    x = np.minimum((np.asarray(rel_age) + 1) / release, 1.0)
    return start_level * (1.0 - x) ** 2


def block_envelope(
    age: np.ndarray,
    released: np.ndarray,
    rel_age: np.ndarray,
    rel_start: np.ndarray,
    attack: np.ndarray,
    decay: np.ndarray,
    sustain: np.ndarray,
    release: np.ndarray,
    frames: int,
) -> np.ndarray:
    """Envelope of K voices over the next `frames` samples -> float32 (K, frames).

    All arguments are (K,) arrays holding each voice's state at the first sample of the block.
    """
    out = np.empty((len(age), frames), dtype=np.float32)
    # Most voices sit at their sustain level for the whole block: a constant row, no maths.
    steady = ~released & (age >= attack + decay - 1)
    out[steady] = sustain[steady, None]
    steps = np.arange(frames, dtype=np.int64)
    moving = ~steady & ~released
    if moving.any():
        out[moving] = held_level(
            age[moving, None] + steps,
            attack[moving, None],
            decay[moving, None],
            sustain[moving, None],
        )
    if released.any():
        out[released] = release_level(
            rel_age[released, None] + steps, rel_start[released, None], release[released, None]
        )
    return out


def adsr_curve(adsr: Adsr, sample_rate: int, hold_seconds: float, tail_seconds: float):
    """One note's whole envelope (held for `hold_seconds`, then released): float32 (n,).

    A reference for tests and plots; the synth computes the same values block by block.
    """
    s = adsr.in_samples(sample_rate)
    hold = round(hold_seconds * sample_rate)
    tail = round(tail_seconds * sample_rate)
    ages = np.arange(hold)
    held = held_level(ages, s.attack, s.decay, s.sustain)
    start = float(held_level(np.array(hold), s.attack, s.decay, s.sustain))
    rel = release_level(np.arange(tail), start, s.release)
    return np.concatenate([held, rel]).astype(np.float32)

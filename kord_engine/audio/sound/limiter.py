"""Master-bus limiter: smooth gain reduction for loud passages plus a soft knee that can
never exceed ±1.0, so a fortissimo 10-note chord stays undistorted-ish and never clips."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def soft_clip(x: np.ndarray, knee: float = 0.8) -> np.ndarray:
    """Identity below `knee`; above it a tanh curve that approaches but never reaches 1.0."""
    x = np.asarray(x, dtype=np.float32)
    mag = np.abs(x)
    over = mag > knee
    if not over.any():
        return x
    span = 1.0 - knee
    squashed = knee + span * np.tanh((mag - knee) / span)
    # float32 rounding of tanh near 1 could land exactly on 1.0: keep a hair of headroom.
    squashed = np.minimum(squashed, np.float32(0.99999))
    return np.where(over, np.sign(x) * squashed, x).astype(np.float32)


@dataclass
class LimiterConfig:
    """Threshold (linear peak), how fast gain drops and recovers, and the soft-clip knee."""

    threshold: float = 0.8
    attack_seconds: float = 0.002
    release_seconds: float = 0.25
    knee: float = 0.8


class Limiter:
    """Stateful block limiter: per-block target gain = threshold / peak, reached by a per-sample
    ramp (fast when reducing, slow when recovering), followed by `soft_clip` as a hard guarantee."""

    def __init__(self, sample_rate: int, config: LimiterConfig | None = None):
        self.config = config or LimiterConfig()
        self.sample_rate = sample_rate
        self.gain = 1.0

    def reset(self) -> None:
        self.gain = 1.0

    def process(self, block: np.ndarray) -> np.ndarray:
        """Limit one block (float32 (n,)) and return the new block; updates the running gain."""
        n = len(block)
        if n == 0:
            return np.asarray(block, dtype=np.float32)
        cfg = self.config
        peak = float(np.max(np.abs(block)))
        target = 1.0 if peak <= cfg.threshold else cfg.threshold / peak
        seconds = n / self.sample_rate
        if target < self.gain:
            coeff = 1.0 - np.exp(-seconds / cfg.attack_seconds)
        else:
            coeff = 1.0 - np.exp(-seconds / cfg.release_seconds)
        new_gain = self.gain + (target - self.gain) * coeff
        if self.gain == 1.0 and new_gain == 1.0:
            out = block.astype(np.float32, copy=False)
        else:
            ramp = np.linspace(self.gain, new_gain, n, endpoint=True, dtype=np.float32)
            out = block * ramp
        self.gain = float(new_gain)
        return soft_clip(out, cfg.knee)

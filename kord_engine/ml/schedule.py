"""Learning-rate schedules: one cosine over the whole run (ours) and kord's accidental SGDR."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CosineSchedule:
    """lr_t = 0.5·lr·(1 + cos(π·t/total)) for t = 0..total, starting at `lr`, ending at 0."""

    lr: float
    total_steps: int

    def __call__(self, step: int) -> float:
        t = min(max(step, 0), max(self.total_steps, 1))
        return 0.5 * self.lr * (1.0 + math.cos(math.pi * t / max(self.total_steps, 1)))


@dataclass(frozen=True)
class KordRestartSchedule:
    """kord/burn 0.20's schedule as shipped: the cosine restarts every epochs+1 *batches*."""

    lr: float
    epochs: int

    def __call__(self, step: int) -> float:
        t = step % (self.epochs + 1)
        return 0.5 * self.lr * (1.0 + math.cos(math.pi * t / self.epochs))


def make_schedule(kind: str, lr: float, total_steps: int, epochs: int):
    """'cosine' (default) or 'kord' (to reproduce the quirk on purpose)."""
    if kind == "kord":
        return KordRestartSchedule(lr, epochs)
    return CosineSchedule(lr, total_steps)

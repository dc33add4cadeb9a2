"""Learning-rate schedules: one cosine over the whole run (ours) and kord's accidental SGDR.

Training uses torch's schedulers (`make_scheduler`); the closed forms below are the curves
they follow (and kord's restarting one is the `LambdaLR`'s factor)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch


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


def make_scheduler(
    kind: str, optimizer, lr: float, total_steps: int, epochs: int, start_step: int = 0
) -> torch.optim.lr_scheduler.LRScheduler:
    """torch's scheduler for `kind`, stepped once per batch: 'cosine' (default) is
    `CosineAnnealingLR` over the whole run; 'kord' is kord's restarts as a `LambdaLR`.

    The optimizer's lr is reset to `lr` first; `start_step` fast-forwards a
    resumed run to where it stopped (the same lrs as an uninterrupted run).
    """
    for group in optimizer.param_groups:
        group["lr"] = lr
        group.pop("initial_lr", None)
    if kind == "kord":
        curve = KordRestartSchedule(1.0, epochs)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, curve)
    else:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=max(total_steps, 1), eta_min=0.0
        )
    with warnings.catch_warnings():  # "scheduler.step() before optimizer.step()"
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(start_step):
            scheduler.step()
    return scheduler

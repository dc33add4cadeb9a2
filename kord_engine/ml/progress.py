"""What a training run reports while it runs (per step and per epoch), and a terminal bar.

The GUI gets `TrainProgress` objects through a callback; the terminal gets the same callback
drawn by tqdm (`TerminalBar`). tqdm comes with the `train` extra."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from kord_engine.errors import KordError


@dataclass
class TrainProgress:
    """One progress report. `phase` is "step", "epoch" (val metrics filled) or a stage name
    ("data", "thresholds", "report", "export", "done")."""

    phase: str
    epoch: int = 0
    epochs: int = 0
    step: int = 0
    steps: int = 0
    global_step: int = 0
    total_steps: int = 0
    loss: float = float("nan")
    lr: float = 0.0
    loss_scale: float = 1.0
    skipped_steps: int = 0
    samples_per_s: float = 0.0
    eta_s: float = 0.0
    val: dict[str, float] = field(default_factory=dict)
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.global_step / self.total_steps if self.total_steps else 0.0


ProgressCallback = Callable[[TrainProgress], Any]


class MissingExtraError(KordError):
    """A training-only package (torch, tqdm, optuna) is not installed."""


def require(module: str):
    """Import `module` (a `train` extra) or fail with how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module} is needed for training commands but is not installed; "
            "install the training extra: pip install 'kord-desktop[train]'"
        ) from exc


class TerminalBar:
    """tqdm's bar for `kord ml train` (epoch lines kept above it, stage messages too)."""

    def __init__(self, stream: TextIO | None = None, width: int | None = None):
        self.tqdm = require("tqdm").tqdm
        self.stream = stream or sys.stderr
        self.width = width
        self.bar = None

    def _bar(self, p: TrainProgress):
        if self.bar is None:
            self.bar = self.tqdm(
                total=p.total_steps,
                initial=max(p.global_step - 1, 0),
                file=self.stream,
                ncols=self.width,
                unit="step",
                dynamic_ncols=self.width is None,
            )
        return self.bar

    def __call__(self, p: TrainProgress) -> None:
        if p.phase == "step":
            bar = self._bar(p)
            bar.set_description(f"epoch {p.epoch + 1}/{p.epochs}", refresh=False)
            bar.set_postfix(
                loss=f"{p.loss:.4f}",
                lr=f"{p.lr:.2e}",
                scale=f"{p.loss_scale:g}",
                skipped=p.skipped_steps,
                samples_s=f"{p.samples_per_s:,.0f}",
                refresh=False,
            )
            bar.update(p.global_step - bar.n)
        elif p.phase == "epoch":
            vals = " ".join(f"{k} {v:.4f}" for k, v in p.val.items())
            self.tqdm.write(
                f"epoch {p.epoch + 1}/{p.epochs}: loss {p.loss:.4f} {vals}", file=self.stream
            )
        else:
            if self.bar is not None and p.phase in ("done", "cancelled", "export", "thresholds"):
                self.close()
            if p.message:
                self.tqdm.write(f"{p.phase}: {p.message}", file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def counter_bar(total: int, desc: str, unit: str = "it"):
    """A tqdm bar on stderr counting to `total` (advance it with `.update(1)`)."""
    return require("tqdm").tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"

"""What a training run reports while it runs (per step and per epoch), and a terminal bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO


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


class TerminalBar:
    """A one-line progress bar for `kord ml train` (redrawn in place; epoch lines kept)."""

    def __init__(self, stream: TextIO | None = None, width: int = 28):
        self.stream = stream or sys.stderr
        self.width = width

    def __call__(self, p: TrainProgress) -> None:
        if p.phase == "step":
            filled = int(self.width * p.fraction)
            bar = "█" * filled + "·" * (self.width - filled)
            line = (
                f"\r[{bar}] epoch {p.epoch + 1}/{p.epochs} step {p.global_step}/{p.total_steps} "
                f"loss {p.loss:.4f} lr {p.lr:.2e} scale {p.loss_scale:g} "
                f"{p.samples_per_s:,.0f} samples/s eta {_fmt_time(p.eta_s)}"
            )
            self.stream.write(line[:200])
        elif p.phase == "epoch":
            vals = " ".join(f"{k} {v:.4f}" for k, v in p.val.items())
            self.stream.write(f"\repoch {p.epoch + 1}/{p.epochs}: loss {p.loss:.4f} {vals}\n")
        else:
            self.stream.write(f"\r{p.phase}: {p.message}\n" if p.message else "")
        self.stream.flush()


def _fmt_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"

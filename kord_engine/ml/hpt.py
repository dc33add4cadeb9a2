"""Hyper-parameter search (`kord ml hpt`): a seeded random sweep over a small grid.

kord's hpt was a single-value grid that never ran (spec §3.10). Here every trial really trains
(few epochs), features are built once per loader and reused, and results are ranked by
validation exact-match accuracy.
"""

from __future__ import annotations

import itertools
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kord_engine.ml.config import TrainConfig


@dataclass
class SearchSpace:
    """Values to try for each knob ("width" = trunk size for kord, hidden size for ours)."""

    lr: list[float] = field(default_factory=lambda: [3e-4, 1e-3, 3e-3])
    dropout: list[float] = field(default_factory=lambda: [0.1, 0.2, 0.3])
    width: list[int] = field(default_factory=lambda: [256, 1024])
    loader: list[str] = field(default_factory=lambda: ["mel"])
    precision: list[str] = field(default_factory=lambda: ["fp32"])
    model: list[str] = field(default_factory=lambda: ["kord"])

    def grid(self) -> list[dict[str, Any]]:
        keys = ["lr", "dropout", "width", "loader", "precision", "model"]
        values = [getattr(self, k) for k in keys]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


@dataclass
class TrialResult:
    """One trial's settings and what it scored."""

    trial: int
    params: dict[str, Any]
    val_exact: float
    val_macro_f1: float
    final_loss: float
    seconds: float
    error: str | None = None


def apply_params(base: TrainConfig, params: dict[str, Any]) -> TrainConfig:
    """`base` with one trial's settings applied."""
    changes = {k: v for k, v in params.items() if k != "width"}
    config = base.replace(**changes)
    if config.model == "kord":
        config = config.replace(trunk_hidden_size=int(params["width"]))
    else:
        config = config.replace(ours_hidden=int(params["width"]))
    return config


def run_hpt(
    base: TrainConfig,
    space: SearchSpace,
    trials: int,
    seed: int = 0,
    on_trial: Callable[[TrialResult], None] | None = None,
) -> list[TrialResult]:
    """Train `trials` configurations drawn from `space` (without repeats); best first."""
    from kord_engine.errors import KordError
    from kord_engine.ml.train import load_training_data, train

    grid = space.grid()
    random.Random(seed).shuffle(grid)
    chosen = grid[: max(1, trials)]
    data_cache: dict[tuple[str, bool], Any] = {}
    results: list[TrialResult] = []
    with tempfile.TemporaryDirectory(prefix="kord-hpt-") as tmp:
        for number, params in enumerate(chosen, 1):
            config = apply_params(base, params).replace(
                destination=f"{tmp}/trial{number}", checkpoint_every=0, resume_from=None
            )
            started = time.perf_counter()
            try:
                config.validate()
                key = (config.loader, config.include_guess)
                if key not in data_cache:
                    data_cache[key] = load_training_data(config)
                outcome = train(config, data=data_cache[key])
                val = outcome.report.get("metrics", {}).get("validation", {})
                result = TrialResult(
                    number,
                    params,
                    float(val.get("exact_match", 0.0)),
                    float(val.get("macro_f1", 0.0)),
                    float(outcome.report.get("final_loss") or float("nan")),
                    time.perf_counter() - started,
                )
            except KordError as exc:
                result = TrialResult(
                    number, params, 0.0, 0.0, float("nan"), time.perf_counter() - started, str(exc)
                )
            results.append(result)
            if on_trial is not None:
                on_trial(result)
    return sorted(results, key=lambda r: (r.error is not None, -r.val_exact, -r.val_macro_f1))


def format_table(results: list[TrialResult]) -> str:
    """A plain-text results table, best first."""
    head = f"{'#':>3} {'model':<5} {'loader':<24} {'prec':<5} {'lr':>8} {'drop':>5} {'width':>6} {'exact':>7} {'F1':>7} {'loss':>7} {'s':>6}"
    lines = [head, "-" * len(head)]
    for r in results:
        p = r.params
        lines.append(
            f"{r.trial:>3} {p['model']:<5} {p['loader']:<24} {p['precision']:<5} {p['lr']:>8.1e} "
            f"{p['dropout']:>5.2f} {p['width']:>6} {r.val_exact:>7.1%} {r.val_macro_f1:>7.1%} "
            f"{r.final_loss:>7.4f} {r.seconds:>6.1f}" + (f"  error: {r.error}" if r.error else "")
        )
    return "\n".join(lines)

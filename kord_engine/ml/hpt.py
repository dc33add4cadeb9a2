"""Hyper-parameter search (`kord ml hpt`) on Optuna.

kord's hpt was a single-value grid that never ran (spec §3.10). Here every trial really trains
(few epochs), Optuna's seeded TPE sampler picks the settings from `SearchSpace`, each epoch's
validation exact-match is reported so a median pruner can stop bad trials early, and the
study may live in any storage Optuna takes (`sqlite:///study.db`, a database server) so that
several processes or machines can join one study. Features are built once per loader and
process, and results are ranked by validation exact-match accuracy.
"""

from __future__ import annotations

import itertools
import math
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


def _suggest(trial, space: SearchSpace) -> dict[str, Any]:
    keys = ["lr", "dropout", "width", "loader", "precision", "model"]
    return {k: trial.suggest_categorical(k, list(getattr(space, k))) for k in keys}


def _result_of(trial) -> TrialResult:
    """A finished Optuna trial as a TrialResult (what it recorded in its user attributes)."""
    attrs = trial.user_attrs
    error = attrs.get("error")
    if error is None and trial.state.name == "PRUNED":
        error = "pruned"
    elif error is None and trial.state.name != "COMPLETE":
        error = trial.state.name.lower()
    return TrialResult(
        trial.number + 1,
        dict(trial.params),
        float(trial.value) if trial.value is not None else 0.0,
        float(attrs.get("val_macro_f1", 0.0)),
        float(attrs.get("final_loss", math.nan)),
        float(attrs.get("seconds", 0.0)),
        error,
    )


def run_hpt(
    base: TrainConfig,
    space: SearchSpace,
    trials: int,
    seed: int = 0,
    on_trial: Callable[[TrialResult], None] | None = None,
    storage: str | None = None,
    study_name: str | None = None,
    prune: bool = True,
) -> list[TrialResult]:
    """Run `trials` more trials of an Optuna study (in memory, or joined in `storage` under
    `study_name`) and return every finished trial of the study, best first."""
    from kord_engine.ml.progress import require

    optuna = require("optuna")
    from kord_engine.errors import KordError
    from kord_engine.ml.train import load_training_data, train

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=storage,
        study_name=study_name,
        direction="maximize",
        load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=(
            optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
            if prune
            else optuna.pruners.NopPruner()
        ),
    )
    data_cache: dict[tuple[str, bool], Any] = {}

    with tempfile.TemporaryDirectory(prefix="kord-hpt-") as tmp:

        def objective(trial) -> float:
            params = _suggest(trial, space)
            config = apply_params(base, params).replace(
                destination=f"{tmp}/trial{trial.number}", checkpoint_every=0, resume_from=None
            )
            started = time.perf_counter()
            pruned = {"now": False}

            def report(p) -> None:
                if p.phase != "epoch" or not prune:
                    return
                trial.report(float(p.val.get("val_exact@0.5", 0.0)), p.epoch)
                if trial.should_prune():
                    pruned["now"] = True

            try:
                config.validate()
                key = (config.loader, config.include_guess)
                if key not in data_cache:
                    data_cache[key] = load_training_data(config)
                outcome = train(
                    config,
                    progress=report,
                    should_stop=lambda: pruned["now"],
                    data=data_cache[key],
                )
            except KordError as exc:
                trial.set_user_attr("error", str(exc))
                trial.set_user_attr("seconds", time.perf_counter() - started)
                return 0.0
            trial.set_user_attr("seconds", time.perf_counter() - started)
            if outcome.cancelled:
                raise optuna.TrialPruned()
            val = outcome.report.get("metrics", {}).get("validation", {})
            trial.set_user_attr("val_macro_f1", float(val.get("macro_f1", 0.0)))
            final = outcome.report.get("final_loss")
            trial.set_user_attr("final_loss", float(final) if final is not None else math.nan)
            return float(val.get("exact_match", 0.0))

        def callback(_study, frozen) -> None:
            if on_trial is not None:
                on_trial(_result_of(frozen))

        study.optimize(objective, n_trials=max(1, trials), callbacks=[callback])
    done = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
    results = [_result_of(t) for t in done]
    return sorted(results, key=lambda r: (r.error is not None, -r.val_exact, -r.val_macro_f1))


def best_config(base: TrainConfig, results: list[TrialResult]) -> TrainConfig | None:
    """The best (error-free) trial's settings applied to `base`: a config `kord ml train
    --config` takes (destination, checkpoints and resume as in `base`)."""
    good = [r for r in results if r.error is None]
    return apply_params(base, good[0].params) if good else None


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

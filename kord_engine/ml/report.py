"""report.json for a trained model: metrics per data source, the loss curve and the run facts,
plus the few lines `kord ml train` prints."""

from __future__ import annotations

from typing import Any

import numpy as np


def metrics_dict(
    probs: np.ndarray, targets: np.ndarray, thresholds: np.ndarray, target: str
) -> dict:
    """ml-data's kord-style metrics for one source, as plain JSON values (per-class kept short)."""
    from kord_engine.ml.metrics import report

    result = report(probs, targets, thresholds, target).to_dict()
    for key in ("lowest_precision", "lowest_recall"):
        result[key] = result[key][:5]
    return result


def downsample(values: list[float], points: int = 400) -> list[float]:
    """At most `points` evenly spaced values of a long curve (keeps report.json small)."""
    if len(values) <= points:
        return [round(float(v), 6) for v in values]
    idx = np.linspace(0, len(values) - 1, points).round().astype(int)
    return [round(float(values[i]), 6) for i in idx]


def build_report(
    config: dict[str, Any],
    metrics: dict[str, dict],
    counts: dict[str, int],
    step_losses: list[float],
    epoch_losses: list[float],
    epoch_val: list[dict[str, float]],
    lrs: list[float],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Everything worth keeping about a run, JSON-ready."""
    return {
        "metrics": metrics,
        "counts": counts,
        "loss_curve": {
            "step": downsample(step_losses),
            "epoch": [round(float(v), 6) for v in epoch_losses],
            "epoch_val": epoch_val,
            "lr": downsample(lrs, 100),
        },
        "config": config,
        **extra,
    }


def format_report(report: dict[str, Any]) -> str:
    """Human-readable summary: one line per source with exact, F1 and PR-AUC."""
    lines = []
    for name, m in report.get("metrics", {}).items():
        lines.append(
            f"{name:<28} n={m['count']:<6} exact {m['exact_match']:6.1%}  macro F1 "
            f"{m['macro_f1']:6.1%}  PR-AUC {m['macro_pr_auc']:6.1%}  sample F1 {m['sample_f1']:6.1%}"
        )
    if "train_seconds" in report:
        lines.append(
            f"trained {report.get('steps', 0)} steps in {report['train_seconds']:.1f} s "
            f"({report.get('samples_per_s', 0):,.0f} samples/s), "
            f"{report.get('parameters', 0):,} parameters, model.onnx {report.get('onnx_bytes', 0):,} bytes"
        )
    return "\n".join(lines)

"""Per-class decision thresholds tuned for F1 on validation outputs (kord §3.8)."""

from __future__ import annotations

import numpy as np

SWEEP = np.round(np.arange(101) * 0.01, 2)  # 0.00, 0.01, …, 1.00
DEFAULT_THRESHOLD = 0.5
CLAMP = (0.05, 0.95)
EVAL_SAMPLE_LIMIT = 1000


def tune_thresholds(
    probs: np.ndarray, targets: np.ndarray, limit: int | None = EVAL_SAMPLE_LIMIT
) -> np.ndarray:
    """(N, C) probabilities + (N, C) 0/1 targets → (C,) thresholds.

    Uses the first `limit` rows; sweeps t = 0.00..1.00 (step 0.01) with `p > t`; the first t with
    strictly best F1 wins; a class without positives gets 0.5; results clamped to [0.05, 0.95].
    """
    probs = np.asarray(probs, dtype=np.float64)
    truth = np.asarray(targets) > 0.5
    if probs.ndim != 2 or probs.shape != truth.shape:
        raise ValueError(f"probs {probs.shape} and targets {truth.shape} must be equal (N, C)")
    if limit is not None:
        probs, truth = probs[:limit], truth[:limit]
    pred = probs[None, :, :] > SWEEP[:, None, None]  # (T, N, C)
    tp = (pred & truth[None]).sum(axis=1).astype(np.float64)
    fp = (pred & ~truth[None]).sum(axis=1).astype(np.float64)
    fn = (~pred & truth[None]).sum(axis=1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = SWEEP[np.argmax(f1, axis=0)]  # argmax keeps the first (lowest t) of equal maxima
    best = np.where(truth.any(axis=0), best, DEFAULT_THRESHOLD)
    return np.clip(best, *CLAMP)

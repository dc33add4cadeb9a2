"""kord's evaluation report (§3.9), vectorised, plus honest supported-classes-only numbers.

kord averages classes with no support (or no predictions) in as 0, which deflates 128-class
numbers: `macro_*` keep kord's definition, `supported_macro_f1` averages only classes that
occur in the targets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from kord_engine.audio.listen.model.targets import predictions, target_width
from kord_engine.samples import note_id_name

PITCH_NAMES = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")
INSIGHT_COUNT = 10


def class_names(target: str) -> list[str]:
    """Readable name per output index (full: MSB-first → note of bit 127 − i)."""
    width = target_width(target)
    if target == "full":
        return [note_id_name(127 - i) for i in range(width)]
    if target == "folded":
        return list(PITCH_NAMES)
    return [f"bass {n}" for n in PITCH_NAMES] + list(PITCH_NAMES)


@dataclass
class ClassInsight:
    index: int
    name: str
    support: int
    precision: float
    recall: float


@dataclass
class MetricsReport:
    """Every figure kord prints for a split, and the per-class arrays behind them."""

    count: int
    exact_match: float  # kord's "inference accuracy": whole vector equal
    macro_accuracy: float
    macro_precision: float  # kord: zero-support / never-predicted classes count as 0
    macro_recall: float
    macro_f1: float
    supported_macro_f1: float  # ours: mean F1 over classes with support > 0 only
    macro_pr_auc: float  # step average precision; no-positive classes count as 0 (kord)
    supported_macro_pr_auc: float
    sample_f1: float
    lowest_precision: list[ClassInsight] = field(default_factory=list)
    lowest_recall: list[ClassInsight] = field(default_factory=list)
    zero_support: list[int] = field(default_factory=list)
    per_class_precision: list[float] = field(default_factory=list)
    per_class_recall: list[float] = field(default_factory=list)
    per_class_f1: list[float] = field(default_factory=list)
    per_class_support: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """A few lines for the CLI / logs."""
        return (
            f"samples {self.count}: exact {self.exact_match:.1%}, macro F1 {self.macro_f1:.1%} "
            f"(supported classes {self.supported_macro_f1:.1%}), PR-AUC {self.macro_pr_auc:.1%}, "
            f"sample F1 {self.sample_f1:.1%}, macro acc {self.macro_accuracy:.1%}, "
            f"macro P {self.macro_precision:.1%} R {self.macro_recall:.1%}"
        )


def average_precision(probs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(C,) step AP per class: sort by p descending (ties not grouped), Σ precision·Δrecall."""
    probs = np.asarray(probs, dtype=np.float64)
    truth = np.asarray(truth, dtype=bool)
    order = np.argsort(-probs, axis=0, kind="stable")
    y = np.take_along_axis(truth, order, axis=0).astype(np.float64)
    positives = y.sum(axis=0)
    ranks = np.arange(1, len(y) + 1, dtype=np.float64)[:, None]
    precision_at = np.cumsum(y, axis=0) / ranks
    with np.errstate(divide="ignore", invalid="ignore"):
        ap = np.where(positives > 0, (precision_at * y).sum(axis=0) / positives, 0.0)
    return ap


def report_from_predictions(
    pred: np.ndarray, targets: np.ndarray, probs: np.ndarray | None, target: str
) -> MetricsReport:
    """Metrics from (N, C) bool decisions (+ probabilities for PR-AUC) against 0/1 targets."""
    pred = np.asarray(pred, dtype=bool)
    truth = np.asarray(targets) > 0.5
    n, width = truth.shape
    classes = min(128, width)
    pred_c, truth_c = pred[:, :classes], truth[:, :classes]
    tp = (pred_c & truth_c).sum(axis=0).astype(np.float64)
    fp = (pred_c & ~truth_c).sum(axis=0).astype(np.float64)
    fn = (~pred_c & truth_c).sum(axis=0).astype(np.float64)
    tn = n - tp - fp - fn
    support = tp + fn
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
        accuracy = (tp + tn) / max(n, 1)
    supported = support > 0
    pr_auc = (
        average_precision(probs[:, :classes], truth_c) if probs is not None else np.zeros(classes)
    )
    pred_count = pred.sum(axis=1)
    true_count = truth.sum(axis=1)
    both = (pred & truth).sum(axis=1)
    denom = pred_count + true_count
    with np.errstate(divide="ignore", invalid="ignore"):
        sample_f1 = np.where(denom > 0, 2 * both / np.where(denom > 0, denom, 1), 1.0)
    names = class_names(target)[:classes]

    def insight(order: np.ndarray) -> list[ClassInsight]:
        picked = [int(i) for i in order if supported[i]][:INSIGHT_COUNT]
        return [
            ClassInsight(i, names[i], int(support[i]), float(precision[i]), float(recall[i]))
            for i in picked
        ]

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if values.size else 0.0

    return MetricsReport(
        count=int(n),
        exact_match=float((pred == truth).all(axis=1).mean()) if n else 0.0,
        macro_accuracy=mean(accuracy),
        macro_precision=mean(precision),
        macro_recall=mean(recall),
        macro_f1=mean(f1),
        supported_macro_f1=mean(f1[supported]),
        macro_pr_auc=mean(pr_auc),
        supported_macro_pr_auc=mean(pr_auc[supported]),
        sample_f1=mean(sample_f1),
        lowest_precision=insight(np.argsort(precision, kind="stable")),
        lowest_recall=insight(np.argsort(recall, kind="stable")),
        zero_support=[int(i) for i in np.nonzero(~supported)[0]],
        per_class_precision=[float(v) for v in precision],
        per_class_recall=[float(v) for v in recall],
        per_class_f1=[float(v) for v in f1],
        per_class_support=[int(v) for v in support],
    )


def report(
    probs: np.ndarray, targets: np.ndarray, thresholds: np.ndarray | float, target: str
) -> MetricsReport:
    """kord's report for (N, C) probabilities against (N, C) targets with per-class thresholds."""
    probs = np.asarray(probs, dtype=np.float64)
    pred = predictions(probs, thresholds, target)
    return report_from_predictions(pred, targets, probs, target)

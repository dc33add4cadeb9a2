"""Training targets from 128-bit note masks, and decoding model outputs back into notes.

Targets (kord's three): `full` = 128 outputs MSB-first (index i ↔ bit 127 − i); `folded` = 12
pitch classes multi-hot (C=0 … B=11); `folded_bass` = [12 bass one-hot | 12 folded].

Rests and folded_bass: kord encodes a rest's bass as all zeros, whose argmax (0) trains as
"bass = C". Here a rest's bass block is all zeros too, but `bass_valid(targets)` is False for
it, and the loss must mask those rows out of the bass cross-entropy (never argmax a zero row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kord_engine.errors import KordError

TARGETS = ("full", "folded", "folded_bass")
DEFAULT_TARGET = "folded"
_WIDTHS = {"full": 128, "folded": 12, "folded_bass": 24}
BASS = slice(0, 12)
FOLDED = slice(12, 24)


class TargetError(KordError):
    """An unknown target, or outputs that do not match their target."""


def check_target(target: str) -> str:
    """Return `target` if it is one of TARGETS, else raise a TargetError naming the choices."""
    if target not in _WIDTHS:
        raise TargetError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    return target


def validate_target_choice(targets: Sequence[str]) -> str:
    """kord's rule: exactly one target is enabled. Returns it; none or several is an error."""
    chosen = list(dict.fromkeys(targets))
    if not chosen:
        raise TargetError(f"no target chosen; choose exactly one of {', '.join(TARGETS)}")
    if len(chosen) > 1:
        raise TargetError(
            f"choose exactly one target, got {len(chosen)}: {', '.join(chosen)} "
            f"(one of {', '.join(TARGETS)})"
        )
    return check_target(chosen[0])


def target_width(target: str) -> int:
    """Number of model outputs C for a target (128, 12 or 24)."""
    return _WIDTHS[check_target(target)]


def mask_bits(masks: Sequence[int] | np.ndarray) -> np.ndarray:
    """(N,) Python-int masks → (N, 128) bool, column = bit (LSB order)."""
    masks = [int(m) for m in masks]
    out = np.zeros((len(masks), 128), dtype=bool)
    if not masks:
        return out
    low = np.array([m & 0xFFFFFFFFFFFFFFFF for m in masks], dtype=np.uint64)
    high = np.array([(m >> 64) & 0xFFFFFFFFFFFFFFFF for m in masks], dtype=np.uint64)
    shifts = np.arange(64, dtype=np.uint64)
    out[:, :64] = ((low[:, None] >> shifts) & np.uint64(1)).astype(bool)
    out[:, 64:] = ((high[:, None] >> shifts) & np.uint64(1)).astype(bool)
    return out


def encode_targets(masks: Sequence[int] | np.ndarray, target: str) -> np.ndarray:
    """Note masks → (N, C) float32 targets; for folded_bass a rest has an all-zero bass block."""
    check_target(target)
    bits = mask_bits(masks)
    if target == "full":
        return bits[:, ::-1].astype(np.float32)
    folded = np.stack([bits[:, pc::12].any(axis=1) for pc in range(12)], axis=1)
    if target == "folded":
        return folded.astype(np.float32)
    bass = np.zeros((len(bits), 12), dtype=bool)
    has = bits.any(axis=1)
    lowest = np.argmax(bits, axis=1)
    bass[np.nonzero(has)[0], lowest[has] % 12] = True
    return np.concatenate([bass, folded], axis=1).astype(np.float32)


def bass_valid(targets: np.ndarray) -> np.ndarray:
    """(N,) bool: rows of folded_bass targets whose bass is defined (not a rest); mask the loss."""
    targets = np.asarray(targets)
    return targets[:, BASS].sum(axis=1) > 0


@dataclass(frozen=True)
class Decoded:
    """What a model output means: pitch classes (ascending), bass pitch class, note ids (full)."""

    pitch_classes: tuple[int, ...]
    bass: int | None
    note_ids: tuple[int, ...]


def _as_thresholds(thresholds: Sequence[float] | np.ndarray | float, width: int) -> np.ndarray:
    thr = np.asarray(thresholds, dtype=np.float64)
    if thr.ndim == 0:
        return np.full(width, float(thr))
    return thr


def decode(
    probs: Sequence[float] | np.ndarray,
    thresholds: Sequence[float] | np.ndarray | float,
    target: str,
) -> Decoded:
    """One output vector of probabilities → Decoded (strict `p > threshold`).

    folded_bass: the bass is the argmax of [0:12] (its thresholds ignored), reported only when
    some pitch class is on; `thresholds` may have 24 entries or just the 12 folded ones.
    full: note ids from the MSB-first positions; bass = the lowest note's pitch class.
    """
    width = target_width(target)
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    if p.size != width:
        raise TargetError(f"target {target!r} has {width} outputs, got {p.size}")
    if target == "folded_bass":
        thr = _as_thresholds(thresholds, 12)
        if thr.size == 24:
            thr = thr[FOLDED]
        if thr.size != 12:
            raise TargetError(f"folded_bass needs 12 or 24 thresholds, got {thr.size}")
        # plain floats: a dozen comparisons (the live path decodes every hop)
        pcs = tuple(
            i
            for i, (v, t) in enumerate(zip(p[FOLDED].tolist(), thr.tolist(), strict=True))
            if v > t
        )
        bass = int(np.argmax(p[BASS])) if pcs else None
        return Decoded(pcs, bass, ())
    thr = _as_thresholds(thresholds, width)
    if thr.size != width:
        raise TargetError(f"target {target!r} needs {width} thresholds, got {thr.size}")
    on = [i for i, (v, t) in enumerate(zip(p.tolist(), thr.tolist(), strict=True)) if v > t]
    if target == "folded":
        return Decoded(tuple(on), None, ())
    ids = tuple(sorted(127 - i for i in on))
    pcs = tuple(sorted({i % 12 for i in ids}))
    return Decoded(pcs, ids[0] % 12 if ids else None, ids)


def predictions(probs: np.ndarray, thresholds: np.ndarray | float, target: str) -> np.ndarray:
    """(N, C) probabilities → (N, C) bool decisions, as `decode` makes them, for metrics.

    folded_bass: the bass block becomes the argmax one-hot when any pitch class is on, else zeros.
    """
    probs = np.asarray(probs, dtype=np.float64)
    width = target_width(target)
    if probs.ndim != 2 or probs.shape[1] != width:
        raise TargetError(f"target {target!r} needs (N, {width}) outputs, got {probs.shape}")
    thr = _as_thresholds(thresholds, width)
    if target == "folded_bass" and thr.size == 12:
        thr = np.concatenate([np.full(12, 0.5), thr])
    if thr.size != width:
        raise TargetError(f"target {target!r} needs {width} thresholds, got {thr.size}")
    pred = probs > thr[None, :]
    if target == "folded_bass":
        any_pc = pred[:, FOLDED].any(axis=1)
        bass = np.zeros((len(probs), 12), dtype=bool)
        rows = np.nonzero(any_pc)[0]
        bass[rows, np.argmax(probs[rows, BASS], axis=1)] = True
        pred[:, BASS] = bass
    return pred

"""Pick the torch device and a thread count that suits a small shared CPU."""

from __future__ import annotations

import os

import torch

from kord_engine.errors import KordError


class TrainDeviceError(KordError):
    """A training device that is unknown or not available on this machine."""


def resolve_device(name: str = "auto") -> torch.device:
    """'auto' → cuda if available else cpu; 'cuda' without a GPU is a clear error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda":
        if not torch.cuda.is_available():
            raise TrainDeviceError("device 'cuda' requested but torch sees no CUDA GPU")
        return torch.device("cuda")
    if name == "cpu":
        return torch.device("cpu")
    raise TrainDeviceError(f"device {name!r} is unknown; choose auto, cpu or cuda")


def configure_threads(threads: int = 0) -> int:
    """Set torch's intra-op threads: `threads`, or half the cores (1..8) when 0; returns it.

    Half, because these small models are overhead-bound: on a busy 2-core machine one thread
    trained about twice as fast as two.
    """
    if threads <= 0:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        threads = max(1, min(8, (cores or 1) // 2))
    torch.set_num_threads(threads)
    return threads

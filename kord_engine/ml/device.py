"""Pick the torch device and a thread count that suits a small shared CPU."""

from __future__ import annotations

import os
import re

import torch

from kord_engine.errors import KordError


class TrainDeviceError(KordError):
    """A training device that is unknown or not available on this machine."""


def resolve_device(name: str = "auto") -> torch.device:
    """'auto' → the first CUDA GPU if torch sees one, else cpu; 'cuda' / 'cuda:N' without
    that GPU is a clear error."""
    if name == "auto":
        return torch.device("cuda", 0) if torch.cuda.is_available() else torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    match = re.fullmatch(r"cuda(?::(\d+))?", name)
    if match is None:
        raise TrainDeviceError(f"device {name!r} is unknown; choose auto, cpu, cuda or cuda:N")
    if not torch.cuda.is_available():
        raise TrainDeviceError(f"device {name!r} requested but torch sees no CUDA GPU")
    index = int(match.group(1) or 0)
    count = torch.cuda.device_count()
    if index >= count:
        raise TrainDeviceError(
            f"device {name!r} requested but torch sees {count} CUDA GPU(s) (cuda:0..{count - 1})"
        )
    return torch.device("cuda", index)


def pin_memory_for(device: torch.device) -> bool:
    """Batches are gathered into pinned host memory when they go to a CUDA device."""
    return device.type == "cuda"


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

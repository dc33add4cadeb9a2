"""A moving median along the last axis, on numpy alone (the harmonic detector's noise floor)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=32)
def _neighbourhoods(n: int, size: int) -> np.ndarray:
    """(n, size) indices of each point's neighbourhood, clipped at the ends (edge values)."""
    half = size // 2
    idx = np.arange(n)[:, None] + np.arange(-half, half + 1)[None, :]
    out = np.clip(idx, 0, n - 1)
    out.flags.writeable = False
    return out


def running_median(x: np.ndarray, size: int) -> np.ndarray:
    """Median of each `size`-wide neighbourhood along the last axis (`size` odd), edges
    extended with the end values: scipy.ndimage.median_filter(x, (1, …, size),
    mode="nearest"), value for value (a median of an odd count is one of the values)."""
    x = np.asarray(x)
    size = int(size)
    if size < 1 or size % 2 == 0:
        raise ValueError(f"median size must be odd and positive, got {size}")
    n = x.shape[-1]
    if size == 1 or n == 0:
        return x.copy()
    half = size // 2
    return np.partition(x[..., _neighbourhoods(n, size)], half, axis=-1)[..., half]

"""Real FFTs for the detectors, on numpy alone (the app ships without scipy).

`next_fast_len` picks the same sizes as scipy.fft.next_fast_len(n, real=True) (5-smooth
numbers), so every spectrum keeps its bins. `rfft` is numpy.fft.rfft after one process-wide
allocator setting: numpy's pocketfft allocates its scratch buffer on every call, and glibc
hands the top of the heap back to the system after each free, so every transform of more than
~25,000 points faulted its memory in afresh (a 48,000-point transform took 3× scipy's time).
Keeping 16 MB of heap top padding (M_TOP_PAD) makes it as fast as scipy's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache

import numpy as np

#: glibc's mallopt parameter number of M_TOP_PAD, and the padding kept (bytes)
_M_TOP_PAD = -2
TOP_PAD_BYTES = 16 << 20
_heap_kept = False
#: the newest hann_magnitudes call: (its samples, nfft, the magnitudes)
_newest: tuple[np.ndarray, int, np.ndarray] | None = None


def keep_heap_pages() -> bool:
    """Set glibc's M_TOP_PAD once per process (Linux only; True when it is set)."""
    global _heap_kept
    if _heap_kept or not sys.platform.startswith("linux"):
        return _heap_kept
    _heap_kept = True  # tried once, whatever the outcome
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_TOP_PAD, TOP_PAD_BYTES))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): numpy is just slower
        return False


@lru_cache(maxsize=256)
def next_fast_len(target: int) -> int:
    """The smallest 5-smooth number (2^a·3^b·5^c) ≥ `target`, as scipy's real-input choice."""
    target = int(target)
    if target <= 6:
        return max(target, 1)
    best = 1 << (target - 1).bit_length()  # a power of two always qualifies
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            # the smallest power of two that lifts p35 to the target
            quotient = -(-target // p35)
            n = p35 * (1 << (quotient - 1).bit_length())
            if n == target:
                return n
            best = min(best, n)
            p35 *= 3
        p5 *= 5
    return best


def rfft(x: np.ndarray, n: int | None = None, axis: int = -1) -> np.ndarray:
    """numpy.fft.rfft (float32 in → complex64 out), with the heap kept (see module)."""
    if not _heap_kept:
        keep_heap_pages()
    return np.fft.rfft(x, n, axis=axis)


@lru_cache(maxsize=32)
def hann(n: int) -> np.ndarray:
    """np.hanning(n) as float32, cached (read-only: it is shared)."""
    w = np.hanning(n).astype(np.float32)
    w.flags.writeable = False
    return w


def hann_magnitudes(x: np.ndarray, nfft: int) -> np.ndarray:
    """|rfft(x · Hann(len(x)), nfft)| as float32, read-only. The newest call's samples and
    result are kept: on one live hop the tuning vote, the harmonic detector and the early
    bass often window the very same audio, and then they share one transform."""
    global _newest
    x = np.asarray(x, np.float32)
    newest = _newest
    if (
        newest is not None
        and newest[1] == nfft
        and newest[0].shape == x.shape
        and np.array_equal(newest[0], x)
    ):
        return newest[2]
    mags = np.abs(rfft(x * hann(x.size), nfft))
    mags.flags.writeable = False
    _newest = (x.copy(), int(nfft), mags)
    return mags

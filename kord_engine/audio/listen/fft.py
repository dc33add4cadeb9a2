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
import threading
from functools import lru_cache

import numpy as np

#: glibc's mallopt parameter number of M_TOP_PAD, and the padding kept (bytes)
_M_TOP_PAD = -2
TOP_PAD_BYTES = 16 << 20
_heap_kept = False
#: the newest window's transforms: (its samples, nfft, rfft or None, Hann magnitudes or None)
_newest: tuple[np.ndarray, int, np.ndarray | None, np.ndarray | None] | None = None


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
    """The periodic Hann window of n samples (0.5 − 0.5·cos(2πt/n), as scipy's and librosa's
    spectral windows) as float32, cached (read-only: it is shared). Periodic, so that its
    spectrum is three bins of the rectangular one (see hann_from_rect)."""
    w = (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)).astype(np.float32)
    w.flags.writeable = False
    return w


def hann_from_rect(
    spectrum: np.ndarray, n: int, nfft: int, scratch: np.ndarray | None = None
) -> np.ndarray:
    """The rfft of x · hann(n) from the rfft `spectrum` of the same n samples x (both zero-
    padded to an even `nfft` that n divides): the periodic Hann is three complex
    exponentials, 0.5·X[k] − 0.25·(X[k − m] + X[k + m]) with m = nfft / n. The bins past
    both ends are the real signal's mirror images, conj(X[−k]) and conj(X[nfft − k]).
    `scratch` (complex, the spectrum's shape): room for 0.5·X, so that only the result is
    a new array."""
    if nfft % 2 or nfft % n:
        raise ValueError(f"nfft {nfft} must be even and a multiple of the window {n}")
    m = nfft // n
    k = spectrum.shape[-1]  # nfft / 2 + 1
    if spectrum.ndim != 1 or 2 * m >= k:
        return _hann_from_rect_extended(spectrum, m, k)
    # X[j − m] + X[j + m], the mirror images past both ends read in place: the sums of
    # _hann_from_rect_extended without its extended copy of the spectrum
    out = np.empty(k, dtype=spectrum.dtype)
    np.add(np.conj(spectrum[m:0:-1]), spectrum[m : 2 * m], out=out[:m])
    np.add(spectrum[: k - 2 * m], spectrum[2 * m :], out=out[m : k - m])
    np.add(spectrum[k - 2 * m : k - m], np.conj(spectrum[k - 2 : k - 2 - m : -1]), out=out[k - m :])
    out *= -0.25
    if scratch is None or scratch.shape != spectrum.shape or scratch.dtype != spectrum.dtype:
        scratch = np.empty_like(spectrum)
    out += np.multiply(0.5, spectrum, out=scratch)
    return out


def _hann_from_rect_extended(spectrum: np.ndarray, m: int, k: int) -> np.ndarray:
    """hann_from_rect through an extended copy of the spectrum (any shape, any m)."""
    ext = np.empty(spectrum.shape[:-1] + (k + 2 * m,), dtype=spectrum.dtype)
    ext[..., m : m + k] = spectrum
    ext[..., :m] = np.conj(spectrum[..., m:0:-1])
    ext[..., m + k :] = np.conj(spectrum[..., k - 2 : k - 2 - m : -1])
    out = ext[..., :k] + ext[..., 2 * m :]
    out *= -0.25
    out += 0.5 * spectrum
    return out


def window_rfft(x: np.ndarray, nfft: int) -> np.ndarray:
    """rfft(x, nfft) (rectangular, zero-padded), read-only; the newest window's transform is
    kept, so the model and the harmonic detector reading the same audio on a hop share it
    (hann_magnitudes derives the Hann spectrum from it)."""
    global _newest
    x = np.asarray(x, np.float32)
    newest = _newest
    same = _same(newest, x, nfft)
    if same and newest[2] is not None:
        return newest[2]
    spectrum = rfft(x, nfft)
    spectrum.flags.writeable = False
    _newest = (newest[0] if same else x.copy(), int(nfft), spectrum, newest[3] if same else None)
    return spectrum


def _same(newest: tuple | None, x: np.ndarray, nfft: int) -> bool:
    """Whether `newest` holds the transforms of these very samples at this length."""
    if newest is None or newest[1] != nfft or newest[0].shape != x.shape:
        return False
    held = newest[0]
    if x.ndim == 1 and x.size and not (held[-1] == x[-1] and held[0] == x[0]):
        return False  # another hop's window: it differs at its ends (no full comparison)
    return bool((held == x).all())


#: per thread: room for hann_from_rect's half spectrum, kept from hop to hop
_scratch = threading.local()


def _half_spectrum_room(like: np.ndarray) -> np.ndarray:
    room = getattr(_scratch, "room", None)
    if room is None or room.shape != like.shape or room.dtype != like.dtype:
        room = _scratch.room = np.empty_like(like)
    return room


def hann_magnitudes(x: np.ndarray, nfft: int) -> np.ndarray:
    """|rfft(x · hann(len(x)), nfft)| as float32, read-only. The newest window's transforms
    are kept: on one live hop the tuning vote, the harmonic detector and the early bass often
    window the very same audio, and then they share one transform; where the rectangular
    transform of it is already there (the model's), the Hann one is derived from it."""
    global _newest
    x = np.asarray(x, np.float32)
    newest = _newest
    same = _same(newest, x, nfft)
    if same and newest[3] is not None:
        return newest[3]
    if same and newest[2] is not None and nfft % 2 == 0 and nfft % x.size == 0:
        spectrum = newest[2]
        mags = np.abs(hann_from_rect(spectrum, x.size, nfft, _half_spectrum_room(spectrum)))
    else:
        mags = np.abs(rfft(x * hann(x.size), nfft))
    mags.flags.writeable = False
    if same:
        _newest = (newest[0], int(nfft), newest[2], mags)
    else:
        _newest = (x.copy(), int(nfft), None, mags)
    return mags

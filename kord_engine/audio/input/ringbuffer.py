"""A preallocated float32 ring buffer: one writer (the audio callback) copies blocks in, one
reader (the analyzer) copies the newest frames out. Writing never allocates."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class RingBuffer:
    """Fixed-capacity mono float32 history of the most recent frames.

    Single-writer / single-reader without locks: the writer announces the range it is about
    to overwrite (`_pending`) before copying and publishes `total_written` after, so a reader
    can tell whether its copy was overwritten meanwhile and retry.
    """

    def __init__(self, capacity: int):
        if int(capacity) < 1:
            raise ValueError(f"ring buffer capacity must be at least 1 frame, got {capacity}")
        self.capacity = int(capacity)
        self._buf = np.zeros(self.capacity, dtype=np.float32)
        self._written = 0  # frames published
        self._pending = 0  # frames being written (≥ _written while a write is in progress)

    @property
    def total_written(self) -> int:
        """Frames written since creation (or clear); the stream clock in frames."""
        return self._written

    def write(self, block: np.ndarray) -> None:
        """Append `block` (1-D, any float dtype): only copies, no allocation."""
        n = block.shape[0]
        if n == 0:
            return
        cap = self.capacity
        start_total = self._written
        if n > cap:  # only the newest `cap` frames can be kept
            start_total += n - cap
            block = block[n - cap :]
            n = cap
        self._pending = start_total + n
        start = start_total % cap
        first = min(n, cap - start)
        self._buf[start : start + first] = block[:first]
        if first < n:
            self._buf[: n - first] = block[first:]
        self._written = start_total + n

    def latest(self, n: int) -> np.ndarray:
        """The newest `n` frames as a new array (zeros before the first frame written)."""
        return self.read_latest(n)[0]

    def read_latest(self, n: int, retries: int = 8) -> tuple[np.ndarray, int]:
        """(newest n frames, total_written at their end). n ≤ capacity."""
        n = int(n)
        if n < 0 or n > self.capacity:
            raise ValueError(f"can read 0..{self.capacity} frames, asked for {n}")
        return self._read(lambda end: n, retries)

    def read_since(self, start: int, retries: int = 8) -> tuple[np.ndarray, int]:
        """(the frames from stream frame `start` up to the newest, total_written at their
        end): a reader that takes every frame once. Where `start` is older than the capacity
        holds, from the oldest frame kept (end − len(frames) says where they begin)."""
        start = int(start)
        return self._read(lambda end: max(0, min(end - start, self.capacity)), retries)

    def _read(self, frames: Callable[[int], int], retries: int) -> tuple[np.ndarray, int]:
        """(the newest frames(end) frames, end), copied again while the writer overwrote them."""
        for _ in range(retries + 1):
            end = self._written
            n = frames(end)
            out = np.empty(n, dtype=np.float32)
            self._copy_into(out, end)
            # valid if nothing at or after our oldest frame was overwritten during the copy
            if self._pending - self.capacity <= end - n:
                break
        return out, end

    def _copy_into(self, out: np.ndarray, end: int) -> None:
        n = out.shape[0]
        have = min(n, end)
        if have <= 0:
            out[:] = 0.0
            return
        cap = self.capacity
        dst = out[n - have :]
        start = (end - have) % cap
        first = min(have, cap - start)
        dst[:first] = self._buf[start : start + first]
        if first < have:
            dst[first:] = self._buf[: have - first]
        if have < n:
            out[: n - have] = 0.0

    def clear(self) -> None:
        """Forget everything (the reader must not be reading)."""
        self._buf[:] = 0.0
        self._written = 0
        self._pending = 0

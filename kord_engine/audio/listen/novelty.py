"""Chord changes heard in the spectrum itself, for sounds without an attack (bowed strings,
organ, pads, legato playing): plain functions over arrays, and the small stateful tracker
the live analyzer feeds every hop.

A change is where the shape of the pitch spectrum moves: the semitone-band spectrum of the
newest frames, normalised to sum to 1, differs from that of the sound so far by more than a
threshold (total variation distance, 0 = same shape, 1 = nothing in common). Level alone does
not count — a swell or a decay keeps the shape — so a crescendo is no change, while C → Am
played legato (G fades, A enters) is.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kord_engine.audio.listen.fft import hann, rfft
from kord_engine.audio.listen.sparse_rows import SparseRows

#: semitone bands from A1 to C8 (fundamentals and the partials that tell chords apart)
LOW_MIDI, HIGH_MIDI = 33, 108


@lru_cache(maxsize=8)
def _bands(n_fft: int, sample_rate: int) -> np.ndarray:
    """(n_fft // 2 + 1, bands) power-pooling matrix: a band wider than a bin sums the power
    of its bins; a narrower one (low notes) takes its centre frequency's power, linearly
    interpolated between the two nearest bins, so no band is empty."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    bin_hz = freqs[1]
    n_bands = HIGH_MIDI - LOW_MIDI + 1
    m = np.zeros((freqs.size, n_bands), np.float32)
    for b in range(n_bands):
        midi = LOW_MIDI + b
        lo, hi = (440.0 * 2 ** ((midi + d - 69) / 12.0) for d in (-0.5, 0.5))
        inside = np.flatnonzero((freqs >= lo) & (freqs < hi))
        if inside.size:
            m[inside, b] = 1.0
        else:
            x = 440.0 * 2 ** ((midi - 69) / 12.0) / bin_hz
            k = int(np.floor(x))
            if k + 1 < freqs.size:
                m[k, b], m[k + 1, b] = 1.0 - (x - k), x - k
    return m


def frame_length(sample_rate: int) -> int:
    """FFT frame for the band spectra: ~85 ms (4096 at 48 kHz, 11.7 Hz bins: semitones
    apart from G3 up), a power of two."""
    return 1 << int(round(np.log2(max(256, 0.085 * sample_rate))))


def band_spectra(frames: np.ndarray, sample_rate: int) -> np.ndarray:
    """(frames, bands) compressed semitone-band magnitudes (magnitude ** 0.5: quieter
    partials still count) of (frames, frame_length) audio frames, Hann-windowed."""
    return _windowed_band_spectra(frames * hann(frames.shape[-1]), sample_rate)


def _windowed_band_spectra(windowed: np.ndarray, sample_rate: int) -> np.ndarray:
    """band_spectra of frames already multiplied by their Hann window."""
    bands = _sparse_bands(windowed.shape[-1], int(sample_rate))
    # only the bins up to C8's band (a sixth of them at 48 kHz), their power as re² + im²
    spec = rfft(windowed, axis=-1)[..., : bands.used_cols]
    power = spec.real * spec.real
    power += spec.imag * spec.imag
    # a sparse product: a dense one this small wakes BLAS's thread pool, whose spinning
    # threads cost more CPU than the whole hop
    power = bands.apply(power)
    np.sqrt(power, out=power)
    return np.sqrt(power, out=power)


def _mean_rows(rows: np.ndarray) -> np.ndarray:
    """np.mean(rows, axis=0) of float32 rows, spelled out (the float32 sum over the count
    as an intp, as numpy's `mean` divides it) without its Python wrapper: per-hop."""
    total = np.add.reduce(rows, axis=0)
    return np.true_divide(total, np.intp(rows.shape[0]), out=total, casting="unsafe")


@lru_cache(maxsize=8)
def _sparse_bands(n_fft: int, sample_rate: int) -> SparseRows:
    return SparseRows.from_dense(_bands(n_fft, sample_rate).T)


def shape_distance(before: np.ndarray, after: np.ndarray) -> float:
    """Total variation distance between two band spectra, each normalised to sum 1."""
    b = before / (before.sum() + 1e-12)
    a = after / (after.sum() + 1e-12)
    a -= b
    return 0.5 * float(np.abs(a, out=a).sum())


class ChangeTracker:
    """Chord changes heard in the spectrum, hop by hop (state across hops, fed by the live
    analyzer): band spectra of ~85 ms frames every `hop_seconds` on the stream's own grid;
    the newest `newest` frames' mean shape against the mean shape of the current segment
    (from `settle_seconds` after its start up to where the newest frames begin, at most
    `memory_seconds`). A distance above `threshold` is a change; it happened about half way
    into the first of the newest run of frames that each differ from the reference by the
    threshold, and the new segment starts there: what is analysed from then on holds (nearly)
    only the new chord.

    A long reference is what tells a change from a sustained sound's own movement (vibrato,
    ensemble beating, a pad's slow sweep): two short stretches differ almost as much as two
    chords sharing two notes do. `reset(at)` starts a segment (an attack found by level).
    """

    def __init__(
        self,
        sample_rate: int,
        threshold: float = 0.15,
        hop_seconds: float = 0.01,
        newest: int = 5,
        min_reference: int = 5,
        settle_seconds: float = 0.1,
        memory_seconds: float = 1.0,
    ):
        self.sample_rate = int(sample_rate)
        self.threshold = float(threshold)
        self.n = frame_length(self.sample_rate)
        self.hop = max(1, int(round(hop_seconds * self.sample_rate)))
        self.newest = int(newest)
        self.min_reference = int(min_reference)
        self.settle = int(round(settle_seconds * self.sample_rate))
        self.memory = int(round(memory_seconds * self.sample_rate))
        self.reset(0)
        # the band frames of the last memory_seconds, oldest first: rows _head.._count of
        # preallocated arrays (no per-hop lists of arrays); forgotten rows only move the
        # head, the held ones are moved back to row 0 when the arrays are full
        capacity = 2 * (self.memory // self.hop + self.newest + 8)
        self._starts = np.zeros(capacity, np.int64)
        self._spectra = np.zeros((capacity, HIGH_MIDI - LOW_MIDI + 1), np.float32)
        self._head = 0
        self._count = 0
        self._next = 0  # stream frame where the next band frame starts
        self._shape: np.ndarray | None = None  # newest_shape, until frames come or go
        self._frames = np.empty((0, self.n), np.float32)  # the windowed frames of a hop
        # the newest distance of the sound now from its segment (None: no reference yet)
        self.distance: float | None = None

    def reset(self, at: int) -> None:
        """A new segment from stream frame `at` (an attack): the reference starts afresh."""
        self.segment_start = int(at)

    def update(self, window: np.ndarray, end: int) -> int | None:
        """Feed the newest audio (`window`, ending at stream frame `end`); the stream frame
        where a change detected on this hop starts its segment, or None."""
        begin = end - window.shape[0]
        first = max(self._next, -(-begin // self.hop) * self.hop, 0)
        starts = range(first, end - self.n + 1, self.hop)
        if starts:
            self._append(np.array(starts, np.int64), self._band_frames(window, begin, starts))
            self._next = starts[-1] + self.hop
            self._forget_before(end - self.memory)
        count = self._count - self._head
        self.distance = None
        if count < self.newest + self.min_reference:
            return None
        held = self._starts[self._head : self._count]
        spectra = self._spectra[self._head : self._count]
        cut = int(held[count - self.newest])  # where the newest frames begin
        lo = self.segment_start + self.settle
        # starts ascend: the reference frames (start ≥ lo, end ≤ cut) are one run of them
        a, b = np.searchsorted(held, lo, "left"), np.searchsorted(held, cut - self.n, "right")
        if b - a < self.min_reference:
            return None
        reference = _mean_rows(spectra[a:b])
        new = _mean_rows(spectra[count - self.newest :])
        self.distance = shape_distance(reference, new)
        if self.distance <= self.threshold:
            return None
        # where it happened: the first frame of the newest run of frames that each differ
        # from the reference by the threshold is about half in the new sound
        first = count - 1
        while first > 0 and held[first - 1] + self.n > cut - self.n:
            if shape_distance(reference, spectra[first - 1]) <= self.threshold:
                break
            first -= 1
        at = min(int(held[first]) + self.n // 2, end - self.n // 2)
        self.segment_start = at
        return at

    def newest_shape(self) -> np.ndarray | None:
        """The mean band spectrum of the newest `newest` frames, normalised to sum 1 (None
        before that many frames): what the sound is now, for telling whether it moved.
        Kept until frames come or go (the live analyzer asks twice a hop); read-only."""
        if self._shape is not None:
            return self._shape
        count = self._count
        if count - self._head < self.newest:
            return None
        mean = _mean_rows(self._spectra[count - self.newest : count])
        mean /= mean.sum() + 1e-12
        mean.flags.writeable = False
        self._shape = mean
        return mean

    def shape_between(self, start: int, end: int) -> np.ndarray | None:
        """The mean band spectrum (normalised to sum 1) of the held frames that start in
        [start, end) stream frames, or None when none is held."""
        held = self._starts[self._head : self._count]
        a, b = np.searchsorted(held, start, "left"), np.searchsorted(held, end, "left")
        if b <= a:
            return None
        mean = _mean_rows(self._spectra[self._head + a : self._head + b])
        mean /= mean.sum() + 1e-12
        return mean

    def _band_frames(self, window: np.ndarray, begin: int, starts: range) -> np.ndarray:
        """Band spectra of the frames of `window` (which starts at stream frame `begin`)
        that start at `starts`, each windowed into a buffer kept across hops."""
        k, n = len(starts), self.n
        if self._frames.shape[0] < k:
            self._frames = np.empty((k, n), np.float32)
        frames = self._frames[:k]
        w = hann(n)
        x = np.asarray(window, np.float32)
        for row, start in zip(frames, starts, strict=True):
            i = start - begin
            np.multiply(x[i : i + n], w, out=row)
        return _windowed_band_spectra(frames, self.sample_rate)

    def _append(self, starts: np.ndarray, spectra: np.ndarray) -> None:
        """Add band frames (their stream starts and spectra) after the held ones."""
        k, head, count = len(starts), self._head, self._count
        if count + k > len(self._starts):
            if head:  # move the held frames back to row 0
                self._starts[: count - head] = self._starts[head:count]
                self._spectra[: count - head] = self._spectra[head:count]
                count -= head
                self._head = head = 0
            if count + k > len(self._starts):  # a window longer than memory_seconds
                grow = count + k - len(self._starts)
                self._starts = np.concatenate([self._starts, np.zeros(grow, np.int64)])
                self._spectra = np.concatenate(
                    [self._spectra, np.zeros((grow,) + spectra.shape[1:], np.float32)]
                )
        self._starts[count : count + k] = starts
        self._spectra[count : count + k] = spectra
        self._count = count + k
        self._shape = None

    def _forget_before(self, frame: int) -> None:
        """Drop the held frames that start before stream frame `frame`."""
        head, count = self._head, self._count
        keep = int(np.searchsorted(self._starts[head:count], frame, "left"))
        if keep:
            self._head = head + keep
            self._shape = None

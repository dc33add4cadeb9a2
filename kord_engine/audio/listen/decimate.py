"""Live audio brought down to the rate the detectors need: every detector reads nothing above
~8.2 kHz (the model's 8192 one-hertz bins, the harmonic detector's partials, the tuning vote
below 2.5 kHz, the view and the change tracker below C8), so a 48 kHz stream analysed at
24 kHz gives the same notes with every transform half as long (bench_live_e2e: frames right
within a few tenths of a point either way; a live hop about a quarter cheaper).

A streaming FIR low-pass (a Kaiser-windowed sinc, flat to PASSBAND_HZ, STOPBAND_DB down where
the new rate would fold anything back under it), computed only at every factor-th sample.
numpy alone (the app ships without scipy): one `einsum` over a strided view of the block and
the filter's history.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kord_engine.audio.input.ringbuffer import RingBuffer

#: the highest frequency any detector reads (Hz): kept flat (< 0.01 dB ripple)
PASSBAND_HZ = 8400.0
#: streams are analysed at no less than this rate (Hz): 48 and 44.1 kHz halve, 96 kHz quarters
MIN_ANALYSIS_RATE = 22050
#: how far down (dB) whatever would fold back under the passband is held
STOPBAND_DB = 70.0


def decimation_factor(sample_rate: int) -> int:
    """How many input samples make one analysed sample: the largest q with
    sample_rate / q ≥ MIN_ANALYSIS_RATE (1: the stream is analysed as it is)."""
    return max(1, int(sample_rate) // MIN_ANALYSIS_RATE)


@lru_cache(maxsize=8)
def lowpass(sample_rate: int, factor: int) -> np.ndarray:
    """The anti-alias filter for `factor` at `sample_rate` (float32, unit DC gain, read-only):
    a Kaiser-windowed sinc (Kaiser's formulas for STOPBAND_DB), its transition band from
    PASSBAND_HZ to the lowest frequency that folds back onto it (the new rate less
    PASSBAND_HZ). Odd: a whole-sample delay."""
    if factor < 2:
        return np.ones(1, np.float32)
    new_rate = sample_rate / factor
    edge = new_rate - PASSBAND_HZ
    if edge <= PASSBAND_HZ:
        raise ValueError(
            f"{sample_rate} Hz / {factor} leaves no room above the {PASSBAND_HZ:g} Hz passband"
        )
    width = 2.0 * np.pi * (edge - PASSBAND_HZ) / sample_rate  # radians per sample
    taps = int(np.ceil((STOPBAND_DB - 7.95) / (2.285 * width))) + 1
    taps += 1 - taps % 2
    beta = 0.1102 * (STOPBAND_DB - 8.7)
    cutoff = 0.5 * (PASSBAND_HZ + edge) / sample_rate  # cycles per sample
    n = np.arange(taps) - (taps - 1) / 2.0
    h = 2.0 * cutoff * np.sinc(2.0 * cutoff * n) * np.kaiser(taps, beta)
    h = (h / h.sum()).astype(np.float32)
    h.flags.writeable = False
    return h


def decimate(audio: np.ndarray, sample_rate: int, factor: int | None = None) -> np.ndarray:
    """The whole of `audio` filtered and decimated by `factor` (default decimation_factor):
    what Decimator.process gives block by block, sample for sample."""
    d = Decimator(sample_rate, factor)
    return d.process(audio)


class Decimator:
    """Streaming decimation: `process(block)` takes any block sizes and returns the analysed
    samples they complete, the same samples as one pass over the whole stream. Causal, as a
    device's own filters are: output j is the filter ending on input j · factor (silence
    before the stream), so n inputs give ceil(n / factor) outputs and the hop grid keeps its
    times, while what is heard is half the filter's length late (15 inputs, 0.31 ms at 48 kHz)."""

    def __init__(self, sample_rate: int, factor: int | None = None):
        self.sample_rate = int(sample_rate)
        self.factor = decimation_factor(sample_rate) if factor is None else int(factor)
        if self.factor < 1:
            raise ValueError(f"decimation factor must be ≥ 1, got {self.factor}")
        self.rate = self.sample_rate // self.factor
        self.taps = lowpass(self.sample_rate, self.factor) if self.factor > 1 else None
        if self.taps is not None and self.taps.size < self.factor:
            raise ValueError(f"a {self.factor}× decimation needs a longer filter")
        self.reset()

    def reset(self) -> None:
        """Start a new stream (the history is silence)."""
        # the inputs from the next output's first one on: the filter's length less one
        self._history = np.zeros(0 if self.taps is None else self.taps.size - 1, np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        """The analysed samples (float32) that `block` completes (factor 1: the block itself)."""
        x = np.asarray(block, np.float32).reshape(-1)
        if self.taps is None:
            return x  # read only: the ring copies it in
        buf = np.concatenate([self._history, x])
        need, q = self.taps.size, self.factor
        if buf.shape[0] < need:
            self._history = buf
            return np.empty(0, np.float32)
        count = (buf.shape[0] - need) // q + 1
        # the kept outputs only: a strided view of the inputs each one reads (einsum's own
        # loop, not BLAS: a product this small would wake BLAS's spinning thread pool)
        frames = np.lib.stride_tricks.as_strided(
            buf, shape=(count, need), strides=(buf.strides[0] * q, buf.strides[0]), writeable=False
        )
        out = np.einsum("ij,j->i", frames, self.taps[::-1])
        self._history = buf[count * q :]  # count·q ≤ len − need + q ≤ len (need ≥ q)
        return out


class DecimatedRing:
    """The newest `seconds` of a stream at its analysis rate (`enabled=False`: as it is),
    fed block by block or pulled from the capture's ring."""

    def __init__(self, sample_rate: int, seconds: float, enabled: bool = True):
        self.decimator = Decimator(sample_rate, None if enabled else 1)
        self.rate = self.decimator.rate
        self.ring = RingBuffer(max(1, int(round(seconds * self.rate))))
        self.consumed = 0  # stream frames fed so far

    def analysed(self, block: np.ndarray) -> np.ndarray:
        """The analysed samples the next stream frames complete (counted as fed), for a
        caller that writes them into `ring` itself."""
        self.consumed += int(np.shape(block)[0])
        return self.decimator.process(block)

    def feed(self, block: np.ndarray) -> None:
        """Append the next stream frames."""
        self.ring.write(self.analysed(block))

    def pull(self, source: RingBuffer) -> None:
        """Feed what `source` (the capture's ring, at the stream's rate) has beyond what was
        fed; after a gap (this reader fell further behind than `source` holds) the filter
        starts afresh."""
        block, end = source.read_since(self.consumed)
        begin = end - block.shape[0]
        if begin != self.consumed:
            self.decimator.reset()
            self.consumed = begin
        if block.shape[0]:
            self.feed(block)

"""Tuning: the reference pitch (A4 in Hz) an instrument is tuned to, estimated from its audio.

Every spectral peak says how far it sits from the nearest equal-tempered semitone of A440, in
cents (−50..50). Harmonic partials 1, 2, 3, 4, 6, 8 of any note land within 2 cents of a
semitone, so a weighted, circular histogram of those deviations peaks at the instrument's
offset; the few partials that do not (5th: −14, 7th: −31 cents) spread out and lose. The mode,
refined by a circular mean around it, is the estimate. Offline a whole clip votes; live a
`TuningTracker` keeps a slowly decaying histogram, so the estimate holds across chords and
silences and follows drift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kord_engine.audio.listen.fft import hann_magnitudes, next_fast_len
from kord_engine.errors import AudioError

A4_HZ = 440.0
#: the estimate's range: A4 within ±50 cents of 440 Hz (427.5 .. 452.9 Hz)
MAX_CENTS = 50.0
MIN_HZ = A4_HZ * 2 ** (-MAX_CENTS / 1200)
MAX_HZ = A4_HZ * 2 ** (MAX_CENTS / 1200)
BINS = 100  # histogram: one bin per cent, circular


def cents_of(reference_hz: float) -> float:
    """Offset of a reference pitch from A440 in cents (436 Hz → −15.8)."""
    return 1200.0 * math.log2(float(reference_hz) / A4_HZ)


def hz_of(cents: float) -> float:
    """Reference pitch (A4, Hz) `cents` away from 440 Hz."""
    return A4_HZ * 2.0 ** (float(cents) / 1200.0)


def check_reference(reference_hz: float) -> float:
    """`reference_hz` as a float, or AudioError when it is not within ±50 cents of 440 Hz."""
    try:
        hz = float(reference_hz)
    except (TypeError, ValueError):
        raise AudioError(f"tuning must be a number of Hz, got {reference_hz!r}") from None
    if not (MIN_HZ - 1e-9 <= hz <= MAX_HZ + 1e-9):
        raise AudioError(
            f"tuning must be A4 = {MIN_HZ:.1f}..{MAX_HZ:.1f} Hz (within ±50 cents of 440), got {hz:g}"
        )
    return hz


def quantize(reference_hz: float, step_cents: float = 0.25) -> float:
    """The reference rounded to `step_cents` (keeps per-tuning caches small; 0.25 cent is
    far below what anyone hears)."""
    return hz_of(round(cents_of(reference_hz) / step_cents) * step_cents)


@dataclass(frozen=True)
class TuningConfig:
    """How peaks are picked for the estimate."""

    fmin: float = 60.0  # below: few cycles per window, rumble
    fmax: float = 2500.0  # above: stretched piano partials, crowded high harmonics
    rel_db: float = -40.0  # a peak must reach this below the strongest one
    max_peaks: int = 48
    compress: float = 0.5  # weight = magnitude ** compress
    smooth_cents: float = 3.0  # Gaussian σ of the histogram's circular smoothing
    refine_cents: float = 12.0  # circular mean over ±this around the mode


@dataclass(frozen=True)
class TuningEstimate:
    """An estimate: the reference pitch, its offset in cents and how much it rests on.

    confidence: share of the histogram's weight within ±10 cents of the estimate (0..1).
    weight: the total weight voted (0: no peaks, the estimate is 440 Hz by default).
    """

    reference_hz: float = A4_HZ
    cents: float = 0.0
    confidence: float = 0.0
    weight: float = 0.0

    @property
    def known(self) -> bool:
        return self.weight > 0


def peak_cents(
    mags: np.ndarray, bin_hz: float, config: TuningConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(deviation in cents from A440's semitone grid, weight) for each strong peak of a linear
    magnitude spectrum whose bins are `bin_hz` apart (parabolic interpolation on log |X|)."""
    cfg = config or TuningConfig()
    m = np.asarray(mags, dtype=np.float64).reshape(-1)
    lo = max(1, int(cfg.fmin / bin_hz))
    hi = min(len(m) - 1, int(cfg.fmax / bin_hz) + 1)
    if hi - lo < 3:
        return np.zeros(0), np.zeros(0)
    seg = m[lo - 1 : hi + 1]
    mid = seg[1:-1]
    top = float(mid.max(initial=0.0))
    if top <= 0:
        return np.zeros(0), np.zeros(0)
    is_peak = (mid > seg[:-2]) & (mid >= seg[2:]) & (mid >= top * 10 ** (cfg.rel_db / 20))
    idx = np.flatnonzero(is_peak)
    if idx.size > cfg.max_peaks:
        idx = idx[np.argsort(mid[idx])[-cfg.max_peaks :]]
    if idx.size == 0:
        return np.zeros(0), np.zeros(0)
    a = np.log(seg[idx] + 1e-30)
    b = np.log(seg[idx + 1] + 1e-30)
    c = np.log(seg[idx + 2] + 1e-30)
    den = a - 2 * b + c
    delta = np.where(den < 0, 0.5 * (a - c) / np.where(den < 0, den, -1.0), 0.0)
    freq = (lo + idx + np.clip(delta, -0.5, 0.5)) * bin_hz
    semis = 12.0 * np.log2(freq / A4_HZ)
    dev = 100.0 * (semis - np.round(semis))
    return dev, np.power(mid[idx], cfg.compress)


def cents_histogram(cents: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Circular histogram (BINS,) of deviations in [−50, 50): bin k holds cents k − 50, each
    vote split linearly between its two nearest bins."""
    h = np.zeros(BINS, dtype=np.float64)
    if len(cents) == 0:
        return h
    pos = (np.asarray(cents, dtype=np.float64) + 50.0) % BINS
    k = np.floor(pos).astype(int)
    frac = pos - k
    w = np.asarray(weights, dtype=np.float64)
    np.add.at(h, k % BINS, w * (1 - frac))
    np.add.at(h, (k + 1) % BINS, w * frac)
    return h


def estimate_from_histogram(hist: np.ndarray, config: TuningConfig | None = None) -> TuningEstimate:
    """The histogram's circular mode, refined by the circular mean of the votes near it."""
    cfg = config or TuningConfig()
    h = np.asarray(hist, dtype=np.float64)
    total = float(h.sum())
    if total <= 0:
        return TuningEstimate()
    offsets = np.arange(BINS) - BINS // 2
    offsets = (offsets + BINS // 2) % BINS - BINS // 2  # −50..49
    kernel = np.exp(-0.5 * (offsets / cfg.smooth_cents) ** 2)
    smooth = np.real(np.fft.ifft(np.fft.fft(h) * np.fft.fft(np.fft.ifftshift(kernel))))
    mode = int(np.argmax(smooth))
    dist = (np.arange(BINS) - mode + BINS // 2) % BINS - BINS // 2
    near = np.abs(dist) <= cfg.refine_cents
    angles = 2 * np.pi * (np.arange(BINS) - 50.0) / BINS
    z = np.sum(h[near] * np.exp(1j * angles[near]))
    cents = float(np.angle(z) * BINS / (2 * np.pi))
    if cents >= MAX_CENTS:
        cents -= BINS
    within = np.abs((np.arange(BINS) - 50.0 - cents + 50) % BINS - 50) <= 10
    return TuningEstimate(
        reference_hz=hz_of(cents),
        cents=cents,
        confidence=float(h[within].sum() / total),
        weight=total,
    )


def window_spectrum(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """Hann-windowed magnitude spectrum of a window, zero-padded to 2× (and ≤ 1 Hz bins)."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    n = len(x)
    nfft = next_fast_len(max(2 * n, int(sample_rate)))
    mags = hann_magnitudes(x, nfft)
    return mags, sample_rate / nfft


def window_histogram(
    audio: np.ndarray, sample_rate: int, config: TuningConfig | None = None
) -> np.ndarray:
    """One window's vote (BINS,): the cents histogram of its strong peaks."""
    if len(audio) < 16 or not np.any(audio):
        return np.zeros(BINS)
    mags, bin_hz = window_spectrum(audio, sample_rate)
    return cents_histogram(*peak_cents(mags, bin_hz, config))


def estimate_tuning(
    audio: np.ndarray,
    sample_rate: int,
    window_seconds: float = 0.5,
    hop_seconds: float = 0.25,
    config: TuningConfig | None = None,
    max_windows: int = 240,
) -> TuningEstimate:
    """The reference pitch of a clip: every window's peaks vote (loud windows more); long
    clips vote with `max_windows` windows spread evenly over them."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    if int(sample_rate) <= 0:
        raise AudioError(f"sample rate must be positive, got {sample_rate}")
    n = max(16, int(round(window_seconds * sample_rate)))
    h = max(1, int(round(hop_seconds * sample_rate)))
    starts = np.arange(0, max(1, len(x) - n + 1), h)
    if len(starts) > max_windows:
        starts = starts[np.linspace(0, len(starts) - 1, max_windows).round().astype(int)]
    hist = np.zeros(BINS)
    for s in starts:
        hist += window_histogram(x[s : s + n], sample_rate, config)
    return estimate_from_histogram(hist, config)


def estimate_tuning_spectrum(
    mags: np.ndarray, bin_hz: float = 1.0, config: TuningConfig | None = None
) -> TuningEstimate:
    """The reference pitch from one magnitude spectrum (e.g. a kord .bin)."""
    return estimate_from_histogram(cents_histogram(*peak_cents(mags, bin_hz, config)), config)


class TuningTracker:
    """Live tuning: each sounding window adds its vote to a histogram that decays with
    `half_life` seconds of playing (not of wall time: silence holds the estimate).

    The first estimate is given once `first_seconds` of sounding audio has voted; until then
    (and whenever `locked_hz` is set) the reference is `locked_hz` or `initial_hz`.
    """

    def __init__(
        self,
        initial_hz: float = A4_HZ,
        locked_hz: float | None = None,
        half_life: float = 8.0,
        first_seconds: float = 0.6,
        config: TuningConfig | None = None,
    ):
        self.initial_hz = check_reference(initial_hz)
        self.locked_hz = None if locked_hz is None else check_reference(locked_hz)
        self.half_life = float(half_life)
        self.first_seconds = float(first_seconds)
        self.config = config or TuningConfig()
        self.reset()

    def reset(self) -> None:
        """Forget what was heard (the estimate returns to initial_hz)."""
        self._hist = np.zeros(BINS)
        self._heard = 0.0
        self._estimate = TuningEstimate(
            reference_hz=self.initial_hz, cents=cents_of(self.initial_hz)
        )

    def lock(self, reference_hz: float | None) -> None:
        """Fix the reference (a number) or go back to estimating it (None)."""
        self.locked_hz = None if reference_hz is None else check_reference(reference_hz)

    @property
    def estimate(self) -> TuningEstimate:
        """The latest estimate (reference_hz = initial_hz before the first)."""
        return self._estimate

    @property
    def reference_hz(self) -> float:
        """What the detectors should use now."""
        if self.locked_hz is not None:
            return self.locked_hz
        return self._estimate.reference_hz

    @property
    def heard_seconds(self) -> float:
        """Seconds of sound that have voted so far."""
        return self._heard

    @property
    def settled(self) -> bool:
        """True once enough sound has voted for a first estimate."""
        return self._heard >= self.first_seconds

    def update(self, audio: np.ndarray, sample_rate: int, seconds: float) -> float:
        """Add the vote of `audio` (the newest window), standing for `seconds` of new playing;
        returns reference_hz."""
        h = window_histogram(audio, sample_rate, self.config)
        if h.sum() > 0 and seconds > 0:
            self._hist = self._hist * 0.5 ** (seconds / self.half_life) + h
            self._heard += seconds
            if self.settled:
                est = estimate_from_histogram(self._hist, self.config)
                if est.known:
                    self._estimate = est
        return self.reference_hz

"""The bass of a chord heard for only a moment (tens of ms after an attack), where the note
detectors still mistake a partial or a neighbour for it: given the chord's pitch classes,
the lowest spectral peak that sits on one of them and has a partial of its own.

Plain functions over arrays; the live analyzer uses it for its first, provisional labels.
"""

from __future__ import annotations

import numpy as np

from kord_engine.audio.listen.fft import hann_magnitudes, next_fast_len


def lowest_chord_tone(
    audio: np.ndarray,
    sample_rate: int,
    pitch_classes: set[int] | frozenset[int] | tuple[int, ...],
    reference_hz: float = 440.0,
    rel: float = 0.3,
    fmin: float = 35.0,
    fmax: float = 1400.0,
    tolerance: float = 0.4,
) -> int | None:
    """Pitch class of the lowest peak between fmin and fmax (Hann window, 1 Hz bins,
    magnitude ** 0.5) that reaches `rel` × the strongest peak there, lies within `tolerance`
    semitones of a note of `pitch_classes` (read against `reference_hz`), and has a peak at
    its 2nd or 3rd harmonic — a lone low peak is a thump or a hum, not a bass note. None
    when no peak qualifies."""
    x = np.asarray(audio, np.float32)
    pcs = {int(p) % 12 for p in pitch_classes}
    if x.size < 64 or not pcs:
        return None
    nfft = next_fast_len(max(int(sample_rate), 2 * x.size))
    mags = hann_magnitudes(x, nfft)
    bin_hz = sample_rate / nfft
    lo, hi = int(fmin / bin_hz), min(int(fmax / bin_hz), mags.size - 1)
    seg = np.sqrt(mags[lo:hi])
    if seg.size < 3 or not np.any(seg > 0):
        return None
    # local maxima (a Hann window's zero-padded lobes are smooth: one maximum per peak)
    inner = seg[1:-1]
    peaks = 1 + np.flatnonzero((inner > seg[:-2]) & (inner >= seg[2:]) & (inner > 0))
    if peaks.size == 0:
        return None
    freqs = (peaks + lo) * bin_hz
    heights = seg[peaks]
    top = float(heights.max())
    midi = 69.0 + 12.0 * np.log2(freqs / float(reference_hz))
    for i in np.argsort(freqs):
        if heights[i] < rel * top:
            continue
        note = int(round(midi[i]))
        if abs(midi[i] - note) > tolerance or note % 12 not in pcs:
            continue
        f = freqs[i]
        if any(np.any(np.abs(freqs - h * f) < max(3.0, 0.03 * h * f)) for h in (2, 3)):
            return note % 12
    return None

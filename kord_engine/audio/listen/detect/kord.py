"""kord's deterministic detector (spec §1.3): peak space → flatness filter → nearest note in
kord's 2-decimal table → harmonic folding. Note ids come back strongest first.

Deliberate fixes (each switchable back for parity, see `KordQuirks`): kord counts the first peak
of a note twice, omits the 8th harmonic (+36 semitones) from its fold list and panics on silence;
by default we count every peak once, fold the 8th harmonic and return no notes for silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.spectrum import (
    SPECTRUM_BINS,
    frequency_space,
    whole_seconds,
    window_frequency_space,
)

MIN_INDEX = 50
MAX_INDEX = 8000
MAGIC_WINDOW = 50
FLATNESS = np.float32(0.1)
ABS_FLOOR = np.float32(0.1)
REL_CUTOFF = np.float32(0.1)

_BASE = (16.35, 17.32, 18.35, 19.45, 20.60, 21.83, 23.12, 24.50, 25.96, 27.50, 29.14, 30.87)
#: kord's ALL_PITCH_NOTES_WITH_FREQUENCY: index = 12·octave + pc, octaves 0..15 (f32)
NOTE_TABLE = np.array(
    [np.float32(b) * np.float32(2**o) for o in range(16) for b in _BASE], dtype=np.float32
)
#: kord's "primary harmonic series" in semitones (harmonics 2–7, 9–15: no 8th)
KORD_HARMONICS = (12, 19, 24, 28, 31, 34, 38, 40, 42, 43, 44, 46, 47)
#: ours: the same plus the 8th harmonic (+36)
FIXED_HARMONICS = tuple(sorted((*KORD_HARMONICS, 36)))


@dataclass(frozen=True)
class KordQuirks:
    """Which of kord's bugs to reproduce (all False = our fixed behaviour)."""

    double_count_first_peak: bool = False
    omit_eighth_harmonic: bool = False


KORD_EXACT = KordQuirks(double_count_first_peak=True, omit_eighth_harmonic=True)


def peak_space(mags: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """kord's forward local-maximum sweep plus flatness filter; returns P (same shape as M)."""
    m = np.asarray(mags, dtype=np.float32)
    n = len(m)
    values = m.tolist()  # plain floats: this sequential sweep is faster without numpy calls
    widths = np.maximum(1, np.floor(np.asarray(freqs, np.float64) / MAGIC_WINDOW)).astype(int)
    widths_l = widths.tolist()
    zero = np.zeros(n, dtype=bool)
    k = last = MIN_INDEX
    while k < MAX_INDEX:
        w = widths_l[k]
        block = values[k : k + w]
        mx = max(block)
        nxt = 0
        for j, v in enumerate(block):
            if v == mx:
                nxt = j  # the LAST index equal to the max
            else:
                zero[k + j] = True
        k += nxt
        if k == last:
            k += 1
        last = k
    p = m.copy()
    p[zero] = 0
    # flatness: mean absolute ±3-bin slope relative to the peak
    ks = np.arange(MIN_INDEX, min(MAX_INDEX, n - 3))
    d = (np.abs(m[ks + 3] - m[ks]) / 3 + np.abs(m[ks] - m[ks - 3]) / 3) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        flat = (d / p[ks]) < FLATNESS
    p[ks[flat]] = 0
    return p


def nearest_note(freq: float) -> int | None:
    """Index into kord's note table closest in linear Hz (None outside the table)."""
    f = np.float32(freq)
    if f < NOTE_TABLE[0] or f > NOTE_TABLE[-1]:
        return None
    i = int(np.searchsorted(NOTE_TABLE, f))
    if i == 0:
        return 0
    if i >= len(NOTE_TABLE):
        return len(NOTE_TABLE) - 1
    return i if (NOTE_TABLE[i] - f) < (f - NOTE_TABLE[i - 1]) else i - 1


def kord_note_strengths(
    spectrum: np.ndarray, freq_offset: float = 0.0, quirks: KordQuirks = KordQuirks()
) -> list[tuple[int, float]]:
    """(note id, folded magnitude) pairs, strongest first, from a 1 Hz magnitude spectrum."""
    m = np.asarray(spectrum, dtype=np.float32)
    if m.ndim != 1 or len(m) < MAX_INDEX + MAX_INDEX // MAGIC_WINDOW:
        raise ValueError(f"kord's detector needs a 1 Hz spectrum of ≥ 8160 bins, got {m.shape}")
    freqs = np.arange(len(m), dtype=np.float32) + np.float32(freq_offset)
    p = peak_space(m, freqs)
    idx = np.arange(MIN_INDEX, MAX_INDEX)
    mags = p[idx]
    good = mags > ABS_FLOOR
    if not good.any():
        return []  # kord panics here (silence)
    idx, mags = idx[good], mags[good]
    order = np.argsort(-mags, kind="stable")
    idx, mags = idx[order], mags[order]
    keep = mags > REL_CUTOFF * mags[0]
    notes: dict[int, np.float32] = {}
    for k, mag in zip(idx[keep], mags[keep], strict=True):
        note = nearest_note(float(freqs[k]))
        if note is None:
            continue
        if note not in notes:
            notes[note] = mag + mag if quirks.double_count_first_peak else mag
        else:
            notes[note] = notes[note] + mag
    series = set(KORD_HARMONICS if quirks.omit_eighth_harmonic else FIXED_HARMONICS)
    ascending = sorted(notes)
    alive = dict(notes)
    for i, low in enumerate(ascending):
        if low not in alive:
            continue
        for high in ascending[i + 1 :]:
            if high in alive and (high - low) in series:
                alive[low] = alive[low] + alive.pop(high)
    ranked = sorted(alive.items(), key=lambda kv: -kv[1])
    top = ranked[0][1]
    return [(n, float(v)) for n, v in ranked if v > REL_CUTOFF * top]


def kord_notes(
    spectrum: np.ndarray, freq_offset: float = 0.0, quirks: KordQuirks = KordQuirks()
) -> list[int]:
    """kord's detected note ids, strongest first ([] for silence)."""
    return [n for n, _ in kord_note_strengths(spectrum, freq_offset, quirks)]


def kord_space(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
    """kord's spectrum of the last whole seconds of `audio` (≥ 1 s, shorter is zero-padded)
    and its live bin offset (L−1)/(2L)."""
    seconds = whole_seconds(len(audio), sample_rate)
    if seconds < 1:
        return window_frequency_space(audio, sample_rate), 0.0
    tail = audio[len(audio) - seconds * int(sample_rate) :]
    return frequency_space(tail, sample_rate), (seconds - 1) / (2.0 * seconds)


class KordDetector:
    """kord's deterministic detector behind the Detector interface (needs whole seconds)."""

    name = "kord"

    def __init__(self, window_seconds: float = 1.0, quirks: KordQuirks = KordQuirks()):
        self.window_seconds = max(1.0, float(np.floor(window_seconds)))
        self.quirks = quirks

    def detect_spectrum(self, spectrum: np.ndarray, freq_offset: float = 0.0) -> Detection:
        """Detection from a 1 Hz magnitude spectrum (e.g. a stored .bin sample)."""
        from kord_engine.audio.listen.naming import detection_from_notes

        if len(spectrum) < SPECTRUM_BINS:
            spectrum = np.pad(np.asarray(spectrum, np.float32), (0, SPECTRUM_BINS - len(spectrum)))
        ranked = kord_note_strengths(spectrum, freq_offset, self.quirks)
        if not ranked:
            return detection_from_notes([], 0.0)
        total = sum(v for _, v in ranked)
        confidence = ranked[0][1] / total if len(ranked) == 1 else min(1.0, total / (total + 1e-9))
        return detection_from_notes(
            [n for n, _ in ranked], confidence, guess_mode="notes", extra={"ranked": ranked}
        )

    def detect(self, audio: np.ndarray, sample_rate: int) -> Detection:
        space, offset = kord_space(np.asarray(audio, np.float32), sample_rate)
        return self.detect_spectrum(space, offset)

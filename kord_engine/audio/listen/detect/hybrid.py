"""The model's ears with our detector's eyes: the ONNX model decides WHICH pitch classes sound
(it is the more accurate of the two on sets), except where it is unsure (its probability
within `uncertain_band` of its threshold), where the harmonic detector's vote decides; the
harmonic detector says WHERE (octaves, the bass). When the model hears no notes, nothing
sounds: the harmonic detector alone is fooled by noise far more often."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kord_engine.audio.listen.detect.harmonic import HarmonicDetector
from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.fft import window_rfft
from kord_engine.audio.listen.naming import detection_from_notes
from kord_engine.audio.listen.spectrum import window_fft_size

#: a model probability this close to its threshold is a coin toss: the harmonic detector decides
UNCERTAIN_BAND = 0.15


def model_pitch_classes(
    heard: Detection, model: Detection, band: float = UNCERTAIN_BAND
) -> set[int]:
    """The model's pitch classes, with the unsure ones (|p − threshold| < band) replaced by
    the harmonic detector's decision. Without per-class margins, the model's set as it is."""
    deltas = model.extra.get("deltas")
    if not model.pitch_classes or deltas is None or len(deltas) != 12:
        return set(model.pitch_classes)
    heard_pcs = set(heard.pitch_classes)
    return {
        pc
        for pc, delta in enumerate(deltas)
        if (delta > 0 if abs(delta) >= band else pc in heard_pcs)
    }


def voiced_notes(heard_notes: Sequence[int], pitch_classes: set[int]) -> list[int]:
    """The heard notes of `pitch_classes`, plus each class none of them sounds voiced just
    above the lowest kept note (C4 where none is kept): the bass stays a note really heard."""
    notes = sorted(n for n in heard_notes if n % 12 in pitch_classes)
    base = notes[0] if notes else 48
    for pc in sorted(pitch_classes - {n % 12 for n in notes}):
        notes.append(base + (pc - base) % 12)
    return notes


def combine(
    heard: Detection, model: Detection, timestamp: float = 0.0, *, named: bool = True
) -> Detection:
    """One Detection from the harmonic detector's `heard` and the model's `model`.

    Pitch classes: the model's (see `model_pitch_classes`). Notes: the harmonic detector's
    notes of those classes, plus any class it missed voiced just above its lowest kept note,
    so the bass stays the lowest note actually heard.
    """
    pcs = model_pitch_classes(heard, model)
    if not pcs:
        return Detection(timestamp=timestamp)
    notes = voiced_notes(heard.notes, pcs)
    agree = set(heard.pitch_classes) == pcs
    confidence = max(heard.confidence, model.confidence) if agree else model.confidence * 0.8
    return detection_from_notes(
        notes,
        confidence,
        timestamp,
        extra={"heard": heard.pitch_classes, "model": model.pitch_classes, **model.extra},
        named=named,
    )


class HybridDetector:
    """The shipped model + our harmonic detector (see module docstring)."""

    name = "hybrid"
    #: detect(..., named=False) leaves the chord names out (the live analyzer names labels)
    names_on_request = True

    def __init__(self, model_dir: str | Path | None = None, window_seconds: float | None = None):
        from kord_engine.audio.listen.model.infer import MlDetector

        self.harmonic = HarmonicDetector()
        if window_seconds:
            self.harmonic.window_seconds = float(window_seconds)
        self.window_seconds = self.harmonic.window_seconds
        self.model = MlDetector(model_dir, window_seconds=self.window_seconds)

    def voice(self, audio: np.ndarray, sample_rate: int, pitch_classes: set[int]) -> list[int]:
        """The notes of `audio` on `pitch_classes` already decided (the live analyzer's bass
        of a sustained chord, read from the longer audio): the harmonic half alone, its notes
        placed as `combine` places them — the model's second run would go unused."""
        heard = self.harmonic.detect(audio, sample_rate, named=False)
        return voiced_notes(heard.notes, set(pitch_classes)) if heard.notes else []

    @property
    def reference_hz(self) -> float:
        """The instrument's A4 (Hz), shared by both halves."""
        return self.harmonic.reference_hz

    @reference_hz.setter
    def reference_hz(self, hz: float) -> None:
        self.harmonic.reference_hz = float(hz)
        self.model.reference_hz = float(hz)

    def detect(
        self, audio: np.ndarray, sample_rate: int, timestamp: float = 0.0, *, named: bool = True
    ) -> Detection:
        """The model's pitch classes where the harmonic detector heard them (`named=False`:
        without chord names)."""
        audio = np.asarray(audio, np.float32)
        self._share_transform(audio, sample_rate)
        # both halves unnamed: only the combined result is named (naming a new set costs ms)
        heard = self.harmonic.detect(audio, sample_rate, timestamp, named=False)
        if heard.is_empty:  # the harmonic detector's silence gate and prominence gate
            return heard
        n = int(round(self.window_seconds * sample_rate))
        model = self.model.detect(audio[-n:], sample_rate, named=False)
        return combine(heard, model, timestamp, named=named)

    def _share_transform(self, audio: np.ndarray, sample_rate: int) -> None:
        """One FFT for both halves where they window the same samples at the same length:
        the model's rectangular transform, from which the harmonic detector's Hann spectrum
        is derived (fft.hann_from_rect) — the second 48,000-point FFT of every hop saved."""
        n = self.harmonic.window_frames(len(audio), sample_rate)
        nfft = self.harmonic.fft_size(n, sample_rate)
        if (
            n >= 256
            and n == min(len(audio), int(round(self.window_seconds * sample_rate)))
            and nfft == window_fft_size(n, sample_rate)
            and nfft % 2 == 0
            and nfft % n == 0
        ):
            window_rfft(audio[len(audio) - n :], nfft)

    def detect_spectrum(
        self, mags: np.ndarray, bin_hz: float = 1.0, timestamp: float = 0.0
    ) -> Detection:
        """From a kord 1 Hz frequency space (e.g. a .bin sample)."""
        heard = self.harmonic.detect_spectrum(mags, bin_hz, timestamp)
        return combine(heard, self.model.detect_spectrum(mags, timestamp), timestamp)

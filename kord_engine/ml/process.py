"""`kord ml process`: MIDI + its rendered/recorded audio → labelled .bin samples (kord §2.4).

One sample per measure, zero-padded to whole seconds (kord). With `window` set, also short
windows inside each measure (labelled by the notes sounding in that window) through the
any-length spectrum, so live analysis windows have training data of their own shape.
Fixed kord quirks: 24-bit WAV is scaled correctly (soundfile), notes below MIDI 12 (no label
bit) are dropped instead of aborting the file.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kord_engine.errors import AudioError, KordError
from kord_engine.ml.midi import MidiTimeline, read_midi, select_notes
from kord_engine.samples import Sample, ids_to_mask, write_sample

log = logging.getLogger(__name__)

AUDIO_FORMATS = ("WAV", "FLAC")
MAX_SECONDS = 255


class ProcessError(KordError):
    """Bad `ml process` options or inputs."""


@dataclass
class ProcessOptions:
    """kord's `ml process` flags (CLI defaults) plus the short-window extension."""

    min_fraction: float = 0.2
    min_notes: int = 1
    max_notes: int = 20
    min_duration: float = 1.0
    limit: int | None = None  # at most this many measures written
    window: float | None = None  # seconds; None = whole measures only (kord)
    window_hop: float | None = None  # seconds between window starts; default = window
    skip_rests: bool = False  # do not write rest (empty) samples

    def validate(self) -> ProcessOptions:
        if not 0.0 <= self.min_fraction <= 1.0:
            raise ProcessError(f"min fraction must be in [0, 1], got {self.min_fraction}")
        if self.min_notes < 0:
            raise ProcessError(f"min notes must be ≥ 0, got {self.min_notes}")
        if self.max_notes < self.min_notes:
            raise ProcessError(
                f"max notes ({self.max_notes}) must be ≥ min notes ({self.min_notes})"
            )
        if self.min_duration < 0:
            raise ProcessError(f"min duration must be ≥ 0, got {self.min_duration}")
        if self.limit is not None and self.limit < 0:
            raise ProcessError(f"limit must be ≥ 0, got {self.limit}")
        if self.window is not None and not 0.05 <= self.window <= MAX_SECONDS:
            raise ProcessError(f"window must be 0.05..255 seconds, got {self.window}")
        if self.window_hop is not None and not self.window_hop > 0:
            raise ProcessError(f"window hop must be > 0 seconds, got {self.window_hop}")
        return self


@dataclass
class ProcessResult:
    """What was written: measure samples, window samples, and measures skipped (with why)."""

    measures: list[Path] = field(default_factory=list)
    windows: list[Path] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        return self.measures + self.windows


def read_mono_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """WAV or FLAC → (mono float32 in [-1, 1] by channel mean, sample rate)."""
    import soundfile as sf

    path = Path(path)
    try:
        info = sf.info(str(path))
    except (RuntimeError, OSError) as exc:  # soundfile raises LibsndfileError(RuntimeError)
        raise AudioError(f"{path}: cannot read audio ({exc})") from exc
    if info.format not in AUDIO_FORMATS:
        raise AudioError(f"{path}: ml process reads WAV or FLAC only, got {info.format}")
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    if data.size == 0:
        raise AudioError(f"{path}: the audio file is empty")
    return data.mean(axis=1).astype(np.float32), int(rate)


def measure_spectrum(
    audio: np.ndarray, rate: int, start: float, end: float
) -> tuple[np.ndarray, int]:
    """kord's measure spectrum: audio[floor(start·fs):ceil(end·fs)] in a zero buffer of L·fs."""
    from kord_engine.audio.listen.spectrum import frequency_space

    seconds = int(min(MAX_SECONDS, max(1, math.ceil(end - start))))
    lo, hi = int(math.floor(start * rate)), int(math.ceil(end * rate))
    piece = audio[lo:hi][: seconds * rate]
    buffer = np.zeros(seconds * rate, dtype=np.float32)
    buffer[: len(piece)] = piece
    return frequency_space(buffer, rate), seconds


def _label(keys: list[int], where: str) -> int:
    kept = [k - 12 for k in keys if k >= 12]
    if len(kept) < len(keys):
        log.warning("%s: dropped MIDI notes below 12 (no label bit)", where)
    return ids_to_mask(kept)


def _window_samples(
    timeline: MidiTimeline,
    audio: np.ndarray,
    rate: int,
    measure,
    options: ProcessOptions,
) -> list[tuple[int, Sample]]:
    from kord_engine.audio.listen.spectrum import window_frequency_space

    window = float(options.window)
    hop = float(options.window_hop or window)
    out = []
    j, t = 0, measure.start
    while t + window <= measure.end + 1e-9:
        t0, t1 = timeline.seconds_to_tick(t), timeline.seconds_to_tick(t + window)
        span = max(t1 - t0, 1e-9)
        fractions = {k: v / span for k, v in timeline.key_ticks_between(t0, t1).items()}
        keys = select_notes(fractions, options.min_fraction, options.min_notes, options.max_notes)
        lo, hi = int(math.floor(t * rate)), int(math.floor((t + window) * rate))
        spectrum = window_frequency_space(audio[lo:hi], rate)
        out.append((j, Sample(spectrum, _label(keys, f"window {j} of measure {measure.index}"))))
        j += 1
        t = measure.start + j * hop
    return out


def process_midi_audio(
    midi_path: str | os.PathLike[str],
    audio_path: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    options: ProcessOptions | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> ProcessResult:
    """Write one .bin per MIDI measure (and per short window, if asked) into `destination`.

    Names: `{midi_stem}_measure_{index:04}_{L}s_{notes|rest}_{hash}.bin`; windows:
    `{midi_stem}_measure_{index:04}_w{j:02}_{ms}ms_{notes|rest}_{hash}.bin`.
    `progress(done, total)` is called after each measure (the CLI draws it with tqdm).
    """
    options = (options or ProcessOptions()).validate()
    midi_path, destination = Path(midi_path), Path(destination)
    if not midi_path.is_file():
        raise ProcessError(f"{midi_path}: MIDI file not found")
    timeline = read_midi(midi_path)
    audio, rate = read_mono_audio(audio_path)
    length = len(audio) / rate
    destination.mkdir(parents=True, exist_ok=True)
    result = ProcessResult()
    stem = midi_path.stem
    total = len(timeline.measures)
    for number, measure in enumerate(timeline.measures, 1):
        if progress is not None:
            progress(number, total)
        if options.limit is not None and len(result.measures) >= options.limit:
            break
        start, end = measure.start, measure.end
        why = None
        if end <= start:
            why = "empty measure"
        elif end > length + 1e-9:
            why = "past the end of the audio"
        elif end - start < options.min_duration:
            why = f"shorter than {options.min_duration} s"
        if why:
            result.skipped.append((measure.index, why))
            continue
        fractions = {k: v / measure.ticks for k, v in measure.key_ticks.items()}
        keys = select_notes(fractions, options.min_fraction, options.min_notes, options.max_notes)
        mask = _label(keys, f"{midi_path.name} measure {measure.index}")
        spectrum, seconds = measure_spectrum(audio, rate, start, end)
        if not (options.skip_rests and mask == 0):
            prefix = f"{stem}_measure_{measure.index:04}_{seconds}s_"
            result.measures.append(write_sample(Sample(spectrum, mask), destination, prefix))
        if options.window is not None:
            ms = int(round(options.window * 1000))
            for j, sample in _window_samples(timeline, audio, rate, measure, options):
                if options.skip_rests and sample.mask == 0:
                    continue
                prefix = f"{stem}_measure_{measure.index:04}_w{j:02}_{ms}ms_"
                result.windows.append(write_sample(sample, destination, prefix))
    return result

"""Where the chords of a recording start: level attacks and changes heard in the spectrum, found
exactly as the live analyzer finds them (it runs here over the whole clip with a detector
that hears nothing, so only its onset machinery works), and where it falls silent.

`chord_segments` cuts a clip at those points and names each piece by a vote of windows over
its settled part — the offline timeline's segmentation, so a file's chords start where they
start (not where a fixed window grid happens to fall) and each is named from its own audio
only, never from a window straddling two chords.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kord_engine.audio.listen.detection import Detection, Detector

#: onsets this close together are one
MERGE_SECONDS = 0.06


class _Deaf:
    """A detector that hears nothing: the analyzer then only finds onsets and gates silence."""

    name = "deaf"
    window_seconds = 0.5

    def detect(self, audio: np.ndarray, sample_rate: int) -> Detection:
        return Detection()


@dataclass(frozen=True)
class Onsets:
    """Chord starts (s, ascending) and silent stretches [(start, end)] of a clip."""

    starts: tuple[float, ...]
    silences: tuple[tuple[float, float], ...]


def find_onsets(
    samples: np.ndarray,
    sample_rate: int,
    onset_db: float = 6.0,
    change_threshold: float = 0.15,
    gate_db: float = -55.0,
) -> Onsets:
    """Level attacks and spectral changes of `samples` (see LiveAnalyzer.find_onset) and its
    stretches below the gate."""
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer

    config = AnalyzerConfig(
        spectrum_points=0,
        onset_db=onset_db,
        change_threshold=change_threshold,
        gate_db=gate_db,
        fast_seconds=0.0,
        tuning_hz=440.0,
    )
    events = LiveAnalyzer(_Deaf(), config).process_block(samples, sample_rate)
    starts: list[float] = []
    for t in sorted(e.onset_time for e in events if e.onset_time is not None):
        if not starts or t - starts[-1] > MERGE_SECONDS:
            starts.append(max(0.0, t))
    hop = config.hop_seconds
    silences: list[tuple[float, float]] = []
    for e in events:
        if not e.gated:
            continue
        a, b = e.timestamp - hop, e.timestamp
        if silences and a <= silences[-1][1] + 1e-6:
            silences[-1] = (silences[-1][0], b)
        else:
            silences.append((max(0.0, a), b))
    return Onsets(tuple(starts), tuple(silences))


def chord_segments(
    samples: np.ndarray,
    sample_rate: int,
    detector: Detector,
    onsets: Onsets | None = None,
    settle_seconds: float = 0.2,
) -> list[tuple[float, float, Detection]]:
    """(start, end, Detection) per piece between consecutive onsets (and silences: an empty
    Detection). Each piece is named by analysis' window vote over the piece without its first
    settle_seconds (at most a third of it) — the attack, the previous chord's release and
    the room's reverb are still there."""
    from kord_engine.audio.input.decode import AudioClip
    from kord_engine.audio.listen.analysis import _analyze_clip

    found = onsets if onsets is not None else find_onsets(samples, sample_rate)
    duration = samples.shape[0] / sample_rate
    cuts = sorted({0.0, duration, *found.starts, *(t for span in found.silences for t in span)})
    cuts = [t for t in cuts if 0.0 <= t <= duration]
    out: list[tuple[float, float, Detection]] = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        if b - a < 1e-3:
            continue
        mid = 0.5 * (a + b)
        if any(s <= mid <= e for s, e in found.silences):
            out.append((a, b, Detection()))
            continue
        skip = min(settle_seconds, (b - a) / 3)
        piece = samples[int(round((a + skip) * sample_rate)) : int(round(b * sample_rate))]
        if piece.shape[0] < int(0.03 * sample_rate):
            out.append((a, b, Detection()))
            continue
        clip = AudioClip(np.ascontiguousarray(piece, dtype=np.float32), sample_rate, 1)
        out.append((a, b, _analyze_clip(clip, detector)))
    return out

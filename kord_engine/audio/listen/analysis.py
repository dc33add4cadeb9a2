"""File analysis: one Detection for a whole file (or a part), or a timeline of chord segments."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kord_engine.audio.input.decode import AudioClip, load_audio
from kord_engine.audio.listen.detection import Detection, Detector
from kord_engine.audio.listen.smoothing import RELEASE_SECONDS
from kord_engine.errors import AudioError


@dataclass(frozen=True)
class Segment:
    """A stretch of a recording with one chord (or none: chord None, no pitch classes)."""

    start: float
    end: float
    chord: str | None
    pitch_classes: tuple[int, ...] = ()
    bass: int | None = None
    notes: tuple[int, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "chord": self.chord,
            "pitch_classes": list(self.pitch_classes),
            "bass": self.bass,
        }


def _detector(detector: str | Detector) -> Detector:
    if isinstance(detector, str):
        from kord_engine.audio.listen.detect import make_detector

        return make_detector(detector)
    return detector


#: "auto" (estimate from the audio), a reference pitch in Hz, or None (A440, not reported)
Tuning = float | str | None


def resolve_tuning(samples: np.ndarray, sample_rate: int, tuning: Tuning = "auto") -> float | None:
    """The reference pitch (A4, Hz) to analyse `samples` against: estimated for "auto"
    (440 Hz when nothing sounds), checked for a number, None for None."""
    from kord_engine.audio.listen.tuning import A4_HZ, check_reference, estimate_tuning

    if tuning is None:
        return None
    if isinstance(tuning, str):
        if tuning.strip().lower() == "auto":
            est = estimate_tuning(samples, sample_rate)
            return est.reference_hz if est.known else A4_HZ
        try:
            tuning = float(tuning)
        except ValueError:
            raise AudioError(f"tuning must be 'auto' or a number of Hz, got {tuning!r}") from None
    return check_reference(tuning)


@contextmanager
def tuned(detector: Detector, reference_hz: float | None) -> Iterator[Detector]:
    """`detector` reading notes against `reference_hz` for the block (restored after);
    detectors without a reference (kord's exact algorithm) are left as they are."""
    if reference_hz is None or not hasattr(detector, "reference_hz"):
        yield detector
        return
    before = detector.reference_hz  # type: ignore[attr-defined]
    detector.reference_hz = float(reference_hz)  # type: ignore[attr-defined]
    try:
        yield detector
    finally:
        detector.reference_hz = before  # type: ignore[attr-defined]


def analyze_clip(
    clip: AudioClip, detector: str | Detector = "default", tuning: Tuning = "auto"
) -> Detection:
    """One Detection for a decoded clip, read against its tuning (see `resolve_tuning`; the
    Detection reports it as tuning_hz). kord's detector sees the clip's whole seconds (kord
    drops a trailing part-second, at most 255 s) and keeps kord's A440 grid; windowed
    detectors vote over the clip."""
    det = _detector(detector)
    ref = resolve_tuning(clip.samples, clip.sample_rate, tuning)
    with tuned(det, ref):
        found = _analyze_clip(clip, det)
    return found if ref is None else replace(found, tuning_hz=ref)


def _analyze_clip(clip: AudioClip, det: Detector) -> Detection:
    x, sr = clip.samples, clip.sample_rate
    if getattr(det, "name", "") == "kord":
        from kord_engine.audio.listen.detect.kord import KordDetector

        if isinstance(det, KordDetector):
            from kord_engine.audio.listen.spectrum import frequency_space, whole_seconds

            seconds = whole_seconds(len(x), sr)
            if seconds < 1:
                raise AudioError(
                    f"{clip.path or 'audio'}: kord's detector needs at least one whole second "
                    f"of audio, got {clip.duration:.3f} s"
                )
            return det.detect_spectrum(
                frequency_space(x[: seconds * sr], sr), (seconds - 1) / (2 * seconds)
            )
    n = int(round(det.window_seconds * sr))
    if len(x) <= n:
        return det.detect(x, sr)
    # back-to-back windows; the (pitch classes, bass) with the most total confidence × level
    # wins (the chord heard most, and loudest: a decaying chord's tail has lost its weak
    # notes to noise and room first), represented by its most confident window
    starts = np.arange(0, len(x) - n + 1, max(1, n))
    batch = getattr(det, "detect_frames", None)
    dets = batch(x, sr, starts) if batch else [det.detect(x[a : a + n], sr) for a in starts]
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[starts]
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    weight = rms / (rms.max() + 1e-12)
    votes: dict[tuple, float] = {}
    for d, w in zip(dets, weight.tolist(), strict=True):
        if not d.is_empty:
            key = (d.pitch_classes, d.bass)
            votes[key] = votes.get(key, 0.0) + max(d.confidence, 1e-6) * max(w, 1e-6)
    if not votes:
        return dets[0]
    winner = max(votes, key=lambda k: votes[k])
    return max((d for d in dets if (d.pitch_classes, d.bass) == winner), key=lambda d: d.confidence)


def analyze_file(
    path: str | os.PathLike[str],
    detector: str | Detector = "default",
    start: float | None = None,
    end: float | None = None,
    tuning: Tuning = "auto",
) -> Detection:
    """Decode `path` ([start, end) seconds) and detect its notes and chords."""
    return analyze_clip(load_audio(path, start, end), detector, tuning)


def _frames(
    x: np.ndarray, sr: int, det: Detector, hop: float
) -> list[tuple[float, float, Detection]]:
    n = max(1, int(round(det.window_seconds * sr)))
    h = max(1, int(round(hop * sr)))
    if len(x) < n:
        return [(0.0, len(x) / sr, det.detect(x, sr))]
    starts = np.arange(0, len(x) - n + 1, h)
    batch = getattr(det, "detect_frames", None)
    if batch is not None:
        dets = batch(x, sr, starts)
    else:
        dets = [det.detect(x[a : a + n], sr) for a in starts]
    out = []
    for a, d in zip(starts, dets, strict=True):
        centre = (a + n / 2) / sr
        out.append((centre - hop / 2, centre + hop / 2, d))
    return out


def merge_segments(
    frames: list[tuple[float, float, Detection]], min_segment: float
) -> list[Segment]:
    """Join equal neighbours (same pitch classes and bass), then absorb segments shorter than
    `min_segment` into the longer neighbour and join again."""
    segs: list[Segment] = []
    for a, b, d in frames:
        key = (d.pitch_classes, d.bass)
        if segs and (segs[-1].pitch_classes, segs[-1].bass) == key:
            last = segs[-1]
            segs[-1] = Segment(last.start, b, last.chord, last.pitch_classes, last.bass, last.notes)
        else:
            segs.append(Segment(a, b, d.chord, d.pitch_classes, d.bass, d.notes))
    changed = True
    while changed and len(segs) > 1:
        changed = False
        i = min(range(len(segs)), key=lambda k: segs[k].end - segs[k].start)
        s = segs[i]
        if s.end - s.start >= min_segment:
            break
        left = segs[i - 1] if i > 0 else None
        right = segs[i + 1] if i + 1 < len(segs) else None
        target = max((t for t in (left, right) if t is not None), key=lambda t: t.end - t.start)
        j = i - 1 if target is left else i + 1
        lo, hi = min(i, j), max(i, j)
        t = segs[j]
        segs[lo : hi + 1] = [
            Segment(segs[lo].start, segs[hi].end, t.chord, t.pitch_classes, t.bass, t.notes)
        ]
        # re-join equal neighbours around the merge
        k = 1
        while k < len(segs):
            p, q = segs[k - 1], segs[k]
            if (p.pitch_classes, p.bass) == (q.pitch_classes, q.bass):
                segs[k - 1 : k + 1] = [
                    Segment(p.start, q.end, p.chord, p.pitch_classes, p.bass, p.notes)
                ]
            else:
                k += 1
        changed = True
    return segs


def hold_through_silence(segs: list[Segment], seconds: float) -> list[Segment]:
    """`segs` with each chord carried `seconds` into the silence after it (all of a shorter
    silence), equal neighbours joined: a struck chord that dies away (a marimba, a short
    piano chord) is still the chord a musician reads until the next one or that much
    silence — the live analyzer's release_seconds, so file and live labels agree."""
    out: list[Segment] = []
    for s in segs:
        prev = out[-1] if out else None
        if seconds > 0 and prev is not None and prev.pitch_classes and not s.pitch_classes:
            held = min(s.end, s.start + seconds)
            out[-1] = replace(prev, end=held)
            if s.end - held > 1e-9:
                out.append(replace(s, start=held))
        elif prev is not None and (prev.pitch_classes, prev.bass) == (s.pitch_classes, s.bass):
            out[-1] = replace(prev, end=s.end)
        else:
            out.append(s)
    return out


def _tail(s: Segment) -> tuple:
    return (s.end, s.chord, s.pitch_classes, s.bass, s.notes)


def analyze_timeline(
    path: str | os.PathLike[str],
    detector: str | Detector = "default",
    hop: float = 0.2,
    min_segment: float = 0.3,
    start: float | None = None,
    end: float | None = None,
    tuning: Tuning = "auto",
    onsets: bool = True,
    release: float = RELEASE_SECONDS,
) -> list[Segment]:
    """Chord segments of a recording whose chords change: cut where chords start (attacks
    and changes heard in the spectrum, as the live analyzer finds them; see audio.onsets)
    and each piece named from its own settled audio — or, with onsets=False, frame-wise
    detection every `hop` seconds; then equal neighbours merged, blips shorter than
    `min_segment` absorbed, and each chord held `release` seconds into the silence after
    it (hold_through_silence)."""
    clip = load_audio(path, start, end)
    return timeline_clip(
        clip, detector, hop, min_segment, start or 0.0, tuning, onsets, release=release
    )


def timeline_clip(
    clip: AudioClip,
    detector: str | Detector = "default",
    hop: float = 0.2,
    min_segment: float = 0.3,
    offset: float = 0.0,
    tuning: Tuning = "auto",
    onsets: bool = True,
    release: float = RELEASE_SECONDS,
) -> list[Segment]:
    """`analyze_timeline` on a decoded clip that starts `offset` seconds into its file."""
    if hop <= 0 or min_segment < 0 or release < 0:
        raise AudioError(
            f"hop must be > 0, min_segment and release ≥ 0, got {hop}, {min_segment}, {release}"
        )
    det = _detector(detector)
    ref = resolve_tuning(clip.samples, clip.sample_rate, tuning)
    with tuned(det, ref):
        if onsets:
            from kord_engine.audio.listen.onsets import chord_segments

            found = chord_segments(clip.samples, clip.sample_rate, det)
        else:
            found = _frames(clip.samples, clip.sample_rate, det, hop)
    frames = [(a + offset, b + offset, d) for a, b, d in found]
    segs = hold_through_silence(merge_segments(frames, min_segment), release)
    if segs:
        total = offset + clip.duration
        first, last = segs[0], segs[-1]
        segs[0] = (
            Segment(offset, *_tail(first))
            if len(segs) > 1
            else Segment(offset, total, *_tail(first)[1:])
        )
        if len(segs) > 1:
            segs[-1] = Segment(last.start, total, *_tail(last)[1:])
    return segs

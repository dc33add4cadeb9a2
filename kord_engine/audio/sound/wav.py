"""Offline rendering: run a synth without a sound card and write the result to a WAV file."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import numpy as np

from kord_engine.atomic import atomic_write_bytes
from kord_engine.audio.sound.synth import NoteEvent, Synth
from kord_engine.errors import AudioError, KordError

MAX_OFFLINE_SECONDS = 3600.0


def render_offline(
    synth: Synth,
    events_or_duration: float | Sequence[NoteEvent],
    *,
    tail: float | None = None,
    blocksize: int = 256,
) -> np.ndarray:
    """Render audio offline -> float32 (frames,).

    With a number: render that many seconds of whatever is playing or scheduled.
    With events: schedule them, then render until the last one plus `tail` seconds
    (default: the synth's release time, so the last notes ring out).
    """
    if isinstance(events_or_duration, (int, float)):
        duration = float(events_or_duration)
    else:
        events = list(events_or_duration)
        if not events:
            raise KordError("nothing to render: no events given")
        synth.schedule(events)
        if tail is None:
            tail = synth.config.envelope().release + 0.01
        duration = max(ev.time for ev in events) + tail
    if not (0.0 <= duration <= MAX_OFFLINE_SECONDS):
        raise KordError(f"render length must be 0..{MAX_OFFLINE_SECONDS:g} s, got {duration}")
    if blocksize < 1:
        raise KordError(f"blocksize must be ≥ 1, got {blocksize}")
    total = round(duration * synth.sample_rate)
    out = np.empty(total, dtype=np.float32)
    for start in range(0, total, blocksize):
        n = min(blocksize, total - start)
        out[start : start + n] = synth.render(n)
    return out


def encode_wav(audio: np.ndarray, sample_rate: int, subtype: str = "PCM_16") -> bytes:
    """The bytes of a mono WAV file holding `audio` (float32, clipped to ±1)."""
    import soundfile as sf

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise AudioError(f"expected mono audio of shape (frames,), got shape {audio.shape}")
    buf = io.BytesIO()
    try:
        sf.write(buf, np.clip(audio, -1.0, 1.0), int(sample_rate), subtype=subtype, format="WAV")
    except (ValueError, TypeError, RuntimeError) as exc:
        raise AudioError(f"cannot encode WAV ({subtype}, {sample_rate} Hz): {exc}") from exc
    return buf.getvalue()


def write_wav(
    path: str | os.PathLike[str], audio: np.ndarray, sample_rate: int, subtype: str = "PCM_16"
) -> None:
    """Write a mono WAV atomically: a failed write never leaves a half-written file at `path`."""
    data = encode_wav(audio, sample_rate, subtype)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise AudioError(f"cannot write {os.fspath(path)!r}: {exc.strerror or exc}") from exc

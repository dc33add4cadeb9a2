"""Decode audio files (WAV, FLAC, OGG, MP3 via libsndfile) into float32 mono clips.

Every failure becomes an `AudioError` naming the file and what was wrong; a silent file decodes
fine (detectors then report "no notes"), NaN/inf samples are an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kord_engine.errors import AudioError

#: extensions we try to decode (libsndfile decides in the end)
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff")


@dataclass(frozen=True)
class AudioClip:
    """Decoded audio: `samples` float32 mono (frames,), mixed down by channel mean."""

    samples: np.ndarray
    sample_rate: int
    channels: int
    path: str = ""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / float(self.sample_rate) if self.sample_rate else 0.0

    @property
    def frames(self) -> int:
        return int(len(self.samples))


def _check_range(name: str, start: float | None, end: float | None) -> None:
    for label, value in (("start", start), ("end", end)):
        if value is not None and (not np.isfinite(value) or value < 0):
            raise AudioError(f"{name}: {label} time must be a finite number ≥ 0, got {value}")
    if start is not None and end is not None and end < start:
        raise AudioError(f"{name}: end time {end} s is before start time {start} s")


def mix_down(data: np.ndarray) -> np.ndarray:
    """(frames, channels) or (frames,) → float32 mono (frames,) by channel mean."""
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return np.ascontiguousarray(data, dtype=np.float32)


def load_audio(
    path: str | os.PathLike[str], start: float | None = None, end: float | None = None
) -> AudioClip:
    """Decode `path` (any rate / channel count) to mono float32, optionally only [start, end) s."""
    import soundfile as sf

    p = Path(path)
    name = str(p)
    _check_range(name, start, end)
    if not p.exists():
        raise AudioError(f"{name}: no such file")
    if p.is_dir():
        raise AudioError(f"{name}: is a directory, not an audio file")
    if p.stat().st_size == 0:
        raise AudioError(f"{name}: file is empty (0 bytes)")
    try:
        with sf.SoundFile(name) as fh:
            sr = int(fh.samplerate)
            channels = int(fh.channels)
            if sr <= 0 or channels <= 0:
                raise AudioError(f"{name}: invalid header ({sr} Hz, {channels} channels)")
            first = int(round((start or 0.0) * sr))
            if fh.seekable() and first > 0:
                total = fh.frames
                if first >= total:
                    raise AudioError(
                        f"{name}: start time {start} s is past the end ({total / sr:.3f} s)"
                    )
                fh.seek(first)
            count = -1 if end is None else max(0, int(round(end * sr)) - first)
            data = fh.read(frames=count, dtype="float32", always_2d=True)
    except AudioError:
        raise
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError, EOFError) as exc:
        detail = str(exc).strip() or type(exc).__name__
        if p.suffix.lower() == ".mp3" and "format" in detail.lower():
            detail += f" (libsndfile {sf.__libsndfile_version__} cannot read this MP3)"
        raise AudioError(f"{name}: cannot decode audio ({detail})") from exc
    if data.shape[0] == 0:
        raise AudioError(f"{name}: no audio frames in the selected range (zero-length audio)")
    if not np.all(np.isfinite(data)):
        raise AudioError(f"{name}: audio contains NaN or infinite samples")
    return AudioClip(samples=mix_down(data), sample_rate=sr, channels=channels, path=name)


def load_raw_f32(
    path: str | os.PathLike[str], channels: int = 2, sample_rate: int = 47904
) -> AudioClip:
    """Read kord's raw little-endian interleaved f32 dump (tests/vec.bin) as a mono clip.

    kord's vec.bin holds 5 s of 95,808 samples/s, i.e. 47,904 Hz × 2 channels interleaved.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise AudioError(f"{p}: cannot read raw audio ({exc.strerror or exc})") from exc
    if len(data) == 0 or len(data) % (4 * channels):
        raise AudioError(
            f"{p}: raw f32 audio must be a non-empty multiple of {4 * channels} bytes "
            f"({channels} channels), got {len(data)}"
        )
    samples = np.frombuffer(data, dtype="<f4").reshape(-1, channels)
    if not np.all(np.isfinite(samples)):
        raise AudioError(f"{p}: audio contains NaN or infinite samples")
    return AudioClip(mix_down(samples), sample_rate, channels, str(p))

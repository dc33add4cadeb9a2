"""kord's `.bin` sample format: 8192 big-endian float32 magnitudes (1 Hz bins) + a u128 label.

Label bit = 12·octave + pitch class (C4 = bit 48, i.e. MIDI − 12). Shared by the audio engine
(`kord analyze sample`) and the ML data sources.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kord_engine.atomic import atomic_write_bytes
from kord_engine.errors import SampleFormatError

SPECTRUM_BINS = 8192
SAMPLE_BYTES = SPECTRUM_BINS * 4 + 16  # 32,784

_PITCH_NAMES = ("C", "D♭", "D", "E♭", "E", "F", "G♭", "G", "A♭", "A", "B♭", "B")


@dataclass(frozen=True)
class Sample:
    """One labelled spectrum: `spectrum` float32 (8192,), `mask` the 128-bit note mask."""

    spectrum: np.ndarray
    mask: int

    @property
    def note_ids(self) -> tuple[int, ...]:
        return mask_to_ids(self.mask)

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple(sorted({i % 12 for i in self.note_ids}))


def ids_to_mask(ids: list[int] | tuple[int, ...]) -> int:
    """OR of `1 << id` for note ids in 0..127."""
    mask = 0
    for i in ids:
        if not 0 <= int(i) < 128:
            raise SampleFormatError(f"note id {i} is outside 0..127")
        mask |= 1 << int(i)
    return mask


def mask_to_ids(mask: int) -> tuple[int, ...]:
    """Note ids set in `mask`, ascending."""
    return tuple(i for i in range(128) if (mask >> i) & 1)


def note_id_name(note_id: int) -> str:
    """Flat-spelled name with octave of a note id, e.g. 49 → 'D♭4' (kord's file-name spelling)."""
    return f"{_PITCH_NAMES[note_id % 12]}{note_id // 12}"


def decode_sample(data: bytes, source: str = "sample") -> Sample:
    """Parse the bytes of one `.bin` sample; wrong sizes and non-finite data are errors."""
    if len(data) != SAMPLE_BYTES:
        raise SampleFormatError(
            f"{source}: a kord sample is {SAMPLE_BYTES} bytes (8192 float32 + u128 label), "
            f"got {len(data)}"
        )
    spectrum = np.frombuffer(data, dtype=">f4", count=SPECTRUM_BINS).astype(np.float32)
    if not np.all(np.isfinite(spectrum)):
        raise SampleFormatError(f"{source}: spectrum contains NaN or infinite values")
    mask = int.from_bytes(data[SPECTRUM_BINS * 4 :], "big")
    return Sample(spectrum=spectrum, mask=mask)


def encode_sample(sample: Sample) -> bytes:
    spectrum = np.asarray(sample.spectrum, dtype=np.float32)
    if spectrum.shape != (SPECTRUM_BINS,):
        raise SampleFormatError(f"spectrum must have shape (8192,), got {spectrum.shape}")
    if not 0 <= sample.mask < 1 << 128:
        raise SampleFormatError("label mask must fit in 128 bits")
    return spectrum.astype(">f4").tobytes() + sample.mask.to_bytes(16, "big")


def read_sample(path: str | os.PathLike[str]) -> Sample:
    """Read one `.bin` sample file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SampleFormatError(f"{path}: cannot read sample ({exc.strerror or exc})") from exc
    return decode_sample(data, str(path))


def sample_file_name(sample: Sample, prefix: str = "") -> str:
    """kord's naming: note names joined by '_' + '_' + a content hash + '.bin'."""
    names = "_".join(note_id_name(i) for i in sample.note_ids) or "rest"
    digest = int.from_bytes(hashlib.blake2b(encode_sample(sample), digest_size=8).digest(), "big")
    return f"{prefix}{names}_{digest}.bin"


def write_sample(sample: Sample, directory: str | os.PathLike[str], prefix: str = "") -> Path:
    """Write `sample` into `directory` under kord's naming scheme (atomically); returns the path."""
    path = Path(directory) / sample_file_name(sample, prefix)
    atomic_write_bytes(path, encode_sample(sample))
    return path


def list_samples(directory: str | os.PathLike[str]) -> list[Path]:
    """The `.bin` files of a directory (non-recursive, like kord), sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SampleFormatError(f"{directory}: not a directory of .bin samples")
    return sorted(p for p in directory.iterdir() if p.suffix == ".bin" and p.is_file())

"""The user's recorded chords, per instrument: audio, a small JSON label, and a kord `.bin`.

Layout: `recordings_dir()/<instrument slug>/<notes>_<stamp>.{wav,json,bin}`, e.g.
`my-guitar/C3_E3_G3_20261202T031501123456.bin` — the folder is a training source as it is
(`kord ml train --init-from … --training-sources ~/.local/share/kord-desktop/recordings/my-guitar`).
The `.bin` is the take's 1 Hz spectrum warped onto the A440 grid by the tuning estimated from
its audio (as inference reads it), labelled with the notes that sounded.

Saving writes the WAV, then the label, then the `.bin`, each via a temp file and a rename:
a take exists once its `.bin` exists, and a crash or a cancelled take never leaves a
half-written file; `list_takes` ignores the leftovers of an interrupted save.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kord_engine.atomic import atomic_write_bytes, atomic_write_text
from kord_engine.errors import KordError
from kord_engine.samples import Sample, encode_sample, ids_to_mask, note_id_name

LABEL_FORMAT = "kord-take"
LABEL_VERSION = 1
MIN_RATE, MAX_RATE = 8000, 384000
MIN_SECONDS = 0.05


class RecordingError(KordError):
    """A take that cannot be saved or read (empty audio, no notes, a bad rate, a bad label)."""


@dataclass(frozen=True)
class Take:
    """One recorded chord: what was asked (`symbol`, may be ""), what sounded (`notes`, MIDI),
    and its three files (`wav` audio, `label` JSON, `sample` kord .bin)."""

    instrument: str
    symbol: str
    notes: tuple[int, ...]
    rate: int
    wav: Path
    label: Path
    sample: Path
    created: str
    tuning_hz: float = 440.0

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple(sorted({n % 12 for n in self.notes}))


def slugify(instrument: str) -> str:
    """Folder name of an instrument: 'My Guitar!' → 'my-guitar' (ASCII, lower case)."""
    text = unicodedata.normalize("NFKD", str(instrument)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug:
        raise RecordingError(f"instrument name {instrument!r} needs at least one letter or digit")
    return slug


def recordings_root(root: Path | str | None = None) -> Path:
    """`root`, or the user's recordings folder (kord_engine.userdirs.recordings_dir())."""
    if root is not None:
        return Path(root)
    from kord_engine.userdirs import recordings_dir

    return recordings_dir()


def instrument_dir(instrument: str, root: Path | str | None = None) -> Path:
    """The folder holding `instrument`'s takes (not created here)."""
    return recordings_root(root) / slugify(instrument)


def _check_audio(audio: np.ndarray, rate: int) -> np.ndarray:
    if isinstance(rate, bool) or not isinstance(rate, int | np.integer):
        raise RecordingError(f"sample rate must be an integer, got {rate!r}")
    if not MIN_RATE <= int(rate) <= MAX_RATE:
        raise RecordingError(f"sample rate must be {MIN_RATE}..{MAX_RATE} Hz, got {rate}")
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    x = x.reshape(-1)
    if x.size < MIN_SECONDS * int(rate):
        raise RecordingError(
            f"the take is empty or too short ({x.size} frames; at least {MIN_SECONDS} s)"
        )
    if not np.all(np.isfinite(x)):
        raise RecordingError("the take contains NaN or infinite values")
    return x


def _check_notes(notes: Sequence[int]) -> tuple[int, ...]:
    out = tuple(sorted({int(n) for n in notes}))
    if not out:
        raise RecordingError("a take needs the notes that sounded (no notes given)")
    bad = [n for n in out if not 12 <= n <= 139]
    if bad:
        raise RecordingError(f"notes {bad} are outside MIDI 12..139 (C0..G10)")
    return out


def take_spectrum(audio: np.ndarray, rate: int, tune: bool = True) -> tuple[np.ndarray, float]:
    """The take's kord 1 Hz spectrum and the A4 (Hz) it was read against: warped onto the
    A440 grid by the tuning estimated from the audio (`tune`), as the detectors read it."""
    from kord_engine.audio.listen.spectrum import shift_spectra, window_frequency_space
    from kord_engine.audio.listen.tuning import estimate_tuning, quantize

    spectrum = window_frequency_space(audio, int(rate))
    if not tune:
        return spectrum, 440.0
    est = estimate_tuning(audio, int(rate))
    ref = quantize(est.reference_hz) if est.known else 440.0
    if ref != 440.0:
        spectrum = shift_spectra(spectrum, 440.0 / ref)[0]
    return spectrum.astype(np.float32), float(ref)


def _stem(directory: Path, notes: tuple[int, ...], now: datetime) -> str:
    names = "_".join(note_id_name(n - 12) for n in notes)
    base = f"{names}_{now.strftime('%Y%m%dT%H%M%S%f')}"
    stem, k = base, 1
    while any((directory / f"{stem}{ext}").exists() for ext in (".bin", ".json", ".wav")):
        stem, k = f"{base}-{k}", k + 1
    return stem


def save_take(
    instrument: str,
    audio: np.ndarray,
    rate: int,
    notes: Sequence[int],
    symbol: str = "",
    root: Path | str | None = None,
    tune: bool = True,
    directory: Path | str | None = None,
) -> Take:
    """Save one take (WAV + JSON label + kord .bin) in `instrument`'s folder; returns it.

    `notes` are the MIDI notes that sounded (the label); `symbol` the chord that was asked
    for. `directory` writes into that folder as it is instead of `instrument_dir(instrument,
    root)` (`takes_in(directory)` lists them). Empty audio, no notes or a bad rate are a
    RecordingError and write nothing.
    """
    from kord_engine.audio.sound.wav import encode_wav

    x = _check_audio(audio, rate)
    label_notes = _check_notes(notes)
    directory = Path(directory) if directory is not None else instrument_dir(instrument, root)
    spectrum, ref = take_spectrum(x, int(rate), tune)
    sample_bytes = encode_sample(Sample(spectrum, ids_to_mask([n - 12 for n in label_notes])))
    wav_bytes = encode_wav(x, int(rate), "FLOAT")
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    stem = _stem(directory, label_notes, now)
    wav, label, sample = (directory / f"{stem}{ext}" for ext in (".wav", ".json", ".bin"))
    take = Take(
        instrument=str(instrument),
        symbol=str(symbol),
        notes=label_notes,
        rate=int(rate),
        wav=wav,
        label=label,
        sample=sample,
        created=now.isoformat(timespec="microseconds"),
        tuning_hz=ref,
    )
    try:
        atomic_write_bytes(wav, wav_bytes)
        atomic_write_text(label, json.dumps(_label_dict(take, len(x)), indent=2) + "\n")
        atomic_write_bytes(sample, sample_bytes)  # last: the take exists from here on
    except BaseException:
        for path in (sample, label, wav):
            path.unlink(missing_ok=True)
        raise
    return take


def _label_dict(take: Take, frames: int) -> dict:
    return {
        "format": LABEL_FORMAT,
        "version": LABEL_VERSION,
        "instrument": take.instrument,
        "symbol": take.symbol,
        "notes": list(take.notes),
        "note_names": [note_id_name(n - 12) for n in take.notes],
        "rate": take.rate,
        "seconds": round(frames / take.rate, 6),
        "tuning_hz": take.tuning_hz,
        "created": take.created,
        "wav": take.wav.name,
        "sample": take.sample.name,
    }


def read_take(label: Path | str) -> Take:
    """The take whose JSON label is at `label`; RecordingError for a damaged label."""
    label = Path(label)
    try:
        data = json.loads(label.read_text(encoding="utf-8"))
        if data.get("format") != LABEL_FORMAT:
            raise RecordingError(f"{label} is not a kord take label")
        return Take(
            instrument=str(data["instrument"]),
            symbol=str(data.get("symbol", "")),
            notes=tuple(int(n) for n in data["notes"]),
            rate=int(data["rate"]),
            wav=label.with_name(str(data["wav"])),
            label=label,
            sample=label.with_name(str(data["sample"])),
            created=str(data["created"]),
            tuning_hz=float(data.get("tuning_hz", 440.0)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RecordingError(f"cannot read take label {label}: {exc}") from exc


def takes_in(directory: Path | str) -> list[Take]:
    """The complete takes in one folder, oldest first (see `list_takes`)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    takes = []
    for sample in directory.iterdir():
        if sample.name.startswith(".") or sample.suffix != ".bin" or not sample.is_file():
            continue  # temp files of an unfinished write start with "."
        label = sample.with_suffix(".json")
        if not label.is_file():
            continue
        try:
            take = read_take(label)
        except RecordingError:
            continue
        if take.sample == sample and take.wav.is_file():
            takes.append(take)
    return sorted(takes, key=lambda t: (t.created, t.sample.name))


def list_takes(instrument: str, root: Path | str | None = None) -> list[Take]:
    """`instrument`'s complete takes, oldest first (leftovers of interrupted saves skipped)."""
    return takes_in(instrument_dir(instrument, root))


def delete_take(take: Take) -> None:
    """Remove a take's files (the .bin first, so a half-deleted take is no take)."""
    for path in (take.sample, take.label, take.wav):
        path.unlink(missing_ok=True)


def load_take_audio(take: Take) -> tuple[np.ndarray, int]:
    """A take's audio (float32 mono) and rate, read back from its WAV."""
    import soundfile as sf

    data, rate = sf.read(str(take.wav), dtype="float32", always_2d=False)
    return np.asarray(data, dtype=np.float32).reshape(len(data), -1).mean(axis=1), int(rate)


def list_instruments(root: Path | str | None = None) -> list[str]:
    """Instruments with a folder under the recordings root, by name (the name stored in their
    takes' labels; the folder name when there are none); `instrument_dir(name)` finds each."""
    base = recordings_root(root)
    if not base.is_dir():
        return []
    names = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        takes = takes_in(folder)
        name = takes[0].instrument if takes else folder.name
        names.append(name if _safe_slug(name) == folder.name else folder.name)
    return names


def _safe_slug(name: str) -> str | None:
    try:
        return slugify(name)
    except RecordingError:
        return None

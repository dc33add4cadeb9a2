"""`kord ml gather`: record L seconds, ask which notes were played, save a labelled .bin (§2.3).

The recorder and the prompt are injectable so tests (and the GUI) can drive it without a
microphone or a terminal. Unlike kord, the recording is mixed to mono first (the rest of the
app analyses mono), which only halves the magnitudes of kord's interleaved stereo.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kord_engine.errors import AudioError, DeviceError, KordError, ParseError
from kord_engine.samples import Sample, ids_to_mask, write_sample

Recorder = Callable[[float, "str | int | None", "int | None"], tuple[np.ndarray, int]]
DEFAULT_DESTINATION = ".hidden/samples"
DEFAULT_LENGTH = 10
PROMPT = "Enter notes: "
REST_WORDS = ("rest", "-")
SILENT_PEAK = 1e-4


class GatherError(KordError):
    """Bad gather options or a label that could not be read."""


def parse_note_ids(text: str) -> list[int]:
    """'C4 E4 G4' (space/comma separated, octave required) → note ids; 'rest' → []."""
    from kord_engine.theory.note import Note

    tokens = [t for t in text.replace(",", " ").split() if t]
    if len(tokens) == 1 and tokens[0].lower() in REST_WORDS:
        return []
    if not tokens:
        raise GatherError("no notes given (type e.g. 'C4 E4 G4', or 'rest')")
    ids = []
    for token in tokens:
        if not token[-1].isdigit():
            raise GatherError(f"note {token!r} needs an octave, e.g. {token}4")
        try:
            note = Note.parse(token)
        except ParseError as exc:
            raise GatherError(f"invalid note {token!r}: {exc}") from exc
        if not 0 <= note.semitone < 128:
            raise GatherError(f"note {token!r} is outside C0..G10")
        ids.append(note.semitone)
    return ids


def _show_recording(seconds: float) -> None:
    """A tqdm bar on stderr over the recording's seconds (none without tqdm or a terminal)."""
    import sys
    import time

    try:
        from tqdm import tqdm
    except ImportError:
        return
    if not sys.stderr.isatty():
        return
    start = time.monotonic()
    with tqdm(total=round(seconds, 1), desc="recording", unit="s", file=sys.stderr) as bar:
        while (done := time.monotonic() - start) < seconds:
            bar.n = round(min(done, seconds), 1)
            bar.refresh()
            time.sleep(0.1)
        bar.n = round(seconds, 1)
        bar.refresh()


def record_default(
    seconds: float, device: str | int | None = None, sample_rate: int | None = None
) -> tuple[np.ndarray, int]:
    """Record `seconds` of mono float32 from the input device (sounddevice); (samples, rate)."""
    from kord_engine.audio.input.devices import (
        negotiate_sample_rate,
        resolve_device,
        sounddevice_module,
    )

    info = resolve_device(device, "input")
    rate = negotiate_sample_rate(info, sample_rate, "input", 1)
    sd = sounddevice_module()
    if sd is None:
        raise DeviceError("no audio input: sounddevice / PortAudio is not available")
    try:
        data = sd.rec(
            int(round(seconds * rate)),
            samplerate=rate,
            channels=1,
            dtype="float32",
            device=info.index,
        )
        _show_recording(seconds)
        sd.wait()
    except Exception as exc:  # PortAudioError and friends
        raise DeviceError(f"recording from {info.name!r} failed: {exc}") from exc
    return np.asarray(data, dtype=np.float32).reshape(len(data), -1).mean(axis=1), rate


def gather(
    destination: str | os.PathLike[str] = DEFAULT_DESTINATION,
    length: int = DEFAULT_LENGTH,
    device: str | int | None = None,
    sample_rate: int | None = None,
    recorder: Recorder | None = None,
    ask: Callable[[str], str] = input,
    say: Callable[[str], None] = print,
    attempts: int = 3,
) -> Path:
    """Record, compute kord's 1 Hz spectrum, prompt for the notes, save; returns the .bin path."""
    from kord_engine.audio.listen.spectrum import frequency_space

    if not 1 <= int(length) <= 255:
        raise GatherError(f"length must be 1..255 seconds, got {length}")
    record = recorder or record_default
    say(f"Recording {length} s …")
    samples, rate = record(float(length), device, sample_rate)
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    if not np.all(np.isfinite(samples)):
        raise AudioError("the recording contains NaN or infinite values")
    if len(samples) < rate:
        raise AudioError(f"the recording is shorter than one second ({len(samples)} frames)")
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak < SILENT_PEAK:
        say("Warning: the recording is silent (check the input device and its level).")
    spectrum = frequency_space(samples, int(rate))
    for attempt in range(attempts):
        try:
            ids = parse_note_ids(ask(PROMPT))
            break
        except GatherError as exc:
            if attempt == attempts - 1:
                raise
            say(f"{exc}; try again")
    path = write_sample(Sample(spectrum, ids_to_mask(ids)), destination)
    say(f"Saved {path}")
    return path

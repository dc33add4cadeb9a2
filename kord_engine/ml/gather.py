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


# ---------------------------------------------------------------- chord by chord (issue 11)

ACCEPT_HINT = "Enter = the notes shown, or type the notes that sounded, 'r' retake, 's' skip"
RETAKE_WORDS = ("r", "retake")
SKIP_WORDS = ("s", "skip")


def cut_take(
    audio: np.ndarray, rate: int, seconds: float = 1.5, pre_seconds: float = 0.05
) -> np.ndarray | None:
    """The chord in a recording, as the app's recording page cuts it: `seconds` after the
    onset (with `pre_seconds` before), by `ml.take.TakeRecorder` over 20 ms blocks; None when
    no onset was heard. A chord that rings to the end gives what there is after the onset."""
    from kord_engine.ml.take import TakeRecorder, TakeState

    rec = TakeRecorder(int(rate), seconds=seconds, pre_seconds=pre_seconds)
    block = max(1, int(rate) // 50)
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    for i in range(0, len(x), block):
        if rec.feed(x[i : i + block]) is TakeState.DONE:
            return rec.audio()
    if rec.state is TakeState.RECORDING:
        rec.stop()
        return rec.audio()
    return None


def _note_names(midi: tuple[int, ...] | list[int]) -> str:
    from kord_engine.samples import note_id_name

    return " ".join(note_id_name(int(n) - 12) for n in midi)


def gather_chords(
    prompts,
    instrument: str = "my instrument",
    destination: str | os.PathLike[str] | None = None,
    root: str | os.PathLike[str] | None = None,
    length: float = 3.0,
    take_seconds: float = 1.5,
    device: str | int | None = None,
    sample_rate: int | None = None,
    recorder: Recorder | None = None,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] = print,
    attempts: int = 3,
):
    """Record each prompted chord (ml.chord_sets.ChordPrompt) as a take of `instrument`.

    For each chord: say the symbol and the suggested voicing, record `length` seconds, cut
    `take_seconds` after the onset, then ask for the notes that sounded (Enter accepts the
    voicing; 'r' records again; 's' skips the chord). Takes go to `destination` (a folder,
    as it is) or to the instrument's folder under `root` (default: the user's recordings).
    Returns the saved takes (ml.recordings.Take)."""
    from kord_engine.ml.recordings import save_take

    if not 0.5 <= float(length) <= 255:
        raise GatherError(f"length must be 0.5..255 seconds, got {length}")
    if not 0.1 <= float(take_seconds) <= float(length):
        raise GatherError(f"take length must be 0.1 s..the recording length, got {take_seconds}")
    record = recorder or record_default
    ask = ask or input  # looked up now: tests and front ends may replace it
    prompts = list(prompts)
    takes = []
    for index, prompt in enumerate(prompts, 1):
        shown = _note_names(prompt.notes)
        say(f"Chord {index}/{len(prompts)}: {prompt.symbol} — play {shown}")
        while True:
            say(f"Recording {float(length):g} s …")
            audio, rate = record(float(length), device, sample_rate)
            audio = np.asarray(audio, dtype=np.float32)
            if audio.ndim == 2:
                audio = audio.mean(axis=1)
            take = cut_take(audio, int(rate), float(take_seconds))
            if take is None:
                say("No chord heard (check the input level); recording again.")
                if _ask_line(ask, "Enter to record again, 's' to skip: ") in SKIP_WORDS:
                    break
                continue
            notes = _ask_notes(ask, say, prompt.notes, attempts)
            if notes == "retake":
                continue
            if notes != "skip":
                saved = save_take(
                    instrument,
                    take,
                    int(rate),
                    notes,
                    prompt.symbol,
                    root=root,
                    directory=destination,
                )
                takes.append(saved)
                say(f"Saved {saved.sample}")
            break
    return takes


def _ask_line(ask: Callable[[str], str], prompt: str) -> str:
    try:
        return ask(prompt).strip().lower()
    except EOFError:  # end of input: stop asking
        return SKIP_WORDS[0]


def _ask_notes(ask, say, suggested, attempts: int):
    """The MIDI notes that sounded, 'retake' or 'skip', from the user's answer."""
    for attempt in range(attempts):
        try:
            text = ask(f"Notes [{_note_names(suggested)}] ({ACCEPT_HINT}): ").strip()
        except EOFError:
            return "skip"
        if not text:
            return tuple(int(n) for n in suggested)
        if text.lower() in RETAKE_WORDS:
            return "retake"
        if text.lower() in SKIP_WORDS:
            return "skip"
        try:
            ids = parse_note_ids(text)
            if not ids:
                raise GatherError("a take needs notes (type the notes, or 's' to skip)")
            return tuple(i + 12 for i in ids)
        except GatherError as exc:
            if attempt == attempts - 1:
                raise
            say(f"{exc}; try again")
    raise GatherError("no answer")  # pragma: no cover - the loop returns or raises

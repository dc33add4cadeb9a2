"""Render test audio from MIDI with the `fluidsynth` binary and General MIDI soundfonts.

Used by tests, benchmarks and the ML data pipeline to make labelled chord recordings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kord_engine.errors import AudioError

SOUNDFONT_DIRS = ("/usr/share/sounds/sf2", "/usr/share/soundfonts", "/usr/local/share/soundfonts")
PREFERRED = ("FluidR3_GM.sf2", "TimGM6mb.sf2")


def find_soundfonts() -> list[Path]:
    """Soundfonts to render with: $KORD_SOUNDFONTS (os.pathsep-separated files or folders)
    or the system folders; FluidR3_GM and TimGM6mb first, symlink duplicates removed."""
    env = os.environ.get("KORD_SOUNDFONTS")
    roots = (
        [Path(p) for p in env.split(os.pathsep) if p] if env else [Path(d) for d in SOUNDFONT_DIRS]
    )
    found: list[Path] = []
    for root in roots:
        if root.is_file() and root.suffix.lower() == ".sf2":
            found.append(root)
        elif root.is_dir():
            found.extend(sorted(root.glob("*.sf2")))
    unique: dict[Path, Path] = {}
    for f in found:
        unique.setdefault(f.resolve(), f)
    fonts = list(unique.values())
    fonts.sort(key=lambda f: (PREFERRED.index(f.name) if f.name in PREFERRED else 99, f.name))
    return fonts


def fluidsynth_binary() -> str:
    """Path of the fluidsynth executable, or AudioError."""
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise AudioError("fluidsynth is not installed (needed to render MIDI to audio)")
    return exe


def render_midi(
    midi_path: str | os.PathLike[str],
    wav_path: str | os.PathLike[str],
    soundfont: str | os.PathLike[str],
    sample_rate: int = 44100,
    gain: float = 0.6,
) -> Path:
    """Render `midi_path` to a WAV file with fluidsynth (`-ni -g GAIN -F out -r SR SF MIDI`)."""
    sf2 = Path(soundfont)
    if not sf2.is_file():
        raise AudioError(f"{sf2}: soundfont not found")
    midi = Path(midi_path)
    if not midi.is_file():
        raise AudioError(f"{midi}: MIDI file not found")
    out = Path(wav_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".wav", dir=out.parent)
    os.close(fd)
    cmd = [fluidsynth_binary(), "-ni", "-g", str(gain), "-F", tmp, "-r", str(int(sample_rate))]
    cmd += [str(sf2), str(midi)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or Path(tmp).stat().st_size <= 44:
            msg = (proc.stderr or proc.stdout).strip().splitlines()
            raise AudioError(f"fluidsynth failed on {midi}: {msg[-1] if msg else proc.returncode}")
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def _pitchwheel(cents: float, channel: int, time: int):
    """A pitch-bend message of `cents` over a ±2-semitone bend range."""
    import mido

    bend = max(-8192, min(8191, int(round(cents / 200.0 * 8192))))
    return mido.Message("pitchwheel", pitch=bend, channel=channel, time=time)


def write_chords_midi(
    chords: Sequence[tuple[Sequence[int], float]],
    program: int,
    velocity: int,
    path: str | os.PathLike[str],
    gap: float = 0.0,
    channel: int = 0,
    cents: float | Sequence[float] = 0.0,
) -> Path:
    """Write a MIDI file playing each (midi notes, duration_s) chord in turn (120 bpm, 480 ppq);
    `gap` seconds of silence after each chord; an empty note list is a rest. `cents` detunes
    the whole instrument (a pitch bend over a ±2-semitone bend range, set explicitly), or
    with one value per chord, each chord by its own (bent just before its notes start)."""
    import mido

    if not 0 <= program <= 127 or not 1 <= velocity <= 127:
        raise AudioError(f"program must be 0..127 and velocity 1..127, got {program}, {velocity}")
    per_chord = not isinstance(cents, int | float)
    bends = [float(c) for c in cents] if per_chord else [float(cents)] * len(chords)
    if per_chord and len(bends) != len(chords):
        raise AudioError(f"{len(bends)} detunes for {len(chords)} chords: give one per chord")
    for c in bends:
        if not -200 < c < 200:
            raise AudioError(f"detune must be within ±200 cents, got {c}")
    ppq, tempo = 480, 500_000
    ticks_per_s = ppq * 1_000_000 / tempo
    mid = mido.MidiFile(ticks_per_beat=ppq)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.Message("program_change", program=program, channel=channel, time=0))
    if any(bends):
        for control, value in ((101, 0), (100, 0), (6, 2), (38, 0)):  # RPN 0: bend range ±2
            track.append(
                mido.Message(
                    "control_change", control=control, value=value, channel=channel, time=0
                )
            )
        if not per_chord:
            track.append(_pitchwheel(bends[0], channel, 0))
    pending = 0
    for (notes, duration), bend in zip(chords, bends, strict=True):
        for n in notes:
            if not 0 <= int(n) <= 127:
                raise AudioError(f"MIDI note {n} is outside 0..127")
        on_ticks = int(round(duration * ticks_per_s))
        off_ticks = int(round(gap * ticks_per_s))
        if not notes:
            pending += on_ticks + off_ticks
            continue
        if per_chord:
            track.append(_pitchwheel(bend, channel, pending))
            pending = 0
        for j, n in enumerate(notes):
            track.append(
                mido.Message(
                    "note_on",
                    note=int(n),
                    velocity=velocity,
                    channel=channel,
                    time=pending if j == 0 else 0,
                )
            )
        pending = 0
        for j, n in enumerate(notes):
            track.append(
                mido.Message(
                    "note_off",
                    note=int(n),
                    velocity=0,
                    channel=channel,
                    time=on_ticks if j == 0 else 0,
                )
            )
        pending = off_ticks
    track.append(mido.MetaMessage("end_of_track", time=pending + int(ticks_per_s)))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    mid.save(str(out))
    return out


def render_chords(
    chords: Sequence[tuple[Sequence[int], float]],
    soundfont: str | os.PathLike[str] | None = None,
    program: int = 0,
    velocity: int = 90,
    sample_rate: int = 44100,
    gap: float = 0.0,
    workdir: str | os.PathLike[str] | None = None,
    cents: float = 0.0,
) -> tuple[np.ndarray, int, list[tuple[float, float, tuple[int, ...]]]]:
    """Render chords to mono audio (detuned by `cents`); returns (audio float32, sample_rate,
    [(start, end, notes)])."""
    from kord_engine.audio.input.decode import load_audio

    if soundfont is None:
        fonts = find_soundfonts()
        if not fonts:
            raise AudioError(
                "no soundfont found (install fluid-soundfont-gm or set KORD_SOUNDFONTS)"
            )
        soundfont = fonts[0]
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        midi = write_chords_midi(
            chords, program, velocity, Path(tmp) / "chords.mid", gap=gap, cents=cents
        )
        wav = render_midi(midi, Path(tmp) / "chords.wav", soundfont, sample_rate)
        clip = load_audio(wav)
    spans, t = [], 0.0
    for notes, duration in chords:
        spans.append((t, t + duration, tuple(int(n) for n in notes)))
        t += duration + gap
    return clip.samples, clip.sample_rate, spans

"""Helpers for audio-detect tests: synthetic tones written as files, and fluidsynth renders."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import soundfile as sf

SHARED_AUDIO = ("data", "audio")


def midi_hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def harmonic_chord(
    midis: list[int],
    sample_rate: int = 48000,
    seconds: float = 1.0,
    harmonics: int = 6,
    amplitude: float = 0.1,
    seed: int = 0,
    noise: float = 0.0,
) -> np.ndarray:
    """A chord of notes with decaying harmonics (float32 mono), optionally with white noise."""
    t = np.arange(int(round(seconds * sample_rate))) / sample_rate
    rng = np.random.default_rng(seed)
    x = np.zeros_like(t)
    for m in midis:
        f0 = midi_hz(m)
        for h in range(1, harmonics + 1):
            if h * f0 < sample_rate / 2:
                x += (
                    amplitude
                    * 0.6 ** (h - 1)
                    * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 6.28))
                )
    if noise:
        x += noise * rng.standard_normal(len(t))
    return x.astype(np.float32)


def write_wav(
    path: Path, audio: np.ndarray, sample_rate: int, channels: int = 1, subtype: str = "PCM_16"
) -> Path:
    data = np.repeat(audio[:, None], channels, axis=1) if channels > 1 else audio
    sf.write(str(path), data, sample_rate, subtype=subtype)
    return path


def have_fluidsynth() -> bool:
    from kord_engine.audio.sound.fluidsynth import find_soundfonts

    return shutil.which("fluidsynth") is not None and bool(find_soundfonts())


#: (MIDI notes, intended pitch classes, bass pc) rendered once per session
RENDERED_CHORDS = [
    ((48, 52, 55), (0, 4, 7), 0),  # C major, root position
    ((57, 60, 64), (0, 4, 9), 9),  # A minor
    ((52, 55, 60), (0, 4, 7), 4),  # C/E first inversion
    ((43, 47, 50, 53), (2, 5, 7, 11), 7),  # G7 low
    ((62, 65, 69, 72), (0, 2, 5, 9), 2),  # Dm7
]

"""Timbres: the partials (frequency ratio, amplitude, decay rate) one note of each voice sounds.

The synth keeps a (voices × partials) matrix, so a timbre is just a function from a note
(frequency, velocity) to three rows of numbers, plus its default envelope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kord_engine.audio.sound.envelope import Adsr
from kord_engine.errors import KordError

MAX_PARTIALS = 16

TIMBRES = ("piano", "organ", "sine")

# kord-audio-ml.md §6: the web piano's envelope; the CLI `play` sine fades in over 0.1 s.
DEFAULT_ENVELOPES = {
    "piano": Adsr(attack=0.003, decay=0.02, sustain=0.85, release=0.25),
    "organ": Adsr(attack=0.008, decay=0.01, sustain=1.0, release=0.06),
    "sine": Adsr(attack=0.1, decay=0.01, sustain=1.0, release=0.05),
}

# Drawbar footages 16', 8', 5⅓', 4', 2⅔', 2', 1⅗', 1⅓', 1' as ratios to the played note.
_ORGAN_RATIOS = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0])
# 16' and 5⅓' stay closed: they sound below / a fifth above the written note, and chord detectors
# (kord's included) then hear a different chord. The rest are true harmonics of the note.
_ORGAN_DRAWBARS = np.array([0, 8, 0, 7, 4, 5, 2, 2, 3], dtype=float)

_PIANO_PARTIALS = 12


@dataclass(frozen=True)
class Partials:
    """One note's partials: frequencies in Hz, start amplitudes (sum 1), decay rates in 1/s."""

    freqs: np.ndarray
    amps: np.ndarray
    decays: np.ndarray


def check_timbre(name: str) -> str:
    """Return `name` if it is a known timbre, else raise a KordError listing the choices."""
    if name not in TIMBRES:
        raise KordError(f"unknown timbre {name!r}; choose one of {', '.join(TIMBRES)}")
    return name


def midi_to_frequency(midi: float) -> float:
    """Equal-tempered frequency of a MIDI note number (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def piano_partials(freq: float, velocity: float) -> Partials:
    """A struck-string tone: stretched partials (f·n·√(1 + B·n²)), highs decay faster, and
    louder notes are brighter (shallower spectral slope)."""
    n = np.arange(1, _PIANO_PARTIALS + 1, dtype=float)
    # Inharmonicity grows towards the treble (short, stiff strings).
    b = 0.00012 * 2.0 ** (np.log2(max(freq, 20.0) / 261.63) * 1.5)
    b = min(b, 0.004)
    freqs = freq * n * np.sqrt(1.0 + b * n * n)
    slope = 2.2 - 1.2 * float(np.clip(velocity, 0.0, 1.0))
    amps = n**-slope
    amps[1] *= 1.25  # a slightly stronger octave partial, like a real mid-register string
    # Low notes ring for seconds, high notes die quickly; higher partials decay faster still.
    base = 0.35 * (max(freq, 20.0) / 110.0) ** 0.6
    decays = base * (1.0 + 0.35 * (n - 1) + 0.02 * (n - 1) ** 2)
    return Partials(freqs, amps / amps.sum(), decays)


def organ_partials(freq: float, velocity: float) -> Partials:
    """Steady drawbar partials (no decay): velocity has no effect on an organ's tone."""
    del velocity
    amps = _ORGAN_DRAWBARS / _ORGAN_DRAWBARS.sum()
    return Partials(freq * _ORGAN_RATIOS, amps, np.zeros_like(amps))


def sine_partials(freq: float, velocity: float) -> Partials:
    """A pure sine, like kord's chord playback."""
    del velocity
    return Partials(np.array([freq]), np.array([1.0]), np.array([0.0]))


_BUILDERS = {"piano": piano_partials, "organ": organ_partials, "sine": sine_partials}


def partials_for(timbre: str, freq: float, velocity: float, sample_rate: int) -> Partials:
    """The partials of one note, with any partial at or above Nyquist silenced."""
    p = _BUILDERS[check_timbre(timbre)](freq, velocity)
    amps = np.where(p.freqs < 0.45 * sample_rate, p.amps, 0.0)
    return Partials(p.freqs, amps, p.decays)

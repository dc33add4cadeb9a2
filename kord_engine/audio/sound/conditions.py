"""The real world, simulated on clean audio: rooms, cheap microphones, background noise,
level changes and clipping. Plain functions, audio in → audio out (float32 mono), seeded by
the caller's Generator; used by the conditions benchmark, the training-data renders and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from kord_engine.errors import AudioError


def room_impulse_response(
    rt60: float,
    sample_rate: int,
    rng: np.random.Generator,
    direct_db: float = 0.0,
    predelay: float = 0.008,
    hf_damping: float = 2.5,
) -> np.ndarray:
    """A synthetic room: a direct impulse, then exponentially decaying noise that reaches −60 dB
    after `rt60` seconds (highs decaying `hf_damping` times faster, as air and walls do), at
    `direct_db` of reverberant energy relative to the direct sound's."""
    if not 0 < rt60 <= 10:
        raise AudioError(f"rt60 must be in (0, 10] s, got {rt60}")
    sr = int(sample_rate)
    n = int(rt60 * 1.2 * sr) + 1
    t = np.arange(n) / sr
    noise = rng.standard_normal(n)
    # two bands: lows decay at rt60, highs faster (crossover 2 kHz)
    sos = signal.butter(2, 2000.0, "low", fs=sr, output="sos")
    low = signal.sosfilt(sos, noise)
    high = noise - low
    decay = 6.907755 / rt60  # ln(1000): amplitude −60 dB at rt60
    tail = low * np.exp(-decay * t) + high * np.exp(-hf_damping * decay * t)
    tail[: int(predelay * sr)] = 0.0
    energy = float(np.sum(tail**2)) + 1e-12
    ir = tail * np.sqrt(10 ** (direct_db / 10) / energy)
    ir[0] += 1.0
    return (ir / np.max(np.abs(ir))).astype(np.float32)


def apply_room(audio: np.ndarray, ir: np.ndarray, keep_length: bool = True) -> np.ndarray:
    """Convolve with a room impulse response; the result keeps the input's RMS (and length,
    unless keep_length is False: then the full reverberant tail is kept)."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    y = signal.fftconvolve(x, np.asarray(ir, dtype=np.float32))
    if keep_length:
        y = y[: len(x)]
    rx = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    ry = float(np.sqrt(np.mean(y.astype(np.float64) ** 2)))
    return (y * (rx / ry if ry > 0 else 1.0)).astype(np.float32)


def microphone(
    audio: np.ndarray,
    sample_rate: int,
    low_hz: float = 150.0,
    high_hz: float = 6000.0,
    order: int = 2,
    presence_db: float = 0.0,
) -> np.ndarray:
    """A cheap microphone: a Butterworth band-pass `low_hz`–`high_hz` (laptop mics lose the
    fundamentals of low notes), optionally with a presence bump (dB) around 3 kHz."""
    sr = int(sample_rate)
    if not 0 < low_hz < high_hz:
        raise AudioError(f"need 0 < low_hz < high_hz, got {low_hz}, {high_hz}")
    x = np.asarray(audio, dtype=np.float64).reshape(-1)
    top = min(high_hz, 0.45 * sr)
    sos = signal.butter(order, [low_hz, top], "bandpass", fs=sr, output="sos")
    y = signal.sosfilt(sos, x)
    if presence_db:
        b, a = signal.iirpeak(3000.0 / (sr / 2), 1.0)
        peak = signal.lfilter(b, a, y)
        y = y + (10 ** (presence_db / 20) - 1) * peak
    return y.astype(np.float32)


def colored_noise(n: int, rng: np.random.Generator, color: str = "pink") -> np.ndarray:
    """Unit-RMS noise: "white", "pink" (−3 dB/octave) or "brown" (−6 dB/octave, fan rumble)."""
    white = rng.standard_normal(n)
    if color == "white" or n < 4:
        out = white
    else:
        spec = np.fft.rfft(white)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        power = {"pink": 0.5, "brown": 1.0}.get(color)
        if power is None:
            raise AudioError(f"noise color must be white, pink or brown, got {color!r}")
        spec /= f**power
        spec[0] = 0.0
        out = np.fft.irfft(spec, n)
    rms = float(np.sqrt(np.mean(out**2))) or 1.0
    return (out / rms).astype(np.float32)


def add_noise(
    audio: np.ndarray,
    snr_db: float,
    rng: np.random.Generator,
    color: str = "pink",
) -> np.ndarray:
    """Background noise `snr_db` below the audio's RMS (a fan, room tone)."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    if rms <= 0:
        return x.copy()
    noise = colored_noise(len(x), rng, color)
    return (x + noise * (rms * 10 ** (-snr_db / 20))).astype(np.float32)


def gain(audio: np.ndarray, db: float) -> np.ndarray:
    """Level change by `db`."""
    return (np.asarray(audio, dtype=np.float32) * np.float32(10 ** (db / 20))).astype(np.float32)


def hard_clip(audio: np.ndarray, drive_db: float) -> np.ndarray:
    """Overdriven input: peaks pushed `drive_db` past full scale, then clipped at ±1."""
    x = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak <= 0:
        return x.copy()
    return np.clip(x / peak * 10 ** (drive_db / 20), -1.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class Condition:
    """One listening condition (detuning is the renderer's: `cents` for the MIDI pitch bend)."""

    name: str
    cents: float = 0.0
    rt60: float | None = None  # seconds; None: dry
    mic: bool = False  # laptop microphone: 150 Hz–6 kHz band-pass
    snr_db: float | None = None  # background noise below the signal; None: none
    noise_color: str = "pink"
    clip_db: float | None = None


def apply_condition(
    audio: np.ndarray, sample_rate: int, condition: Condition, rng: np.random.Generator
) -> np.ndarray:
    """Room, then microphone, then noise, then clipping, as sound reaches a recording."""
    x = np.asarray(audio, dtype=np.float32)
    if condition.rt60:
        x = apply_room(x, room_impulse_response(condition.rt60, sample_rate, rng))
    if condition.mic:
        x = microphone(x, sample_rate)
    if condition.snr_db is not None:
        x = add_noise(x, condition.snr_db, rng, condition.noise_color)
    if condition.clip_db is not None:
        x = hard_clip(x, condition.clip_db)
    return x

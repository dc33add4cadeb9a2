"""Label-aware augmentation of 1 Hz spectra: transpose, detune, tilt, and the real world.

Recorded and rendered samples are few next to sim; shifting a 1 Hz spectrum along a log-
frequency factor moves every partial together, so a transposition by k semitones is a new
labelled example (mask bits shifted by k). Applied to the train split only (sources.py).

"The real world" (`world`, on a share of the augmented rows, sim included) keeps the label:
the previous chord's reverb tail (a weak copy of ANOTHER item, 15–35 dB down), residual
detuning (the whole instrument, plus notes individually off by a smooth cents curve), room
colouring (a smooth gain curve with fine ripple), a cheap microphone's band-pass (high-pass
80–200 Hz, low-pass 4–8 kHz, 1st/2nd order: the magnitude times |H(f)|), level changes and
background noise at a random SNR. The features are ÷ max per row, so a level change alone is
invisible: it is applied before the noise, whose level is set from the item's energy before
the change (a fixed room noise, a quieter player).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from kord_engine.audio.listen.spectrum import shift_spectra
from kord_engine.errors import KordError
from kord_engine.samples import SPECTRUM_BINS

_BINS = np.arange(SPECTRUM_BINS, dtype=np.float64)
_FREQS = np.maximum(_BINS, 1.0)  # bin k ≈ k Hz; bin 0 treated as 1 Hz
_OCTAVE_POS = np.log2(np.clip(_BINS, 27.5, None) / 27.5) / 8.0  # 0 at A0 .. ~1 at 7 kHz
_MASK128 = (1 << 128) - 1


class AugmentError(KordError):
    """Bad augmentation settings."""


def _check_range(name: str, pair: tuple[float, float], lo: float, hi: float) -> None:
    a, b = pair
    if not lo <= a <= b <= hi:
        raise AugmentError(f"{name} must satisfy {lo} ≤ low ≤ high ≤ {hi}, got {pair}")


@dataclass
class AugmentConfig:
    """How many augmented copies per recorded train item, and how each one is varied.

    Copies of recorded (non-sim) items are transposed, detuned and tilted; `world_share` of
    them also get the real world (`world`). Sim train items are not copied, but `sim_share`
    of them get one extra world row (no transposition, same label).
    """

    copies: int = 2
    max_transpose: int = 5  # semitones, uniform in [−max, max] (0 allowed)
    detune_cents: float = 15.0  # extra uniform ± cents (keeps the label)
    tilt_db_per_octave: float = 3.0  # uniform ± spectral slope
    noise_level: float = 0.0  # add noise spectra scaled to U(0, level) × item max (needs noise)
    # the real world (label unchanged)
    world_share: float = 0.6  # share of recorded copies that also get `world`
    sim_share: float = 0.25  # share of sim train items given one extra world row
    warp_cents: float = 10.0  # notes individually off: a smooth ± cents curve over log f
    tail_prob: float = 0.35  # add the previous chord's tail (another item) …
    tail_db: tuple[float, float] = (15.0, 35.0)  # … this many dB below the item (energy)
    room_prob: float = 0.5  # room colouring …
    room_db: float = 4.0  # … smooth curve up to ± this (std), with …
    ripple_db: float = 3.0  # … fine ripple up to this std …
    ripple_hz: tuple[float, float] = (1.0, 6.0)  # … correlated over this many Hz
    mic_prob: float = 0.5  # a cheap microphone's band-pass …
    mic_high_pass_hz: tuple[float, float] = (80.0, 200.0)
    mic_low_pass_hz: tuple[float, float] = (4000.0, 8000.0)
    level_db: float = 12.0  # level change U(±), before the noise
    noise_prob: float = 0.5  # background noise (noise spectra, else white/pink/brown) …
    snr_db: tuple[float, float] = (8.0, 30.0)  # … at this energy SNR

    @property
    def wants_noise(self) -> bool:
        """Whether recorded noise spectra are used (else noise is synthesised)."""
        return self.noise_level > 0 or self.noise_prob > 0

    def validate(self) -> AugmentConfig:
        if self.copies < 0:
            raise AugmentError(f"augmented copies must be ≥ 0, got {self.copies}")
        if not 0 <= self.max_transpose <= 24:
            raise AugmentError(f"max transpose must be 0..24 semitones, got {self.max_transpose}")
        if not 0 <= self.detune_cents < 50:
            raise AugmentError(f"detune must be in [0, 50) cents, got {self.detune_cents}")
        if not 0 <= self.warp_cents <= 25:
            raise AugmentError(f"warp must be in [0, 25] cents, got {self.warp_cents}")
        for name in ("world_share", "sim_share", "tail_prob", "room_prob", "mic_prob"):
            if not 0 <= getattr(self, name) <= 1:
                raise AugmentError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not 0 <= self.noise_prob <= 1:
            raise AugmentError(f"noise_prob must be in [0, 1], got {self.noise_prob}")
        for name in ("room_db", "ripple_db", "level_db", "tilt_db_per_octave", "noise_level"):
            if getattr(self, name) < 0:
                raise AugmentError(f"{name} must be ≥ 0, got {getattr(self, name)}")
        _check_range("tail_db", self.tail_db, 0.0, 80.0)
        _check_range("ripple_hz", self.ripple_hz, 0.1, 200.0)
        _check_range("mic_high_pass_hz", self.mic_high_pass_hz, 1.0, 2000.0)
        _check_range("mic_low_pass_hz", self.mic_low_pass_hz, 500.0, 20000.0)
        _check_range("snr_db", self.snr_db, -20.0, 80.0)
        return self


def transpose_masks(masks: list[int], semitones: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Shift each mask by its semitones; (masks, ok) where ok is False if a note left 0..127."""
    out, ok = [], np.ones(len(masks), dtype=bool)
    for i, (mask, k) in enumerate(zip(masks, np.asarray(semitones).tolist(), strict=True)):
        k = int(k)
        shifted = mask << k if k >= 0 else mask >> -k
        if (shifted & _MASK128) != shifted or (k < 0 and mask & ((1 << -k) - 1)):
            ok[i] = False
        out.append(shifted & _MASK128)
    return out, ok


# --- the real world, one effect at a time (each (N, 8192) in → (N, 8192) out, label kept) ---


def bandpass_gain(
    low_hz: float | np.ndarray,
    high_hz: float | np.ndarray,
    low_order: int | np.ndarray = 2,
    high_order: int | np.ndarray = 2,
) -> np.ndarray:
    """|H(f)| on the 1 Hz bins of a Butterworth high-pass (`low_hz`, order `low_order`) times
    a Butterworth low-pass (`high_hz`, `high_order`); scalars give (8192,), arrays (N, 8192)."""
    lo = np.asarray(low_hz, dtype=np.float64)[..., None]
    hi = np.asarray(high_hz, dtype=np.float64)[..., None]
    n_lo = np.asarray(low_order, dtype=np.float64)[..., None]
    n_hi = np.asarray(high_order, dtype=np.float64)[..., None]
    hp = 1.0 / np.sqrt(1.0 + (lo / _FREQS) ** (2 * n_lo))
    lp = 1.0 / np.sqrt(1.0 + (_FREQS / hi) ** (2 * n_hi))
    gain = hp * lp
    gain[..., 0] = 0.0  # DC never passes a microphone
    return gain.astype(np.float32)


def microphone_gain(n: int, rng: np.random.Generator, config: AugmentConfig) -> np.ndarray:
    """(n, 8192) random cheap-microphone responses: high-pass U(80, 200) Hz, low-pass
    U(4, 8) kHz, each of order 1 or 2."""
    lo = rng.uniform(*config.mic_high_pass_hz, size=n)
    hi = rng.uniform(*config.mic_low_pass_hz, size=n)
    n_lo = rng.integers(1, 3, size=n)
    n_hi = rng.integers(1, 3, size=n)
    return bandpass_gain(lo, hi, n_lo, n_hi)


def room_gain(n: int, rng: np.random.Generator, config: AugmentConfig) -> np.ndarray:
    """(n, 8192) random room colourings: a smooth dB curve over log frequency (6 cosines, std
    up to `room_db`) plus fine ripple (Gaussian noise smoothed over U(ripple_hz) Hz, std up
    to `ripple_db`), as linear magnitude gains."""
    k = np.arange(1, 7, dtype=np.float64)
    amp = rng.standard_normal((n, len(k))) / np.sqrt(k)  # slower swings are the larger
    phase = rng.uniform(0, 2 * np.pi, size=(n, len(k)))
    curve = np.einsum(
        "nk,nkf->nf", amp, np.cos(2 * np.pi * k[None, :, None] * _OCTAVE_POS + phase[..., None])
    )
    curve /= np.maximum(curve.std(axis=1, keepdims=True), 1e-9)
    db = curve * rng.uniform(0, config.room_db, size=(n, 1))
    ripple = rng.standard_normal((n, SPECTRUM_BINS))
    widths = rng.uniform(*config.ripple_hz, size=n)
    ripple_std = rng.uniform(0, config.ripple_db, size=n)
    for i in range(n):
        r = gaussian_filter1d(ripple[i], widths[i], mode="wrap")
        db[i] += r / max(float(r.std()), 1e-9) * ripple_std[i]
    return (10 ** (db / 20)).astype(np.float32)


def cents_curves(n: int, rng: np.random.Generator, max_cents: float) -> np.ndarray:
    """(n, 8192) smooth random detune curves in cents over log frequency (1–3 slow cosines),
    each scaled to a peak of U(0, max_cents): notes individually off, as real instruments
    (and the soundfonts' own samples) are."""
    k = np.arange(1, 4, dtype=np.float64)
    amp = rng.standard_normal((n, len(k)))
    phase = rng.uniform(0, 2 * np.pi, size=(n, len(k)))
    curve = np.einsum(
        "nk,nkf->nf", amp, np.cos(2 * np.pi * k[None, :, None] * _OCTAVE_POS + phase[..., None])
    )
    curve /= np.maximum(np.abs(curve).max(axis=1, keepdims=True), 1e-9)
    return curve * rng.uniform(0, max_cents, size=(n, 1))


def noise_spectra(n: int, rng: np.random.Generator, noise: np.ndarray | None = None) -> np.ndarray:
    """(n, 8192) fresh noise magnitude spectra of unit energy: the colour (a 64-bin smoothed
    envelope) of a random one of `noise` (recorded noise spectra), else white, pink or brown,
    times fresh Rayleigh draws per bin, as one window of real noise looks."""
    if noise is not None and len(noise):
        base = np.abs(np.asarray(noise, dtype=np.float64).reshape(-1, SPECTRUM_BINS))
        envelopes = gaussian_filter1d(base, 32.0, axis=1, mode="nearest")
        env = envelopes[rng.integers(len(envelopes), size=n)]
    else:
        power = rng.choice([0.0, 0.5, 1.0], size=(n, 1))  # white, pink, brown (magnitude)
        env = np.maximum(_FREQS, 20.0)[None, :] ** -power
    env = env * rng.rayleigh(1.0, size=(n, SPECTRUM_BINS))
    env[:, 0] = 0.0
    energy = np.sqrt(np.sum(env**2, axis=1, keepdims=True))
    return (env / np.maximum(energy, 1e-12)).astype(np.float32)


def _energy(spectra: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(np.asarray(spectra, dtype=np.float64) ** 2, axis=1, keepdims=True))


def add_tail(
    spectra: np.ndarray,
    donors: np.ndarray,
    rng: np.random.Generator,
    db_range: tuple[float, float] = (15.0, 35.0),
    pick: np.ndarray | None = None,
) -> np.ndarray:
    """Each row plus a weak copy of a donor row (`pick`, else a random one that is not the
    same row when donors are the rows themselves) U(db_range) dB below it in energy: the
    previous chord's reverb tail. The label is the row's own chord."""
    spectra = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    donors = np.asarray(donors, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    n = len(spectra)
    if pick is None:
        pick = rng.integers(len(donors), size=n)
    tail = donors[np.asarray(pick)]
    db = rng.uniform(*db_range, size=(n, 1))
    scale = _energy(spectra) / np.maximum(_energy(tail), 1e-12) * 10 ** (-db / 20)
    return (spectra + tail * scale.astype(np.float32)).astype(np.float32)


def add_noise_snr(
    spectra: np.ndarray,
    rng: np.random.Generator,
    snr_db: tuple[float, float] = (8.0, 30.0),
    noise: np.ndarray | None = None,
    reference_energy: np.ndarray | None = None,
) -> np.ndarray:
    """Rows plus fresh noise spectra (`noise_spectra`) U(snr_db) dB below `reference_energy`
    (default: each row's own energy)."""
    spectra = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    n = len(spectra)
    ref = _energy(spectra) if reference_energy is None else np.asarray(reference_energy)
    snr = rng.uniform(*snr_db, size=(n, 1))
    scale = ref.reshape(n, 1) * 10 ** (-snr / 20)
    return (spectra + noise_spectra(n, rng, noise) * scale.astype(np.float32)).astype(np.float32)


def world(
    spectra: np.ndarray,
    rng: np.random.Generator,
    config: AugmentConfig | None = None,
    noise: np.ndarray | None = None,
    donors: np.ndarray | None = None,
    ratio: np.ndarray | float = 1.0,
    own_rows: np.ndarray | None = None,
) -> np.ndarray:
    """The real world on each row (label unchanged), each effect with its probability: a tail
    of a donor (`donors`, default the rows themselves; `own_rows`: each row's index in
    `donors`, never picked for it), then the frequency axis × `ratio` (a transposition from
    `augment`) × U(±detune_cents) × a per-note cents curve, then room colouring, a
    microphone, a level change and noise. Rows (N, 8192)."""
    config = (config or AugmentConfig()).validate()
    out = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS).copy()
    n = len(out)
    if n == 0:
        return out
    tail = rng.random(n) < config.tail_prob
    room = rng.random(n) < config.room_prob
    mic = rng.random(n) < config.mic_prob
    noisy = rng.random(n) < config.noise_prob
    cents = rng.uniform(-config.detune_cents, config.detune_cents, size=(n, 1))
    level = rng.uniform(-config.level_db, config.level_db, size=(n, 1))
    if donors is None:
        donors, own_rows = out.copy(), np.arange(n)
    donors = np.asarray(donors, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    m = len(donors)
    if own_rows is not None:  # never a row's own spectrum: offset 1..m−1 from it
        pick = (np.asarray(own_rows) + rng.integers(1, max(m, 2), size=n)) % max(m, 1)
        tail &= m > 1
    else:
        pick = rng.integers(max(m, 1), size=n)
        tail &= m > 0
    if tail.any():
        out[tail] = add_tail(out[tail], donors, rng, config.tail_db, pick[tail])
    warp = cents_curves(n, rng, config.warp_cents) if config.warp_cents > 0 else 0.0
    r = np.broadcast_to(np.asarray(ratio, dtype=np.float64).reshape(-1, 1), (n, 1))
    out = shift_spectra(out, r * 2.0 ** ((cents + warp) / 1200))
    if room.any():
        out[room] *= room_gain(int(room.sum()), rng, config)
    if mic.any():
        out[mic] *= microphone_gain(int(mic.sum()), rng, config)
    reference = _energy(out)
    out *= (10 ** (level / 20)).astype(np.float32)
    if noisy.any():
        out[noisy] = add_noise_snr(out[noisy], rng, config.snr_db, noise, reference[noisy])
    return np.maximum(out, 0.0).astype(np.float32)


def augment(
    spectra: np.ndarray,
    masks: list[int],
    rng: np.random.Generator,
    config: AugmentConfig | None = None,
    noise: np.ndarray | None = None,
    donors: np.ndarray | None = None,
) -> tuple[np.ndarray, list[int]]:
    """One augmented copy of each item: (spectra (N, 8192) float32, masks); items whose notes
    would leave the 128-bit range are transposed by 0 instead. `world_share` of the rows also
    get `world` (tails from `donors`, default the other rows)."""
    config = (config or AugmentConfig()).validate()
    spectra = np.asarray(spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
    n = len(spectra)
    k = rng.integers(-config.max_transpose, config.max_transpose + 1, size=n)
    new_masks, ok = transpose_masks(list(masks), k)
    k = np.where(ok, k, 0)
    new_masks = [m if good else old for m, old, good in zip(new_masks, masks, ok, strict=True)]
    cents = rng.uniform(-config.detune_cents, config.detune_cents, size=n)
    ratio = 2.0 ** ((k * 100 + cents) / 1200)
    real = rng.random(n) < config.world_share
    out = np.empty_like(spectra)
    if (~real).any():
        out[~real] = shift_spectra(spectra[~real], ratio[~real])
    if real.any():  # world() adds its own detune and per-note curve to the transposition
        rows = np.nonzero(real)[0]
        pool, own = (spectra, rows) if donors is None else (donors, None)
        out[real] = world(spectra[real], rng, config, noise, pool, 2.0 ** (k[real] / 12), own)
    if config.tilt_db_per_octave > 0:
        tilt = rng.uniform(-config.tilt_db_per_octave, config.tilt_db_per_octave, size=(n, 1))
        octaves = np.log2(np.maximum(_BINS, 27.5) / 440.0)[None, :]
        out = out * (10 ** (tilt * octaves / 20)).astype(np.float32)
    if config.noise_level > 0 and noise is not None and len(noise):
        pick = rng.integers(len(noise), size=n)
        base = np.asarray(noise, dtype=np.float32)[pick]
        scale = rng.uniform(0, config.noise_level, size=(n, 1)) * out.max(axis=1, keepdims=True)
        out = out + base / np.maximum(base.max(axis=1, keepdims=True), 1e-12) * scale
    return out.astype(np.float32), new_masks


def world_copy(
    spectra: np.ndarray,
    masks: list[int],
    rng: np.random.Generator,
    config: AugmentConfig | None = None,
    noise: np.ndarray | None = None,
    donors: np.ndarray | None = None,
    own_rows: np.ndarray | None = None,
) -> tuple[np.ndarray, list[int]]:
    """`world` on each item, no transposition (sim items: already at every root): (spectra,
    the same masks)."""
    return world(spectra, rng, config, noise, donors, 1.0, own_rows), list(masks)

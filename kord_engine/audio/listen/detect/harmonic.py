"""Our detector: log-frequency spectrum → adaptive noise floor → NNLS onto per-note harmonic
templates (overtones explained away, like Chordino's NNLS chroma) → relative + absolute
gates → notes, bass = lowest confident note.

Works on short windows (0.25–0.5 s) and on kord's 1 Hz spectra (`detect_spectrum`); both paths
share the salience stage. Everything heavy is a precomputed matrix, so a window costs ~1–2 ms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.fft import hann, hann_magnitudes, next_fast_len, rfft
from kord_engine.audio.listen.median import running_median

LOW_MIDI = 21  # A0
#: semitone offset → harmonic number (2..16), rounded to the nearest semitone


@lru_cache(maxsize=8)
def _harmonic_offsets(tolerance: float) -> np.ndarray:
    """bool per semitone offset: is it (within rounding, or `tolerance` semitones for the
    stretched, crowded harmonics from the 8th up) a harmonic 2..32 of the lower note?"""
    out = np.zeros(61, dtype=bool)
    for h in range(2, 33):
        exact = 12 * np.log2(h)
        tol = 0.5 if h < 8 else tolerance
        for d in range(int(np.floor(exact - tol)), int(np.ceil(exact + tol)) + 1):
            if 0 < d < len(out) and abs(d - exact) <= tol:
                out[d] = True
    return out


HIGH_MIDI = 108  # C8
#: semitone offsets of harmonics 2..6 (octave, twelfth, two octaves, major 17th, 19th)
_LOW_SERIES = (12, 19, 24, 28, 31)
#: intervals over a bass that still read as that bass being a chord's root (fifth missing)
#: (not the 6th: bass + third + sixth is already a complete inverted triad, e.g. E♭ G C)
_ROOT_FRIENDS = frozenset({0, 2, 3, 4, 10, 11})


@dataclass(frozen=True)
class HarmonicConfig:
    """Every knob of the detector (defaults tuned on FluidR3 piano + organ renders, and the
    fifth / thin-bass / leakage rules on the bench's --dev split; never on its held-out part)."""

    window_seconds: float = 0.5
    bins_per_semitone: int = 3
    max_freq: float = 8000.0
    harmonics: int = 12
    harmonic_decay: float = 0.75
    kernel_width: float = 0.6  # Gaussian σ in log bins
    floor_semitones: float = 8.0  # width of the moving-median noise floor
    compress: float = 0.5  # magnitude ** compress before the floor
    iterations: int = 60
    rel_threshold: float = 0.18
    abs_threshold: float = 0.02  # salience gate relative to the whole window's level
    silence_db: float = -70.0  # RMS below this (dBFS) → no notes
    fund_gate: float = 0.05  # the fundamental's whitened peak must reach this × the top peak
    method: str = "peaks"  # "peaks": greedy harmonic explanation; "nnls": NNLS activations
    peak_rel: float = 0.16  # a semitone peak must reach this × the strongest (compressed)
    explain_ratio: float = 100.0  # a peak at a harmonic of a lower note is that harmonic unless
    # it is more than explain_ratio × the lower note's peak (100: always, like kord)
    harmonic_tolerance: float = 0.75  # semitones, for harmonics ≥ 8 (piano stretch)
    adjacent_ratio: float = 0.4  # weaker than this × a neighbour semitone → leakage
    prominence: float = 2.0  # a peak must be this × the local median floor
    sub_ratio: float = 0.2  # a note's peak must reach this × its strongest 2nd–4th harmonic
    lone_ratio: float = 0.5
    min_freq: float = 27.0
    # octave reasoning: the bass's fifth an octave or two up (3rd / 6th harmonic) is also a note
    # when a third stands over the bass and that partial reaches fifth_ratio × the bass's
    # strongest of fundamental / octave (the partial's level alone cannot tell, the third makes
    # a triad far likelier than a bare dyad; tuned on the bench's --dev split only)
    fifth_ratio: float = 0.35
    fifth_sus: bool = True  # …also over a bare 2nd or 4th (the dyad names no chord otherwise)
    # a bass below every regular peak whose fundamental reaches only weak_bass_rel × the top
    # peak (thin low strings, small speakers) still counts when at least bass_support of its
    # harmonics 2..6 are regular peaks and no other peak lies within two octaves below it
    weak_bass_rel: float = 0.06
    bass_support: int = 5  # 0: off
    # audio windows: a weaker peak next to a stronger one is leakage only where the semitones
    # are closer than leak_lobes Hann main-lobe half-widths (2 / window s); a maj7 a semitone
    # under the root's octave partial is otherwise dropped (.bin spectra: always checked)
    leak_lobes: float = 3.0
    # a peak an octave, twelfth or two octaves above a weak real peak (≥ weak_fund_rel × the
    # top; also one the ghost gates turned down) is that lower note's partial, when nothing
    # accepted explains the lower one: fundamentals fade first (plucked strings) or are filtered away (small
    # microphones), their partials stay (0: off)
    weak_fund_rel: float = 0.03
    # …and so is a peak among harmonics 2–6 of a note with no peak of its own when at least
    # virtual_support of those five harmonics are regular peaks (the fundamental lost to a
    # room's comb filtering or a microphone; 0: off)
    # the ghost gate (sub_ratio) spares a note whose 2nd, 3rd and 4th harmonics are at least
    # series_support regular peaks (0: off)
    series_support: int = 3
    virtual_support: int = 0  # off: in dense dry voicings it invents notes (bench --dev)
    # a fifth above EVERY note of at least this many notes, at least this many of them with
    # no fifth of their own, is a mutation stop — an organ's quint 5 1/3', a drawbar — not
    # harmony: those fifths are the notes' partials (a voicing rarely holds the fifth of each
    # of its notes: the highest's would stand above it; 0: off)
    quint_notes: int = 3
    # audio windows: an unexplained peak more than off_grid_cents from its semitone (on the
    # instrument's own tuning) is no note of an equal-tempered instrument but a partial —
    # the 7th harmonic sits 31 cents flat, the 11th 49 — of a note whose fundamental a room
    # or a microphone took away (measured above off_grid_hz, where a 0.5 s window resolves a
    # few cents; bench --dev: 0.1 % of real notes, 14 % of the extra ones; 0: off)
    off_grid_cents: float = 30.0
    off_grid_hz: float = 250.0
    # …and a peak a major tenth over an accepted note whose fundamental (an octave below it)
    # is missing, this many cents flat: that note's sub-octave's 5th harmonic (−13.7 cents)
    # rather than a tempered tenth (None: off; bench --dev room 96.4 → 97.3 %)
    tenth_cents: tuple[float, float] | None = (-20.0, -9.0)
    # a mutation's quint the other way round: when at least quint_tops notes are heard, the
    # notes a fifth above another one that have no fifth of their own (the peak a fifth over
    # them missing, or a partial of a lower note) are the lower notes' quints, at least two of
    # them — a church organ's mixture sounds 1.5 × f0 with every note of its upper half, and
    # where a quint meets a chord tone (Dm7/C: D's is the A) quint_notes cannot see the stop.
    # A played note of this organ has its own quint, a quint has none. Its cost: a six-note
    # stack of thirds whose two top notes lack fifths (C E G B D F♯) loses them (0: off;
    # bench_detect_accuracy: tune split 81.1 → 90.0 %, held-out 91.7 → 91.9, --dev 88.4 → 88.9;
    # bench_conditions held-out: organ all at once 71.4 → 92.9, room 89.7 → 92.9; --dev: no loss)
    quint_tops: int = 6


@lru_cache(maxsize=16)
def _log_axis(cfg: HarmonicConfig) -> np.ndarray:
    """Centre frequencies (Hz) of the log bins, from A0 − 1 semitone up to max_freq."""
    b = cfg.bins_per_semitone
    start = LOW_MIDI - 1
    top = 69 + 12 * np.log2(cfg.max_freq / 440.0)
    n = int(np.floor((top - start) * b)) + 1
    midi = start + np.arange(n) / b
    return 440.0 * 2 ** ((midi - 69) / 12)


class _LogPooler:
    """Linear bins → log bins: max over each log bin's linear range where it holds ≥ 1 bin
    (keeps narrow peaks at full height), linear interpolation where log bins are finer."""

    def __init__(self, cfg: HarmonicConfig, n_bins: int, bin_hz: float):
        centres = _log_axis(cfg)
        half = 2 ** (1 / (24 * cfg.bins_per_semitone))
        edges = np.ceil(np.concatenate([centres / half, centres[-1:] * half]) / bin_hz).astype(int)
        edges = np.clip(edges, 1, n_bins)
        self.wide = edges[1:] > edges[:-1]
        self.starts = edges[:-1][self.wide]
        self.ends = edges[1:][self.wide]
        self.interp = np.clip(centres[~self.wide] / bin_hz, 0, n_bins - 1)
        self.n_log = len(centres)
        self.n_bins = n_bins
        # planned once: the interpolated bins' neighbours and weights
        self.lo = np.floor(self.interp).astype(int)
        self.hi = np.minimum(self.lo + 1, n_bins - 1)
        self.frac = (self.interp - self.lo).astype(np.float32)

    def __call__(self, mags: np.ndarray) -> np.ndarray:
        """(…, n_bins) → (…, n_log) float32."""
        mags = np.asarray(mags, np.float32)
        out = np.empty(mags.shape[:-1] + (self.n_log,), dtype=np.float32)
        out[..., ~self.wide] = mags[..., self.lo] * (1 - self.frac) + mags[..., self.hi] * self.frac
        if self.starts.size:
            # the ranges are contiguous, so reduceat's "up to the next start" is each range;
            # the last runs to the spectrum's end (the top log bin also holds the loudest bin
            # above max_freq, as it always did: cutting it there moves a chord of
            # bench_detect_accuracy)
            out[..., self.wide] = np.maximum.reduceat(mags, self.starts, axis=-1)
        return out


@lru_cache(maxsize=32)
def _log_pooler(cfg: HarmonicConfig, n_bins: int, bin_hz: float) -> _LogPooler:
    return _LogPooler(cfg, n_bins, bin_hz)


@lru_cache(maxsize=64)
def _leak_semitone(lobes: float, window_seconds: float) -> int:
    """Highest semitone index (A0 = 0) whose neighbours lie within `lobes` Hann main-lobe
    half-widths (2 / window_seconds Hz) of it; above it, no peak is a neighbour's leakage."""
    f = 440.0 * 2 ** ((np.arange(LOW_MIDI, HIGH_MIDI + 1) - 69) / 12)
    close = np.flatnonzero(f * (2 ** (1 / 12) - 1) < lobes * 2.0 / max(window_seconds, 1e-3))
    return int(close[-1]) if close.size else -1


@lru_cache(maxsize=16)
def _dictionary(cfg: HarmonicConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Note templates D (n_log, n_notes), DᵀD, and the log-bin index of each fundamental."""
    b = cfg.bins_per_semitone
    n_log = len(_log_axis(cfg))
    pos = np.arange(n_log, dtype=np.float64)
    notes = np.arange(LOW_MIDI, HIGH_MIDI + 1)
    d = np.zeros((n_log, len(notes)), dtype=np.float64)
    fund = (notes - (LOW_MIDI - 1)) * b
    for j, f0 in enumerate(fund):
        for h in range(1, cfg.harmonics + 1):
            p = f0 + 12 * b * np.log2(h)
            if p > n_log - 1:
                break
            d[:, j] += cfg.harmonic_decay ** (h - 1) * np.exp(
                -0.5 * ((pos - p) / cfg.kernel_width) ** 2
            )
    d /= np.linalg.norm(d, axis=0, keepdims=True)
    return d.astype(np.float32), (d.T @ d).astype(np.float32), fund.astype(int)


class HarmonicDetector:
    """The product's default detector (see module docstring)."""

    name = "default"
    #: detect(..., named=False) leaves the chord names out (the live analyzer names labels)
    names_on_request = True

    def __init__(self, config: HarmonicConfig | None = None, **overrides: float):
        cfg = config or HarmonicConfig()
        self.config = replace(cfg, **overrides) if overrides else cfg
        self.window_seconds = self.config.window_seconds
        #: the instrument's A4 (Hz): notes are read on the semitone grid of this reference
        self.reference_hz = 440.0
        self._lock = threading.Lock()

    def _tuned(self, bin_hz: float) -> float:
        """Bin spacing as seen on an A440 grid: an instrument tuned to reference_hz is heard
        as if it were in tune (every frequency scaled by 440 / reference_hz)."""
        from kord_engine.audio.listen.tuning import quantize

        ref = float(self.reference_hz)
        return float(bin_hz) if ref == 440.0 else float(bin_hz) * 440.0 / quantize(ref)

    # -- salience -------------------------------------------------------------------------
    def whiten(self, mags: np.ndarray, bin_hz: float) -> np.ndarray:
        """Log-frequency spectrum (…, n_log) of linear magnitudes (…, n_bins), compressed, minus
        a moving-median floor, with peaks below `prominence` × the floor removed."""
        cfg = self.config
        mags = np.asarray(mags, np.float32)
        s = _log_pooler(cfg, mags.shape[-1], float(bin_hz))(mags)
        s = np.power(np.maximum(s, 0), cfg.compress, dtype=np.float32)
        size = max(3, int(cfg.floor_semitones * cfg.bins_per_semitone) | 1)
        floor = running_median(s, size)
        y = np.maximum(s - floor, 0)
        if cfg.prominence > 1:  # local SNR gate: noise wiggles are never notes
            top = s.max(axis=-1, keepdims=True)
            y[s < cfg.prominence * (floor + 1e-3 * top + 1e-12)] = 0
        return y

    def salience(self, mags: np.ndarray, bin_hz: float) -> tuple[np.ndarray, np.ndarray]:
        """(NNLS note activations (88,) for A0..C8, whitened log spectrum)."""
        y = self.whiten(mags, bin_hz)
        d, dtd, _ = _dictionary(self.config)
        dty = d.T @ y
        a = np.maximum(dty, 0) + 1e-9
        for _ in range(self.config.iterations):
            a *= dty / (dtd @ a + 1e-9)
        return a, y

    def _notes(
        self,
        y: np.ndarray,
        window_seconds: float | None = None,
        spectrum: tuple[np.ndarray, float] | None = None,
    ) -> tuple[list[int], float, np.ndarray]:
        if self.config.method == "nnls":
            d, dtd, _ = _dictionary(self.config)
            dty = d.T @ y
            a = np.maximum(dty, 0) + 1e-9
            for _ in range(self.config.iterations):
                a *= dty / (dtd @ a + 1e-9)
            notes, conf = self.notes_from_salience(a, y, 1.0)
            return notes, conf, a
        return self.notes_from_peaks(y, window_seconds=window_seconds, spectrum=spectrum)

    def semitone_peaks(self, y: np.ndarray) -> np.ndarray:
        """Peak height per semitone A0..C8 (…, 88): the whitened spectrum's local maximum
        within ±1 log bin of the semitone centre, 0 where there is none."""
        b = self.config.bins_per_semitone
        _, _, fund = _dictionary(self.config)
        y = np.asarray(y)
        pad = np.zeros(y.shape[:-1] + (1,), y.dtype)
        left = np.concatenate([pad, y[..., :-1]], axis=-1)
        right = np.concatenate([y[..., 1:], pad], axis=-1)
        peaky = np.where((y > 0) & (y >= left) & (y > right), y, 0)
        n = y.shape[-1]
        cols = np.clip(
            np.clip(fund - (b // 2), 0, n - 1)[:, None] + np.arange(b)[None, :], 0, n - 1
        )
        return peaky[..., cols].max(axis=-1)

    def notes_from_peaks(
        self,
        y: np.ndarray,
        p: np.ndarray | None = None,
        window_seconds: float | None = None,
        spectrum: tuple[np.ndarray, float] | None = None,
    ) -> tuple[list[int], float, np.ndarray]:
        """Greedy low→high over semitone peaks: a peak is a new note unless it sits at a
        harmonic of an accepted lower note, is leakage from a much stronger neighbour semitone,
        or is a ghost below the chord (its own peak tiny next to its 2nd–4th harmonics).
        With `window_seconds` (a Hann window of known length) leakage is only considered
        where semitones lie within `leak_lobes` main-lobe widths of each other; with its linear
        `spectrum` (magnitudes, bin spacing on the A440 grid) off-grid peaks are no notes."""
        cfg = self.config
        if p is None:
            p = self.semitone_peaks(y)
        top = float(p.max()) if p.size else 0.0
        if top <= 0:
            return [], 0.0, p
        cand = np.flatnonzero(p >= cfg.peak_rel * top).tolist()
        harmonic = _harmonic_offsets(cfg.harmonic_tolerance).tolist()
        nh, pl = len(harmonic), p.tolist()  # plain Python: this loop is tiny and hot
        last = len(pl) - 1
        supported = self._weak_bass(pl, cand[0] if cand else 0, top) if cand else None
        if supported is not None:
            cand.insert(0, supported)
        explain, adjacent, sub = cfg.explain_ratio, cfg.adjacent_ratio, cfg.sub_ratio
        leak_top = (
            last if window_seconds is None else _leak_semitone(cfg.leak_lobes, window_seconds)
        )
        accepted: list[int] = []
        explained: list[int] = []
        for s in cand:
            ps = pl[s]
            if any(s - n < nh and harmonic[s - n] and ps <= explain * pl[n] for n in accepted):
                explained.append(s)
                continue
            nb = max(pl[s - 1] if s > 0 else 0.0, pl[s + 1] if s < last else 0.0)
            if s <= leak_top and ps < adjacent * nb:
                continue
            fund = self._weak_fundamental(pl, s, top, accepted, harmonic)
            if fund is not None:
                if fund not in accepted:
                    accepted.append(fund)
                    accepted.sort()
                explained.append(s)
                continue
            if s == supported:  # its harmonic series vouches for it: no ghost gates
                accepted.append(s)
                continue
            above = [pl[s + d] for d in (12, 19, 24) if s + d <= last]
            if above and ps < sub * max(above) and not self._series_vouches(above, top):
                continue
            # a weak lowest peak with neither an octave nor a twelfth above it explains nothing
            if above and max(above[:2]) <= 0 and ps < cfg.lone_ratio * top and not accepted:
                continue
            if spectrum is not None and self._partial_not_note(spectrum, s, pl, accepted):
                continue
            accepted.append(s)
        if cfg.fifth_ratio > 0 and accepted:
            self._restore_fifth(pl, accepted, explained)
        if cfg.quint_notes > 0 and len(accepted) >= 2 * cfg.quint_notes:
            accepted = self._drop_quint_rank(accepted, explained)
        if cfg.quint_tops > 0 and len(accepted) >= cfg.quint_tops:
            accepted = self._drop_quint_tops(pl, top, accepted, explained, harmonic)
        notes = [s + LOW_MIDI - 12 for s in accepted]
        # confidence: share of all peak energy that the notes and their harmonics account for
        conf = float((p[accepted].sum() + p[explained].sum()) / (p.sum() + 1e-12))
        return notes, conf, p

    def _cents_off(self, spectrum: tuple[np.ndarray, float], s: int) -> float | None:
        """Cents from semitone `s` of its strongest bin (parabolically interpolated), or None
        below off_grid_hz, where the window cannot resolve it."""
        f = 440.0 * 2 ** ((s + LOW_MIDI - 69) / 12)
        if f < self.config.off_grid_hz:
            return None
        mags, bin_hz = spectrum
        lo = max(1, int(f * 2 ** (-0.5 / 12) / bin_hz))
        hi = min(len(mags) - 1, int(f * 2 ** (0.5 / 12) / bin_hz) + 1)
        if hi - lo < 3:
            return None
        j = lo + int(np.argmax(mags[lo:hi]))
        y0, y1, y2 = np.log(np.asarray(mags[j - 1 : j + 2], np.float64) + 1e-12)
        den = y0 - 2 * y1 + y2
        shift = 0.5 * (y0 - y2) / den if den < 0 else 0.0
        return float(1200 * np.log2((j + shift) * bin_hz / f))

    def _partial_not_note(
        self, spectrum: tuple[np.ndarray, float], s: int, pl: list[float], accepted: list[int]
    ) -> bool:
        """True when the peak at `s` sits where no equal-tempered note does: more than
        off_grid_cents off its semitone, or (HarmonicConfig.tenth_cents) a 5th harmonic's
        −14 cents a major tenth over an accepted note whose own fundamental is missing."""
        cfg = self.config
        if cfg.off_grid_cents <= 0:
            return False
        off = self._cents_off(spectrum, s)
        if off is None:
            return False
        if abs(off) > cfg.off_grid_cents:
            return True
        if cfg.tenth_cents is None or s < 28 or (s - 16) not in accepted or pl[s - 28] > 0:
            return False
        return cfg.tenth_cents[0] <= off <= cfg.tenth_cents[1]

    def _series_vouches(self, above: list[float], top: float) -> bool:
        """A note far weaker than its partials is still a note when its octave, twelfth and
        two octaves are all regular peaks (a cheap microphone's high-pass, a slow bowed
        attack); a ghost an octave below a real note would share its pitch class anyway."""
        k = self.config.series_support
        return (
            k > 0 and len(above) == 3 and sum(a >= self.config.peak_rel * top for a in above) >= k
        )

    def _weak_fundamental(
        self, pl: list[float], s: int, top: float, accepted: list[int], harmonic: list[bool]
    ) -> int | None:
        """The weak or missing lower note (HarmonicConfig.weak_fund_rel, virtual_support)
        whose 2nd–6th harmonic the peak `s` is, or None."""
        cfg = self.config
        lo, hi, nh, last = cfg.weak_fund_rel * top, cfg.peak_rel * top, len(harmonic), len(pl) - 1
        for d in reversed(_LOW_SERIES):  # the lowest such note: its series explains the most
            f = s - d
            if f < 0 or f in accepted or not accepted or f <= accepted[0]:
                continue  # never a new bass: _weak_bass decides that
            weak = cfg.weak_fund_rel > 0 and d in (12, 19, 24) and pl[f] >= lo
            virtual = cfg.virtual_support > 0 and (
                sum(pl[f + e] >= hi for e in _LOW_SERIES if f + e <= last) >= cfg.virtual_support
            )
            if not (weak or virtual):
                continue
            if any(0 < f - n < nh and harmonic[f - n] for n in accepted):
                continue  # itself a partial of a note already heard
            return f
        return None

    def _weak_bass(self, pl: list[float], first: int, top: float) -> int | None:
        """The lowest semitone below `first` whose own peak is weak (a thin low fundamental:
        guitar, cello, small speakers) but whose 2nd–6th harmonics nearly all stand out;
        None when there is none, or when other weak peaks lie below it (sub ranks, rumble)."""
        cfg = self.config
        if cfg.bass_support <= 0:
            return None
        floor, strong, last = cfg.weak_bass_rel * top, cfg.peak_rel * top, len(pl) - 1
        for s in range(max(0, first - 36), first):
            if pl[s] < floor:
                continue
            if any(pl[t] > 0 for t in range(max(0, s - 24), s)):
                return None  # other weak low peaks (an organ's sub ranks, rumble): no bass
            if sum(pl[s + d] >= strong for d in _LOW_SERIES if s + d <= last) >= cfg.bass_support:
                return s
        return None

    def _restore_fifth(self, pl: list[float], accepted: list[int], explained: list[int]) -> None:
        """A fifth played an octave or two above the bass hides under the bass's 3rd (or 6th)
        harmonic; with a third (or a lone 2nd / 4th) over the bass, a chord is far likelier than
        a bare dyad, so when that partial is loud enough count the fifth as a note (in place)."""
        b = accepted[0]
        pcs = {(s - b) % 12 for s in accepted}
        # a bare 2nd / 4th over the bass is a sus chord with its fifth hidden; otherwise only
        # when the bass reads as the root of a tertian chord whose fifth is missing:
        # a third above it, and nothing but 9ths and 7ths besides (a 4th or an altered
        # fifth means the bass is another chord tone, or the fifth is already accounted for)
        sus = self.config.fifth_sus and pcs in ({0, 2}, {0, 5})
        if not sus and not (pcs & {3, 4} and pcs <= _ROOT_FRIENDS):
            return
        ref = max(pl[b], pl[b + 12] if b + 12 < len(pl) else 0.0)
        for off in (19, 31):
            s = b + off
            if s in explained and pl[s] >= self.config.fifth_ratio * ref:
                accepted.append(s)
                explained.remove(s)
                return

    def _drop_quint_rank(self, accepted: list[int], explained: list[int]) -> list[int]:
        """`accepted` without a mutation stop's fifths (HarmonicConfig.quint_notes): when every
        note that is not a fifth above another has a fifth above it, the fifths that have
        none of their own are partials (moved to `explained`); the rest are the chord."""
        have, k = set(accepted), self.config.quint_notes
        base = {s for s in accepted if s - 7 not in have or s + 7 in have}
        if len(base) < k or len(have - base) < k or any(b + 7 not in have for b in base):
            return accepted  # (a chain of fifths, C G D A, leaves one: a voicing, not a stop)
        explained.extend(sorted(have - base))
        return sorted(base)

    def _drop_quint_tops(
        self,
        pl: list[float],
        top: float,
        accepted: list[int],
        explained: list[int],
        harmonic: list[bool],
    ) -> list[int]:
        """`accepted` without the quints that have no quint of their own
        (HarmonicConfig.quint_tops), moved to `explained`; unchanged unless at least two go and
        at least three notes stay. `top`: the strongest semitone peak."""
        strong = self.config.peak_rel * top
        have = set(accepted)
        last, nh = len(pl) - 1, len(harmonic)

        def own_fifth(q: int) -> bool:
            f = q + 7
            if f > last:
                return True  # above the spectrum: nothing says it is a partial
            if pl[f] < strong:
                return False
            return not any(0 < f - n < nh and harmonic[f - n] for n in have if n != q)

        tops = [q for q in accepted if q - 7 in have and not own_fifth(q)]
        if len(tops) < 2 or len(accepted) - len(tops) < 3:
            return accepted
        explained.extend(tops)
        return [s for s in accepted if s not in tops]

    def notes_from_salience(
        self, a: np.ndarray, y: np.ndarray, level: float
    ) -> tuple[list[int], float]:
        """Note ids (C4 = 48) passing the gates, and a 0..1 confidence."""
        cfg = self.config
        top = float(a.max()) if a.size else 0.0
        if top <= 0 or top < cfg.abs_threshold * level:
            return [], 0.0
        keep = np.flatnonzero(a > cfg.rel_threshold * top)
        _, _, fund = _dictionary(cfg)
        notes = []
        ytop = float(y.max()) + 1e-12
        for j in keep:
            f = fund[j]
            # the fundamental itself must stand out (no ghost subharmonics)
            if y[max(f - 1, 0) : f + 2].max() < cfg.fund_gate * ytop:
                continue
            notes.append(int(j + LOW_MIDI - 12))
        if not notes:
            return [], 0.0
        kept = a[[n + 12 - LOW_MIDI for n in notes]].sum()
        confidence = float(kept / (a.sum() + 1e-12))
        return notes, confidence

    # -- entry points ---------------------------------------------------------------------
    def detect_spectrum(
        self, mags: np.ndarray, bin_hz: float = 1.0, timestamp: float = 0.0
    ) -> Detection:
        """Detection from a linear magnitude spectrum with bins `bin_hz` apart (e.g. a .bin)."""
        from kord_engine.audio.listen.naming import detection_from_notes

        notes, conf, a = self._notes(self.whiten(np.asarray(mags, np.float32), self._tuned(bin_hz)))
        return detection_from_notes(notes, conf, timestamp, extra={"salience": a})

    def window_frames(self, frames: int, sample_rate: int) -> int:
        """How many of the newest `frames` samples `spectrum` windows."""
        return min(int(frames), max(256, int(round(self.window_seconds * sample_rate))))

    @staticmethod
    def fft_size(n: int, sample_rate: int) -> int:
        """The transform length of an n-sample window: zero-padded to 2× and ≤ 1 Hz bins."""
        return next_fast_len(max(2 * int(n), int(sample_rate)))

    def spectrum(self, audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, float]:
        """Hann-windowed, zero-padded magnitude spectrum of the last window_seconds of audio."""
        n = self.window_frames(len(audio), sample_rate)
        x = np.asarray(audio[len(audio) - n :], np.float32)
        nfft = self.fft_size(n, sample_rate)
        mags = hann_magnitudes(x, nfft)  # shared with tuning and the early bass on a hop
        return mags, sample_rate / nfft

    def detect(
        self, audio: np.ndarray, sample_rate: int, timestamp: float = 0.0, *, named: bool = True
    ) -> Detection:
        """The notes of the newest window_seconds of `audio` (`named=False`: without chord
        names, for a caller that names its own result)."""
        from kord_engine.audio.listen.naming import detection_from_notes

        audio = np.asarray(audio, np.float32)
        n = min(len(audio), int(round(self.window_seconds * sample_rate)))
        if n == 0:
            return detection_from_notes([], 0.0, timestamp)
        x = audio[len(audio) - n :]
        rms = float(np.sqrt(np.dot(x, x) / n))
        if rms <= 10 ** (self.config.silence_db / 20):
            return detection_from_notes([], 0.0, timestamp)
        with self._lock:
            mags, bin_hz = self.spectrum(audio, sample_rate)
            tuned = self._tuned(bin_hz)
            notes, conf, a = self._notes(self.whiten(mags, tuned), n / sample_rate, (mags, tuned))
        return detection_from_notes(notes, conf, timestamp, extra={"salience": a}, named=named)

    def detect_frames(
        self, audio: np.ndarray, sample_rate: int, starts: np.ndarray
    ) -> list[Detection]:
        """Detections for the windows audio[start : start + window] (batched FFT and
        whitening; same results as calling `detect` on each window)."""
        from kord_engine.audio.listen.naming import detection_from_notes

        audio = np.asarray(audio, np.float32)
        n = int(round(self.window_seconds * sample_rate))
        starts = np.asarray(starts, dtype=int)
        if n <= 0 or len(audio) < n:
            return [self.detect(audio[s : s + n], sample_rate) for s in starts]
        frames = np.lib.stride_tricks.sliding_window_view(audio, n)[starts]
        rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
        loud = rms > 10 ** (self.config.silence_db / 20)
        nfft = next_fast_len(max(2 * n, int(sample_rate)))
        out: list[Detection] = [detection_from_notes([], 0.0) for _ in starts]
        idx = np.flatnonzero(loud)
        for c in range(0, len(idx), 64):  # chunks bound the memory
            chunk = idx[c : c + 64]
            spec = rfft(frames[chunk] * hann(n), nfft, axis=-1)
            mags = np.abs(spec).astype(np.float32)
            tuned = self._tuned(sample_rate / nfft)
            y = self.whiten(mags, tuned)
            peaks = self.semitone_peaks(y) if self.config.method == "peaks" else None
            for row, i in enumerate(chunk):
                if peaks is not None:
                    notes, conf, a = self.notes_from_peaks(
                        y[row], peaks[row], n / sample_rate, (mags[row], tuned)
                    )
                else:
                    notes, conf, a = self._notes(y[row], n / sample_rate, (mags[row], tuned))
                out[i] = detection_from_notes(notes, conf, extra={"salience": a})
        return out

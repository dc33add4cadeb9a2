"""Polyphonic additive synth: block-based, deterministic, vectorised across voices × partials.

Any thread may call note_on / note_off / play_chord / set_* while an audio callback calls
render(): calls only append to a deque (atomic in CPython) that render() drains at the start
of each block, so the callback never waits on a lock. Timed events (play_chord, schedule) go
into a heap keyed by sample time and are applied sample-accurately inside render().
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from kord_engine.audio.sound.envelope import Adsr, block_envelope, held_level
from kord_engine.audio.sound.limiter import Limiter
from kord_engine.audio.sound.voices import (
    DEFAULT_ENVELOPES,
    MAX_PARTIALS,
    check_timbre,
    midi_to_frequency,
    partials_for,
)
from kord_engine.errors import KordError

TWO_PI = 2.0 * math.pi
_SILENT = 1e-5  # a voice whose partials all fell below this (−100 dB) is freed
TABLE_FRAMES = 256  # longest chunk rendered at once; oscillator tables hold this many samples
STEAL_FADE_SECONDS = 0.003  # a stolen voice fades out over this long instead of clicking


@dataclass(frozen=True)
class SynthConfig:
    """Synth settings; envelope times left as None take the timbre's defaults
    (piano: kord's 0.003/0.02/0.85/0.25). `gain` is the linear master gain."""

    timbre: str = "piano"
    attack: float | None = None
    decay: float | None = None
    sustain: float | None = None
    release: float | None = None
    gain: float = 0.25
    max_voices: int = 48
    sample_rate: int = 48000

    def __post_init__(self) -> None:
        check_timbre(self.timbre)
        for name in ("attack", "decay", "release"):
            value = getattr(self, name)
            if value is not None and not (0.0 <= value <= 60.0):
                raise KordError(f"{name} must be between 0 and 60 seconds, got {value}")
        if self.sustain is not None and not (0.0 <= self.sustain <= 1.0):
            raise KordError(f"sustain must be between 0 and 1, got {self.sustain}")
        if not (0.0 <= self.gain <= 10.0):
            raise KordError(f"gain must be between 0 and 10, got {self.gain}")
        if not (1 <= self.max_voices <= 512):
            raise KordError(f"max_voices must be between 1 and 512, got {self.max_voices}")
        if not (8000 <= self.sample_rate <= 384000):
            raise KordError(f"sample_rate must be between 8000 and 384000, got {self.sample_rate}")

    def envelope(self) -> Adsr:
        """The effective ADSR: explicit fields, else the timbre's defaults."""
        base = DEFAULT_ENVELOPES[self.timbre]
        return Adsr(
            attack=base.attack if self.attack is None else self.attack,
            decay=base.decay if self.decay is None else self.decay,
            sustain=base.sustain if self.sustain is None else self.sustain,
            release=base.release if self.release is None else self.release,
        )


@dataclass(frozen=True)
class NoteEvent:
    """A timed note-on (on=True) or note-off, `time` seconds after the events are scheduled."""

    time: float
    midi: int
    on: bool = True
    velocity: float = 0.8


class Synth:
    """The synth engine. `render(frames)` returns float32 mono audio in [-1, 1]."""

    def __init__(self, config: SynthConfig | None = None):
        self.config = config or SynthConfig()
        self._cfg = self.config  # the config the render side has applied
        self._queue: deque[tuple] = deque()
        # called (any thread) after each control event is queued: a Player that paused its
        # idle output stream starts it again (see Player.idle_pause_seconds)
        self.on_queued: Callable[[], None] | None = None
        self._heap: list[tuple[int, int, tuple]] = []
        self._seq = itertools.count()
        self._order = itertools.count(1)
        self._clock = 0
        self._now = 0  # sample time at which events are being applied
        self._tails: list[tuple[int, np.ndarray]] = []  # faded tails of stolen voices
        self._sustain = False
        self._gain = self._cfg.gain
        self._limiter = Limiter(self._cfg.sample_rate)
        self._allocate(self._cfg.max_voices)

    # ---- control (any thread) -------------------------------------------------------------

    def note_on(self, midi: int, velocity: float = 0.8) -> None:
        """Start a note now (at the next block). Velocity 0..1 sets loudness and brightness."""
        self._post(("on", int(midi), _check_velocity(velocity)))

    def note_off(self, midi: int) -> None:
        """Release every held voice of `midi` (or leave it to the sustain pedal)."""
        self._post(("off", int(midi)))

    def all_notes_off(self) -> None:
        """Release every voice (pedal or not) and drop every scheduled event."""
        self._post(("all_off",))

    def panic(self) -> None:
        """Silence everything at once (no release tails) and drop every scheduled event."""
        self._post(("panic",))

    def set_sustain(self, on: bool) -> None:
        """Sustain pedal: while down, released keys keep sounding until the pedal lifts."""
        self._post(("sustain", bool(on)))

    def set_config(self, config: SynthConfig) -> None:
        """Switch settings; new notes use them, gain applies at once (ramped over a block).
        A new sample_rate or max_voices resets all voices."""
        if not isinstance(config, SynthConfig):
            raise KordError("set_config needs a SynthConfig")
        self.config = config
        self._post(("config", config))

    def set_timbre(self, timbre: str) -> None:
        """Switch timbre for new notes (its default envelope unless the config sets one)."""
        self.set_config(replace(self.config, timbre=check_timbre(timbre)))

    def set_gain(self, gain: float) -> None:
        """Set the linear master gain."""
        self.set_config(replace(self.config, gain=float(gain)))

    def schedule(self, events: Iterable[NoteEvent], at: float | None = None) -> None:
        """Queue timed events. Times count from `at` (seconds on the synth clock, see `time`),
        or from the start of the next rendered block; events already past apply at once."""
        if at is not None and not (at >= 0.0 and math.isfinite(at)):
            raise KordError(f"schedule time must be a finite number ≥ 0, got {at}")
        items = []
        for ev in events:
            if not (ev.time >= 0.0 and math.isfinite(ev.time)):
                raise KordError(f"event time must be a finite number ≥ 0, got {ev.time}")
            items.append((float(ev.time), int(ev.midi), bool(ev.on), _check_velocity(ev.velocity)))
        self._post(("schedule", tuple(items), at))

    def play_chord(
        self,
        midis: Sequence[int],
        duration: float,
        arpeggio: float = 0.0,
        velocity: float = 0.8,
    ) -> None:
        """Play notes (in the given order) starting `arpeggio` seconds apart; all are released
        `duration` seconds after the first one starts, like kord's staggered chord playback."""
        midis = [int(m) for m in midis]
        if not midis:
            raise KordError("play_chord needs at least one note")
        if arpeggio < 0 or not math.isfinite(arpeggio):
            raise KordError(f"arpeggio must be ≥ 0 seconds, got {arpeggio}")
        last_start = arpeggio * (len(midis) - 1)
        if not duration > last_start or not math.isfinite(duration):
            raise KordError(
                f"duration {duration} s is too short: the last of {len(midis)} notes starts at "
                f"{last_start:g} s"
            )
        events = [NoteEvent(k * arpeggio, m, True, velocity) for k, m in enumerate(midis)]
        events += [NoteEvent(duration, m, False) for m in midis]
        self.schedule(events)

    def _post(self, event: tuple) -> None:
        """Queue a control event for the render side, then tell the listener (on_queued)."""
        self._queue.append(event)
        listener = self.on_queued
        if listener is not None:
            listener()

    # ---- state (read-only, any thread) ----------------------------------------------------

    @property
    def idle(self) -> bool:
        """Nothing sounds, is queued or scheduled, and the gain and limiter are at rest: the
        next blocks are silence until a control call (an output stream may pause)."""
        return not self._queue and not self._heap and self._silent_through(0)

    @property
    def sample_rate(self) -> int:
        return self._cfg.sample_rate

    @property
    def time(self) -> float:
        """Seconds of audio rendered so far."""
        return self._clock / self._cfg.sample_rate

    @property
    def frames_rendered(self) -> int:
        return self._clock

    @property
    def active_voices(self) -> int:
        return int(self._active.sum())

    @property
    def sounding_notes(self) -> list[int]:
        """MIDI numbers of voices still sounding (held, pedalled or releasing), sorted."""
        return sorted({int(m) for m in self._midi[self._active]})

    @property
    def pending_events(self) -> int:
        """Scheduled events not yet applied (e.g. the rest of an arpeggio)."""
        return len(self._heap)

    # ---- rendering (audio thread) ---------------------------------------------------------

    def render(self, frames: int) -> np.ndarray:
        """Render the next `frames` samples -> float32 (frames,), limited to ±1."""
        frames = int(frames)
        out = np.zeros(frames, dtype=np.float32)
        self._now = self._clock
        self._drain()
        if self._silent_through(frames):  # idle: nothing sounds or starts in this block
            self._clock += frames
            return out
        pos = 0
        while pos < frames:
            now = self._now = self._clock + pos
            while self._heap and self._heap[0][0] <= now:
                _, _, action = heapq.heappop(self._heap)
                self._apply(action)
            seg = frames - pos
            if self._heap:
                seg = min(seg, self._heap[0][0] - now)
            if self._active.any():
                out[pos : pos + seg] = self._render_voices(seg)
            pos += seg
        if self._tails:
            self._mix_tails(out)
        self._clock += frames
        target = self._cfg.gain
        if target == self._gain:
            out *= np.float32(target)
        else:
            out *= np.linspace(self._gain, target, frames, dtype=np.float32)
            self._gain = target
        return self._limiter.process(out)

    # ---- internals ------------------------------------------------------------------------

    def _silent_through(self, frames: int) -> bool:
        """Whether the next `frames` samples are silence with nothing to update: no voice,
        no tail, no event due, the gain settled and the limiter at rest (an open output
        stream calls render ~190 times a second while nothing plays)."""
        return (
            not self._tails
            and not (self._heap and self._heap[0][0] < self._clock + frames)
            and self._gain == self._cfg.gain
            and self._limiter.gain == 1.0
            and not self._active.any()
        )

    def _allocate(self, voices: int) -> None:
        self._active = np.zeros(voices, dtype=bool)
        self._midi = np.zeros(voices, dtype=np.int64)
        self._velocity = np.zeros(voices, dtype=np.float64)
        self._released = np.zeros(voices, dtype=bool)
        self._pedal = np.zeros(voices, dtype=bool)  # key up, held by the sustain pedal
        self._age = np.zeros(voices, dtype=np.int64)
        self._rel_age = np.zeros(voices, dtype=np.int64)
        self._rel_start = np.zeros(voices, dtype=np.float64)
        self._started = np.zeros(voices, dtype=np.int64)  # note-on order (stealing)
        self._released_at = np.zeros(voices, dtype=np.int64)  # release order (stealing)
        self._atk = np.ones(voices, dtype=np.int64)
        self._dec = np.ones(voices, dtype=np.int64)
        self._sus = np.ones(voices, dtype=np.float64)
        self._rel = np.ones(voices, dtype=np.int64)
        self._n_partials = np.zeros(voices, dtype=np.int64)
        self._omega = np.zeros((voices, MAX_PARTIALS), dtype=np.float64)
        self._phase = np.zeros((voices, MAX_PARTIALS), dtype=np.float64)
        self._amp = np.zeros((voices, MAX_PARTIALS), dtype=np.float64)
        self._damp = np.ones((voices, MAX_PARTIALS), dtype=np.float64)
        # Per voice: cos(ωt) rows then sin(ωt) rows for t in 0..TABLE_FRAMES-1.
        self._table = np.zeros((voices, 2, MAX_PARTIALS, TABLE_FRAMES), dtype=np.float32)

    def _drain(self) -> None:
        while self._queue:
            try:
                event = self._queue.popleft()
            except IndexError:  # pragma: no cover - emptied by a racing reader
                break
            if event[0] == "schedule":
                sr = self._cfg.sample_rate
                origin = self._clock if event[2] is None else round(event[2] * sr)
                for time, midi, on, velocity in event[1]:
                    action = ("on", midi, velocity) if on else ("off", midi)
                    at = origin + round(time * sr)
                    heapq.heappush(self._heap, (at, next(self._seq), action))
            else:
                self._apply(event)

    def _apply(self, event: tuple) -> None:
        kind = event[0]
        if kind == "on":
            self._start_voice(event[1], event[2])
        elif kind == "off":
            held = self._active & ~self._released & (self._midi == event[1])
            if self._sustain:
                self._pedal |= held
            else:
                self._release(held)
        elif kind == "sustain":
            self._sustain = event[1]
            if not self._sustain:
                self._release(self._pedal & self._active & ~self._released)
                self._pedal[:] = False
        elif kind == "all_off":
            self._heap.clear()
            self._release(self._active & ~self._released)
            self._pedal[:] = False
        elif kind == "panic":
            self._heap.clear()
            self._tails.clear()
            self._active[:] = False
            self._pedal[:] = False
            self._limiter.reset()
        elif kind == "config":
            self._apply_config(event[1])

    def _apply_config(self, cfg: SynthConfig) -> None:
        old = self._cfg
        self._cfg = cfg
        if cfg.sample_rate != old.sample_rate or cfg.max_voices != old.max_voices:
            self._heap.clear()
            self._allocate(cfg.max_voices)
            self._limiter = Limiter(cfg.sample_rate)
            self._gain = cfg.gain

    def _release(self, mask: np.ndarray) -> None:
        if not mask.any():
            return
        self._rel_start[mask] = held_level(
            self._age[mask], self._atk[mask], self._dec[mask], self._sus[mask]
        )
        self._released[mask] = True
        self._rel_age[mask] = 0
        self._pedal[mask] = False
        self._released_at[mask] = next(self._order)

    def _pick_voice(self) -> int:
        free = np.flatnonzero(~self._active)
        if free.size:
            return int(free[0])
        released = np.flatnonzero(self._released)
        if released.size:  # steal the voice released longest ago
            return int(released[np.argmin(self._released_at[released])])
        return int(np.argmin(self._started))  # else the oldest held note

    def _start_voice(self, midi: int, velocity: float) -> None:
        cfg = self._cfg
        # Re-striking a key releases its previous voice, which rings out under the new one.
        self._release(self._active & ~self._released & (self._midi == midi))
        v = self._pick_voice()
        if self._active[v]:
            self._fade_out(v)
        sr = cfg.sample_rate
        partials = partials_for(cfg.timbre, midi_to_frequency(midi), velocity, sr)
        n = len(partials.freqs)
        env = cfg.envelope().in_samples(sr)
        self._active[v] = True
        self._midi[v] = midi
        self._velocity[v] = velocity
        self._released[v] = False
        self._pedal[v] = False
        self._age[v] = 0
        self._rel_age[v] = 0
        self._started[v] = next(self._order)
        self._atk[v], self._dec[v], self._sus[v], self._rel[v] = (
            env.attack,
            env.decay,
            env.sustain,
            env.release,
        )
        self._n_partials[v] = n
        self._omega[v] = 0.0
        self._amp[v] = 0.0
        self._damp[v] = 1.0
        self._phase[v] = 0.0
        self._omega[v, :n] = TWO_PI * partials.freqs / sr
        self._amp[v, :n] = partials.amps
        self._damp[v, :n] = np.exp(-partials.decays / sr)
        wt = self._omega[v, :n, None] * np.arange(TABLE_FRAMES)
        self._table[v, 0, :n] = np.cos(wt)
        self._table[v, 1, :n] = np.sin(wt)

    def _mix_tails(self, out: np.ndarray) -> None:
        """Add the faded tails of stolen voices that overlap this block; drop finished ones."""
        keep = []
        start, end = self._clock, self._clock + len(out)
        for at, tail in self._tails:
            lo, hi = max(at, start), min(at + len(tail), end)
            if hi > lo:
                out[lo - start : hi - start] += tail[lo - at : hi - at]
            if at + len(tail) > end:
                keep.append((at, tail))
        self._tails = keep

    def _fade_out(self, v: int) -> None:
        """A stolen voice does not stop dead (a click): its next few ms, faded to zero, are
        mixed into the output from the current position."""
        n = min(TABLE_FRAMES, round(STEAL_FADE_SECONDS * self._cfg.sample_rate))
        tail = self._render_chunk(n, np.array([v]))
        tail *= np.linspace(1.0, 0.0, n, dtype=np.float32)
        self._tails.append((self._now, tail))

    def _render_voices(self, frames: int) -> np.ndarray:
        """Sum of all active voices over the next `frames` samples (in table-sized chunks)."""
        if frames <= TABLE_FRAMES:
            return self._render_chunk(frames)
        parts = []
        for start in range(0, frames, TABLE_FRAMES):
            n = min(TABLE_FRAMES, frames - start)
            parts.append(self._render_chunk(n) if self._active.any() else np.zeros(n, np.float32))
        return np.concatenate(parts)

    def _render_chunk(self, frames: int, idx: np.ndarray | None = None) -> np.ndarray:
        """Oscillators as one batched matmul: sin(φ + ωt) = sin φ·cos ωt + cos φ·sin ωt, with
        each voice's cos ωt / sin ωt rows precomputed at note-on, so no sin() per sample.
        Renders the active voices (or just `idx`) and advances their state."""
        if idx is None:
            idx = np.flatnonzero(self._active)
        p = int(self._n_partials[idx].max())
        phase = self._phase[idx, :p]
        omega = self._omega[idx, :p]
        a0 = self._amp[idx, :p]
        a1 = a0 * self._damp[idx, :p] ** frames
        sin_p, cos_p = np.sin(phase), np.cos(phase)
        # weights[k, 0] for the block-start amplitude, weights[k, 1] for its linear change.
        weights = np.empty((len(idx), 2, 2 * p), dtype=np.float32)
        weights[:, 0, :p] = a0 * sin_p
        weights[:, 0, p:] = a0 * cos_p
        weights[:, 1, :p] = (a1 - a0) * sin_p
        weights[:, 1, p:] = (a1 - a0) * cos_p
        table = self._table[idx, :, :p, :frames].reshape(len(idx), 2 * p, frames)
        mixed = np.matmul(weights, table)  # (K, 2, n)
        ramp = np.arange(frames, dtype=np.float32) / np.float32(frames)
        voice = mixed[:, 0, :] + mixed[:, 1, :] * ramp
        env = block_envelope(
            self._age[idx],
            self._released[idx],
            self._rel_age[idx],
            self._rel_start[idx],
            self._atk[idx],
            self._dec[idx],
            self._sus[idx],
            self._rel[idx],
            frames,
        )
        out = np.einsum("k,kn->n", self._velocity[idx].astype(np.float32), voice * env)
        # Advance state.
        self._phase[idx, :p] = np.mod(phase + omega * frames, TWO_PI)
        self._amp[idx, :p] = a1
        self._age[idx] += frames
        rel = idx[self._released[idx]]
        self._rel_age[rel] += frames
        done = self._released[idx] & (self._rel_age[idx] >= self._rel[idx])
        done |= a1.max(axis=1) * self._velocity[idx] < _SILENT
        self._active[idx[done]] = False
        return out


def _check_velocity(velocity: float) -> float:
    velocity = float(velocity)
    if not (0.0 <= velocity <= 1.0):
        raise KordError(f"velocity must be between 0 and 1, got {velocity}")
    return velocity

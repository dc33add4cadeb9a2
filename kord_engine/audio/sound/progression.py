"""Chord progressions for `kord loop` and the desktop Loop panel: parse kord's `SYMBOL|N`
items, schedule them on a synth, render them offline, or keep them looping live."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kord_engine.audio.sound.synth import NoteEvent, Synth, SynthConfig
from kord_engine.errors import KordError, ParseError

DEFAULT_N32 = 32  # kord: a whole note (4 beats) per chord
MAX_N32 = 65535  # kord stores N as a u16


@dataclass(frozen=True)
class LoopItem:
    """One chord of a progression: the text typed, the parsed chord, its length in 32nd
    notes and in seconds at the progression's tempo."""

    symbol: str
    chord: Any  # kord_engine.theory.Chord
    n32: int
    seconds: float

    @property
    def midis(self) -> list[int]:
        """MIDI numbers of the chord's tones, low to high."""
        return [int(n.midi) for n in self.chord.notes()]


def n32_seconds(n32: int, bpm: float) -> float:
    """kord's chord length: N 32nd notes at `bpm` quarter notes a minute = N·60/bpm/8 s."""
    return n32 * 60.0 / bpm / 8.0


def check_bpm(bpm: float) -> float:
    bpm = float(bpm)
    if not (1.0 <= bpm <= 1000.0):
        raise KordError(f"tempo must be between 1 and 1000 bpm, got {bpm:g}")
    return bpm


def parse_loop_item(text: str, bpm: float = 60.0) -> LoopItem:
    """Parse `SYMBOL` or `SYMBOL|N` (N = length in 32nd notes, 1..65535, default 32)."""
    from kord_engine.theory import Chord

    bpm = check_bpm(bpm)
    symbol, sep, length = text.partition("|")
    n32 = DEFAULT_N32
    if sep:
        digits = length.strip()
        if not digits.isdigit() or not (1 <= int(digits) <= MAX_N32):
            raise ParseError(
                f"chord length must be a whole number of 32nd notes from 1 to {MAX_N32}",
                text,
                len(symbol) + 1,
            )
        n32 = int(digits)
    symbol = symbol.strip()
    if not symbol:
        raise ParseError("missing chord symbol", text, 0)
    chord = Chord.parse(symbol)
    return LoopItem(symbol, chord, n32, n32_seconds(n32, bpm))


def parse_loop_items(items: Sequence[str], bpm: float = 60.0) -> list[LoopItem]:
    """Parse every item of a progression (raises ParseError naming the first bad one)."""
    if not items:
        raise KordError("a progression needs at least one chord")
    return [parse_loop_item(text, bpm) for text in items]


def progression_seconds(items: Sequence[LoopItem]) -> float:
    """Length of one pass through the progression."""
    return float(sum(item.seconds for item in items))


def progression_events(
    items: Sequence[LoopItem], release: float, velocity: float = 0.8
) -> tuple[list[NoteEvent], list[float]]:
    """Note events for one pass (times from its start) and each chord's start time.

    Each chord is released `release` seconds before its slot ends, so it has died away
    when the next one starts (or halfway through a slot shorter than the release)."""
    events: list[NoteEvent] = []
    starts: list[float] = []
    t = 0.0
    for item in items:
        starts.append(t)
        off = t + max(item.seconds - release, item.seconds / 2)
        midis = item.midis
        events += [NoteEvent(t, m, True, velocity) for m in midis]
        events += [NoteEvent(off, m, False) for m in midis]
        t += item.seconds
    return events, starts


def schedule_progression(
    synth: Synth, items: Sequence[LoopItem], at: float | None = None, velocity: float = 0.8
) -> list[float]:
    """Schedule one pass on `synth` starting at synth time `at` (None: the next block).
    Returns the chords' start times (absolute when `at` is given, else relative)."""
    events, starts = progression_events(items, synth.config.envelope().release, velocity)
    synth.schedule(events, at=at)
    offset = at or 0.0
    return [offset + s for s in starts]


def render_progression(
    items: Sequence[LoopItem],
    config: SynthConfig | None = None,
    repeat: int = 1,
    velocity: float = 0.8,
) -> np.ndarray:
    """Render `repeat` passes offline -> float32 (frames,) of exactly repeat × pass length."""
    from kord_engine.audio.sound.wav import render_offline

    if not (1 <= repeat <= 1000):
        raise KordError(f"repeat must be between 1 and 1000, got {repeat}")
    synth = Synth(config or SynthConfig(timbre="sine"))
    length = progression_seconds(items)
    for k in range(repeat):
        schedule_progression(synth, items, at=k * length, velocity=velocity)
    return render_offline(synth, repeat * length)


class Looper:
    """Keeps a progression playing on a live synth: call `poll()` every few tens of ms (a Qt
    timer, or the CLI's loop); it schedules passes ahead and returns the chords that started
    since the previous call, so the caller can show them."""

    def __init__(
        self,
        synth: Synth,
        items: Sequence[LoopItem],
        repeat: int | None = None,
        velocity: float = 0.8,
        lead: float = 0.05,
        ahead: float = 0.5,
    ):
        if not items:
            raise KordError("a progression needs at least one chord")
        if repeat is not None and repeat < 1:
            raise KordError(f"repeat must be at least 1, got {repeat}")
        self.synth = synth
        self.items = list(items)
        self.repeat = repeat
        self.velocity = velocity
        self.pass_seconds = progression_seconds(self.items)
        self._ahead = ahead
        self._next_pass_at = synth.time + lead
        self._passes = 0
        self._pending: list[tuple[float, LoopItem]] = []
        self._end: float | None = None

    @property
    def finished(self) -> bool:
        """True once every requested pass has been scheduled and has finished sounding."""
        return self._end is not None and self.synth.time >= self._end

    def poll(self) -> list[LoopItem]:
        """Schedule the next pass if it is due soon; return the chords now starting."""
        now = self.synth.time
        while (self.repeat is None or self._passes < self.repeat) and (
            self._next_pass_at - now <= max(self._ahead, 0.0)
        ):
            starts = schedule_progression(self.synth, self.items, self._next_pass_at, self.velocity)
            self._pending += list(zip(starts, self.items, strict=True))
            self._next_pass_at += self.pass_seconds
            self._passes += 1
            if self.repeat is not None and self._passes >= self.repeat:
                self._end = self._next_pass_at
        started = [item for t, item in self._pending if t <= now]
        self._pending = [(t, item) for t, item in self._pending if t > now]
        return started

    def stop(self) -> None:
        """Stop the loop: release everything and drop what was scheduled."""
        self.synth.all_notes_off()
        self._pending.clear()
        self._end = self.synth.time
        self.repeat = self._passes


def with_fade_in(config: SynthConfig, fade_in: float | None) -> SynthConfig:
    """`config` with its attack set to kord's fade-in (None keeps the timbre's attack)."""
    return config if fade_in is None else replace(config, attack=fade_in)

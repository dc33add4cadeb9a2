"""MIDI → measures with the notes sounding in each, as kord's `ml process` reads them (§2.4).

Metrical timing only. Tempo map starts at 500,000 µs/qn; time signature at 4/4. Tracks are
read in order and a note is split into measures with the signature seen so far (kord's
sequential quirk: in practice the conductor track's last signature applies). Channel 10
(drums) is ignored, NoteOn velocity 0 is a NoteOff, overlapping notes on one key pair LIFO,
unterminated notes run to the last tick.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kord_engine.errors import KordError

DEFAULT_TEMPO = 500_000  # µs per quarter note
DRUM_CHANNEL = 9


class MidiError(KordError):
    """A MIDI file that cannot be read or uses timing kord cannot process."""


@dataclass(frozen=True)
class NoteSpan:
    """One sounding note: MIDI key and [start, end) in ticks."""

    key: int
    start: int
    end: int


@dataclass
class Measure:
    """Measure `index`: ticks [start_tick, end_tick), seconds [start, end), ticks per key."""

    index: int
    start_tick: int
    end_tick: int
    start: float
    end: float
    key_ticks: dict[int, int] = field(default_factory=dict)

    @property
    def ticks(self) -> int:
        return self.end_tick - self.start_tick


@dataclass
class MidiTimeline:
    """Everything `ml process` needs from a MIDI file."""

    ppq: int
    tempo_map: list[tuple[int, int]]  # (tick, µs per quarter note), sorted, unique ticks
    measure_ticks: int
    last_tick: int
    notes: list[NoteSpan]
    measures: list[Measure]

    def seconds(self, tick: float) -> float:
        """Time in seconds of `tick` from the tempo map."""
        return tick_to_seconds(tick, self.tempo_map, self.ppq)

    def key_ticks_between(self, start_tick: float, end_tick: float) -> dict[int, float]:
        """Sounding ticks per key inside [start_tick, end_tick)."""
        out: dict[int, float] = defaultdict(float)
        for note in self.notes:
            overlap = min(note.end, end_tick) - max(note.start, start_tick)
            if overlap > 0:
                out[note.key] += overlap
        return dict(out)

    def seconds_to_tick(self, seconds: float) -> float:
        """Inverse of `seconds` (tempo map)."""
        elapsed, prev_tick, prev_tempo = 0.0, 0, DEFAULT_TEMPO
        for tick, tempo in self.tempo_map:
            span = (tick - prev_tick) * prev_tempo / 1e6 / self.ppq
            if elapsed + span >= seconds:
                break
            elapsed += span
            prev_tick, prev_tempo = tick, tempo
        return prev_tick + (seconds - elapsed) * 1e6 * self.ppq / prev_tempo


def tick_to_seconds(tick: float, tempo_map: list[tuple[int, int]], ppq: int) -> float:
    """Seconds at `tick`, integrating the (tick, tempo) map from tick 0."""
    seconds, prev_tick, prev_tempo = 0.0, 0, DEFAULT_TEMPO
    for t, tempo in tempo_map:
        if t >= tick:
            break
        seconds += (t - prev_tick) * prev_tempo / 1e6 / ppq
        prev_tick, prev_tempo = t, tempo
    return seconds + (tick - prev_tick) * prev_tempo / 1e6 / ppq


def _tempo_map(tracks) -> list[tuple[int, int]]:
    events = {0: DEFAULT_TEMPO}
    pairs = [(0, DEFAULT_TEMPO)]
    for track in tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                pairs.append((tick, msg.tempo))
    # sorted and de-duplicated by tick; a later event at the same tick wins
    for tick, tempo in sorted(pairs, key=lambda p: p[0]):
        events[tick] = tempo
    return sorted(events.items())


def read_midi(path: str | os.PathLike[str]) -> MidiTimeline:
    """Parse a MIDI file into note spans and per-measure sounding ticks per key."""
    import mido

    path = Path(path)
    try:
        mid = mido.MidiFile(str(path))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise MidiError(f"{path}: cannot read MIDI file ({exc})") from exc
    ppq = int(mid.ticks_per_beat)
    if ppq <= 0 or ppq >= 0x8000:
        raise MidiError(f"{path}: only metrical (ticks per quarter note) timing is supported")
    tempo_map = _tempo_map(mid.tracks)
    last_tick = max((sum(m.time for m in t) for t in mid.tracks), default=0)

    numerator, denominator = 4, 4
    notes: list[NoteSpan] = []
    measure_ticks_of: list[int] = []  # per note: the measure length seen so far
    for track in mid.tracks:
        tick = 0
        open_notes: dict[tuple[int, int], list[int]] = defaultdict(list)
        for msg in track:
            tick += msg.time
            if msg.type == "time_signature":
                numerator, denominator = msg.numerator, msg.denominator
                continue
            if msg.type not in ("note_on", "note_off") or msg.channel == DRUM_CHANNEL:
                continue
            key = (msg.channel, msg.note)
            if msg.type == "note_on" and msg.velocity > 0:
                open_notes[key].append(tick)
            elif open_notes[key]:
                start = open_notes[key].pop()  # LIFO pairing of overlapping notes
                notes.append(NoteSpan(msg.note, start, tick))
                measure_ticks_of.append(ppq * numerator * 4 // denominator)
        for (_, note), starts in open_notes.items():
            for start in starts:
                notes.append(NoteSpan(note, start, last_tick))
                measure_ticks_of.append(ppq * numerator * 4 // denominator)
    measure_ticks = ppq * numerator * 4 // denominator
    if measure_ticks <= 0:
        raise MidiError(f"{path}: time signature {numerator}/{denominator} gives empty measures")

    per_measure: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for note, mt in zip(notes, measure_ticks_of, strict=True):
        tick = note.start
        while tick < note.end:
            index = tick // mt
            stop = min(note.end, (index + 1) * mt)
            per_measure[index][note.key] += stop - tick
            tick = stop
    count = max(per_measure, default=-1) + 1
    count = max(count, -(-last_tick // measure_ticks))
    measures = []
    for index in range(count):
        start_tick, end_tick = index * measure_ticks, (index + 1) * measure_ticks
        measures.append(
            Measure(
                index,
                start_tick,
                end_tick,
                tick_to_seconds(start_tick, tempo_map, ppq),
                tick_to_seconds(end_tick, tempo_map, ppq),
                dict(per_measure.get(index, {})),
            )
        )
    return MidiTimeline(ppq, tempo_map, measure_ticks, last_tick, notes, measures)


def select_notes(
    key_fractions: dict[int, float], min_fraction: float, min_notes: int, max_notes: int
) -> list[int]:
    """kord's per-measure choice: keys sounding ≥ min_fraction, topped up to min_notes from the
    most prominent, all of them if none qualify, at most max_notes by prominence; ascending."""
    if not key_fractions:
        return []
    by_prominence = sorted(key_fractions, key=lambda k: (-key_fractions[k], k))
    chosen = [k for k in by_prominence if key_fractions[k] >= min_fraction]
    if len(chosen) < min_notes:
        chosen += [k for k in by_prominence if k not in chosen][: min_notes - len(chosen)]
    if not chosen:
        chosen = list(by_prominence)
    chosen = sorted(chosen, key=lambda k: (-key_fractions[k], k))[:max_notes]
    return sorted(chosen)

"""Theory speed: chord symbols parsed + rendered per second, and guess latency (prints figures).

Parse + render runs on a mixed list of symbols with the chord caches cleared per pass (each
symbol is a fresh parse, as the CLI and the UI see it).  Guess latency is the median over
voicings of 3-, 4- and 6-note chords, after the one-off shape-index build (timed on its own).
Run: .venv/bin/python benchmarks/bench_theory.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.theory import Chord, guess  # noqa: E402
from kord_engine.theory.guess import prepare  # noqa: E402
from kord_engine.theory.tones import chord_intervals, chord_shape, interval_tones  # noqa: E402

SYMBOLS = [
    "C",
    "Cm",
    "Cm7",
    "Cmaj7",
    "C7",
    "C9",
    "C11",
    "C13",
    "Cm7b5",
    "Cdim",
    "C+",
    "C+7",
    "C7b9",
    "C7#9",
    "C7#11",
    "Cm9b13",
    "Em7b9b13",
    "Dsus2",
    "Dsus4",
    "Dadd9",
    "C6",
    "Cm6",
    "C/E",
    "Cm7b5/Gb",
    "Cmaj7b9@3^2!",
    "A7b13@3!",
    "D-maj7@3^2",
    "G7@3",
    "Bb7#9#11",
    "F#m7b5",
    "Ebmaj7#11",
    "Ab13",
    "Db7b9#11",
    "C7(b9)(#11)",
    "Cmaj7#9#11b13!",
    "C13^1",
    "Cø",
    "Co7",
    "C+maj7",
    "Gb/Cb",
]

GUESS_INPUTS = {
    3: [["C", "E", "G"], ["A", "C5", "E5"], ["D", "F#", "A"], ["E", "G", "B"], ["C", "Eb", "Gb"]],
    4: [["C", "E", "G", "Bb"], ["C", "Eb", "Gb", "A"], ["D", "F", "A", "C5"],
        ["G3", "B3", "D4", "F4"], ["E", "G", "B", "D"]],
    6: [["C", "E", "G", "Bb", "D5", "F5"], ["E3", "C4", "Eb4", "F#4", "A#4", "D5"],
        ["C", "D", "E", "G", "A", "B"], ["F3", "A3", "C4", "E4", "G4", "B4"],
        ["C3", "G3", "Bb3", "E4", "A4", "D5"]],
}  # fmt: skip


def bench_parse_render(seconds: float = 2.0) -> float:
    """Chord symbols per second through parse → name → precise_name → notes → scale."""
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        chord_shape.cache_clear()
        chord_intervals.cache_clear()
        interval_tones.cache_clear()
        for symbol in SYMBOLS:
            chord = Chord.parse(symbol)
            _ = chord.precise_name
            chord.notes()
            chord.scale()
            count += 1
    return count / (time.perf_counter() - start)


def bench_guess(size: int, repeats: int = 30) -> float:
    """Median milliseconds of one guess over the inputs of `size` notes."""
    times = []
    for _ in range(repeats):
        for notes in GUESS_INPUTS[size]:
            t0 = time.perf_counter()
            guess(notes)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    t0 = time.perf_counter()
    prepare()
    build_ms = (time.perf_counter() - t0) * 1000
    print(f"shape index build (once per process): {build_ms:.0f} ms")
    print(f"parse + render: {bench_parse_render():,.0f} chords/s over {len(SYMBOLS)} symbols")
    for size in (3, 4, 6):
        print(f"guess, {size} notes: median {bench_guess(size):.3f} ms")
    chords = [Chord.parse(s) for s in SYMBOLS]
    t0 = time.perf_counter()
    for chord in chords * 10:
        chord.format_verbose()
    per_chord = (time.perf_counter() - t0) * 1000 / (len(chords) * 10)
    print(f"format_verbose (describe block): {per_chord:.3f} ms per chord")


if __name__ == "__main__":
    main()

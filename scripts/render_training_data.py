#!/usr/bin/env python3
"""Render a labelled training set with fluidsynth: many GM instruments × chord shapes → .bin.

Each batch is one soundfont + one GM program: a MIDI file of chords (one 2-s 4/4 measure at
120 bpm each, then a 1-s rest measure at 240 bpm so release tails fade before the next chord),
rendered to WAV, then `ml process`ed into whole-measure and short-window samples (rests
skipped). Seeded: the same arguments give the same MIDI and the same samples.

Output (git-ignored): OUT/rendered_<soundfont>/ for training, OUT/rendered_holdout_<soundfont>/
for the HOLDOUT_PROGRAMS (instruments never trained on: report them separately), and
OUT/manifest.json. Usage:

    .venv/bin/python scripts/render_training_data.py --out .hidden/data --chords 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.atomic import atomic_write_text  # noqa: E402
from kord_engine.audio.fluidsynth import find_soundfonts, render_midi  # noqa: E402
from kord_engine.ml.process import ProcessOptions, process_midi_audio  # noqa: E402

PPQ = 480
MEASURE = 4 * PPQ
CHORD_TEMPO = 500_000  # 120 bpm: a 2-s chord measure
REST_TEMPO = 250_000  # 240 bpm: a 1-s rest measure

# General MIDI programs (0-based) trained on, by family
TRAIN_PROGRAMS = {
    "piano": [0, 1, 2],
    "e-piano": [4, 7],
    "mallets": [12],
    "organ": [16, 17, 18, 21],
    "guitar": [24, 25, 26],
    "strings": [48, 45],
    "pad": [88, 90, 91],
    "brass": [61],
    "reed": [65],
    "choir": [52],
}
# never trained on: ml-train reports them as "instruments never trained on"
HOLDOUT_PROGRAMS = {
    "piano": [3],  # honky-tonk
    "e-piano": [5],
    "mallets": [11],  # vibraphone
    "organ": [19],  # church organ
    "guitar": [27],  # clean electric
    "strings": [49],
    "pad": [89],  # warm pad
    "brass": [62],  # synth brass
    "choir": [53],  # voice oohs
}

QUALITIES = {
    "single": ([0],),
    "dyad": ([0, 3], [0, 4], [0, 5], [0, 7], [0, 12], [0, 10], [0, 2], [0, 9]),
    "triad": ([0, 4, 7], [0, 3, 7], [0, 3, 6], [0, 4, 8], [0, 2, 7], [0, 5, 7]),
    "seventh": (
        [0, 4, 7, 10],
        [0, 4, 7, 11],
        [0, 3, 7, 10],
        [0, 3, 6, 10],
        [0, 3, 6, 9],
        [0, 3, 7, 11],
        [0, 5, 7, 10],
        [0, 4, 7, 9],
        [0, 3, 7, 9],
    ),
    "extended": (
        [0, 4, 7, 14],
        [0, 3, 7, 14],
        [0, 4, 7, 10, 14],
        [0, 4, 7, 11, 14],
        [0, 3, 7, 10, 14],
        [0, 4, 7, 10, 13],
        [0, 4, 7, 10, 15],
        [0, 4, 8, 10],
        [0, 4, 7, 10, 14, 21],
    ),
}
QUALITY_WEIGHTS = {"single": 0.15, "dyad": 0.10, "triad": 0.40, "seventh": 0.25, "extended": 0.10}
LOWEST, HIGHEST = 28, 100  # MIDI range of rendered notes (E1 .. E7)


def voice_chord(rng: np.random.Generator, intervals: list[int]) -> list[int]:
    """Root in octaves 2–6, then an inversion or an open (drop-2 / spread) voicing."""
    for _ in range(20):
        octave = int(rng.integers(2, 7))
        root = 12 * (octave + 1) + int(rng.integers(12))
        notes = sorted(root + i for i in intervals)
        style = rng.choice(["close", "inversion", "drop2", "spread"], p=[0.35, 0.3, 0.2, 0.15])
        if style == "inversion" and len(notes) > 1:
            k = int(rng.integers(1, len(notes)))
            notes = sorted(notes[k:] + [n + 12 for n in notes[:k]])
        elif style == "drop2" and len(notes) >= 3:
            notes = sorted(notes[:-2] + [notes[-2] - 12] + notes[-1:])
        elif style == "spread" and len(notes) >= 3:
            notes = sorted([notes[0] - 12] + notes[1:])
        notes = sorted(set(notes))
        if notes[0] >= LOWEST and notes[-1] <= HIGHEST:
            return notes
    return [60 + i for i in intervals if 60 + i <= HIGHEST]


def random_chord(rng: np.random.Generator) -> list[int]:
    kinds = list(QUALITY_WEIGHTS)
    kind = rng.choice(kinds, p=[QUALITY_WEIGHTS[k] for k in kinds])
    shapes = QUALITIES[kind]
    return voice_chord(rng, list(shapes[int(rng.integers(len(shapes)))]))


def write_batch_midi(path: Path, chords: list[list[int]], program: int, rng) -> None:
    """Chord measure (2 s) + rest measure (1 s) per chord, varied velocities, one channel."""
    import mido

    mid = mido.MidiFile(ticks_per_beat=PPQ)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    delta = 0
    for chord in chords:
        track.append(mido.MetaMessage("set_tempo", tempo=CHORD_TEMPO, time=delta))
        base = int(rng.integers(45, 121))
        for note in chord:
            velocity = int(np.clip(base + rng.integers(-10, 11), 20, 127))
            track.append(mido.Message("note_on", note=note, velocity=velocity, time=0))
        for j, note in enumerate(chord):
            track.append(
                mido.Message("note_off", note=note, velocity=0, time=MEASURE if j == 0 else 0)
            )
        track.append(mido.MetaMessage("set_tempo", tempo=REST_TEMPO, time=0))
        delta = MEASURE
    track.append(mido.MetaMessage("end_of_track", time=delta))
    path.parent.mkdir(parents=True, exist_ok=True)
    mid.save(str(path))


def font_key(font: Path) -> str:
    return font.stem.lower().replace("-", "_")


def render(args: argparse.Namespace) -> dict:
    fonts = find_soundfonts()
    if args.soundfonts:
        fonts = [f for f in fonts if font_key(f) in args.soundfonts]
    if not fonts:
        raise SystemExit("no soundfonts found (install fluid-soundfont-gm / timgm6mb)")
    out = Path(args.out)
    work = out / "rendered_work"
    options = ProcessOptions(window=args.window, skip_rests=True, min_duration=1.0)
    summary: dict = {
        "seed": args.seed,
        "chords_per_batch": args.chords,
        "holdout_chords_per_batch": args.holdout_chords,
        "window": args.window,
        "sample_rate": args.sample_rate,
        "train_programs": TRAIN_PROGRAMS,
        "holdout_programs": HOLDOUT_PROGRAMS,
        "folders": {},
    }
    started = time.perf_counter()
    for fi, font in enumerate(fonts):
        for holdout, table, count in (
            (False, TRAIN_PROGRAMS, args.chords),
            (True, HOLDOUT_PROGRAMS, args.holdout_chords),
        ):
            if count <= 0:
                continue
            name = f"rendered_{'holdout_' if holdout else ''}{font_key(font)}"
            dest = out / name
            if dest.exists() and not args.keep_existing:
                shutil.rmtree(dest)
            totals = {"measures": 0, "windows": 0, "batches": 0}
            for family, programs in table.items():
                for program in programs:
                    rng = np.random.default_rng([args.seed, fi, program, int(holdout)])
                    chords = [random_chord(rng) for _ in range(count)]
                    stem = f"{font_key(font)}_p{program:03}_{family}"
                    midi = work / f"{stem}.mid"
                    wav = work / f"{stem}.wav"
                    write_batch_midi(midi, chords, program, rng)
                    render_midi(midi, wav, font, sample_rate=args.sample_rate, gain=0.6)
                    result = process_midi_audio(midi, wav, dest, options)
                    if not args.keep_audio:
                        wav.unlink(missing_ok=True)
                    totals["measures"] += len(result.measures)
                    totals["windows"] += len(result.windows)
                    totals["batches"] += 1
                    print(
                        f"{name}: {stem}: {len(result.measures)} measures, "
                        f"{len(result.windows)} windows ({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
            summary["folders"][name] = totals
    summary["seconds"] = round(time.perf_counter() - started, 1)
    atomic_write_text(out / "manifest.json", json.dumps(summary, indent=2))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / ".hidden" / "data"))
    parser.add_argument("--chords", type=int, default=20, help="chords per training batch")
    parser.add_argument("--holdout-chords", type=int, default=10, help="chords per holdout batch")
    parser.add_argument("--window", type=float, default=0.5, help="short window seconds")
    parser.add_argument("--sample-rate", type=int, default=22050)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--soundfonts", nargs="*", default=None, help="e.g. fluidr3_gm timgm6mb")
    parser.add_argument("--keep-audio", action="store_true", help="keep the rendered WAVs")
    parser.add_argument("--keep-existing", action="store_true", help="add to existing folders")
    args = parser.parse_args(argv)
    summary = render(args)
    for name, totals in summary["folders"].items():
        print(f"{name}: {totals['measures']} measure + {totals['windows']} window samples")
    print(f"done in {summary['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

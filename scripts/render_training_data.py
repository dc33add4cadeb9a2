#!/usr/bin/env python3
"""Render a labelled training set with fluidsynth: many GM instruments × chord shapes → .bin.

Each batch is one soundfont + one GM program: a MIDI file of chords (one 2-s 4/4 measure at
120 bpm each, then a 1-s rest measure at 240 bpm so release tails fade before the next chord),
rendered to WAV, then `ml process`ed into whole-measure and short-window samples (rests
skipped). Seeded: the same arguments give the same MIDI and the same samples.

The real world (`--world-batches`, per soundfont × training program): more batches of new
chords, the whole instrument detuned by C ~ U(±50) cents (a MIDI pitch bend:
`write_chords_midi(..., cents=C)`, 2-s chords with 2-s rests), and the rendered audio put
through a random room / cheap microphone / background noise / clipping
(kord_engine.audio.sound.conditions) before `ml process`. The label stays the notes played. As at
inference, each chord's spectra are then warped onto the A440 grid by the tuning estimated
from that chord's audio (`estimate_tuning`, then `shift_spectra(…, 440 / ref)`, as
`MlDetector.reference_hz` does), so the model learns what is left: the estimate's error and
the instrument's own per-note detuning.

Output (git-ignored): OUT/rendered_<soundfont>/ for training, OUT/rendered_world_<soundfont>/
(the real-world batches, training too), OUT/rendered_holdout_<soundfont>/ for the
HOLDOUT_PROGRAMS (instruments never trained on, clean: report them separately),
OUT/rendered_holdout_cond_<condition>/ (the same holdout programs and chords, both
soundfonts, under each of HOLDOUT_CONDITIONS: report-only too), and OUT/manifest.json. Usage:

    .venv/bin/python scripts/render_training_data.py --out .hidden/data --chords 20
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.atomic import atomic_write_text  # noqa: E402
from kord_engine.audio.listen.tuning import A4_HZ, estimate_tuning, quantize  # noqa: E402
from kord_engine.audio.sound import conditions as cond  # noqa: E402
from kord_engine.audio.sound.fluidsynth import (  # noqa: E402
    find_soundfonts,
    render_midi,
    write_chords_midi,
)
from kord_engine.ml.augment import shift_spectra, transpose_masks  # noqa: E402
from kord_engine.ml.midi import read_midi  # noqa: E402
from kord_engine.ml.process import (  # noqa: E402
    ProcessOptions,
    ProcessResult,
    process_midi_audio,
    read_mono_audio,
)
from kord_engine.samples import Sample, read_sample, write_sample  # noqa: E402

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

# the conditioned holdout: the holdout programs' chords again, under each of these (as the
# conditions benchmark's); "detuned" draws ±U(15, 45) cents per batch
HOLDOUT_CONDITIONS = {
    "dry": cond.Condition("dry"),  # in tune, dry: the same layout, the reference for the rest
    "detuned": cond.Condition("detuned", cents=float("nan")),
    "room": cond.Condition("room", rt60=0.7),
    "mic": cond.Condition("mic", mic=True, snr_db=18.0),
    "all": cond.Condition("all", cents=-25.0, rt60=0.7, mic=True, snr_db=18.0),
}
WORLD_CHORD_SECONDS = 2.0  # write_chords_midi: 120 bpm, 4/4 → a 2-s measure per chord …
WORLD_GAP_SECONDS = 2.0  # … then a 2-s rest measure (skipped), so release tails fade
_PREFIX = re.compile(r"^(.*_measure_\d{4}_(?:\d+s|w\d{2}_\d+ms)_)")

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


def random_condition(rng: np.random.Generator, max_cents: float) -> dict:
    """One real-world condition for a training batch: detune U(±max_cents), and a room, a
    cheap microphone, noise and clipping each with its probability (all parameters drawn)."""
    c: dict = {"cents": round(float(rng.uniform(-max_cents, max_cents)), 2)}
    if rng.random() < 0.6:
        c["room"] = {"rt60": float(rng.uniform(0.3, 1.5)), "direct_db": float(rng.uniform(-6, 3))}
    if rng.random() < 0.6:
        c["mic"] = {
            "low_hz": float(rng.uniform(80, 250)),
            "high_hz": float(rng.uniform(4000, 9000)),
            "order": int(rng.integers(1, 3)),
            "presence_db": float(rng.choice([0.0, rng.uniform(0, 6)])),
        }
    if rng.random() < 0.6:
        c["noise"] = {
            "snr_db": float(rng.uniform(10, 35)),
            "color": str(rng.choice(["pink", "white", "brown"])),
        }
    if rng.random() < 0.15:
        c["clip_db"] = float(rng.uniform(0, 12))
    return c


def condition_dict(condition: cond.Condition, rng: np.random.Generator) -> dict:
    """A HOLDOUT_CONDITIONS entry in `random_condition`'s form (NaN cents: ±U(15, 45))."""
    cents = condition.cents
    if math.isnan(cents):
        cents = float(rng.choice([-1, 1]) * rng.uniform(15, 45))
    c: dict = {"cents": round(float(cents), 2)}
    if condition.rt60:
        c["room"] = {"rt60": condition.rt60, "direct_db": 0.0}
    if condition.mic:
        c["mic"] = {"low_hz": 150.0, "high_hz": 6000.0, "order": 2, "presence_db": 0.0}
    if condition.snr_db is not None:
        c["noise"] = {"snr_db": condition.snr_db, "color": condition.noise_color}
    if condition.clip_db is not None:
        c["clip_db"] = condition.clip_db
    return c


def apply_world(audio: np.ndarray, sr: int, c: dict, rng: np.random.Generator) -> np.ndarray:
    """Room, then microphone, then noise, then clipping (kord_engine.audio.sound.conditions)."""
    x = np.asarray(audio, dtype=np.float32)
    if "room" in c:
        ir = cond.room_impulse_response(c["room"]["rt60"], sr, rng, c["room"]["direct_db"])
        x = cond.apply_room(x, ir)
    if "mic" in c:
        m = c["mic"]
        x = cond.microphone(x, sr, m["low_hz"], m["high_hz"], m["order"], m["presence_db"])
    if "noise" in c:
        x = cond.add_noise(x, c["noise"]["snr_db"], rng, c["noise"]["color"])
    if "clip_db" in c:
        x = cond.hard_clip(x, c["clip_db"])
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return x / peak * 0.9 if peak > 0.9 else x  # a recording that did not clip stays so


def tune_to_a440(
    midi: Path, audio: np.ndarray, sr: int, result: ProcessResult, cents: float
) -> list[float]:
    """Warp each measure's written spectra onto the A440 grid by the tuning estimated from
    that measure's audio (as inference does for a one-chord file); returns the estimates in
    cents. An estimate lives in ±50 cents: an instrument bent to +48 cents (plus the
    soundfont's own few cents) can read as −49, and its notes then land a semitone up after
    the warp, so the label moves with them (k = round((cents − estimate) / 100) semitones);
    a measure whose notes would leave the label range is dropped. Files keep their names'
    prefix (the hash part follows the new content)."""
    by_measure: dict[int, list[Path]] = {}
    for path in result.written:
        index = int(re.search(r"_measure_(\d{4})_", path.name).group(1))
        by_measure.setdefault(index, []).append(path)
    estimates = []
    for measure in read_midi(midi).measures:
        paths = by_measure.get(measure.index)
        if not paths:
            continue
        piece = audio[int(measure.start * sr) : int(math.ceil(measure.end * sr))]
        est = estimate_tuning(piece, sr)
        ref = quantize(est.reference_hz) if est.known else A4_HZ
        est_cents = 1200 * math.log2(ref / A4_HZ)
        estimates.append(round(est_cents, 2))
        k = int(round((cents - est_cents) / 100))
        if ref == A4_HZ and k == 0:
            continue
        for path in paths:
            sample = read_sample(path)
            (mask,), ok = transpose_masks([sample.mask], np.array([k]))
            prefix = _PREFIX.match(path.name).group(1)
            path.unlink()
            if ok[0]:
                shifted = shift_spectra(sample.spectrum, A4_HZ / ref)[0]
                write_sample(Sample(shifted, mask), path.parent, prefix)
    return estimates


def render_world_batch(
    font: Path,
    program: int,
    chords: list[list[int]],
    condition: dict,
    velocity: int,
    stem: str,
    work: Path,
    dest: Path,
    options: ProcessOptions,
    args: argparse.Namespace,
    rng: np.random.Generator,
) -> tuple[ProcessResult, list[float]]:
    """Detuned render → condition → `ml process` → spectra warped onto A440 by the estimate."""
    import soundfile as sf

    midi = work / f"{stem}.mid"
    wav = work / f"{stem}.wav"
    timed = [(c, WORLD_CHORD_SECONDS) for c in chords]
    write_chords_midi(
        timed, program, velocity, midi, gap=WORLD_GAP_SECONDS, cents=condition["cents"]
    )
    render_midi(midi, wav, font, sample_rate=args.sample_rate, gain=0.6)
    audio, sr = read_mono_audio(wav)
    audio = apply_world(audio, sr, condition, rng)
    sf.write(str(wav), audio, sr, subtype="FLOAT")
    result = process_midi_audio(midi, wav, dest, options)
    estimates = tune_to_a440(midi, audio, sr, result, condition["cents"])
    if not args.keep_audio:
        wav.unlink(missing_ok=True)
    return result, estimates


def font_key(font: Path) -> str:
    return font.stem.lower().replace("-", "_")


def _clear(dest: Path, args: argparse.Namespace, cleared: set[Path]) -> None:
    if dest not in cleared and dest.exists() and not args.keep_existing:
        shutil.rmtree(dest)
    cleared.add(dest)


def _holdout_chords(args: argparse.Namespace, fi: int, program: int) -> list[list[int]]:
    """The clean holdout batch's chords (the same rng, so the same chords)."""
    rng = np.random.default_rng([args.seed, fi, program, 1])
    return [random_chord(rng) for _ in range(args.holdout_chords)]


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
        "world_batches": args.world_batches,
        "world_chords_per_batch": args.world_chords,
        "max_cents": args.max_cents,
        "holdout_conditions": args.holdout_conditions,
        "window": args.window,
        "sample_rate": args.sample_rate,
        "train_programs": TRAIN_PROGRAMS,
        "holdout_programs": HOLDOUT_PROGRAMS,
        "folders": {},
        "batches": {},
    }
    started = time.perf_counter()
    cleared: set[Path] = set()

    def record(name: str, stem: str, result, extra: dict | None = None) -> None:
        totals = summary["folders"].setdefault(name, {"measures": 0, "windows": 0, "batches": 0})
        totals["measures"] += len(result.measures)
        totals["windows"] += len(result.windows)
        totals["batches"] += 1
        if extra is not None:
            summary["batches"].setdefault(name, {})[stem] = extra
        print(
            f"{name}: {stem}: {len(result.measures)} measures, "
            f"{len(result.windows)} windows ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )

    for fi, font in enumerate(fonts):
        for holdout, table, count in (
            (False, TRAIN_PROGRAMS, args.chords),
            (True, HOLDOUT_PROGRAMS, args.holdout_chords),
        ):
            if count <= 0:
                continue
            name = f"rendered_{'holdout_' if holdout else ''}{font_key(font)}"
            dest = out / name
            _clear(dest, args, cleared)
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
                    record(name, stem, result)
        # the real world: new chords, detuned, in rooms, through microphones (training)
        name = f"rendered_world_{font_key(font)}"
        if args.world_batches > 0 and args.world_chords > 0:
            _clear(out / name, args, cleared)
        for k in range(args.world_batches if args.world_chords > 0 else 0):
            for family, programs in TRAIN_PROGRAMS.items():
                for program in programs:
                    rng = np.random.default_rng([args.seed, fi, program, 0, 100 + k])
                    chords = [random_chord(rng) for _ in range(args.world_chords)]
                    condition = random_condition(rng, args.max_cents)
                    velocity = int(rng.integers(60, 116))
                    stem = f"{font_key(font)}_p{program:03}_{family}_world{k}"
                    result, est = render_world_batch(
                        font,
                        program,
                        chords,
                        condition,
                        velocity,
                        stem,
                        work,
                        out / name,
                        options,
                        args,
                        rng,
                    )
                    record(name, stem, result, {**condition, "estimated_cents": est})
        # the conditioned holdout: the holdout programs' chords again, in each condition
        for cname in args.holdout_conditions if args.holdout_chords > 0 else ():
            name = f"rendered_holdout_cond_{cname}"
            _clear(out / name, args, cleared)
            for family, programs in HOLDOUT_PROGRAMS.items():
                for program in programs:
                    chords = _holdout_chords(args, fi, program)
                    salt = zlib.crc32(cname.encode())  # stable (hash() is salted)
                    rng = np.random.default_rng([args.seed, fi, program, 2, salt])
                    condition = condition_dict(HOLDOUT_CONDITIONS[cname], rng)
                    stem = f"{font_key(font)}_p{program:03}_{family}_{cname}"
                    result, est = render_world_batch(
                        font,
                        program,
                        chords,
                        condition,
                        90,
                        stem,
                        work,
                        out / name,
                        options,
                        args,
                        rng,
                    )
                    record(name, stem, result, {**condition, "estimated_cents": est})
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
    parser.add_argument(
        "--world-batches",
        type=int,
        default=1,
        help="real-world batches (detuned, room/mic/noise/clip) per soundfont × training program",
    )
    parser.add_argument(
        "--world-chords", type=int, default=None, help="chords per world batch (default --chords)"
    )
    parser.add_argument(
        "--max-cents", type=float, default=50.0, help="world batches detuned by U(±this) cents"
    )
    parser.add_argument(
        "--holdout-conditions",
        nargs="*",
        default=list(HOLDOUT_CONDITIONS),
        choices=list(HOLDOUT_CONDITIONS),
        help="conditioned holdout folders to render (none: no conditioned holdout)",
    )
    args = parser.parse_args(argv)
    if args.world_chords is None:
        args.world_chords = args.chords
    if not 0 <= args.max_cents <= 100:
        parser.error("--max-cents must be in [0, 100]")
    summary = render(args)
    for name, totals in summary["folders"].items():
        print(f"{name}: {totals['measures']} measure + {totals['windows']} window samples")
    print(f"done in {summary['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Chord-detection accuracy of kord's detector vs ours on fluidsynth renders (prints figures).

Renders (and caches under .hidden/bench/) many chord qualities, inversions, octaves 2–5 and
programs with both soundfonts; the default detector was tuned ONLY on the FluidR3 piano +
organ part ("tune"), so the figures that matter are the held-out ones (TimGM6mb, and FluidR3
guitar / strings / electric piano / brass). Run: .venv/bin/python benchmarks/bench_detect_accuracy.py

`--dev` scores a separate DEVELOPMENT set instead (FluidR3 piano, e-piano, organ, nylon guitar,
bright piano, jazz / clean guitar, cello, clarinet; new seeds; doubled roots, octave-doubled bass, open/drop voicings,
maj7/9 chords). Tune on `--dev` only; the default run's held-out split stays untouched.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.audio.input.decode import load_audio  # noqa: E402
from kord_engine.audio.sound.fluidsynth import find_soundfonts, render_midi, write_chords_midi  # noqa: E402

CACHE = ROOT / ".hidden" / "bench" / "accuracy"
#: kord chord symbol suffix → intervals above the root
QUALITIES = {
    "": (0, 4, 7),
    "m": (0, 3, 7),
    "m(b5)": (0, 3, 6),
    "+": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "m7b5": (0, 3, 6, 10),
    "dim": (0, 3, 6, 9),
    "9": (0, 4, 7, 10, 14),
    "m9": (0, 3, 7, 10, 14),
    "add9": (0, 4, 7, 14),
    "6": (0, 4, 7, 9),
}
PROGRAMS = {
    0: "piano",
    19: "organ",
    24: "nylon",
    25: "steel",
    48: "strings",
    4: "epiano",
    61: "brass",
}
TUNE_PROGRAMS = (0, 19)
DEV_PROGRAMS = {
    0: "piano",
    1: "bright pno",
    4: "epiano",
    19: "organ",
    24: "nylon",
    26: "jazz gtr",
    27: "clean gtr",
    42: "cello",
    71: "clarinet",
}
#: dev voicing shapes: how a chord's notes are spread / doubled
DEV_SHAPES = ("close", "doubled root", "bass octave", "open", "drop2", "spread")
PITCH = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
CHORD_SECONDS, GAP_SECONDS = 1.2, 0.3


@dataclass
class Item:
    font: str
    program: int
    start: float
    midi: tuple[int, ...]
    root: int
    quality: str
    inversion: int
    noisy: bool

    @property
    def pcs(self) -> tuple[int, ...]:
        return tuple(sorted({m % 12 for m in self.midi}))

    @property
    def bass(self) -> int:
        return min(self.midi) % 12

    @property
    def symbol(self) -> str:
        s = PITCH[self.root] + self.quality
        return s if self.inversion == 0 else f"{s}/{PITCH[self.bass]}"

    @property
    def tuned_on(self) -> bool:
        return self.font == "FluidR3_GM" and self.program in TUNE_PROGRAMS


def voicings(seed: int, count: int) -> list[tuple[tuple[int, ...], int, str, int]]:
    """(midi notes, root pc, quality, inversion) in octaves 2–5."""
    rng = np.random.default_rng(seed)
    names = list(QUALITIES)
    out = []
    for i in range(count):
        quality = names[i % len(names)]
        iv = list(QUALITIES[quality])
        root = int(rng.integers(12))
        inversion = int(rng.integers(3)) if len(iv) < 5 else int(rng.integers(2))
        octave = int(rng.integers(2, 6))
        notes = [12 * (octave + 1) + root + x for x in iv]
        for k in range(inversion):
            notes[k] += 12
        notes.sort()
        while notes[-1] > 96:
            notes = [n - 12 for n in notes]
        while notes[0] < 36:
            notes = [n + 12 for n in notes]
        out.append((tuple(notes), root, quality, inversion))
    return out


def dev_voicings(seed: int, count: int) -> list[tuple[tuple[int, ...], int, str, int]]:
    """Development voicings (never used by the held-out split): every quality in every
    DEV_SHAPE, roots and octaves 2–4 at random; inversion 0 except for "close" (0–2)."""
    rng = np.random.default_rng(seed)
    names = list(QUALITIES)
    out = []
    for i in range(count):
        quality = names[int(rng.integers(len(names)))]
        shape = DEV_SHAPES[i % len(DEV_SHAPES)]
        iv = list(QUALITIES[quality])
        root = int(rng.integers(12))
        base = 12 * (int(rng.integers(2, 5)) + 1) + root
        notes = [base + x for x in iv]
        inversion = 0
        if shape == "close":
            inversion = int(rng.integers(3))
            for k in range(inversion):
                notes[k] += 12
        elif shape == "doubled root":  # root, then the chord an octave up (C3 C4 E4 G4)
            notes = [base] + [base + 12 + x for x in iv]
        elif shape == "bass octave":  # the root an octave below the close chord
            notes = [base - 12] + notes
        elif shape == "open":  # root, fifth/seventh, third an octave up
            notes = [base] + [base + x + (12 if x in (3, 4, 2, 5) else 0) for x in iv[1:]]
        elif shape == "drop2":  # second-highest note dropped an octave
            notes[-2] -= 12
        elif shape == "spread":  # every other note an octave up
            notes = [n + 12 * (k % 2) for k, n in enumerate(notes)]
        notes = sorted(set(notes))
        while notes[-1] > 96:
            notes = [n - 12 for n in notes]
        while notes[0] < 36:
            notes = [n + 12 for n in notes]
        if notes[0] % 12 != root:
            inversion = max(inversion, 1)
        out.append((tuple(notes), root, quality, inversion))
    return out


def build_set(
    count: int = 45, noise_every: int = 3, dev: bool = False
) -> tuple[list[Item], dict[tuple[str, int], tuple[np.ndarray, int]]]:
    """Render (or load cached) audio per soundfont × program; returns items and audio."""
    fonts = [f for f in find_soundfonts() if f.name in ("FluidR3_GM.sf2", "TimGM6mb.sf2")]
    if dev:
        fonts = [f for f in fonts if f.name == "FluidR3_GM.sf2"]
    items: list[Item] = []
    audio: dict[tuple[str, int], tuple[np.ndarray, int]] = {}
    CACHE.mkdir(parents=True, exist_ok=True)
    for fi, font in enumerate(fonts):
        for program in DEV_PROGRAMS if dev else PROGRAMS:
            seed = 1000 * fi + program
            chords = dev_voicings(7919 + seed, count) if dev else voicings(seed, count)
            tag = "dev_" if dev else ""
            wav = CACHE / f"{tag}{font.stem}_{program}_{count}.wav"
            if not wav.exists():
                midi = write_chords_midi(
                    [(c[0], CHORD_SECONDS) for c in chords],
                    program,
                    96,
                    wav.with_suffix(".mid"),
                    gap=GAP_SECONDS,
                )
                render_midi(midi, wav, font, 44100)
            clip = load_audio(wav)
            audio[(font.stem, program)] = (clip.samples, clip.sample_rate)
            for i, (notes, root, quality, inv) in enumerate(chords):
                start = i * (CHORD_SECONDS + GAP_SECONDS)
                items.append(
                    Item(font.stem, program, start, notes, root, quality, inv, i % noise_every == 1)
                )
    return items, audio


def window(
    item: Item, audio: dict, offset: float, seconds: float, seed: int
) -> tuple[np.ndarray, int]:
    x, sr = audio[(item.font, item.program)]
    a = int((item.start + offset) * sr)
    w = x[a : a + int(seconds * sr)].astype(np.float32).copy()
    if item.noisy:  # white or pink noise 20 dB below the chord's RMS
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal(len(w)).astype(np.float32)
        if seed % 2:
            spec = np.fft.rfft(noise)
            spec[1:] /= np.sqrt(np.arange(1, len(spec)))
            noise = np.fft.irfft(spec, len(w)).astype(np.float32)
        rms = np.sqrt(np.mean(w**2)) + 1e-9
        w += noise * (rms / 10 / (np.sqrt(np.mean(noise**2)) + 1e-12))
    return w, sr


def evaluate(detector, items, audio, offset, seconds, names: bool) -> list[dict]:
    rows = []
    for i, it in enumerate(items):
        w, sr = window(it, audio, offset, seconds, i)
        det = detector.detect(w, sr)
        row = {"pcs": det.pitch_classes == it.pcs, "bass": det.bass == it.bass}
        if names:
            row["name"] = bool(det.chords) and det.chords[0] == intended_name(it)
        rows.append(row)
    return rows


_NAME_CACHE: dict[str, str | None] = {}


def intended_name(item: Item) -> str | None:
    """The name theory gives the intended chord (its first guess from the true notes)."""
    key = f"{item.pcs}/{item.bass}"
    if key not in _NAME_CACHE:
        from kord_engine.audio.listen.naming import rank_chords

        cands = rank_chords(item.midi, item.pcs, item.bass, "pitch_classes")
        _NAME_CACHE[key] = str(cands[0].name) if cands else None
    return _NAME_CACHE[key]


def pct(rows: list[dict], key: str) -> str:
    return f"{100.0 * sum(r[key] for r in rows) / max(1, len(rows)):5.1f}%"


def report_dev(items: list[Item], results: dict[str, list[dict]], names: bool) -> None:
    """Print the development set's table: all, with noise, per program, per voicing shape."""
    keys = ["pcs", "bass"] + (["name"] if names else [])
    per_prog = {}
    for it in items:
        per_prog.setdefault(it.program, []).append(it)
    shape_of = {}
    for prog_items in per_prog.values():
        for i, it in enumerate(prog_items):
            shape_of[id(it)] = DEV_SHAPES[i % len(DEV_SHAPES)]
    shapes = [shape_of[id(it)] for it in items]
    splits = {"dev (all)": [True] * len(items), "dev with noise": [it.noisy for it in items]}
    for prog, label in DEV_PROGRAMS.items():
        splits[f"  program {prog} {label}"] = [it.program == prog for it in items]
    for shape in DEV_SHAPES:
        splits[f"  shape {shape}"] = [s == shape for s in shapes]
    print(
        f"\n{'dev split':40s} {'n':>4s}  "
        + "  ".join(f"{d}:{k:>5s}" for d in results for k in keys)
    )
    for split, mask in splits.items():
        cols = [
            pct([r for r, m in zip(rows, mask, strict=True) if m], k)
            for rows in results.values()
            for k in keys
        ]
        print(f"{split:40s} {sum(mask):4d}  " + "  ".join(f"{c:>{12}s}" for c in cols))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=45, help="chords per soundfont × program")
    parser.add_argument("--window", type=float, default=0.5, help="our window (s)")
    parser.add_argument("--no-names", action="store_true", help="skip chord-name scoring")
    parser.add_argument("--only", choices=["default", "kord", "ml", "hybrid"], default=None)
    parser.add_argument(
        "--ml", action="store_true", help="also score the shipped model and the hybrid"
    )
    parser.add_argument("--dev", action="store_true", help="score the development set instead")
    args = parser.parse_args(argv)
    from kord_engine.audio.listen.detect import make_detector

    t0 = time.perf_counter()
    items, audio = build_set(args.count, dev=args.dev)
    print(
        f"{len(items)} chords rendered/loaded in {time.perf_counter() - t0:.1f} s "
        f"({sum(it.noisy for it in items)} with noise at 20 dB SNR)"
    )
    names = not args.no_names
    if not names:  # score notes only (e.g. before kord_engine.theory is available)
        import kord_engine.audio.listen.naming as naming

        naming.rank_chords = lambda *a, **k: []
    results = {}
    runs = [("kord", 0.1, 1.0), ("default", 0.15, args.window)]
    if args.ml or args.only in ("ml", "hybrid"):
        runs += [("ml", 0.15, args.window), ("hybrid", 0.15, args.window)]
    for name, offset, seconds in runs:
        if args.only and name != args.only:
            continue
        det = make_detector(name)
        t = time.perf_counter()
        results[name] = evaluate(det, items, audio, offset, seconds, names)
        print(f"{name}: {1000 * (time.perf_counter() - t) / len(items):.1f} ms per chord")
    if args.dev:
        report_dev(items, results, names)
        return 0
    splits = {
        "tune (FluidR3 piano+organ)": [it.tuned_on for it in items],
        "held-out (all other)": [not it.tuned_on for it in items],
        "held-out TimGM6mb": [it.font == "TimGM6mb" for it in items],
        "held-out FluidR3 other programs": [
            it.font == "FluidR3_GM" and not it.tuned_on for it in items
        ],
        "held-out with noise": [not it.tuned_on and it.noisy for it in items],
    }
    for prog, label in PROGRAMS.items():
        splits[f"  program {prog} {label} (both fonts)"] = [it.program == prog for it in items]
    keys = ["pcs", "bass"] + (["name"] if names else [])
    print(f"\n{'split':40s} {'n':>4s}  " + "  ".join(f"{d}:{k:>5s}" for d in results for k in keys))
    summary = {}
    for split, mask in splits.items():
        cols = []
        for d, rows in results.items():
            sel = [r for r, m in zip(rows, mask, strict=True) if m]
            for k in keys:
                cols.append(pct(sel, k))
                summary[f"{split}|{d}|{k}"] = pct(sel, k).strip()
        print(
            f"{split:40s} {sum(mask):4d}  "
            + "  ".join(
                f"{c:>{len(d) + 6}s}"
                for c, d in zip(cols, [d for d in results for _ in keys], strict=True)
            )
        )
    captured = ROOT.parent / "shared" / "data" / "samples" / "captured"
    if captured.is_dir():  # kord's real recordings (1 Hz spectra of 10 s), via detect_spectrum
        from kord_engine.samples import list_samples, read_sample

        samples = [read_sample(f) for f in list_samples(captured)]
        for name in results:
            det = make_detector(name)
            got = [det.detect_spectrum(x.spectrum) for x in samples]
            pcs = sum(g.pitch_classes == x.pitch_classes for g, x in zip(got, samples, strict=True))
            bass = sum(g.bass == min(x.note_ids) % 12 for g, x in zip(got, samples, strict=True))
            print(
                f"captured .bin ({len(samples)}), {name:7s}: exact pcs {100 * pcs / len(samples):5.1f}%, "
                f"bass {100 * bass / len(samples):5.1f}%"
            )
    (CACHE / "last_results.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

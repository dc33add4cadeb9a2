"""Every detector under real-world conditions: any tuning, a room, a laptop microphone (prints
figures, asserts nothing).

What it measures. Chords (triads, sevenths, sus, dim, aug, add9, 6, 9; random roots, inversions
and octaves 2–5; seeded) are rendered with fluidsynth through several General MIDI programs of
BOTH system soundfonts (FluidR3_GM and TimGM6mb). Detuning is the renderer's: one WAV per
(font, program, cents), each chord bent by a MIDI pitch bend (see below), chords 1.5 s apart by
0.8 s gaps, cached under .hidden/bench/conditions/. The samples themselves are a little out of
tune (TimGM6mb ~+2 to +4 cents on most programs; single high piano, string and organ samples
5–20 cents sharp; measured on every note used, rendered alone: the energy centroid of its
first three partials, see `partial_cents` — an ensemble's partials are clusters), so each
chord's bend is corrected by the mean of its notes' own tuning: a condition's cents are what
the chord SOUNDS at. Without that, "+45" on those samples sounded at +48 to +60 — past the
±50-cent range, where the semitone above, played flat, is the same sound — and no estimator
could name them right (`--raw-bend` measures the old way). Each chord is then cut into its own clip
(onset .. onset + 1.5 s + 0.3 s tail) — ONE chord per clip, as `kord analyze FILE --json` sees a
file — and put through each listening condition (kord_engine.audio.sound.conditions: a room of RT60
0.7 s, a laptop microphone 150 Hz–6 kHz with pink noise at 18 dB SNR, everything at once), with
an rng seeded per chord and condition, so every detector hears the same audio.

Every detector (hybrid, default, ml, kord) analyses every clip through the file path,
`analyze_clip(clip, detector, tuning=...)` (the tuning keyword only where analyze_clip has it;
`--tuning 440` reads against A440, the "before" figures). The table gives, per condition and
detector, the exact pitch-class set % and, in parentheses, the bass % (lowest MIDI note % 12).

The tuning estimator (kord_engine.audio.listen.tuning.estimate_tuning) is scored on every clip twice:
(a) against the condition's tuning (the sounding one; with --raw-bend, the bend), and (b) its
tracking error, estimate(condition) − estimate(same chord, in tune, dry) − cents — what the
estimator gets wrong whatever is left of the samples' own tuning (single samples still sit up
to ~±10 cents off their instrument's median). Errors are circular (the estimate lives in ±50
cents); "flip" is the share whose raw (a) error passes 50 cents: the estimate took the
neighbouring semitone. Note: fluidsynth renders positive bends ~1 cent short (+10 → +9.1,
+45 → +44.0 measured on the fundamental of A3; negative bends are exact), which shows up as a
~1-cent error on the positive tunings.

Run:   .venv/bin/python benchmarks/bench_conditions.py            (held-out figure)
       .venv/bin/python benchmarks/bench_conditions.py --tuning 440   (no tuning correction)
       .venv/bin/python benchmarks/bench_conditions.py --dev      (development split: other
           programs and seeds; tune detector knobs on this one only)
Options: --count N (chords per font × program), --only DETECTOR, --conditions "room,all at once",
--json PATH.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import sys
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.audio.input.decode import AudioClip, load_audio  # noqa: E402
from kord_engine.audio.listen.tuning import estimate_tuning  # noqa: E402
from kord_engine.audio.sound.conditions import Condition, apply_condition  # noqa: E402
from kord_engine.audio.sound.fluidsynth import find_soundfonts, render_midi, write_chords_midi  # noqa: E402

CACHE = ROOT / ".hidden" / "bench" / "conditions"
SAMPLE_RATE = 44100
VELOCITY = 96
CHORD_SECONDS, GAP_SECONDS, TAIL_SECONDS = 1.5, 0.8, 0.3
FONTS = ("FluidR3_GM", "TimGM6mb")
DETECTORS = ("hybrid", "default", "ml", "kord")
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_detect_accuracy import QUALITIES  # noqa: E402  (the same chord qualities)

#: held-out programs (the default run) and the development split's (--dev)
PROGRAMS = {
    0: "piano",
    4: "epiano",
    6: "harpsichord",
    19: "church organ",
    24: "nylon",
    25: "steel",
    46: "harp",
    48: "strings",
    61: "brass",
}
DEV_PROGRAMS = {
    1: "bright piano",
    5: "epiano 2",
    16: "drawbar organ",
    26: "jazz gtr",
    42: "cello",
    49: "slow strings",
    56: "trumpet",
    71: "clarinet",
}
FAMILY = {
    **dict.fromkeys((0, 1, 4, 5, 6), "keys"),
    **dict.fromkeys((16, 19), "organ"),
    **dict.fromkeys((24, 25, 26, 46), "plucked"),
    **dict.fromkeys((42, 48, 49), "strings"),
    **dict.fromkeys((56, 61, 71), "brass/winds"),
}
TUNINGS = (-45, -32, -20, -10, 10, 20, 32, 45)
CONDITIONS = (
    Condition("in tune dry"),
    *(
        Condition(f"tuning {c:+d}" + (" (A=432)" if c == -32 else ""), cents=float(c))
        for c in TUNINGS
    ),
    Condition("room (RT60 0.7 s)", rt60=0.7),
    Condition("laptop mic + noise", mic=True, snr_db=18.0),
    Condition("all at once", cents=-25.0, rt60=0.7, mic=True, snr_db=18.0),
)
ALL_AT_ONCE = "all at once"
PITCH = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True)
class Item:
    font: str
    program: int
    index: int  # position in its (font, program) render
    midi: tuple[int, ...]
    root: int
    quality: str
    inversion: int

    @property
    def pcs(self) -> tuple[int, ...]:
        return tuple(sorted({m % 12 for m in self.midi}))

    @property
    def bass(self) -> int:
        return min(self.midi) % 12

    @property
    def family(self) -> str:
        return FAMILY.get(self.program, "other")

    @property
    def start(self) -> float:
        return self.index * (CHORD_SECONDS + GAP_SECONDS)

    @property
    def symbol(self) -> str:
        s = PITCH[self.root] + self.quality
        return s if self.inversion == 0 else f"{s}/{PITCH[self.bass]}"


def voicings(seed: int, count: int, offset: int) -> list[tuple[tuple[int, ...], int, str, int]]:
    """(midi notes, root pc, quality, inversion): qualities in turn from `offset` (so all of
    them come up evenly across renders), random roots, inversions and octaves 2–5."""
    rng = np.random.default_rng(seed)
    names = list(QUALITIES)
    out = []
    for i in range(count):
        quality = names[(offset + i) % len(names)]
        iv = list(QUALITIES[quality])
        root = int(rng.integers(12))
        inversion = int(rng.integers(len(iv) if len(iv) < 5 else 3))
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


def render(
    font: Path, program: int, cents: float, chords: list[tuple[int, ...]], bends: list[float]
) -> np.ndarray:
    """The (cached) render of `chords` on `program` of `font`, each bent by its `bends` entry
    (the condition's `cents` names the file)."""
    spec = json.dumps([chords, CHORD_SECONDS, GAP_SECONDS, VELOCITY, SAMPLE_RATE, bends])
    key = hashlib.sha1(spec.encode()).hexdigest()[:10]
    wav = CACHE / f"{font.stem}_{program}_{cents:+.0f}c_{key}.wav"
    if not wav.exists():
        midi = write_chords_midi(
            [(c, CHORD_SECONDS) for c in chords],
            program,
            VELOCITY,
            wav.with_suffix(".mid"),
            gap=GAP_SECONDS,
            cents=bends,
        )
        render_midi(midi, wav, font, SAMPLE_RATE)
        wav.with_suffix(".mid").unlink(missing_ok=True)
    clip = load_audio(wav)
    if clip.sample_rate != SAMPLE_RATE:
        raise SystemExit(f"{wav}: expected {SAMPLE_RATE} Hz, got {clip.sample_rate}")
    return clip.samples


def partial_cents(note: np.ndarray, midi: int, sample_rate: int) -> float:
    """Cents from equal temperament (A440) of a single note: the energy centroid (|X|²) of
    each of its first three partials within ±35 cents on a 2^20-point spectrum, averaged with
    the partials' energies as weights. An ensemble sample (strings: every partial a cluster of
    chorused voices ±30 cents wide) sounds at its cluster's centroid; its strongest voice
    (what this measured until 2026-12) sits up to 13 cents off it, and the chords' bends were
    corrected by that error (FluidR3 and TimGM strings then read 5–8 cents sharp to the
    estimator; single clean samples measure within 1 cent either way)."""
    n_fft = 1 << 20
    power = np.abs(np.fft.rfft(note * np.hanning(len(note)), n_fft)) ** 2
    freqs = np.arange(len(power)) * sample_rate / n_fft
    f0 = 440.0 * 2 ** ((midi - 69) / 12)
    num = den = 0.0
    for h in (1, 2, 3):
        lo, hi = f0 * h * 2 ** (-0.35 / 12), f0 * h * 2 ** (0.35 / 12)
        band = np.flatnonzero((freqs > lo) & (freqs < hi))
        w = power[band]
        if not band.size or w.sum() <= 0:
            continue
        cents = 1200 * np.log2(freqs[band] / (f0 * h))
        num += float(np.sum(cents * w))
        den += float(w.sum())
    return num / den if den > 0 else 0.0


def note_cents(font: Path, program: int, notes: set[int]) -> dict[int, float]:
    """Each note's own tuning in cents on `program` of `font`, rendered alone without a bend
    (cached): the renderer's samples are off by a few cents (TimGM6mb ~+3; some high piano,
    string and organ samples 5–20), which each chord's bend is corrected by."""
    cache = CACHE / "note_cents_centroid.json"  # (the method changed: a new table)
    table = json.loads(cache.read_text()) if cache.exists() else {}
    name = f"{font.stem}/{program}"
    known = {int(k): v for k, v in table.get(name, {}).items()}
    todo = sorted(set(notes) - set(known))
    if todo:
        CACHE.mkdir(parents=True, exist_ok=True)
        wav = CACHE / f"notes_{font.stem}_{program}.wav"
        midi = write_chords_midi(
            [((m,), 1.5) for m in todo], program, VELOCITY, wav.with_suffix(".mid"), gap=0.5
        )
        render_midi(midi, wav, font, SAMPLE_RATE)
        x = load_audio(wav).samples
        wav.with_suffix(".mid").unlink(missing_ok=True)
        wav.unlink(missing_ok=True)
        for i, m in enumerate(todo):
            a = int((i * 2.0 + 0.1) * SAMPLE_RATE)
            clip = x[a : a + int(1.2 * SAMPLE_RATE)]
            known[m] = round(partial_cents(clip, m, SAMPLE_RATE), 1)
        table[name] = {str(k): v for k, v in sorted(known.items())}
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(table, indent=1, sort_keys=True))
        tmp.replace(cache)
    return known


def build_set(count: int, dev: bool) -> tuple[list[Item], dict[str, Path]]:
    """Items (chords) and the soundfonts by name; renders are made lazily (`Clips`)."""
    fonts = {f.stem: f for f in find_soundfonts() if f.stem in FONTS}
    missing = [f for f in FONTS if f not in fonts]
    if missing:
        raise SystemExit(f"soundfonts not found: {', '.join(missing)} (install fluid-soundfont-gm)")
    items: list[Item] = []
    offset = 0
    for fi, stem in enumerate(FONTS):
        for program in DEV_PROGRAMS if dev else PROGRAMS:
            seed = (104_729 if dev else 31) + 1000 * fi + program
            for i, (notes, root, quality, inv) in enumerate(voicings(seed, count, offset)):
                items.append(Item(stem, program, i, notes, root, quality, inv))
            offset += count
    return items, fonts


class Clips:
    """One-chord clips per (item, cents), cut from the cached renders. With `own` (cents per
    note, per (font, program)) each chord's bend is `cents −` the mean of its notes' own
    tuning: a condition's cents are then the tuning the chord SOUNDS at, not the bend asked
    of slightly mistuned samples."""

    def __init__(
        self,
        items: list[Item],
        fonts: dict[str, Path],
        own: dict[tuple[str, int], dict[int, float]] | None = None,
    ):
        self.fonts = fonts
        self.own = own or {}
        self.by_render: dict[tuple[str, int], list[Item]] = {}
        for it in items:
            self.by_render.setdefault((it.font, it.program), []).append(it)
        self.audio: dict[tuple[str, int, float], np.ndarray] = {}

    def bends(self, stem: str, program: int, cents: float, chords: list) -> list[float]:
        """Each chord's bend: `cents` less its notes' mean own tuning (none known: `cents`)."""
        own = self.own.get((stem, program), {})
        return [
            round(cents - (float(np.mean([own[n] for n in c])) if own else 0.0), 1) for c in chords
        ]

    def prepare(self, cents: float) -> None:
        for (stem, program), its in self.by_render.items():
            k = (stem, program, cents)
            if k not in self.audio:
                chords = [it.midi for it in sorted(its, key=lambda it: it.index)]
                bends = self.bends(stem, program, cents, chords)
                self.audio[k] = render(self.fonts[stem], program, cents, chords, bends)

    def drop(self, cents: float) -> None:
        for k in [k for k in self.audio if k[2] == cents]:
            del self.audio[k]

    def clip(self, it: Item, cents: float) -> np.ndarray:
        self.prepare(cents)
        x = self.audio[(it.font, it.program, cents)]
        a = int(round(it.start * SAMPLE_RATE))
        b = a + int(round((CHORD_SECONDS + TAIL_SECONDS) * SAMPLE_RATE))
        return x[a:b].astype(np.float32, copy=True)


def has_tuning_keyword() -> bool:
    from kord_engine.audio.listen.analysis import analyze_clip

    return "tuning" in inspect.signature(analyze_clip).parameters


def wrap(cents: float) -> float:
    """A cents difference on the estimator's circle (−50, 50]."""
    return float(-((-cents + 50.0) % 100.0 - 50.0))


def error_stats(errors: list[float]) -> dict:
    a = np.abs(np.asarray(errors, dtype=np.float64))
    if not len(a):
        return {"median": None, "p90": None, "within3": None}
    return {
        "median": round(float(np.median(a)), 2),
        "p90": round(float(np.percentile(a, 90)), 2),
        "within3": round(100.0 * float(np.mean(a <= 3.0)), 1),
    }


def pct(hits: list[bool]) -> float:
    return 100.0 * sum(hits) / max(1, len(hits))


def score(hits: list[tuple[bool, bool, bool]]) -> tuple[float, float | None]:
    """(exact set %, bass %); bass None when the detector never reported a bass (the shipped
    ML model predicts pitch classes only)."""
    bass = pct([b for _, b, _ in hits]) if any(r for _, _, r in hits) else None
    return pct([a for a, _, _ in hits]), bass


def cell(sets: float, bass: float | None) -> str:
    return f"{sets:5.1f} ({'  n/a' if bass is None else f'{bass:5.1f}'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=7, help="chords per font × program")
    parser.add_argument("--dev", action="store_true", help="the development split instead")
    parser.add_argument("--only", choices=DETECTORS, default=None, help="one detector only")
    parser.add_argument(
        "--conditions", default=None, help="comma-separated condition names (default: all)"
    )
    parser.add_argument(
        "--tuning",
        choices=("auto", "440"),
        default="auto",
        help="analyze_clip's tuning: estimate it (auto) or read against A440 (440)",
    )
    parser.add_argument(
        "--raw-bend",
        action="store_true",
        help="bend every instrument by the condition's cents as they are, without correcting "
        "for the samples' own tuning (so '+45' may sound at +50 or past it)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all figures here too")
    args = parser.parse_args(argv)

    from kord_engine.audio.listen.analysis import analyze_clip
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.errors import KordError

    conditions = list(CONDITIONS)
    if args.conditions:
        wanted = [w.strip().lower() for w in args.conditions.split(",") if w.strip()]
        conditions = [c for c in CONDITIONS if any(c.name.lower().startswith(w) for w in wanted)]
        if not conditions:
            names = "; ".join(c.name for c in CONDITIONS)
            raise SystemExit(f"no condition matches {args.conditions!r} (choose from: {names})")

    tuning_kw = has_tuning_keyword()
    kwargs: dict = {}
    if tuning_kw:
        kwargs["tuning"] = "auto" if args.tuning == "auto" else 440.0
        print(f"analyze_clip(tuning={kwargs['tuning']!r})")
    else:
        print(
            "analyze_clip has no tuning keyword yet: every detector reads against A440"
            + (" (--tuning auto is not available)" if args.tuning == "auto" else "")
        )

    detectors = {}
    for name in DETECTORS:
        if args.only and name != args.only:
            continue
        try:
            detectors[name] = make_detector(name)
        except KordError as exc:
            print(f"{name}: skipped ({exc})")

    items, fonts = build_set(args.count, args.dev)
    programs = DEV_PROGRAMS if args.dev else PROGRAMS
    print(
        f"{'dev' if args.dev else 'held-out'} split: {len(items)} chords = {len(FONTS)} fonts × "
        f"{len(programs)} programs ({', '.join(programs.values())}) × {args.count}"
    )
    used: dict[tuple[str, int], set[int]] = {}
    for it in items:
        used.setdefault((it.font, it.program), set()).update(it.midi)
    own = {} if args.raw_bend else {k: note_cents(fonts[k[0]], k[1], v) for k, v in used.items()}
    print(
        "bends as asked (--raw-bend: the samples' own tuning not corrected)"
        if args.raw_bend
        else "each chord's bend corrected by its notes' own tuning (single "
        "notes' partials, energy centroid): a condition's cents are what the chord sounds at"
    )
    clips = Clips(items, fonts, own)
    t0 = time.perf_counter()
    for cents in sorted({0.0, *(c.cents for c in conditions)}):
        clips.prepare(cents)
        if cents:
            clips.drop(cents)
    print(f"renders ready in {time.perf_counter() - t0:.1f} s (cache: {CACHE})")

    # the in-tune dry estimate of every chord: the baseline of the tracking error
    dry_est = [estimate_tuning(clips.clip(it, 0.0), SAMPLE_RATE).cents for it in items]

    hits: dict[str, dict[str, list[tuple[bool, bool, bool]]]] = {}
    tune_err: dict[str, dict[str, list[float]]] = {}
    seconds = dict.fromkeys(detectors, 0.0)
    calls = dict.fromkeys(detectors, 0)
    wrong: dict[str, dict[str, int]] = {}  # condition → detector → empty detections
    t_all = time.perf_counter()
    for cond in conditions:
        hits[cond.name] = {d: [] for d in detectors}
        tune_err[cond.name] = {"vs_bend": [], "tracking": [], "raw": []}
        wrong[cond.name] = dict.fromkeys(detectors, 0)
        salt = zlib.crc32(cond.name.encode())
        for k, it in enumerate(items):
            rng = np.random.default_rng([salt, zlib.crc32(f"{it.font}/{it.program}".encode()), k])
            x = apply_condition(clips.clip(it, cond.cents), SAMPLE_RATE, cond, rng)
            est = estimate_tuning(x, SAMPLE_RATE).cents
            raw = est - cond.cents
            tune_err[cond.name]["raw"].append(raw)
            tune_err[cond.name]["vs_bend"].append(wrap(raw))
            tune_err[cond.name]["tracking"].append(wrap(est - dry_est[k] - cond.cents))
            clip = AudioClip(x, SAMPLE_RATE, 1, f"{it.font}_{it.program}_{it.symbol}.wav")
            for name, det in detectors.items():
                t = time.perf_counter()
                got = analyze_clip(clip, det, **kwargs)
                seconds[name] += time.perf_counter() - t
                calls[name] += 1
                wrong[cond.name][name] += got.is_empty
                hits[cond.name][name].append(
                    (got.pitch_classes == it.pcs, got.bass == it.bass, got.bass is not None)
                )
        if cond.cents:
            clips.drop(cond.cents)
    print(f"analysed in {time.perf_counter() - t_all:.1f} s\n")

    figures: dict = {
        "split": "dev" if args.dev else "held-out",
        "bends": "raw" if args.raw_bend else "each chord's corrected by its notes' own tuning",
        "note_cents": {f"{k[0]} {k[1]}": v for k, v in sorted(own.items())},
        "tuning": kwargs.get("tuning", "none (no keyword)"),
        "chords": len(items),
        "count": args.count,
        "conditions": {},
        "families_all_at_once": {},
        "ms_per_analysis": {},
    }

    # — detection table —
    width = 14
    names = list(detectors)
    print(f"{'condition':24s} {'n':>4s}  " + "".join(f"{d:>{width}s}" for d in names))
    print(f"{'':24s} {'':4s}  " + "".join(f"{'sets (bass)':>{width}s}" for _ in names))
    cond_names = [c.name for c in conditions]
    tuning_rows = [c.name for c in conditions if c.cents and not c.rt60 and not c.mic]

    def row(label: str, rows: list[str], store: bool) -> None:
        cells = []
        n = 0
        for d in names:
            h = [x for r in rows for x in hits[r][d]]
            n = len(h)
            sets, bass = score(h)
            cells.append(cell(sets, bass))
            if store:
                figures["conditions"].setdefault(label, {})[d] = {
                    "sets": round(sets, 1),
                    "bass": None if bass is None else round(bass, 1),
                    "n": n,
                    "empty": wrong[rows[0]][d],
                }
        print(f"{label:24s} {n:4d}  " + "".join(f"{c:>{width}s}" for c in cells))

    for name in cond_names:
        row(name, [name], True)
    if len(tuning_rows) > 1:
        row(f"(all {len(tuning_rows)} tunings)", tuning_rows, False)

    # — tuning estimate —
    print(
        "\ntuning estimate |error| in cents: (a) vs the condition's tuning (the sounding one;"
        " with --raw-bend the bend), (b) tracking = est(cond) − est(in tune, dry) − cents"
    )
    print(
        f"{'condition':24s} {'n':>4s}  {'(a) med':>8s} {'p90':>6s} {'≤3c':>6s} {'flip':>6s}"
        f"   {'(b) med':>8s} {'p90':>6s} {'≤3c':>6s}"
    )
    for name in cond_names:
        e = tune_err[name]
        a, b = error_stats(e["vs_bend"]), error_stats(e["tracking"])
        flip = pct([abs(r) > 50 for r in e["raw"]])
        print(
            f"{name:24s} {len(e['raw']):4d}  {a['median']:8.1f} {a['p90']:6.1f} "
            f"{a['within3']:5.1f}% {flip:5.1f}%   {b['median']:8.1f} {b['p90']:6.1f} "
            f"{b['within3']:5.1f}%"
        )
        figures["conditions"].setdefault(name, {})["tuning_estimate"] = {
            "vs_bend": a,
            "tracking": b,
            "flip_pct": round(flip, 1),
        }
    # the samples' own tuning, per render (median in-tune dry estimate)
    est_own: dict[str, list[float]] = {}
    for it, c in zip(items, dry_est, strict=True):
        est_own.setdefault(f"{it.font} {it.program} {programs[it.program]}", []).append(c)
    own_median = {k: round(float(np.median(v)), 1) for k, v in est_own.items()}
    figures["soundfont_own_cents"] = own_median
    print(
        "\ninstruments' own tuning, cents: median of its notes alone (partials' energy centroid; each chord's"
        " bend corrected by its notes' mean) | the estimator on the in-tune dry chords (median)"
    )
    print(
        f"  {'program':20s}"
        + "".join(f"{f:>12s}" for f in FONTS)
        + "  |"
        + "".join(f"{f:>12s}" for f in FONTS)
    )
    for program, label in programs.items():
        fund = [
            float(np.median(list(own[(f, program)].values()))) if (f, program) in own else None
            for f in FONTS
        ]
        vals = [own_median.get(f"{f} {program} {label}") for f in FONTS]
        print(
            f"  {f'{program} {label}':20s}"
            + "".join("n/a".rjust(12) if v is None else f"{v:+12.1f}" for v in fund)
            + "  |"
            + "".join("".rjust(12) if v is None else f"{v:+12.1f}" for v in vals)
        )

    # — per family, all at once —
    if ALL_AT_ONCE in hits:
        print(f"\n{ALL_AT_ONCE} (−25 cents + room + mic + noise), per family:")
        print(f"{'family':24s} {'n':>4s}  " + "".join(f"{d:>{width}s}" for d in names))
        families = sorted({it.family for it in items})
        for fam in families:
            mask = [it.family == fam for it in items]
            cells = []
            for d in names:
                h = [x for x, m in zip(hits[ALL_AT_ONCE][d], mask, strict=True) if m]
                sets, bass = score(h)
                cells.append(cell(sets, bass))
                figures["families_all_at_once"].setdefault(fam, {})[d] = {
                    "sets": round(sets, 1),
                    "bass": None if bass is None else round(bass, 1),
                    "n": len(h),
                }
            print(f"{fam:24s} {sum(mask):4d}  " + "".join(f"{c:>{width}s}" for c in cells))

    # — speed —
    print("\nmean time per analysis (analyze_clip, one 1.8-s clip):")
    for d in names:
        ms = 1000.0 * seconds[d] / max(1, calls[d])
        figures["ms_per_analysis"][d] = round(ms, 2)
        print(f"  {d:8s} {ms:6.1f} ms")

    if args.json:
        figures["condition_specs"] = [asdict(c) for c in conditions]
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

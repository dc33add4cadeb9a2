"""Fine-tuning the default model on a few recorded chords of an instrument it never heard.

For each instrument (a GM program the default model was never trained on, from both
soundfonts, each in its own room: some detuned, some through a laptop mic with noise), the
bench renders with fluidsynth the chords a musician would record (`chord_set("default")`,
80 of them) and 100 OTHER chords (other symbols, some an octave up or down), cuts each after
its onset as the recording page does (`gather.cut_take`) and saves it as a take
(`recordings.save_take`: spectrum warped onto A440 by the estimated tuning). Then for 10 / 20 /
40 / 80 recorded chords it fine-tunes with the defaults (`finetune_config(default model,
[those takes], out)` + `train`, exactly what `kord ml train --init-from` runs) and prints
exact pitch-class-set accuracy on the 100 other chords before / after, on kord's captured
piano recordings (all 132, and the 33 the default model never trained on) before / after, and
the fine-tune's wall time (data + training + export), on this machine's CPU.

Issue 11's goal: with 40 chords, +15 points or ≥ 95 % on the other chords, ≤ 2 points lost
on the captured recordings, under 2 minutes.

Run:   .venv/bin/python benchmarks/bench_finetune.py
       .venv/bin/python benchmarks/bench_finetune.py --sizes 40 --instruments 2
       .venv/bin/python benchmarks/bench_finetune.py --set epochs=4 --set lr=1e-3
Renders and takes are cached under .hidden/bench/finetune/ (delete it to re-render).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.audio.sound.conditions import Condition, apply_condition  # noqa: E402
from kord_engine.audio.sound.fluidsynth import find_soundfonts, render_chords  # noqa: E402
from kord_engine.ml.chord_sets import ChordPrompt, chord_set  # noqa: E402
from kord_engine.ml.finetune import exact_accuracy, finetune_config, stage_samples  # noqa: E402
from kord_engine.ml.gather import cut_take  # noqa: E402
from kord_engine.ml.recordings import save_take, takes_in  # noqa: E402
from kord_engine.resources import default_model_dir  # noqa: E402

CACHE = ROOT / ".hidden" / "bench" / "finetune"
CAPTURED = ROOT.parent / "shared" / "data" / "samples" / "captured"
RATE = 22050
CHORD_SECONDS = 2.0
GAP_SECONDS = 1.5
TRAIN_POOL = 80
TEST_COUNT = 100


@dataclass(frozen=True)
class Instrument:
    """A GM program of a soundfont, in a room of its own."""

    font: str
    program: int
    name: str
    condition: Condition

    @property
    def key(self) -> str:
        return f"{self.font}_{self.program}_{self.condition.name}"


# Never in the default model's training renders (scripts/render_training_data.py's
# TRAIN_PROGRAMS); 27 is one of its report-only holdouts, the others were never rendered.
INSTRUMENTS = (
    Instrument("FluidR3_GM", 6, "harpsichord", Condition("dry, in tune")),
    Instrument(
        "TimGM6mb", 46, "harp", Condition("+15 c, mic + noise 20 dB", 15.0, mic=True, snr_db=20.0)
    ),
    Instrument("FluidR3_GM", 27, "clean e-guitar", Condition("-25 c, room 0.7 s", -25.0, rt60=0.7)),
    Instrument(
        "TimGM6mb",
        105,
        "banjo",
        Condition("-10 c, room + noise 25 dB", -10.0, rt60=0.5, snr_db=25.0),
    ),
    Instrument("TimGM6mb", 11, "vibraphone", Condition("dry, in tune")),
    Instrument("FluidR3_GM", 46, "harp", Condition("+30 c, room 0.4 s", 30.0, rt60=0.4)),
)


def test_prompts(train: list[ChordPrompt], count: int, seed: int) -> list[ChordPrompt]:
    """`count` chords whose symbols the musician did not record, a quarter an octave down and
    a quarter up (kept within MIDI 36..96)."""
    seen = {p.symbol for p in train}
    pool = [p for p in chord_set("triads") + chord_set("sevenths") if p.symbol not in seen]
    pool += [p for p in chord_set("default", count=288, seed=seed + 1) if p.symbol not in seen]
    pool = list(dict.fromkeys(pool))
    rng = np.random.default_rng(seed)
    picked = [pool[i] for i in rng.permutation(len(pool))[:count]]
    out = []
    for p in picked:
        shift = int(rng.choice([-12, 0, 0, 12]))
        if min(p.notes) + shift < 36 or max(p.notes) + shift > 96:
            shift = 0
        out.append(ChordPrompt(p.symbol, tuple(n + shift for n in p.notes)))
    return out


def record_takes(inst: Instrument, prompts: list[ChordPrompt], folder: Path, seed: int) -> None:
    """Render `prompts` on the instrument, put each through its room, cut and save the takes."""
    fonts = {f.stem: f for f in find_soundfonts()}
    if inst.font not in fonts:
        raise SystemExit(f"soundfont {inst.font} not found (install fluid-soundfont-gm, timgm6mb)")
    audio, rate, spans = render_chords(
        [(p.notes, CHORD_SECONDS) for p in prompts],
        fonts[inst.font],
        inst.program,
        velocity=90,
        sample_rate=RATE,
        gap=GAP_SECONDS,
        cents=inst.condition.cents,
    )
    lead = int(0.5 * rate)  # silence before the first chord, as before every other one
    audio = np.concatenate([np.zeros(lead, np.float32), audio])
    for i, (prompt, (start, end, _notes)) in enumerate(zip(prompts, spans, strict=True)):
        start, end = start + 0.5, end + 0.5
        lo = int((start - 0.4) * rate)
        piece = audio[lo : int((end + GAP_SECONDS * 0.9) * rate)]
        rng = np.random.default_rng([seed, i])
        piece = apply_condition(piece, rate, inst.condition, rng)
        take = cut_take(piece, rate)
        if take is None:
            print(f"  {inst.key}: no onset heard for {prompt.symbol}; skipped", file=sys.stderr)
            continue
        save_take(inst.name, take, rate, prompt.notes, prompt.symbol, directory=folder)


def takes_for(inst: Instrument, seed: int) -> tuple[list[Path], list[Path]]:
    """(the 80 recorded chords in recording order, the 100 test chords): cached takes."""
    train = chord_set("default", count=TRAIN_POOL, seed=seed)
    test = test_prompts(train, TEST_COUNT, seed + 7)
    spec = json.dumps([inst.key, [p.notes for p in train], [p.notes for p in test], RATE])
    base = CACHE / f"{inst.key.replace(' ', '')}_{hashlib.sha1(spec.encode()).hexdigest()[:8]}"
    for name, prompts in (("train", train), ("test", test)):
        folder = base / name
        if not (folder / ".done").exists():
            record_takes(inst, prompts, folder, seed + (name == "test"))
            (folder / ".done").write_text("ok\n")
    return (
        [t.sample for t in takes_in(base / "train")],
        [t.sample for t in takes_in(base / "test")],
    )


def captured_sets() -> dict[str, list[Path]]:
    """kord's captured piano recordings: all, and the 25 % (by sha256 of the file name) the
    default model's training never saw (scripts/train_default_model.sh's split)."""
    files = sorted(CAPTURED.glob("*.bin"))
    if not files:
        return {}
    by_hash = sorted(files, key=lambda f: hashlib.sha256(f.name.encode()).hexdigest())
    return {"captured": files, "captured held-out": by_hash[: round(len(files) * 0.25)]}


def parse_sets(values: list[str]) -> dict:
    out = {}
    for item in values:
        key, _, value = item.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def finetune(
    paths: list[Path], work: Path, overrides: dict, threads: int
) -> tuple[Path, float, dict]:
    """Fine-tune the default model on `paths`; (model folder, wall seconds, report)."""
    from kord_engine.ml.train import train

    mine = stage_samples(paths, work / "mine")
    config = finetune_config(
        default_model_dir(), [mine], work / "model", **{"threads": threads, **overrides}
    )
    started = time.perf_counter()
    result = train(config)
    return result.destination, time.perf_counter() - started, result.report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,20,40,80", help="recorded chords per fine-tune")
    parser.add_argument("--instruments", type=int, default=4, help=f"of {len(INSTRUMENTS)}")
    parser.add_argument("--only", default=None, help="instruments whose name contains this")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="a fine-tune override (TrainConfig field or replay_share), e.g. epochs=4",
    )
    parser.add_argument("--json", default=str(CACHE / "results.json"), help="results file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    overrides = parse_sets(args.set)
    model = default_model_dir()
    captured = captured_sets()
    before_captured = {k: exact_accuracy(model, v) for k, v in captured.items()}
    print(f"default model {model}; fine-tune overrides {overrides or 'none (the defaults)'}")
    print(
        "captured before: "
        + ", ".join(f"{k} {v:.1%} (n={len(captured[k])})" for k, v in before_captured.items())
    )
    rows = []
    chosen = [i for i in INSTRUMENTS if args.only is None or args.only in i.name]
    for inst in chosen[: args.instruments]:
        train_paths, test_paths = takes_for(inst, args.seed)
        before = exact_accuracy(model, test_paths)
        print(
            f"\n{inst.font} {inst.program} {inst.name} ({inst.condition.name}): "
            f"{len(train_paths)} recorded, {len(test_paths)} other chords; before {before:.1%}"
        )
        for n in sizes:
            with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
                out, seconds, report = finetune(train_paths[:n], Path(tmp), overrides, args.threads)
                after = exact_accuracy(out, test_paths)
                after_captured = {k: exact_accuracy(out, v) for k, v in captured.items()}
            row = {
                "instrument": f"{inst.font} {inst.program} {inst.name}",
                "condition": inst.condition.name,
                "recorded": n,
                "test_n": len(test_paths),
                "before": before,
                "after": after,
                "captured_before": before_captured,
                "captured_after": after_captured,
                "seconds": seconds,
                "train_rows": report.get("counts", {}).get("train"),
            }
            rows.append(row)
            cap = ", ".join(
                f"{k} {before_captured[k]:.1%}→{v:.1%}" for k, v in after_captured.items()
            )
            print(
                f"  {n:>3} chords: other chords {before:.1%} → {after:.1%} "
                f"({100 * (after - before):+.1f}); {cap}; {seconds:.0f} s"
            )
    print("\nsummary (mean over instruments):")
    for n in sizes:
        sel = [r for r in rows if r["recorded"] == n]
        if not sel:
            continue
        gain = np.mean([r["after"] - r["before"] for r in sel]) * 100
        hit = sum((r["after"] - r["before"] >= 0.15) or r["after"] >= 0.95 for r in sel)
        drops = {
            k: np.mean([r["captured_after"][k] - r["captured_before"][k] for r in sel]) * 100
            for k in captured
        }
        worst = {
            k: min(r["captured_after"][k] - r["captured_before"][k] for r in sel) * 100
            for k in captured
        }
        print(
            f"  {n:>3} chords: before {np.mean([r['before'] for r in sel]):.1%}, after "
            f"{np.mean([r['after'] for r in sel]):.1%} ({gain:+.1f} points; goal met "
            f"{hit}/{len(sel)}); captured "
            + ", ".join(f"{k} {drops[k]:+.1f} (worst {worst[k]:+.1f})" for k in captured)
            + f"; time {np.mean([r['seconds'] for r in sel]):.0f} s "
            f"(max {max(r['seconds'] for r in sel):.0f} s)"
        )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"overrides": overrides, "rows": rows}, indent=2))
    print(f"results in {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Do the detectors still say the same? Every live event and file result, saved and compared.

    .venv/bin/python benchmarks/bench_live_labels.py --save /tmp/before.json   # before a change
    .venv/bin/python benchmarks/bench_live_labels.py --compare /tmp/before.json  # after it

FluidR3 renders of bench_live's progression (piano, church organ, nylon guitar, strings) go
through LiveAnalyzer.process_block with each detector; every event's raw detection (notes,
pitch classes, bass, chord names), stable label, flags and onset is kept, and so are
`kord analyze`'s file results (a timeline with and without onsets, one clip per chord) of the
piano and guitar renders. --compare prints every event or result that differs (confidence
and tuning within round-off: 1e-3 and 0.01 Hz) and the count; it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_live import PROGRESSION, RATE  # noqa: E402

from kord_engine.audio.input.decode import AudioClip  # noqa: E402
from kord_engine.audio.listen.analysis import analyze_clip, timeline_clip  # noqa: E402
from kord_engine.audio.listen.detect import make_detector  # noqa: E402
from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer  # noqa: E402
from kord_engine.audio.sound.fluidsynth import render_chords  # noqa: E402

TIMBRES = ((0, "piano"), (19, "organ"), (25, "guitar"), (48, "strings"))
DETECTORS = ("hybrid", "default", "ml", "kord")


def live_rows(sound: np.ndarray, detector: str) -> list[list]:
    """One row per event: timestamp, raw notes/pcs/bass, confidence, names, stable, flags,
    onset, tuning."""
    events = LiveAnalyzer(make_detector(detector), AnalyzerConfig()).process_block(sound, RATE)
    rows = []
    for e in events:
        d = e.detection
        stable = None if e.stable is None else [*e.stable.chords[:1], *e.stable.pitch_classes]
        rows.append(
            [
                round(e.timestamp, 5),
                list(d.notes),
                list(d.pitch_classes),
                d.bass,
                list(d.chords[:3]),
                stable,
                e.changed,
                e.gated,
                e.settling,
                e.stable_provisional,
                e.refined,
                None if e.onset_time is None else round(e.onset_time, 5),
                round(float(d.confidence), 5),
                round(e.tuning_hz, 4),
            ]
        )
    return rows


def file_rows(sound: np.ndarray, spans: list, detector: str) -> dict[str, list]:
    """`kord analyze`'s results for one render: timelines and one clip per chord."""
    clip = AudioClip(np.ascontiguousarray(sound, np.float32), RATE, 1)
    out = {}
    for onsets in (True, False):
        segs = timeline_clip(clip, detector, onsets=onsets)
        out[f"timeline/onsets={onsets}"] = [
            [round(s.start, 4), round(s.end, 4), str(s.chord), list(s.pitch_classes), s.bass]
            for s in segs
        ]
    for i, (a, b, _notes) in enumerate(spans):
        piece = np.ascontiguousarray(sound[int(a * RATE) : int(b * RATE)])
        d = analyze_clip(AudioClip(piece, RATE, 1), detector)
        out[f"clip{i}"] = [list(d.notes), list(d.pitch_classes), d.bass, list(d.chords[:3])]
    return out


def collect(detectors: tuple[str, ...]) -> dict:
    live, files = {}, {}
    for program, timbre in TIMBRES:
        sound, rate, spans = render_chords(PROGRESSION, sample_rate=RATE, program=program)
        assert rate == RATE
        for det in detectors:
            live[f"{timbre}/{det}"] = live_rows(sound, det)
            if timbre in ("piano", "guitar"):
                for key, value in file_rows(sound, spans, det).items():
                    files[f"{timbre}/{det}/{key}"] = value
        print(f"  {timbre}: done", flush=True)
    return {"live": live, "files": files}


def differences(before: dict, after: dict) -> list[str]:
    out = []
    for key, rows in before["live"].items():
        new = after["live"].get(key)
        if new is None or len(new) != len(rows):
            out.append(f"{key}: {len(rows)} events before, {len(new or [])} after")
            continue
        for a, b in zip(rows, new, strict=True):
            same = a[:-2] == b[:-2] and abs(a[-2] - b[-2]) <= 1e-3 and abs(a[-1] - b[-1]) <= 0.01
            if not same:
                out.append(f"{key} @ {a[0]} s: {a} → {b}")
    for key, value in before["files"].items():
        if after["files"].get(key) != value:
            out.append(f"{key}: {value} → {after['files'].get(key)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the results here")
    group.add_argument("--compare", type=Path, help="compare with results saved here")
    parser.add_argument("--detectors", nargs="+", default=list(DETECTORS))
    args = parser.parse_args()
    results = collect(tuple(args.detectors))
    n_live = sum(len(v) for v in results["live"].values())
    if args.save:
        tmp = args.save.with_suffix(args.save.suffix + ".tmp")
        tmp.write_text(json.dumps(results))
        tmp.replace(args.save)
        print(f"{n_live} live events, {len(results['files'])} file results saved to {args.save}")
        return
    before = json.loads(args.compare.read_text())
    before["live"] = {k: v for k, v in before["live"].items() if k in results["live"]}
    before["files"] = {k: v for k, v in before["files"].items() if k in results["files"]}
    diffs = differences(before, results)
    for line in diffs[:50]:
        print("DIFF", line)
    print(
        f"{n_live} live events in {len(results['live'])} runs, {len(results['files'])} file "
        f"results: {len(diffs)} differences from {args.compare}"
    )


if __name__ == "__main__":
    main()

"""Live analyzer figures: prints numbers, asserts nothing.

    .venv/bin/python benchmarks/bench_live.py [--detectors default kord] [--listen 10] [--no-device]

* per-hop processing time (median, p99, max) of the whole hop pipeline per detector, on
  rendered piano chords fed through LiveAnalyzer.process_block;
* detection delay: stream time from each chord's onset to its stable label (same feed);
* CPU % of one core while listening through the PulseAudio null sink for --listen seconds
  (process_time / wall time of this process; the audio is played by a separate `paplay`).
Aims: < 5 ms per hop, < 250 ms delay, < 15 % CPU.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support

from kord_engine.audio.listen.detect import make_detector  # noqa: E402
from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer  # noqa: E402
from kord_engine.audio.sound.fluidsynth import render_chords  # noqa: E402
from tests.support.null_sink import NullSinkError, private_null_sink  # noqa: E402

RATE = 48000
# C, Am, F, G7, Dm7, E, Bdim, Cmaj7 (mid-register piano voicings), 1.5 s each
PROGRESSION = [
    ([60, 64, 67], 1.5),
    ([57, 60, 64], 1.5),
    ([53, 57, 60], 1.5),
    ([55, 59, 62, 65], 1.5),
    ([50, 53, 57, 60], 1.5),
    ([52, 56, 59, 64], 1.5),
    ([59, 62, 65], 1.5),
    ([48, 55, 59, 64], 1.5),
]


def feed(detector_name: str, audio: np.ndarray, spans: list, config: AnalyzerConfig) -> dict:
    """Run the offline pipeline; per-hop times and onset → stable delays."""
    detector = make_detector(detector_name)
    analyzer = LiveAnalyzer(detector, config)
    analyzer.warm_up(RATE)
    cpu0 = time.thread_time()
    events = analyzer.process_block(audio, RATE)
    cpu_ms = (time.thread_time() - cpu0) * 1000.0 / max(1, len(events))
    hop_ms = np.array([e.processing_ms for e in events if not e.gated])
    delays, raw_delays, wrong = [], [], 0
    for start, end, notes in spans:
        want = tuple(sorted({n % 12 for n in notes}))
        raw = next(
            (e for e in events if start <= e.timestamp < end and e.detection.pitch_classes == want),
            None,
        )
        if raw is not None:
            raw_delays.append(raw.timestamp - start)
        hit = next(
            (
                e
                for e in events
                if e.changed
                and e.stable
                and start <= e.timestamp < end + 0.3
                and e.stable.pitch_classes == want
            ),
            None,
        )
        if hit is None:
            wrong += 1
        else:
            delays.append(hit.timestamp - start)
    changes = sum(1 for e in events if e.changed and e.stable)
    return {
        "hop_ms": hop_ms,
        "delays": np.array(delays),
        "raw_delays": np.array(raw_delays),
        "missed": wrong,
        "changes": changes,
        "cpu_ms": cpu_ms,
    }


def cpu_while_listening(
    seconds: float, audio: np.ndarray, config: AnalyzerConfig, detector: str = "default"
) -> dict | None:
    """CPU share of this process while LiveAnalyzer listens and `paplay` plays the chords."""
    if shutil.which("paplay") is None or shutil.which("pactl") is None:
        print("  (skipped: paplay/pactl not installed)")
        return None
    import soundfile as sf

    try:  # a private sink: other programs' sound stays out of the measurement
        sink = private_null_sink("kord_bench_live", rate=RATE)
        sink.__enter__()
    except NullSinkError as exc:
        print(f"  (skipped: {exc})")
        return None
    tmp = Path(tempfile.mkdtemp(prefix="kord-bench-live-"))
    wav = tmp / "chords.wav"
    loops = int(np.ceil(seconds / (len(audio) / RATE)))
    sf.write(wav, np.tile(audio, loops)[: int(seconds * RATE)], RATE, subtype="FLOAT")
    events = []
    analyzer = LiveAnalyzer(make_detector(detector), config, events.append)
    player = None
    try:
        analyzer.start()
        time.sleep(0.3)
        player = subprocess.Popen(["paplay", str(wav)])
        wall0, cpu0 = time.perf_counter(), time.process_time()
        time.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        analyzer.stop()
        if player is not None:
            player.terminate()
            player.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        sink.__exit__(None, None, None)
    loud = [e for e in events if not e.gated]
    return {
        "cpu_pct": 100.0 * cpu / wall,
        "events": len(events),
        "analysed": len(loud),
        "changes": sum(1 for e in events if e.changed and e.stable),
        "overflows": events[-1].overflows if events else 0,
        "errors": sorted({e.error for e in events if e.error}),
        "wall": wall,
    }


def report(label: str, r: dict, chords: int) -> None:
    hop, d = r["hop_ms"], r["delays"]
    print(
        f"[{label}] per hop: median {np.median(hop):.2f} ms, p99 {np.percentile(hop, 99):.2f} ms,"
        f" max {hop.max():.2f} ms over {len(hop)} hops (wall); CPU {r['cpu_ms']:.2f} ms/hop"
    )
    if not len(d):
        print(f"[{label}] no chord became stable with the right pitch classes")
        return
    print(
        f"[{label}] onset → stable delay: median {np.median(d) * 1000:.0f} ms, "
        f"max {d.max() * 1000:.0f} ms; {len(d)}/{chords} chords right, "
        f"{r['changes']} stable changes in all ({chords} expected)"
    )
    raw = r["raw_delays"]
    if len(raw):
        print(
            f"[{label}]   detector's first right answer after the onset: "
            f"median {np.median(raw) * 1000:.0f} ms (then the hold, restarted by any flicker)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", nargs="+", default=["default", "kord"])
    parser.add_argument("--listen", type=float, default=10.0, help="seconds for the CPU figure")
    parser.add_argument(
        "--cpu-only",
        action="store_true",
        help="only the live CPU figure (a clean process: earlier offline runs leave threads)",
    )
    parser.add_argument("--no-device", action="store_true", help="skip the live CPU figure")
    parser.add_argument("--hold", type=float, default=0.15, help="smoother hold (s)")
    parser.add_argument("--hop", type=float, default=0.05, help="analysis hop (s)")
    parser.add_argument(
        "--onset-hops", type=int, default=2, help="agreeing hops after an onset (0: hold only)"
    )
    args = parser.parse_args()
    config = AnalyzerConfig(
        hold_seconds=args.hold, hop_seconds=args.hop, onset_hops=args.onset_hops
    )

    print(
        f"hop {args.hop * 1000:g} ms, hold {args.hold * 1000:g} ms, onset trimming on, "
        f"onset fast path {args.onset_hops} hops"
    )
    print(f"(machine load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    audio = None
    for program, timbre in ((0, "piano"), (19, "church organ")):
        sound, rate, spans = render_chords(PROGRESSION, sample_rate=RATE, program=program)
        assert rate == RATE
        audio = sound if audio is None else audio
        print(f"-- {len(sound) / RATE:.1f} s of FluidR3 {timbre}, {len(spans)} chords, {RATE} Hz")
        for name in [] if args.cpu_only else args.detectors:
            report(f"{name}, {timbre}", feed(name, sound, spans, config), len(spans))
    for name in [] if args.no_device else args.detectors:
        r = cpu_while_listening(args.listen, audio, config, name)
        if r is not None:
            print(
                f"[live {name}] CPU {r['cpu_pct']:.1f} % of one core over {r['wall']:.1f} s; "
                f"{r['events']} hops ({r['analysed']} above the gate), {r['changes']} chord "
                f"changes, {r['overflows']} overflows, errors: {r['errors'] or 'none'}"
            )


if __name__ == "__main__":
    main()

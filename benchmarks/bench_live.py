"""Live analyzer figures: prints numbers, asserts nothing.

    .venv/bin/python benchmarks/bench_live.py [--detectors default kord] [--listen 10] [--no-device]

* per-hop processing time (median, p99, max) of the whole hop pipeline per detector, on
  rendered piano chords fed through LiveAnalyzer.process_block: wall time, and beside it the
  analysing thread's own CPU time per hop (AnalyzerEvent.processing_cpu_ms, median): the
  wall time of a live hop also counts the time the worker waited for the GIL (PortAudio's
  callback, the main thread) or for a core another process held, which is no cost of the
  hop itself;
* detection delay: stream time from each chord's onset to its stable label (same feed);
* CPU % of one core while listening through the PulseAudio null sink for --listen seconds
  (process_time / wall time of this process; the audio is played by a separate `paplay`),
  and the worker thread's own CPU time beside it (the rest: capture and Python's threads);
* the same offline feed paced as live: one hop fed, then a hop of idle (a sleep). A live hop
  costs about twice an offline one because of that idle alone: the caches it warmed are cold
  when the next hop comes (printed beside it: one 24,000-point FFT back to back and after the
  idle). The live figures come on top of that from the capture thread and PulseAudio;
* --profile N: the N top cProfile entries of the offline feed and of the live worker thread.
Aims (issue 12): ≤ 1.5 ms median per hop, < 250 ms delay, ≤ 5 % CPU listening (hybrid).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
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


def feed(
    detector_name: str,
    audio: np.ndarray,
    spans: list,
    config: AnalyzerConfig,
    profile: cProfile.Profile | None = None,
) -> dict:
    """Run the offline pipeline; per-hop times and onset → stable delays (with `profile`, a
    second, profiled run of the same feed fills it)."""
    detector = make_detector(detector_name)
    analyzer = LiveAnalyzer(detector, config)
    analyzer.warm_up(RATE)
    cpu0 = time.thread_time()
    events = analyzer.process_block(audio, RATE)
    cpu_ms = (time.thread_time() - cpu0) * 1000.0 / max(1, len(events))
    if profile is not None:
        again = LiveAnalyzer(detector, config)
        again.warm_up(RATE)
        profile.enable()
        again.process_block(audio, RATE)
        profile.disable()
    hop_ms = np.array([e.processing_ms for e in events if not e.gated])
    hop_cpu_ms = np.array([e.processing_cpu_ms for e in events if not e.gated])
    run_ms = np.array([e.processing_ms for e in events if not (e.gated or e.steady)])
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
        "hop_cpu_ms": hop_cpu_ms,
        "run_ms": run_ms,
        "delays": np.array(delays),
        "raw_delays": np.array(raw_delays),
        "missed": wrong,
        "changes": changes,
        "cpu_ms": cpu_ms,
    }


def paced_feed(detector_name: str, audio: np.ndarray, config: AnalyzerConfig) -> np.ndarray:
    """Per-hop wall times (ms, hops above the gate) of the offline pipeline fed one hop at a
    time with a hop of idle between (a sleep, as the live worker waits for audio): the same
    work as `feed`, with the caches a live hop finds."""
    analyzer = LiveAnalyzer(make_detector(detector_name), config)
    analyzer.warm_up(RATE)
    hop = int(round(config.hop_seconds * RATE))
    events = []
    for start in range(0, len(audio) - hop + 1, hop):
        events += analyzer.process_block(audio[start : start + hop], RATE)
        time.sleep(config.hop_seconds)
    return np.array([e.processing_ms for e in events if not e.gated])


def idle_memory_probe(idle: float, repeats: int = 40) -> tuple[float, float]:
    """Median µs of one 24,000-point rfft (a hybrid hop's largest transform) run back to back
    and right after `idle` s of sleep: what idling between hops costs the next one."""
    from kord_engine.audio.listen.fft import rfft  # numpy's, with the heap kept (see fft.py)

    x = np.random.default_rng(0).standard_normal(24000).astype(np.float32)
    rfft(x)
    warm, cold = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        rfft(x)
        warm.append(time.perf_counter() - t)
        time.sleep(idle)
        t = time.perf_counter()
        rfft(x)
        cold.append(time.perf_counter() - t)
    return 1e6 * float(np.median(warm)), 1e6 * float(np.median(cold))


def profiled(analyzer: LiveAnalyzer, profile: cProfile.Profile | None, cpu: dict) -> None:
    """Wrap the analyzer's worker loop: its own CPU seconds go into cpu["worker"], and the
    profile (when given) sees that thread only."""
    run = analyzer._run

    def wrapped(*args):
        if profile is not None:
            profile.enable()
        start = time.thread_time()
        try:
            run(*args)
        finally:
            cpu["worker"] = cpu.get("worker", 0.0) + time.thread_time() - start
            if profile is not None:
                profile.disable()

    analyzer._run = wrapped


def print_profile(title: str, profile: cProfile.Profile, top: int) -> None:
    """The `top` entries by own time and by cumulative time."""
    print(f"-- profile: {title}")
    for key in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats(key).print_stats(top)
        text = stream.getvalue()
        print(text[text.find("   ncalls") :].rstrip())


def cpu_while_listening(
    seconds: float,
    audio: np.ndarray,
    config: AnalyzerConfig,
    detector: str = "default",
    profile: cProfile.Profile | None = None,
) -> dict | None:
    """CPU share of this process while LiveAnalyzer listens and `paplay` plays the chords
    (and how much of it the analyzer's worker thread spent)."""
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
    worker: dict = {}
    profiled(analyzer, profile, worker)
    player = None
    try:
        analyzer.start()
        time.sleep(0.3)
        player = subprocess.Popen(["paplay", str(wav)])
        wall0, cpu0 = time.perf_counter(), time.process_time()
        n0 = len(events)
        time.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        hops = events[n0:]
    finally:
        analyzer.stop()
        if player is not None:
            player.terminate()
            player.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        sink.__exit__(None, None, None)
    loud = [e for e in events if not e.gated]
    hop_ms = np.array([e.processing_ms for e in hops if not e.gated] or [np.nan])
    hop_cpu_ms = np.array([e.processing_cpu_ms for e in hops if not e.gated] or [np.nan])
    run_ms = np.array([e.processing_ms for e in hops if not (e.gated or e.steady)] or [np.nan])
    return {
        "run_hop_ms": float(np.median(run_ms)),
        "run_hops": int(np.isfinite(run_ms).sum()),
        "cpu_pct": 100.0 * cpu / wall,
        # the worker's CPU over its whole life (start-up and warm-up included)
        "worker_cpu_s": worker.get("worker", float("nan")),
        "live_hop_ms": float(np.median(hop_ms)),
        "live_hop_cpu_ms": float(np.median(hop_cpu_ms)),
        "events": len(events),
        "analysed": len(loud),
        "changes": sum(1 for e in events if e.changed and e.stable),
        "overflows": events[-1].overflows if events else 0,
        "errors": sorted({e.error for e in events if e.error}),
        "wall": wall,
    }


def _process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cli_cpu_while_listening(
    seconds: float, audio: np.ndarray, detector: str, settle: float = 5.0
) -> dict | None:
    """CPU share of the real `kord analyze mic --live --json` process in steady state: its
    CPU seconds from `settle` s after launch (imports, model load, warm-up done) to `settle +
    seconds`, over that wall time, while `paplay` plays the chords into a private null sink."""
    if not sys.platform.startswith("linux") or shutil.which("paplay") is None:
        print("  (skipped: needs Linux /proc and paplay)")
        return None
    import soundfile as sf

    try:
        sink = private_null_sink("kord_bench_cli", rate=RATE)
        sink.__enter__()
    except NullSinkError as exc:
        print(f"  (skipped: {exc})")
        return None
    tmp = Path(tempfile.mkdtemp(prefix="kord-bench-cli-"))
    wav = tmp / "chords.wav"
    total = settle + seconds + 2.0
    loops = int(np.ceil(total / (len(audio) / RATE)))
    sf.write(wav, np.tile(audio, loops)[: int(total * RATE)], RATE, subtype="FLOAT")
    command = [sys.executable, "-m", "kord_engine", "analyze", "mic", "--live", "--json"]
    command += ["--detector", detector, "--seconds", f"{total + 5:g}"]
    player = cli = None
    try:
        player = subprocess.Popen(["paplay", str(wav)])
        cli = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT
        )
        time.sleep(settle)
        wall0, cpu0 = time.perf_counter(), _process_cpu_seconds(cli.pid)
        time.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, _process_cpu_seconds(cli.pid) - cpu0
    finally:
        if cli is not None:
            cli.terminate()
            out = cli.communicate(timeout=10)[0]
        if player is not None:
            player.terminate()
            player.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        sink.__exit__(None, None, None)
    labels = [line for line in (out or "").splitlines() if line.startswith("{")]
    return {"cpu_pct": 100.0 * cpu / wall, "wall": wall, "lines": len(labels)}


def report(label: str, r: dict, chords: int) -> None:
    hop, d, run = r["hop_ms"], r["delays"], r["run_ms"]
    print(
        f"[{label}] per hop: median {np.median(hop):.2f} ms, p99 {np.percentile(hop, 99):.2f} ms,"
        f" max {hop.max():.2f} ms over {len(hop)} hops (wall); the thread's CPU per hop: "
        f"median {np.median(r['hop_cpu_ms']):.2f} ms (all of the feed: {r['cpu_ms']:.2f} ms/hop)"
    )
    print(
        f"[{label}]   the detector ran on {len(run)} of them (median {np.median(run):.2f} ms); "
        f"{len(hop) - len(run)} steady hops reused the last detection"
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
    parser.add_argument("--no-device", action="store_true", help="skip the live CPU figures")
    parser.add_argument(
        "--no-cli", action="store_true", help="skip the `kord analyze mic --live` process figure"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="print the N top cProfile entries of the offline feed and of the live worker thread",
    )
    parser.add_argument(
        "--no-paced",
        action="store_true",
        help="skip the offline feed paced as live (a hop of idle between hops)",
    )
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
    if not args.cpu_only:
        warm, cold = idle_memory_probe(args.hop)
        print(
            f"(a 24,000-point rfft: {warm:.0f} µs back to back, {cold:.0f} µs right after "
            f"{args.hop * 1000:g} ms idle — the idle between live hops leaves the caches cold)"
        )
    audio = None
    for program, timbre in ((0, "piano"), (19, "church organ")):
        sound, rate, spans = render_chords(PROGRESSION, sample_rate=RATE, program=program)
        assert rate == RATE
        audio = sound if audio is None else audio
        print(f"-- {len(sound) / RATE:.1f} s of FluidR3 {timbre}, {len(spans)} chords, {RATE} Hz")
        for name in [] if args.cpu_only else args.detectors:
            profile = cProfile.Profile() if args.profile and program == 0 else None
            report(f"{name}, {timbre}", feed(name, sound, spans, config, profile), len(spans))
            if not args.no_paced:
                paced = paced_feed(name, sound, config)
                print(
                    f"[{name}, {timbre}]   paced as live (one hop fed, then {args.hop * 1000:g} "
                    f"ms idle): per hop median {np.median(paced):.2f} ms over {len(paced)} hops"
                )
            if profile is not None:
                print_profile(
                    f"process_block, {name}, {timbre} (profiled run)", profile, args.profile
                )
    for name in [] if args.no_device or args.no_cli else args.detectors:
        r = cli_cpu_while_listening(args.listen, audio, name)
        if r is not None:
            print(
                f"[cli {name}] `kord analyze mic --live --json`: CPU {r['cpu_pct']:.1f} % of one "
                f"core over {r['wall']:.1f} s in steady state (from 5 s after launch), "
                f"{r['lines']} labels printed — aim ≤ 5 % (hybrid)"
            )
    for name in [] if args.no_device else args.detectors:
        profile = cProfile.Profile() if args.profile else None
        r = cpu_while_listening(args.listen, audio, config, name, profile)
        if r is not None:
            print(
                f"[live {name}] CPU {r['cpu_pct']:.1f} % of one core over {r['wall']:.1f} s; "
                f"{r['events']} hops ({r['analysed']} above the gate), {r['changes']} chord "
                f"changes, {r['overflows']} overflows, errors: {r['errors'] or 'none'}"
            )
            print(
                f"[live {name}]   per hop (worker, wall): median {r['live_hop_ms']:.2f} ms, "
                f"the worker's CPU per hop: median {r['live_hop_cpu_ms']:.2f} ms (the {r['run_hops']} hops the detector ran on: {r['run_hop_ms']:.2f} ms); the "
                f"worker thread's CPU {r['worker_cpu_s']:.2f} s in its whole life (warm-up "
                f"included), the rest is capture (PortAudio's thread) and Python's own threads"
            )
            if profile is not None:
                print_profile(f"live worker thread, {name}", profile, args.profile)


if __name__ == "__main__":
    main()

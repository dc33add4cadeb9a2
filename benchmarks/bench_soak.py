"""Steady for hours: live listening with music playing, the input device unplugged and
plugged back, the detector and the model switched while listening (prints figures; exits
non-zero only on a traceback).

    .venv/bin/python benchmarks/bench_soak.py                # 20 minutes
    .venv/bin/python benchmarks/bench_soak.py --minutes 60

A looping rendered progression is played through a private PulseAudio null sink
(tests/support/null_sink.py) into the real LiveAnalyzer worker (start()/stop(), events via
on_event). Every `unplug_every` seconds the playback stops, the sink is unloaded (unplug) and
loaded again under the same name (replug); the analyzer is then restarted as the app's
"Restart listening" does (stop() then start(), kord_desktop/main_window.restart_listening).
The unplugs alternate between the two things PulseAudio does to a removed input's streams:
end them (the analyzer must report a fatal error) or move them to the fallback source (the
analyzer cannot tell: it hears another sink's silence until restarted). Every `switch_every`
seconds the detector is switched in place (set_detector), through hybrid, default, ml and
kord, the model detectors alternating between the shipped model and a copy of it in another
folder (another ONNX session).

Figures: resident memory (VmRSS) at start, after warm-up, every minute and at the end, its
growth and a linear fit (MB/h) after warm-up; overflows; exceptions (thread exceptions,
logged tracebacks, hops that failed, fatal errors while the device was there); events per
second; each replug → first good (heard, error-free) event; labels seen.

`run_soak()` is the same run for tests/e2e/test_soak.py.
"""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.null_sink import private_null_sink, replug, unplug  # noqa: E402

RATE = 48000
#: PortAudio's default output latency underruns on two busy cores; each gap is a false attack
PLAYBACK_LATENCY_S = 0.25
PROGRESSION = [  # C, Am, F, G7 — a second each
    ([48, 60, 64, 67], 1.0),
    ([45, 57, 60, 64], 1.0),
    ([41, 53, 57, 60], 1.0),
    ([43, 55, 59, 62, 65], 1.0),
]
PROGRESSION_NAMES = ("C", "Am", "F", "G7")
#: detector switches, in turn; "copy" is the shipped model in another folder
SWITCHES = [("hybrid", "copy"), ("default", None), ("ml", None), ("kord", None),
            ("ml", "copy"), ("hybrid", None)]  # fmt: skip
RECOVERY_LIMIT_S = 10.0  # give up waiting for a good event after a replug


@dataclass
class SoakConfig:
    """How long and how often: seconds of the whole run, of the warm-up (not in the fit)."""

    seconds: float = 1200.0
    warmup_seconds: float = 60.0
    unplug_every: float = 60.0
    switch_every: float = 20.0
    away_seconds: float = 1.0  # the device stays unplugged this long
    sample_every: float = 10.0  # RSS samples for the fit
    print_every: float = 60.0  # 0: quiet
    detector: str = "hybrid"
    #: test only: keep every event (a planted leak, to show the bounds can fail)
    keep_events: bool = False


@dataclass
class SoakReport:
    """What one soak run measured."""

    seconds: float = 0.0
    rss_start_mb: float = 0.0
    rss_warm_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (s, MB) after warm-up
    #: Python's small-object blocks in use (sys.getallocatedblocks, after a collection):
    #: every kept object adds some, wherever it hides; RSS moves in steps of megabytes
    blocks_warm: int = 0
    blocks_end: int = 0
    events: int = 0
    heard_events: int = 0
    overflows: int = 0
    exceptions: list[str] = field(default_factory=list)
    recoveries_s: list[float | None] = field(default_factory=list)
    #: (replug → device open, → its first audio, → music queued, → first event) of each
    #: recovery, s
    recovery_parts: list[tuple[float, ...]] = field(default_factory=list)
    unplug_modes: list[str] = field(default_factory=list)
    fatal_on_unplug: list[bool] = field(default_factory=list)
    switches: int = 0
    labels: Counter = field(default_factory=Counter)
    playback_errors: list[str] = field(default_factory=list)

    @property
    def growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_warm_mb

    @property
    def blocks_growth(self) -> int:
        return self.blocks_end - self.blocks_warm

    @property
    def slope_mb_per_h(self) -> float:
        """Linear fit of RSS over time after warm-up, MB per hour."""
        if len(self.rss_samples) < 3:
            return float("nan")
        t, mb = np.array(self.rss_samples).T
        return float(np.polyfit(t / 3600.0, mb, 1)[0])


def rss_mb(collect: bool = True) -> float:
    """This process's resident memory (VmRSS, /proc/self/status) in MB, after a cyclic garbage
    collection (`collect`): what waits for the collector is not held. (Each stopped Capture,
    with its 0.75 MB ring, sits in a reference cycle through sounddevice's stream until the
    collector runs.)"""
    if collect:
        gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def render_progression(rate: int = RATE) -> np.ndarray:
    """The looped music: fluidsynth's piano, or the app's own synth without fluidsynth."""
    from kord_engine.audio.sound import fluidsynth

    if shutil.which("fluidsynth") and fluidsynth.find_soundfonts():
        audio, rate_out, _ = fluidsynth.render_chords(PROGRESSION, sample_rate=rate)
        if rate_out == rate:
            return audio.astype(np.float32)
    from kord_engine.audio.sound.synth import Synth, SynthConfig

    synth = Synth(SynthConfig(timbre="piano", sample_rate=rate))
    parts = []
    for notes, seconds in PROGRESSION:
        for n in notes:
            synth.note_on(int(n))
        parts.append(synth.render(int(seconds * rate)))
        synth.all_notes_off()
    return np.concatenate(parts).astype(np.float32)


class LoopPlayer:
    """Play `audio` in a loop on the default output (a thread) until stopped."""

    def __init__(self, audio: np.ndarray, rate: int = RATE):
        self.audio, self.rate = audio, rate
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.playing_at: float | None = None  # when the first chunk was queued
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            if self._thread.is_alive():
                self.errors.append("playback thread did not stop")
        self._thread = None

    def _run(self, stop: threading.Event) -> None:
        import sounddevice as sd

        from kord_engine.audio.input.devices import resolve_device

        try:
            device = resolve_device(None, "output")
            with sd.OutputStream(samplerate=self.rate, channels=1, dtype="float32",
                                 device=device.index, latency=PLAYBACK_LATENCY_S) as stream:  # fmt: skip
                chunk = self.rate // 10
                pos = 0
                while not stop.is_set():
                    part = self.audio[pos : pos + chunk]
                    stream.write(part.reshape(-1, 1))
                    if self.playing_at is None:
                        self.playing_at = time.monotonic()
                    pos = (pos + chunk) % len(self.audio)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")


class Tracebacks(logging.Handler):
    """Collects every logged record that carries a traceback (the analyzer's swallowed
    failures: a listener's bug, a detector's, the worker's)."""

    def __init__(self, sink: list[str]):
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.sink.append(f"logged: {record.name}: {record.getMessage()}: {record.exc_info[1]}")


class Listener:
    """The analyzer's on_event: counts, keeps bounded state, wakes the driver."""

    def __init__(self, report: SoakReport, keep_events: bool):
        self.report = report
        self.kept: list | None = [] if keep_events else None
        self.cond = threading.Condition()
        self.fatal: str | None = None
        self.good_after: float | None = None  # monotonic time of the first good event since arm()
        self.first_after: float | None = None  # of the first event of any kind
        self.armed = False
        self.session_overflows = 0
        self.expect_fatal = False

    def arm(self) -> None:
        """Start waiting for the next good event (and a fatal one)."""
        with self.cond:
            self.fatal, self.good_after, self.armed = None, None, True
            self.first_after: float | None = None

    def __call__(self, event) -> None:
        now = time.monotonic()
        r = self.report
        r.events += 1
        if self.kept is not None:
            self.kept.append(event)
        self.session_overflows = max(self.session_overflows, int(event.overflows))
        if event.error:
            if event.fatal:
                if not self.expect_fatal:
                    r.exceptions.append(f"fatal while the device was there: {event.error}")
            else:
                r.exceptions.append(f"hop failed: {event.error}")
        elif not event.gated:
            r.heard_events += 1
            if event.changed and event.stable is not None:
                r.labels[event.stable.chord or "/".join(map(str, event.stable.pitch_classes))] += 1
        with self.cond:
            if event.fatal:
                self.fatal = event.error
                self.cond.notify_all()
            if self.first_after is None:
                self.first_after = now
            if self.armed and not event.error and not event.gated:
                self.good_after, self.armed = now, False
                self.cond.notify_all()

    def wait(self, what, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(what, timeout)

    def new_session(self) -> None:
        """The analyzer reopened the device: its overflow count starts again."""
        self.report.overflows += self.session_overflows
        self.session_overflows = 0


def run_soak(cfg: SoakConfig) -> SoakReport:
    """One soak run (see the module docstring); never raises for what it measures."""
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer
    from kord_engine.resources import default_model_dir

    report = SoakReport(rss_start_mb=rss_mb())
    handler = Tracebacks(report.exceptions)
    root = logging.getLogger("kord_engine")
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    old_hook = threading.excepthook

    def thread_hook(args) -> None:
        report.exceptions.append(f"thread {args.thread.name}: {args.exc_type.__name__}: "
                                 f"{args.exc_value}")  # fmt: skip
        old_hook(args)

    threading.excepthook = thread_hook
    copy_dir = Path(tempfile.mkdtemp(prefix="kord_soak_model_"))
    shutil.copytree(default_model_dir(), copy_dir, dirs_exist_ok=True)
    listener = Listener(report, cfg.keep_events)
    player = LoopPlayer(render_progression())
    say = functools.partial(print, flush=True) if cfg.print_every else (lambda *a, **k: None)
    try:
        with private_null_sink("kord_soak", rate=RATE) as sink:
            analyzer = LiveAnalyzer(make_detector(cfg.detector), AnalyzerConfig(), listener)
            analyzer.start()
            if not analyzer.wait_until_listening(10.0):
                report.exceptions.append(f"never listening: {analyzer.last_error}")
                return report
            player.start()
            t0 = time.monotonic()
            warm_at = t0 + cfg.warmup_seconds
            next_unplug = t0 + min(cfg.unplug_every, cfg.warmup_seconds / 2)
            next_switch = t0 + cfg.switch_every
            next_sample = warm_at
            next_print = t0 + cfg.print_every if cfg.print_every else float("inf")
            end = t0 + cfg.seconds
            warm = False
            n_unplug = 0
            say(f"  0.0 min  RSS {report.rss_start_mb:7.1f} MB  (start)")
            while True:
                now = time.monotonic()
                if now >= end:
                    break
                if not warm and now >= warm_at:
                    warm = True
                    report.rss_warm_mb = rss_mb()
                    report.blocks_warm = sys.getallocatedblocks()
                    say(f"{(now - t0) / 60:5.1f} min  RSS {report.rss_warm_mb:7.1f} MB  (warm)")
                if warm and now >= next_sample:
                    report.rss_samples.append((now - warm_at, rss_mb()))
                    next_sample += cfg.sample_every
                if now >= next_print:
                    next_print += cfg.print_every
                    rate = report.events / max(1e-9, now - t0)
                    say(f"{(now - t0) / 60:5.1f} min  RSS {rss_mb():7.1f} MB  "
                        f"{rate:5.1f} ev/s  exceptions {len(report.exceptions)}  "
                        f"unplugs {n_unplug}  switches {report.switches}")  # fmt: skip
                if now >= next_switch:
                    name, model = SWITCHES[report.switches % len(SWITCHES)]
                    options = {"model_dir": copy_dir} if model == "copy" else {}
                    try:
                        analyzer.set_detector(make_detector(name, **options))
                    except Exception as exc:
                        report.exceptions.append(f"switch to {name}: {exc}")
                    report.switches += 1
                    next_switch += cfg.switch_every
                if now >= next_unplug and now + 5 < end:
                    n_unplug += 1
                    kill = n_unplug % 2 == 1
                    sink = _unplug_cycle(sink, analyzer, player, listener, report, cfg, kill)
                    next_unplug = time.monotonic() + cfg.unplug_every
                    continue
                wake = min(next_switch, next_unplug, next_sample if warm else warm_at,
                           next_print, end)  # fmt: skip
                time.sleep(max(0.0, min(0.5, wake - time.monotonic())))
            report.seconds = time.monotonic() - t0
            report.rss_end_mb = rss_mb()
            report.blocks_end = sys.getallocatedblocks()
            if warm:
                report.rss_samples.append((time.monotonic() - warm_at, report.rss_end_mb))
            else:
                report.rss_warm_mb = report.rss_start_mb
            player.stop()
            analyzer.stop()
            listener.new_session()
    finally:
        player.stop()
        report.playback_errors = player.errors
        threading.excepthook = old_hook
        root.removeHandler(handler)
        root.setLevel(old_level)
        shutil.rmtree(copy_dir, ignore_errors=True)
    return report


def _unplug_cycle(sink, analyzer, player, listener, report, cfg, kill: bool):
    """Stop the music, unplug, wait, replug, restart as the app does; the new sink."""
    player.stop()
    listener.expect_fatal = True
    listener.arm()
    killed = unplug(sink, kill_streams=kill)
    mode = "ended" if killed else "moved"
    report.unplug_modes.append(mode)
    if killed:  # the analyzer must say the device went
        got = listener.wait(lambda: listener.fatal is not None, 5.0)
    else:  # it cannot: its stream hears the fallback source
        got = listener.wait(lambda: listener.fatal is not None, cfg.away_seconds)
    report.fatal_on_unplug.append(bool(got))
    time.sleep(cfg.away_seconds)  # the device stays away a while
    sink = replug(sink)
    restored = time.monotonic()
    analyzer.stop()  # the app's restart_listening: stop, then start
    listener.expect_fatal = False
    listener.new_session()
    listener.arm()
    try:
        analyzer.start()
    except Exception as exc:
        report.exceptions.append(f"restart failed: {exc}")
        report.recoveries_s.append(None)
        player.start()
        return sink
    opened = time.monotonic()
    analyzer.wait_until_listening(5.0)
    heard = time.monotonic()
    player.start()
    if listener.wait(lambda: listener.good_after is not None, RECOVERY_LIMIT_S):
        report.recoveries_s.append(listener.good_after - restored)
        playing = (player.playing_at or float("nan")) - restored
        first = (listener.first_after or float("nan")) - restored
        report.recovery_parts.append((opened - restored, heard - restored, playing, first))
    else:
        report.recoveries_s.append(None)
    return sink


def print_report(r: SoakReport) -> None:
    """The figures, for the note."""
    print(f"\nsoak: {r.seconds / 60:.1f} min, {r.events} events ({r.events / max(r.seconds, 1e-9):.1f}"
          f"/s), {r.heard_events} heard, {r.switches} detector switches, "
          f"{len(r.recoveries_s)} unplugs")  # fmt: skip
    print(f"RSS MB: start {r.rss_start_mb:.1f}, after warm-up {r.rss_warm_mb:.1f}, end "
          f"{r.rss_end_mb:.1f}; growth after warm-up {r.growth_mb:+.1f} MB, "
          f"fit {r.slope_mb_per_h:+.1f} MB/h over {len(r.rss_samples)} samples")  # fmt: skip
    print(f"Python blocks in use: after warm-up {r.blocks_warm}, end {r.blocks_end} "
          f"({r.blocks_growth:+d})")  # fmt: skip
    rec = ["-" if s is None else f"{s:.2f}" for s in r.recoveries_s]
    print(f"replug → first good event (s): {', '.join(rec)}; "
          f"unplugs: {', '.join(f'{m} (fatal {f})' for m, f in zip(r.unplug_modes, r.fatal_on_unplug, strict=False))}")  # fmt: skip
    parts = ["/".join(f"{x:.2f}" for x in p) for p in r.recovery_parts]
    print(
        f"  replug → device open / its first audio / music queued / first event (s): "
        f"{', '.join(parts)}"
    )
    print(f"overflows: {r.overflows}; playback errors: {r.playback_errors or 'none'}")
    print(f"labels seen: {dict(r.labels.most_common())}")
    print(f"exceptions: {len(r.exceptions)}")
    for line in r.exceptions[:20]:
        print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds")
    parser.add_argument("--unplug-every", type=float, default=60.0, help="seconds")
    parser.add_argument("--switch-every", type=float, default=20.0, help="seconds")
    parser.add_argument("--detector", default="hybrid")
    args = parser.parse_args(argv)
    cfg = SoakConfig(seconds=args.minutes * 60, warmup_seconds=args.warmup,
                     unplug_every=args.unplug_every, switch_every=args.switch_every,
                     detector=args.detector)  # fmt: skip
    report = run_soak(cfg)
    print_report(report)
    return 1 if report.exceptions else 0


if __name__ == "__main__":
    sys.exit(main())

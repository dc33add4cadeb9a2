#!/usr/bin/env python3
"""GUI benchmarks for Kord Desktop; prints figures, asserts nothing about speed.

1. display rate: synthetic analyzer events (spectrum + changing chord) fed from a worker thread
   at the live hop rate (20/s) and at a stress rate; counts real paint events of the spectrum
   and keyboard, and CPU % of one core (process_time / wall) for the whole app process.
2. listening CPU: the real LiveAnalyzer on the default input (PulseAudio null sink) for a while.
3. launch: `python -m kord_desktop --offscreen-smoke` until "main window up"; torch not imported.
4. event-loop delay: 10 ms QTimer ticks while a thread does heavy numpy work (p50/p99 lateness).

Aims: ≥ 30 fps under 30 % CPU; launch < 2 s; event-loop delay p99 < 50 ms.
Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KORD_CONFIG_DIR", tempfile.mkdtemp(prefix="kord-bench-config-"))

from tests.support.null_sink import NullSinkError, private_null_sink  # noqa: E402

CHORDS = [((48, 52, 55), "C"), ((45, 48, 52), "Am"), ((41, 45, 48), "F"), ((43, 47, 50), "G")]


def pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)


class PaintCounter:
    """Counts QEvent.Paint on a widget (an event filter)."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802
                if event.type() == QEvent.Type.Paint:
                    counter.count += 1
                return False

        self.count = 0
        self._filter = Filter()
        widget.installEventFilter(self._filter)


def make_window(app):
    from kord_desktop.context import AppContext
    from kord_desktop.main_window import MainWindow
    from kord_desktop.settings import Settings

    settings = Settings(Path(tempfile.mkdtemp(prefix="kord-bench-")) / "settings.ini")
    window = MainWindow(AppContext(settings, start_audio=False))
    window.resize(1500, 950)
    window.show()
    pump(app, 0.5)
    return window


def synthetic_events(n: int, points: int = 1024):
    """Analyzer-like events: a noisy spectrum with peaks at a chord that changes every 5 events."""
    from kord_engine.audio.listen.detection import Detection
    from kord_engine.audio.listen.live import AnalyzerEvent

    rng = np.random.default_rng(1)
    freqs = np.geomspace(27.5, 4186.0, points).astype(np.float32)
    events = []
    for i in range(n):
        notes, name = CHORDS[(i // 5) % len(CHORDS)]
        db = (-85 + 6 * rng.standard_normal(points)).astype(np.float32)
        for note in notes:
            f = 440 * 2 ** ((note + 12 - 69) / 12)
            db += (60 * np.exp(-0.5 * ((freqs - f) / (0.01 * f)) ** 2)).astype(np.float32)
        det = Detection(
            notes=notes,
            pitch_classes=tuple(sorted({n % 12 for n in notes})),
            bass=notes[0] % 12,
            confidence=0.8,
            chords=(name,),
            timestamp=i * 0.05,
        )
        events.append(
            AnalyzerEvent(
                timestamp=i * 0.05,
                detection=det,
                stable=det,
                changed=i % 5 == 0,
                level_db=-20.0,
                peak=0.4,
                clipping=False,
                overflows=0,
                spectrum_db=db,
                spectrum_freqs=freqs,
                processing_ms=3.0,
            )
        )
    return events


def bench_display(app, window, rate: float, seconds: float) -> dict[str, float]:
    """Feed events at `rate`/s from a worker thread; count paints; measure CPU."""
    events = synthetic_events(int(rate * seconds))
    spectrum_paints = PaintCounter(window.spectrum.viewport())
    keyboard_paints = PaintCounter(window.context.keyboard)
    drawn0 = window.spectrum.frames_drawn
    bridge = window.context.analyzer
    done = threading.Event()

    def feed() -> None:
        start = time.perf_counter()
        for i, ev in enumerate(events):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            bridge.handle_event(ev)
        done.set()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    threading.Thread(target=feed, daemon=True).start()
    while not done.is_set():
        app.processEvents()
        time.sleep(0.001)
    pump(app, 0.1)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "events_per_s": len(events) / wall,
        "spectrum_frames_per_s": (window.spectrum.frames_drawn - drawn0) / wall,
        "spectrum_paints_per_s": spectrum_paints.count / wall,
        "keyboard_paints_per_s": keyboard_paints.count / wall,
        "cpu_percent": 100 * cpu / wall,
    }


def bench_listening(app, window, seconds: float) -> dict[str, float] | str:
    """Real listening on the default input: CPU % of one core and analyzer processing time."""
    from kord_engine.audio.input.devices import audio_available

    ok, why = audio_available("input")
    if not ok:
        return f"skipped (no audio input: {why})"
    stats: list[float] = []
    window.context.analyzer.stats.connect(lambda ms, _o: stats.append(ms))
    window.toolbar.set_detector("default")
    if not window.start_listening():
        return f"skipped ({window.banner.label.text()})"
    playing = play_chord_loop()
    pump(app, 0.5)
    drawn0 = window.spectrum.frames_drawn
    changes0 = len(window.timeline.entries)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    pump(app, seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    window.stop_listening()
    if playing:
        import sounddevice as sd

        sd.stop()
    return {
        "input": "C-major chord looped through the null sink" if playing else "silence",
        "chords_heard": len(window.timeline.entries) - changes0,
        "cpu_percent": 100 * cpu / wall,
        "spectrum_frames_per_s": (window.spectrum.frames_drawn - drawn0) / wall,
        "processing_ms_p50": float(np.percentile(stats, 50)) if stats else float("nan"),
        "processing_ms_p99": float(np.percentile(stats, 99)) if stats else float("nan"),
    }


def play_chord_loop() -> bool:
    """Loop a rendered C major (1.2 s on, 0.3 s off) to the default output; False if impossible."""
    try:
        import sounddevice as sd

        from kord_engine.audio.sound.fluidsynth import render_chords

        audio, rate, _ = render_chords([((60, 64, 67), 1.2)])
        note = 0.5 * audio[: int(1.2 * rate)] / np.max(np.abs(audio))
        loop = np.concatenate([note, np.zeros(int(0.3 * rate))]).astype(np.float32)
        sd.play(loop, rate, loop=True)
        return True
    except Exception as exc:  # noqa: BLE001 - no fluidsynth / no output: measure silence
        print(f"  (no chord playback: {exc})")
        return False


def bench_launch(runs: int) -> dict[str, float | bool]:
    """Seconds from process start to the smoke line, and whether torch got imported."""
    import resource

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kord_desktop", "--offscreen-smoke"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for line in proc.stdout:
            if line.startswith("kord-desktop: main window up"):
                times.append(time.perf_counter() - start)
                break
        proc.wait(timeout=60)
        if proc.returncode != 0:
            raise SystemExit(f"--offscreen-smoke exited {proc.returncode}")
    usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage1.ru_utime - usage0.ru_utime + usage1.ru_stime - usage0.ru_stime) / runs
    probe = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "from kord_desktop.main_window import MainWindow; w = MainWindow(); w.show();"
        "app.processEvents(); print('torch' in sys.modules); w.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return {
        "launch_s_median": statistics.median(times),
        "launch_s_min": min(times),
        # CPU seconds per run (start → window → exit): what launch costs on an idle machine
        "launch_cpu_s_per_run": cpu,
        "load_average_1min": os.getloadavg()[0],
        "torch_imported": out.stdout.strip().splitlines()[-1] == "True",
    }


def bench_event_loop(app, seconds: float) -> dict[str, float]:
    """Lateness of 10 ms QTimer ticks while a worker thread hammers numpy."""
    from PySide6.QtCore import QTimer

    stop = threading.Event()

    def heavy() -> None:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((600, 600))
        x = rng.standard_normal(1 << 18)
        while not stop.is_set():
            a = np.tanh(a @ a.T / 600.0)
            np.fft.rfft(x)

    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - 10.0))
        last[0] = now

    worker = threading.Thread(target=heavy, daemon=True)
    worker.start()
    timer = QTimer()
    timer.setTimerType(timer.timerType().PreciseTimer)
    timer.timeout.connect(tick)
    last[0] = time.perf_counter()
    timer.start(10)
    pump(app, seconds)
    timer.stop()
    stop.set()
    worker.join()
    return {
        "ticks": len(late),
        "late_ms_p50": float(np.percentile(late, 50)),
        "late_ms_p99": float(np.percentile(late, 99)),
        "late_ms_max": float(max(late)),
    }


def show(title: str, result) -> None:
    print(f"\n== {title}")
    if isinstance(result, str):
        print(f"  {result}")
        return
    for key, value in result.items():
        print(f"  {key:24s} {value:.2f}" if isinstance(value, float) else f"  {key:24s} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Kord Desktop GUI benchmarks")
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    seconds = 4.0 if args.quick else 10.0

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])
    print(f"Qt platform: {app.platformName()}; CPU cores: {os.cpu_count()}")
    window = make_window(app)
    show("display at the live hop rate (20 events/s)", bench_display(app, window, 20, seconds))
    show("display under stress (100 events/s)", bench_display(app, window, 100, seconds / 2))
    try:  # a private sink: other programs' sound stays out of the measurement
        with private_null_sink("kord_bench_gui"):
            listening = bench_listening(app, window, seconds)
    except NullSinkError as exc:  # no PulseAudio: the default input as it is
        print(f"  (no private null sink: {exc})")
        listening = bench_listening(app, window, seconds)
    show("listening on the default input (real analyzer)", listening)
    show("event-loop delay, heavy numpy thread", bench_event_loop(app, seconds / 2))
    window.close()
    show("launch (--offscreen-smoke)", bench_launch(3))
    return 0


if __name__ == "__main__":
    sys.exit(main())

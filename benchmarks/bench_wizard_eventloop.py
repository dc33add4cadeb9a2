"""Event-loop delay while the training wizard trains a tiny real model in its QThread.

A 10 ms QTimer runs on the GUI thread; its lateness (actual interval − 10 ms) is collected while
idle and while training, and printed as p50/p90/p99/max, with the progress-signal rate.

    .venv/bin/python benchmarks/bench_wizard_eventloop.py [--epochs 4] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class BenchContext:
    """The bits of AppContext the wizard uses: settings and a status line."""

    def __init__(self, settings_path: Path):
        from PySide6.QtCore import QSettings

        self.settings = QSettings(str(settings_path), QSettings.Format.IniFormat)

    def status(self, msg: str, timeout_ms: int = 0) -> None:
        print(f"  status: {msg}")


class LatenessProbe:
    """A 10 ms repeating QTimer that records how late each tick fires."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000.0
        self.late: list[float] = []
        self.times: list[float] = []
        self._last: float | None = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.late.append(max(0.0, now - self._last - self.interval))
            self.times.append(now)
        self._last = now

    def start(self) -> None:
        self.late.clear()
        self.times.clear()
        self._last = None
        self.timer.start()

    def stop(self) -> np.ndarray:
        self.timer.stop()
        return np.asarray(self.late) * 1000.0


def summary(name: str, late_ms: np.ndarray) -> str:
    if late_ms.size == 0:
        return f"{name:<26} no ticks"
    p50, p90, p99 = np.percentile(late_ms, [50, 90, 99])
    return (
        f"{name:<26} ticks {late_ms.size:5d}  lateness p50 {p50:6.2f} ms  p90 {p90:6.2f} ms  "
        f"p99 {p99:6.2f} ms  max {late_ms.max():7.2f} ms"
    )


def wait_until(app, predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.002)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--captured",
        default=str(ROOT.parent / "shared" / "data" / "samples" / "captured"),
        help="a folder of captured .bin samples (default ../shared/data/samples/captured)",
    )
    parser.add_argument("--sim", type=int, default=2, help="simulation size (375 items each)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--width", type=int, default=256, help="kord model trunk width")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = wizard's)")
    parser.add_argument("--theme", default="dark", choices=("dark", "light"))
    parser.add_argument(
        "--switch-interval", type=float, default=0.0, help="sys.setswitchinterval (0 = keep)"
    )
    parser.add_argument("--screenshots", help="save a PNG of every page into this folder")
    args = parser.parse_args()

    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    tmp = Path(tempfile.mkdtemp(prefix="kord-bench-wizard-"))
    os.environ["KORD_DATA_DIR"] = str(tmp / "data")
    from PySide6.QtWidgets import QApplication

    from kord_desktop.panels.training_wizard import RUN, TrainingWizard
    from kord_desktop.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app, args.theme)
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        if shots:
            wizard.run_page.curves.redraw()
            app.processEvents()
            wizard.grab().save(str(shots / f"wizard_{name}.png"))

    wizard = TrainingWizard(BenchContext(tmp / "settings.ini"))
    wizard.show()
    probe = LatenessProbe()
    probe.start()
    t0 = time.perf_counter()
    if not wait_until(app, lambda: bool(wizard.training_page.precisions), 120):
        print("precision probe did not finish")
        return 1
    probed_s = time.perf_counter() - t0
    wait_until(app, lambda: wizard.probe.isFinished(), 120)  # preloading the trainer's modules
    warmed_s = time.perf_counter() - t0
    probing = probe.stop()

    sources = wizard.sources_page
    if Path(args.captured).is_dir():
        sources.captured.add_folder(args.captured)
    sources.sim.setValue(args.sim)
    shot("sources")
    wizard.next()
    wizard.model_page.width.setValue(args.width)
    shot("model")
    wizard.next()
    page = wizard.training_page
    page.epochs.setValue(args.epochs)
    page.batch.setValue(args.batch)
    if args.threads:
        page.threads.setValue(args.threads)
    shot("training")

    probe.start()
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)
    idle = probe.stop()

    updates = []
    phases: list[tuple[float, str]] = []

    def on_update(u) -> None:
        updates.append((time.perf_counter(), len(u.steps)))
        if not phases or phases[-1][1] != u.progress.phase:
            phases.append((time.perf_counter(), u.progress.phase))

    wizard.bridge.update.connect(on_update)
    probe.start()
    started = time.perf_counter()
    wizard.next()  # enters the run page: the worker thread starts training
    assert wizard.currentId() == RUN
    shot_taken = False
    while wizard.bridge.running:
        app.processEvents()
        time.sleep(0.001)
        if not shot_taken and wizard.run_page.curves.loss.size > max(
            10, wizard.run_page.bar.maximum() * 0.6
        ):
            shot("run")
            shot_taken = True
        if time.perf_counter() - started > 600:
            wizard.cancel_training()
    wall = time.perf_counter() - started
    tick_times = np.asarray(probe.times)
    training = probe.stop()
    app.processEvents()
    shot("results")

    outcome = wizard.outcome
    steps = [n for _, n in updates]
    span = (updates[-1][0] - updates[0][0]) if len(updates) > 1 else 0.0
    config = wizard.config
    print(f"machine: {os.cpu_count()} CPUs, torch threads {config.threads}")
    print(
        f"run: sources {config.training_sources}, sim {config.simulation_size}, "
        f"epochs {config.epochs}, batch {config.batch_size}, width {config.trunk_hidden_size}"
    )
    print(
        f"device probe (torch import + precisions, worker thread): {probed_s:.2f} s; "
        f"trainer modules preloaded after {warmed_s:.2f} s"
    )
    print(summary("while probing devices", probing))
    print(summary("idle wizard", idle))
    print(summary("whole run", training))
    bounds = [(started, "start")] + phases + [(started + wall, "end")]
    for (t_a, name), (t_b, _) in zip(bounds[:-1], bounds[1:], strict=True):
        rows = (tick_times >= t_a) & (tick_times < t_b)
        print(summary(f"  {name} ({t_b - t_a:.1f} s)", training[rows]))
    print(
        f"progress signals: {len(updates)} carrying {sum(steps)} steps, "
        f"{len(updates) / span if span else 0:.1f} per second (throttle ≤ 20/s)"
    )
    if outcome is None or outcome.cancelled:
        print("training did not finish")
        return 1
    report = outcome.report
    val = report.get("metrics", {}).get("validation", {})
    print(
        f"training: {report.get('steps')} steps, wall {wall:.1f} s (train {report.get('train_seconds')}"
        f" s, {report.get('samples_per_s')} samples/s), validation exact "
        f"{val.get('exact_match', float('nan')):.3f}"
    )
    wizard.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

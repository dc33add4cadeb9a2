"""Training off the GUI thread: a QThread worker around `kord_engine.ml.train.train`.

The engine's progress callback runs in the worker thread; step reports are batched and sent at
most `max_rate` times a second as queued Qt signals, so a fast loop never floods the event loop.
torch is imported only inside the worker threads, never when this module is imported.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from kord_engine.errors import KordError
from kord_engine.ml.config import TrainConfig

log = logging.getLogger(__name__)

#: running QThreads (and workers) kept alive here, not only by their owner: a QThread whose last
#: reference goes while it runs aborts the process (e.g. a wizard closed with its parent window)
LIVE_THREADS: set = set()

#: what `pip install 'kord-desktop[train]'` adds (pyproject's `train` extra)
TRAINING_PACKAGES = ("torch", "onnx", "onnxscript")
INSTALL_HINT = (
    "pip install 'kord-desktop[train]'\n"
    "(from a source checkout: .venv/bin/pip install -e '.[train]')"
)


def missing_training_packages() -> list[str]:
    """The training packages (torch, onnx, onnxscript) that are not installed; [] when ready."""
    return [name for name in TRAINING_PACKAGES if importlib.util.find_spec(name) is None]


def torch_available() -> bool:
    """True when training can run here (torch and the ONNX exporter are installed)."""
    return not missing_training_packages()


def default_threads() -> int:
    """torch threads for a GUI run: all cores but one (max 8), so the event loop keeps a core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(8, (cores or 1) - 1))


@dataclass
class TrainerUpdate:
    """One throttled report: the latest engine progress plus every step loss since the last one."""

    progress: Any  # kord_engine.ml.progress.TrainProgress
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)


@dataclass
class TrainOutcome:
    """How a run ended: `cancelled`, or `destination` + `report` (report.json's contents)."""

    cancelled: bool
    destination: Path | None = None
    report: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


class ProgressThrottle:
    """Collects step reports and forwards at most one per `interval` seconds (others at once)."""

    def __init__(self, emit, interval: float = 0.05, clock=time.monotonic):
        self.emit = emit
        self.interval = float(interval)
        self.clock = clock
        self.sent = 0
        self._steps: list[int] = []
        self._losses: list[float] = []
        self._latest: Any = None
        self._last = float("-inf")

    def __call__(self, progress: Any) -> None:
        if progress.phase == "step":
            self._steps.append(int(progress.global_step))
            self._losses.append(float(progress.loss))
            self._latest = progress
            last_step = progress.total_steps and progress.global_step >= progress.total_steps
            if self.clock() - self._last < self.interval and not last_step:
                return
            self._send(progress)
        else:
            self.flush()
            self._send(progress)

    def flush(self) -> None:
        """Send the step reports still held back (before an epoch/stage report or the end)."""
        if self._steps:
            self._send(self._latest)

    def _send(self, progress: Any) -> None:
        update = TrainerUpdate(progress, self._steps, self._losses)
        self._steps, self._losses, self._latest = [], [], None
        self._last = self.clock()
        self.sent += 1
        self.emit(update)


class DataLoadingCancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised from the progress callback to stop a run still loading its data.

    The engine polls `should_stop` every training step but not while it builds datasets (many
    seconds for a big simulation); its per-chunk "data" reports are where a cancel can land.
    Nothing is written before training, so unwinding there leaves nothing behind.
    """


class TrainerWorker(QObject):
    """Runs one training in the thread it is moved to; `cancel()` is safe from any thread."""

    update = Signal(object)  # TrainerUpdate
    finished = Signal(object)  # TrainOutcome
    failed = Signal(str)

    def __init__(self, config: TrainConfig, max_rate: float = 20.0):
        super().__init__()
        self.config = config
        self._stop = threading.Event()
        self.throttle = ProgressThrottle(self.update.emit, 1.0 / max_rate)

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        return self._stop.is_set()

    def _progress(self, progress: Any) -> None:
        if progress.phase == "data" and self._stop.is_set():
            raise DataLoadingCancelled
        self.throttle(progress)

    @Slot()
    def run(self) -> None:
        """Import the trainer (torch) here, train, and report the outcome as a signal."""
        started = time.perf_counter()
        try:
            from kord_engine.ml.train import train

            result = train(self.config, progress=self._progress, should_stop=self._stop.is_set)
            self.throttle.flush()
            outcome = TrainOutcome(
                cancelled=bool(result.cancelled) or result.destination is None,
                destination=Path(result.destination) if result.destination else None,
                report=dict(result.report),
                seconds=time.perf_counter() - started,
            )
        except DataLoadingCancelled:
            self.throttle.flush()
            outcome = TrainOutcome(cancelled=True, seconds=time.perf_counter() - started)
        except KordError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown on the page, never an unhandled crash
            log.error("training failed:\n%s", traceback.format_exc())
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished.emit(outcome)


class TrainerBridge(QObject):
    """Owns the QThread + TrainerWorker of the current run and re-emits their signals.

    `start(config)` begins a run, `cancel()` asks it to stop (the engine polls every step and
    writes nothing), `wait(ms)` blocks until the thread is gone (app shutdown, tests).
    """

    update = Signal(object)  # TrainerUpdate
    finished = Signal(object)  # TrainOutcome
    failed = Signal(str)
    stopped = Signal()  # the worker thread has ended, whatever the outcome

    def __init__(self, parent: QObject | None = None, max_rate: float = 20.0):
        super().__init__(parent)
        self.max_rate = max_rate
        self._thread: QThread | None = None
        self._worker: TrainerWorker | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def cancel_requested(self) -> bool:
        return self._worker is not None and self._worker.cancel_requested

    def start(self, config: TrainConfig) -> None:
        if self.running:
            raise RuntimeError("a training run is already in progress")
        thread = QThread()
        thread.setObjectName("kord-trainer")
        worker = TrainerWorker(config, self.max_rate)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.update.connect(self.update)
        worker.finished.connect(self.finished)
        worker.failed.connect(self.failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        LIVE_THREADS.add((thread, worker))
        thread.start()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until the worker thread ends; True if it did within `timeout_ms`."""
        if self._thread is None:
            return True
        done = self._thread.wait(timeout_ms)
        if done:
            QCoreApplication.sendPostedEvents()
            self._on_thread_finished()
        return done

    @Slot()
    def shutdown(self) -> None:
        """Cancel and join a running trainer (app quit): a QThread must not outlive its object."""
        if self.running:
            self.cancel()
            self.wait(60000)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return
        thread, worker = self._thread, self._worker
        self._thread = self._worker = None
        thread.wait()
        LIVE_THREADS.discard((thread, worker))
        worker.deleteLater()
        thread.deleteLater()
        self.stopped.emit()


#: modules a run imports; loading an extension module holds the GIL (up to ~1 s for torch),
#: so the probe loads them while the user fills in the pages, not while the run page animates
WARM_MODULES = (
    "torch",
    "torch._dynamo",  # imported lazily by the first torch.optim.Adam(...): ~1 s of sympy etc.
    "kord_engine.ml.train",
    "kord_engine.ml.ddp",
    "kord_engine.ml.device",
    "kord_engine.ml.checkpoint",
    "kord_engine.ml.schedule",
    "kord_engine.ml.precision",
    "kord_engine.ml.loop",
    "kord_engine.ml.models",
    "kord_engine.ml.sources",
    "kord_engine.ml.sim",
    "kord_engine.audio.listen.model.targets",
    "kord_engine.ml.metrics",
    "kord_engine.ml.thresholds",
    "kord_engine.ml.report",
    "kord_engine.audio.listen.model.artifact",
    "kord_engine.ml.export",
    "onnxruntime",
    "onnx",
    "onnxscript",
    "torch.onnx",
)


def warm_imports(modules: tuple[str, ...] | None = None) -> list[str]:
    """Import `modules` (default WARM_MODULES) now, in the calling worker thread; returns the
    names that failed (logged, not raised: the run reports real errors itself)."""
    failed = []
    for name in WARM_MODULES if modules is None else modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - the run reports the real error later
            log.info("could not preload %s: %s", name, exc)
            failed.append(name)
    return failed


class DeviceProbe(QThread):
    """Asks torch (off the GUI thread: importing it takes seconds) which devices and precisions
    this machine offers and preloads the trainer's modules; emits
    `probed({device: {precision: (ok, why)}})` as soon as the precisions are known."""

    probed = Signal(object)

    def __init__(self, parent: QObject | None = None, warm: bool = True):
        super().__init__(parent)
        self.warm = warm

    def run(self) -> None:
        result: dict[str, dict[str, tuple[bool, str]]] = {}
        try:
            import torch

            from kord_engine.ml.precision import supported_precisions

            result["cpu"] = supported_precisions("cpu")
            if torch.cuda.is_available():
                result["cuda"] = supported_precisions("cuda")
        except Exception as exc:  # noqa: BLE001 - the page falls back to fp32 and says why
            log.warning("precision probe failed: %s", exc)
            why = f"could not ask torch: {exc}"
            result = {
                "cpu": {
                    "fp32": (True, "full precision"),
                    "fp16": (False, why),
                    "bf16": (False, why),
                }
            }
        self.probed.emit(result)
        if self.warm:
            warm_imports()

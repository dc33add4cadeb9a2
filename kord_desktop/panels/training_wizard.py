"""The training wizard (issue #5): choose data, model and training options, train in a QThread
with live curves, read the report, and make the new model the live detector's.

Importing this module never imports torch: the worker thread imports the trainer when it runs.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget, QWizard

from kord_desktop.bridge import trainer_bridge
from kord_desktop.bridge.trainer_bridge import (
    DeviceProbe,
    TrainerBridge,
    TrainerUpdate,
    TrainOutcome,
    default_threads,
)
from kord_desktop.panels.wizard_pages import (
    ModelPage,
    ResultsPage,
    RunPage,
    SourcesPage,
    TrainingPage,
)
from kord_engine.ml.config import TrainConfig
from kord_engine.userdirs import models_dir

log = logging.getLogger(__name__)

SOURCES, MODEL, TRAINING, RUN, RESULTS = range(5)
MODEL_DIR_KEY = "model/dir"
DETECTOR_KEY = "audio/detector"


def default_destination(now: datetime | None = None) -> Path:
    """A fresh timestamped folder under the user's models dir, e.g. model-20260101-120000."""
    return models_dir() / f"model-{(now or datetime.now()):%Y%m%d-%H%M%S}"


def remember_model(settings, model_dir: str) -> None:
    """Persist `model_dir` as the model of the live detector (typed Settings or a plain
    QSettings); a detector that uses no model switches to "hybrid" (model + harmonic)."""
    getter = getattr(settings, "get", None)
    current = getter(DETECTOR_KEY) if callable(getter) else settings.value(DETECTOR_KEY)
    detector = current if current in ("ml", "hybrid") else "hybrid"
    setter = getattr(settings, "set", None)
    if callable(setter):
        setter(MODEL_DIR_KEY, model_dir)
        setter(DETECTOR_KEY, detector)
    else:
        settings.setValue(MODEL_DIR_KEY, model_dir)
        settings.setValue(DETECTOR_KEY, detector)
    sync = getattr(settings, "sync", None)
    if callable(sync):
        sync()


class TrainingWizard(QWizard):
    """Data sources → model → training options → live run → results ("Use this model").

    `model_ready(path)` is emitted when the user picks the new model; the main window connects
    it to its `load_model`. `probe=False` skips asking torch for precisions (tests inject them
    with `training_page.set_precisions`).
    """

    model_ready = Signal(str)

    def __init__(self, context, parent: QWidget | None = None, *, probe: bool = True):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Train a chord model")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(820, 640)
        self.outcome: TrainOutcome | None = None
        self.config: TrainConfig | None = None
        self._close_when_stopped = False

        self.sources_page = SourcesPage()
        self.model_page = ModelPage()
        self.training_page = TrainingPage(default_destination(), default_threads())
        self.run_page = RunPage()
        self.results_page = ResultsPage()
        for page_id, page in enumerate(
            (
                self.sources_page,
                self.model_page,
                self.training_page,
                self.run_page,
                self.results_page,
            )
        ):
            self.setPage(page_id, page)
        self.setStartId(SOURCES)

        self.bridge = TrainerBridge(self)
        self.bridge.update.connect(self._on_update)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.failed.connect(self._on_failed)
        self.bridge.stopped.connect(self._on_stopped)
        self.run_page.cancel_button.clicked.connect(self.cancel_training)
        self.run_page.again_button.clicked.connect(self.start_training)
        self.run_page.settings_button.clicked.connect(self.restart)
        self.results_page.use_button.clicked.connect(self.use_model)
        self.currentIdChanged.connect(self._page_entered)

        missing = trainer_bridge.missing_training_packages()
        self.sources_page.set_torch_missing(missing)
        self.probe: DeviceProbe | None = None
        if probe and not missing:
            self.probe = DeviceProbe()  # no parent: it may outlive a wizard closed early
            self.probe.probed.connect(self.training_page.set_precisions)
            self.probe.finished.connect(self._probe_finished)
            trainer_bridge.LIVE_THREADS.add(self.probe)
            self.probe.start()
            app = QCoreApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ config
    def build_config(self) -> TrainConfig:
        """The TrainConfig the pages describe (the same object `kord ml train` builds)."""
        config = TrainConfig()
        for page in (self.sources_page, self.model_page, self.training_page):
            page.apply(config)
        return config

    # ------------------------------------------------------------------ run
    def _page_entered(self, page_id: int) -> None:
        if page_id == RUN and not self.bridge.running and not self.run_page.succeeded:
            self.start_training()

    def start_training(self) -> None:
        """Build the config from the pages and train it in the worker thread."""
        if self.bridge.running:
            return
        self.outcome = None
        self.config = self.build_config()
        self.run_page.reset()
        self._status(f"Training a model into {self.config.destination}")
        self.bridge.start(self.config)

    def cancel_training(self) -> None:
        """Ask the trainer to stop; it finishes the current step and writes nothing."""
        if self.bridge.running:
            self.bridge.cancel()
            self.run_page.cancel_button.setEnabled(False)
            self.run_page.phase.setText("Cancelling…")

    def _on_update(self, update: TrainerUpdate) -> None:
        p = update.progress
        self.run_page.curves.add_losses(update.steps, update.losses)
        if p is None:
            return
        if p.phase == "epoch":
            self.run_page.curves.add_epoch(p.epoch + 1, p.global_step, p.val)
        if not self.bridge.cancel_requested:
            self.run_page.show_progress(p)

    def _on_finished(self, outcome: TrainOutcome) -> None:
        self.outcome = outcome
        destination = Path(self.config.destination) if self.config else None
        if outcome.cancelled:
            if destination is not None and destination.exists():
                text = f"Cancelled, but {destination} exists: it was not written by this run."
            else:
                text = "Cancelled: nothing was written."
            self.run_page.show_end(text, error=False)
            self._status("Training cancelled")
            return
        self.run_page.succeeded = True
        self.run_page.show_end(f"Done: model written to {outcome.destination}", error=False)
        self.results_page.show_report(outcome.destination, outcome.report)
        self._status(f"Model trained: {outcome.destination}")
        if self.currentId() == RUN:
            self.next()

    def _on_failed(self, message: str) -> None:
        self.run_page.show_end(f"Training failed: {message}", error=True)
        self._status("Training failed")

    def _on_stopped(self) -> None:
        if self._close_when_stopped:
            self._close_when_stopped = False
            super().reject()

    # ------------------------------------------------------------------ results
    def use_model(self) -> None:
        """Remember the new model in settings, hand it to the live detector, close the wizard."""
        if self.outcome is None or self.outcome.destination is None:
            return
        path = str(self.outcome.destination)
        remember_model(self.context.settings, path)
        self.model_ready.emit(path)
        self._status(f"Live detector uses {path}")
        self.accept()

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        """Cancel (or close) while training: stop the run first, close once the thread ended."""
        if self.bridge.running:
            self._close_when_stopped = True
            self.cancel_training()
            return
        super().reject()

    def done(self, result: int) -> None:
        super().done(result)
        if self.outcome is not None and not self.bridge.running:
            self._fresh_start()

    def _fresh_start(self) -> None:
        """Next time it opens: page 1 again, a new destination name, no old results."""
        self.outcome = None
        self.run_page.succeeded = False
        self.training_page.destination.setText(str(default_destination()))
        self.restart()

    def shutdown(self) -> None:
        """Stop the trainer and the probe and join their threads (tests, app quit)."""
        self.bridge.shutdown()
        if self.probe is not None:
            self.probe.wait(60000)

    def _probe_finished(self) -> None:
        probe = self.sender() or self.probe
        if probe is not None:
            probe.wait()
            trainer_bridge.LIVE_THREADS.discard(probe)

    def _status(self, msg: str) -> None:
        status = getattr(self.context, "status", None)
        if callable(status):
            status(msg)

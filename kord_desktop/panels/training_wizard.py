"""The training wizard: teach the model your instrument (issue 11: record chords, fine-tune
the current model, compare before / after) or train one from folders (issue 5: data, model and
training options); both run in the trainer's QThread with live curves, and "Use this model"
makes the new model the live detector's.

Pages: start → record setup → record → fine-tune → run → compare, or
start → sources → model → training → run → results. Importing this module never imports
torch: the worker thread imports the trainer when it runs.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget, QWizard

from kord_desktop.bridge import trainer_bridge
from kord_desktop.bridge.accuracy_bridge import AccuracyJob
from kord_desktop.bridge.take_bridge import TakeBridge
from kord_desktop.bridge.trainer_bridge import (
    DeviceProbe,
    TrainerBridge,
    TrainerUpdate,
    TrainOutcome,
    default_threads,
)
from kord_desktop.panels.finetune_page import ComparePage, FinetunePage, FinetunePlan
from kord_desktop.panels.record_page import RecordPage, RecordSetupPage
from kord_desktop.panels.start_page import StartPage
from kord_desktop.panels.wizard_pages import (
    ModelPage,
    ResultsPage,
    RunPage,
    SourcesPage,
    TrainingPage,
)
from kord_engine.errors import KordError
from kord_engine.ml.config import TrainConfig
from kord_engine.userdirs import models_dir

log = logging.getLogger(__name__)

SOURCES, MODEL, TRAINING, RUN, RESULTS = range(5)
START, RECORD_SETUP, RECORD, FINETUNE, COMPARE = range(5, 10)
#: where Next goes from each page (RUN: RESULTS or COMPARE, by what ran)
ROUTES = {
    SOURCES: MODEL,
    MODEL: TRAINING,
    TRAINING: RUN,
    RESULTS: -1,
    RECORD_SETUP: RECORD,
    RECORD: FINETUNE,
    FINETUNE: RUN,
    COMPARE: -1,
}
#: open_at's names for where the wizard starts
PATHS = {"teach": RECORD_SETUP, "train": SOURCES, None: START}
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
    """Start → (record setup → record → fine-tune | sources → model → training) → live run →
    (compare | results), "Use this model".

    `model_ready(path)` is emitted when the user picks the new model and
    `default_model_requested` when they go back to the shipped one; the main window connects
    them to its `load_model` / `use_default_model`. `probe=False` skips asking torch for
    precisions (tests inject them with `training_page.set_precisions`). `start` is the first
    page (START: the choice; SOURCES or RECORD_SETUP to go straight to one path).
    """

    model_ready = Signal(str)
    default_model_requested = Signal()

    def __init__(
        self,
        context,
        parent: QWidget | None = None,
        *,
        probe: bool = True,
        start: int = START,
    ):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Train a chord model")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(860, 700)
        self.outcome: TrainOutcome | None = None
        self.config: TrainConfig | None = None
        self.plan: FinetunePlan | None = None  # the fine-tune being run / just run
        self.run_kind = "train"  # what the run page runs: "train" or "finetune"
        self.accuracy_job: AccuracyJob | None = None
        self.home = start
        self._close_when_stopped = False
        settings = getattr(context, "settings", None)

        self.takes = TakeBridge(getattr(context, "analyzer", None), self)
        self.start_page = StartPage()
        self.sources_page = SourcesPage()
        self.model_page = ModelPage()
        self.training_page = TrainingPage(default_destination(), default_threads())
        self.run_page = RunPage()
        self.results_page = ResultsPage()
        self.record_setup_page = RecordSetupPage(settings)
        self.record_page = RecordPage(context, self.takes)
        self.finetune_page = FinetunePage(settings, default_threads())
        self.compare_page = ComparePage()
        for page_id, page in (
            (SOURCES, self.sources_page),
            (MODEL, self.model_page),
            (TRAINING, self.training_page),
            (RUN, self.run_page),
            (RESULTS, self.results_page),
            (START, self.start_page),
            (RECORD_SETUP, self.record_setup_page),
            (RECORD, self.record_page),
            (FINETUNE, self.finetune_page),
            (COMPARE, self.compare_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(start)
        self._current = self.currentId()

        self.bridge = TrainerBridge(self)
        self.bridge.update.connect(self._on_update)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.failed.connect(self._on_failed)
        self.bridge.stopped.connect(self._on_stopped)
        self.run_page.cancel_button.clicked.connect(self.cancel_training)
        self.run_page.again_button.clicked.connect(self.start_training)
        self.run_page.settings_button.clicked.connect(self.change_settings)
        self.results_page.use_button.clicked.connect(self.use_model)
        self.compare_page.use_button.clicked.connect(self.use_finetuned_model)
        self.compare_page.default_button.clicked.connect(self.use_default_model)
        self.record_page.listen_requested.connect(self._start_listening)
        self.currentIdChanged.connect(self._page_entered)

        missing = trainer_bridge.missing_training_packages()
        self.sources_page.set_torch_missing(missing)
        self.finetune_page.set_torch_missing(missing)
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

    # ------------------------------------------------------------------ navigation
    def nextId(self) -> int:  # noqa: N802 - Qt override
        """The page after the current one: the start page's choice, RUN by what ran."""
        page_id = self.currentId()
        if page_id == START:
            return RECORD_SETUP if self.start_page.choice() == "teach" else SOURCES
        if page_id == RUN:
            return COMPARE if self.run_kind == "finetune" else RESULTS
        return ROUTES.get(page_id, -1)

    def open_at(self, path: str | None = None) -> None:
        """Show the first page of a path: None (the choice), "teach" or "train" — unless a
        run is in progress, whose page stays."""
        if self.bridge.running:
            return
        self.home = PATHS.get(path, START)
        self.setStartId(self.home)
        self.restart()

    def _page_entered(self, page_id: int) -> None:
        left, self._current = self._current, page_id
        if left == RECORD and page_id != RECORD:
            self.record_page.leave()
        if page_id == RECORD_SETUP:
            self.record_setup_page.refresh_instruments()
        elif page_id == RECORD:
            if left == RECORD_SETUP:
                setup = self.record_setup_page
                setup.remember()
                self.record_page.begin(
                    setup.instrument_name(), setup.prompts(), setup.seconds_per_take()
                )
            else:  # back from the fine-tune page
                self.record_page.resume()
            if not self._listening():
                self._start_listening()
        elif page_id == FINETUNE:
            self.run_kind = "finetune"
            self.finetune_page.prepare(self.record_setup_page.instrument_name())
        elif page_id == TRAINING:
            self.run_kind = "train"
        elif page_id == RUN and not self.bridge.running and not self.run_page.succeeded:
            self.start_training()

    def _listening(self) -> bool:
        analyzer = getattr(self.context, "analyzer", None)
        return bool(analyzer is not None and analyzer.running)

    def _start_listening(self) -> None:
        """Ask the app to listen (the recording page needs the microphone)."""
        start = getattr(self.context, "start_listening", None)
        if callable(start) and not start():
            self._status("Could not start listening; check the input device in the toolbar")

    # ------------------------------------------------------------------ run
    def start_training(self) -> None:
        """Build the config from the pages (or the fine-tune plan) and train it in the worker
        thread."""
        if self.bridge.running:
            return
        self.outcome = None
        if self.run_kind == "finetune":
            self.start_finetune()
            return
        self.config = self.build_config()
        self.run_page.setTitle("Training")
        self.run_page.setSubTitle("The model trains in the background; the app stays usable.")
        self.run_page.reset()
        self._status(f"Training a model into {self.config.destination}")
        self.bridge.start(self.config)

    def start_finetune(self, **extra) -> None:
        """Split the takes, stage the training ones and fine-tune the current model on them
        (`extra`: TrainConfig overrides on top of the page's)."""
        if self.bridge.running:
            return
        self.outcome = None
        self.run_kind = "finetune"
        self._drop_plan()
        self.run_page.setTitle("Fine-tuning")
        self.run_page.setSubTitle(
            "It learns your instrument in the background; the app stays usable."
        )
        self.run_page.reset()
        try:
            self.plan = self.finetune_page.plan(**{**self.finetune_overrides, **extra})
        except (KordError, OSError) as exc:  # no usable model, takes gone, disk full, …
            self.run_page.show_end(f"Cannot fine-tune: {exc}", error=True)
            return
        self.config = self.plan.config
        self.run_page.phase.setText(
            f"Fine-tuning on {len(self.plan.train)} takes of “{self.plan.instrument}”…"
        )
        self._status(f"Fine-tuning into {self.config.destination}")
        self.bridge.start(self.config)

    #: TrainConfig overrides every fine-tune gets (tests make it tiny)
    finetune_overrides: dict = {}

    def change_settings(self) -> None:
        """Back from a stopped run to its options: the fine-tune page, or the first page."""
        if self.bridge.running:
            return
        if self.run_kind == "finetune":
            self.setStartId(FINETUNE)
            self.restart()
            self.setStartId(self.home)
        else:
            self.restart()

    def _drop_plan(self) -> None:
        if self.plan is not None:
            self.plan.cleanup()

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
        if self.plan is not None:
            self.plan.cleanup()  # training has read the staged copy; the takes stay
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
        if self.run_kind == "finetune" and self.plan is not None:
            self.compare_page.measuring(
                self.plan, outcome.destination, outcome.report, outcome.seconds
            )
            self.measure(self.plan, outcome.destination)
        else:
            self.results_page.show_report(outcome.destination, outcome.report)
        self._status(f"Model trained: {outcome.destination}")
        if self.currentId() == RUN:
            self.next()

    def measure(self, plan: FinetunePlan, destination: Path) -> None:
        """Before / after exact accuracy on the held-out takes, in an AccuracyJob thread."""
        if not plan.held_out:
            self.compare_page.show_failure("No takes were held out to compare on.")
            return
        job = AccuracyJob(
            [("before", plan.init_from), ("after", destination)],
            [t.sample for t in plan.held_out],
        )
        count = len(plan.held_out)
        job.measured.connect(lambda result: self.compare_page.show_result(result, count))
        job.failed.connect(self.compare_page.show_failure)
        self.accuracy_job = job
        job.start()

    def _on_failed(self, message: str) -> None:
        self.run_page.show_end(f"Training failed: {message}", error=True)
        self._status("Training failed")

    def _on_stopped(self) -> None:
        self._drop_plan()  # whatever the outcome (a failed run too): the staged copy goes
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

    def use_finetuned_model(self) -> None:
        """ "Use this model" on the compare page: the live detector switches to the fine-tuned
        model now (remembered); the page stays, so the default is still one click away."""
        if self.outcome is None or self.outcome.destination is None:
            return
        path = str(self.outcome.destination)
        remember_model(self.context.settings, path)
        self.model_ready.emit(path)
        self.compare_page.show_used(f"The live detector uses “{Path(path).name}”.")
        self._status(f"Live detector uses {path}")

    def use_default_model(self) -> None:
        """Back to the shipped model (remembered); also in the main window's Model menu."""
        setter = getattr(self.context.settings, "set", None)
        if callable(setter):
            setter(MODEL_DIR_KEY, "")
        else:
            self.context.settings.setValue(MODEL_DIR_KEY, "")
        self.default_model_requested.emit()
        self.compare_page.show_used("The live detector uses the default model.")
        self._status("Live detector uses the default model")

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        """Cancel (or close) while training: stop the run first, close once the thread ended."""
        if self.bridge.running:
            self._close_when_stopped = True
            self.cancel_training()
            return
        super().reject()

    def done(self, result: int) -> None:
        self.record_page.leave()
        super().done(result)
        if self.outcome is not None and not self.bridge.running:
            self._fresh_start()

    def _fresh_start(self) -> None:
        """Next time it opens: page 1 again, a new destination name, no old results."""
        self.outcome = None
        self._drop_plan()
        self.plan = None
        self.run_page.succeeded = False
        self.training_page.destination.setText(str(default_destination()))
        self.restart()

    def shutdown(self) -> None:
        """Stop the trainer, the probe, the take recorder and any accuracy job and join their
        threads (tests, app quit)."""
        self.bridge.shutdown()
        self.takes.shutdown()
        if self.probe is not None:
            self.probe.wait(60000)
        if self.accuracy_job is not None:
            self.accuracy_job.wait(60000)
        self._drop_plan()

    def _probe_finished(self) -> None:
        probe = self.sender() or self.probe
        if probe is not None:
            probe.wait()
            trainer_bridge.LIVE_THREADS.discard(probe)

    def _status(self, msg: str) -> None:
        status = getattr(self.context, "status", None)
        if callable(status):
            status(msg)

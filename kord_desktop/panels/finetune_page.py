"""Teach it your instrument, part 2: fine-tune the current model on the recordings, then
compare it with the model it started from on takes it never trained on.

`FinetunePage` shows what the fine-tune starts from and its defaults (the engine's
`finetune_config`), and turns them into a `FinetunePlan`: the held-out split, the staged
training folder and the TrainConfig the wizard's trainer thread runs. `ComparePage` shows
before / after exact-set accuracy on the held-out takes (measured by an AccuracyJob thread)
and offers "Use this model" and "Use the default model".
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from kord_desktop.panels.page_labels import error_label, hint, show_error
from kord_engine.errors import KordError
from kord_engine.ml.finetune import DEFAULTS
from kord_engine.resources import default_model_dir
from kord_engine.userdirs import models_dir

HOLDOUT_SHARE = 0.2  # the share of takes kept out of training to compare before and after
HOLDOUT_SEED = 0


def current_model_dir(settings: Any) -> Path:
    """The model the live detector uses: the chosen folder, or the shipped default."""
    getter = getattr(settings, "get", None)
    chosen = getter("model/dir") if callable(getter) else settings.value("model/dir", "")
    path = Path(str(chosen)) if chosen else None
    if path is not None and (path / "model.onnx").is_file():
        return path
    return default_model_dir()


def model_title(path: Path) -> str:
    """ "the default model" or the folder's name, for sentences."""
    try:
        if Path(path).resolve() == default_model_dir().resolve():
            return "the default model"
    except OSError:
        pass
    return f"“{Path(path).name}”"


def default_destination(instrument: str, now: datetime | None = None) -> Path:
    """models/<instrument>-<timestamp>, e.g. my-guitar-20261202-031500."""
    from kord_engine.ml.recordings import slugify

    try:
        slug = slugify(instrument)
    except KordError:
        slug = "finetuned"
    return models_dir() / f"{slug}-{(now or datetime.now()):%Y%m%d-%H%M%S}"


@dataclass
class FinetunePlan:
    """One fine-tune: the config to train, the takes it learns from and those held out, and
    the staged folder of training samples (removed by `cleanup` once training has read it)."""

    config: Any  # kord_engine.ml.config.TrainConfig
    init_from: Path
    instrument: str
    train: list = field(default_factory=list)  # Takes
    held_out: list = field(default_factory=list)  # Takes
    staging: Path | None = None

    def cleanup(self) -> None:
        """Remove the staged copy of the training samples (the takes themselves stay)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


class FinetunePage(QWizardPage):
    """ "Fine-tune the current model on my recordings": what it starts from, the takes, and
    the defaults of `finetune_config` (epochs, learning rate, replay share, held-out share)."""

    def __init__(self, settings: Any = None, threads: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.threads = int(threads)
        self.instrument = ""
        self.takes: list = []
        self.torch_missing: list[str] = []
        self.setTitle("Fine-tune the current model on my recordings")
        self.setSubTitle(
            "It starts from the model you use now and learns your instrument from your takes, "
            "replaying simulated chords so it keeps what it knew."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Fine-tune")
        self.start_from = QLabel()
        self.start_from.setObjectName("startFrom")
        self.start_from.setWordWrap(True)
        self.recordings = QLabel()
        self.recordings.setObjectName("recordings")
        self.recordings.setWordWrap(True)
        self.holdout = QSpinBox()
        self.holdout.setRange(10, 50)
        self.holdout.setValue(round(HOLDOUT_SHARE * 100))
        self.holdout.setSuffix(" %")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setValue(DEFAULTS.epochs)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(0.00001, 0.1)
        self.lr.setSingleStep(0.0001)
        self.lr.setValue(DEFAULTS.lr)
        self.replay = QSpinBox()
        self.replay.setRange(0, 90)
        self.replay.setValue(round(DEFAULTS.replay_share * 100))
        self.replay.setSuffix(" %")
        self.copies = QSpinBox()
        self.copies.setRange(0, 64)
        self.copies.setValue(DEFAULTS.augment_copies)
        self.copies.setSuffix(" per take")
        for spin in (self.holdout, self.epochs, self.lr, self.replay, self.copies):
            spin.setMaximumWidth(150)
        self.destination = QLineEdit()
        self.browse = QPushButton("Browse…")
        self.error = error_label()

        what = QGroupBox("What it learns from")
        form = QFormLayout(what)
        form.addRow("Starts from", self.start_from)
        form.addRow("Your takes", self.recordings)
        form.addRow("Held out", self.holdout)
        form.addRow("", hint("Takes kept out of training to compare the models before and after."))
        how = QGroupBox("How (the defaults work; change them only if you want to)")
        grid = QGridLayout(how)
        grid.addWidget(QLabel("Epochs"), 0, 0)
        grid.addWidget(self.epochs, 0, 1)
        grid.addWidget(QLabel("Learning rate"), 0, 2)
        grid.addWidget(self.lr, 0, 3)
        grid.addWidget(QLabel("Simulated chords replayed"), 1, 0)
        grid.addWidget(self.replay, 1, 1)
        grid.addWidget(QLabel("Varied copies"), 1, 2)
        grid.addWidget(self.copies, 1, 3)
        grid.addWidget(
            hint(
                "Replayed chords keep it from forgetting other instruments; varied copies "
                "(transposed, detuned, other rooms) make a few takes go further."
            ),
            2,
            0,
            1,
            5,
        )
        grid.setColumnStretch(4, 1)
        out = QGroupBox("The new model")
        form3 = QFormLayout(out)
        row = QHBoxLayout()
        row.addWidget(self.destination, 1)
        row.addWidget(self.browse)
        form3.addRow("Model folder", row)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(how)
        layout.addWidget(out)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.holdout.valueChanged.connect(self._describe)
        self.destination.textChanged.connect(self.completeChanged)
        self.browse.clicked.connect(self._browse)

    def prepare(self, instrument: str) -> None:
        """Fill the page for `instrument`'s takes and the current model."""
        from kord_engine.ml.recordings import list_takes

        self.instrument = instrument
        try:
            self.takes = list_takes(instrument)
        except (OSError, KordError):
            self.takes = []
        init = current_model_dir(self.settings)
        self.start_from.setText(f"{model_title(init)}  ({init})")
        self.destination.setText(str(default_destination(instrument)))
        self._describe()

    def split(self) -> tuple[list, list]:
        """(takes to learn from, takes held out) — seeded, so the same takes give the same
        split."""
        from kord_engine.ml.finetune import split_holdout

        return split_holdout(self.takes, self.holdout.value() / 100.0, seed=HOLDOUT_SEED)

    def _describe(self, *_args) -> None:
        if not self.takes:
            self.recordings.setText(f"no takes of “{self.instrument}” yet")
        else:
            train, held = self.split()
            self.recordings.setText(
                f"{len(self.takes)} takes of “{self.instrument}”: {len(train)} to learn from, "
                f"{len(held)} held out"
            )
        self.completeChanged.emit()

    def _browse(self) -> None:
        start = str(Path(self.destination.text()).parent)
        path = QFileDialog.getExistingDirectory(self, "Folder to put the model folder in", start)
        if path:
            self.destination.setText(str(Path(path) / Path(self.destination.text()).name))

    def set_torch_missing(self, missing: list[str]) -> None:
        """Without PyTorch the takes are still recorded; fine-tuning says how to install it."""
        self.torch_missing = list(missing)
        self.completeChanged.emit()

    def problem(self) -> str | None:
        if self.torch_missing:
            return (
                f"Fine-tuning needs PyTorch (missing: {', '.join(self.torch_missing)}): "
                "pip install 'kord-desktop[train]' (in a source checkout: .venv/bin/pip "
                "install -e '.[train]'), then restart Kord Desktop. Your takes are kept."
            )
        if len(self.takes) < 2:
            return "Record at least two takes: one to learn from and one to check it on."
        text = self.destination.text().strip()
        if not text:
            return "Choose a folder for the new model."
        if Path(text).expanduser().exists():
            return f"{text} already exists; choose a new folder name."
        return None

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        problem = self.problem()
        show_error(self.error, problem)
        return problem is None

    def overrides(self) -> dict[str, Any]:
        """The TrainConfig overrides this page sets (everything else: finetune_config's)."""
        out: dict[str, Any] = {
            "epochs": self.epochs.value(),
            "lr": float(self.lr.value()),
            "replay_share": self.replay.value() / 100.0,
            "augment_copies": self.copies.value(),
        }
        if self.threads:
            out["threads"] = self.threads
        return out

    def plan(self, **extra: Any) -> FinetunePlan:
        """Split the takes, stage the training ones in a temp folder and build the config
        (`extra`: more TrainConfig overrides, e.g. a tiny run in tests). KordError when the
        model or the takes cannot be fine-tuned; nothing is left behind then."""
        from kord_engine.ml.finetune import finetune_config, stage_samples
        from kord_engine.ml.recordings import slugify

        init = current_model_dir(self.settings)
        train, held = self.split()
        staging = Path(tempfile.mkdtemp(prefix="kord-finetune-"))
        try:
            folder = stage_samples(train, staging / slugify(self.instrument))
            config = finetune_config(
                init,
                [folder],
                Path(self.destination.text().strip()).expanduser(),
                **{**self.overrides(), **extra},
            )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return FinetunePlan(config, init, self.instrument, train, held, staging)


class ComparePage(QWizardPage):
    """Before / after exact-set accuracy on the held-out takes; "Use this model" and
    "Use the default model"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Before and after")
        self.setSubTitle("How often each model hears every note of a held-out take exactly.")
        self.setFinalPage(True)
        self.accuracy: dict[str, float] = {}
        self.destination: Path | None = None
        self.headline = QLabel("Measuring…")
        self.headline.setObjectName("headline")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.font())
        big.setPointSize(22)
        big.setBold(True)
        self.headline.setFont(big)
        self.detail = QLabel()
        self.detail.setObjectName("detail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.before = QLabel("–")
        self.before.setObjectName("before")
        self.after = QLabel("–")
        self.after.setObjectName("after")
        self.before_title = QLabel("Before")
        self.after_title = QLabel("After")
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = error_label()
        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip("The live detector switches to it now (remembered)")
        self.default_button = QPushButton("Use the default model")
        self.default_button.setToolTip("Go back to the model Kord ships with")
        self.state = hint()
        self.state.setObjectName("useState")

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        for col, (title, value) in enumerate(
            ((self.before_title, self.before), (self.after_title, self.after))
        ):
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            mid = QFont(self.font())
            mid.setPointSize(18)
            value.setFont(mid)
            grid.addWidget(title, 0, col)
            grid.addWidget(value, 1, col)
        self.state.setAlignment(Qt.AlignmentFlag.AlignRight)
        buttons = QHBoxLayout()
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addSpacing(12)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addStretch(2)
        layout.addWidget(self.state)
        layout.addLayout(buttons)

    def measuring(
        self, plan: FinetunePlan, destination: Path, report: dict, seconds: float = 0.0
    ) -> None:
        """The fine-tune finished (in `seconds`, data included): say what is being measured
        until `show_result`."""
        self.accuracy = {}
        self.destination = Path(destination)
        n = len(plan.held_out)
        self.headline.setText("Measuring…")
        self.detail.setText(
            f"Both models are playing back {n} held-out takes of “{plan.instrument}” "
            "that the fine-tune never saw."
        )
        self.before_title.setText(f"Before: {model_title(plan.init_from)}")
        self.after_title.setText(f"After: “{self.destination.name}”")
        self.before.setText("…")
        self.after.setText("…")
        steps = report.get("steps", 0)
        seconds = seconds or report.get("train_seconds", 0.0)
        self.summary.setText(
            f"Fine-tuned on {len(plan.train)} takes in {seconds:.0f} s ({steps:,} steps). "
            f"Saved to <b>{self.destination}</b>"
        )
        show_error(self.error, None)
        self.state.setText("")
        self.use_button.setEnabled(True)

    def show_result(self, result: dict[str, float], count: int) -> None:
        """Before/after accuracies (0..1) on `count` held-out takes."""
        self.accuracy = dict(result)
        before, after = result.get("before"), result.get("after")
        self.before.setText(f"{100 * before:.0f} %" if before is not None else "–")
        self.after.setText(f"{100 * after:.0f} %" if after is not None else "–")
        if before is not None and after is not None:
            delta = 100 * (after - before)
            if delta > 0.5:
                self.headline.setText(f"{delta:+.0f} points on your instrument")
            elif delta < -0.5:
                self.headline.setText(f"{delta:+.0f} points: the current model did better")
            else:
                self.headline.setText("About the same on your instrument")
        self.detail.setText(
            f"Exact chords (every note right) on {count} held-out takes the fine-tune never saw."
        )

    def show_failure(self, message: str) -> None:
        self.headline.setText("Could not compare the models")
        self.before.setText("–")
        self.after.setText("–")
        show_error(self.error, message)

    def show_used(self, text: str) -> None:
        self.state.setText(text)

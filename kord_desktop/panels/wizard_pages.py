"""The five pages of the training wizard: data sources, model, training, run, results.

Pages hold widgets and check their own inputs (`isComplete`); the wizard turns them into a
`TrainConfig` and runs it. Nothing here imports torch.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from kord_desktop.panels.page_labels import error_label, hint, show_error
from kord_desktop.widgets.curves import TrainingCurves
from kord_engine.audio.listen.model.features import LOADERS, feature_width
from kord_engine.audio.listen.model.targets import TARGETS
from kord_engine.errors import KordError
from kord_engine.ml.config import MODELS, PRECISIONS, TrainConfig
from kord_engine.samples import list_samples

SIM_ITEMS = 375  # items one simulation "size" unit makes (ml.sim.ITEMS_PER_ITERATION)
DEFAULTS = TrainConfig()
LOADER_HELP = {
    "note_binned_convolution": "energy per note (128 bins) — small and fast",
    "mel": "512 mel bands — kord's default",
    "frequency": "the raw 8192-bin spectrum — big and slow",
    "frequency_pooled": "the spectrum pooled to 512 bins",
}
TARGET_HELP = {
    "full": "128 outputs: every note with its octave",
    "folded": "12 outputs: pitch classes only",
    "folded_bass": "12 pitch classes + which one is the bass",
}
MODEL_HELP = {
    "kord": "kord's attention model (multi-head attention + a dense trunk)",
    "ours": "a plain MLP with residual blocks (smaller, quick to train)",
}


def folder_problem(path: str | Path) -> str | None:
    """Why `path` cannot be a sample folder (missing, not a folder, no .bin files), or None."""
    path = Path(path)
    if not path.exists():
        return f"{path} does not exist"
    if not path.is_dir():
        return f"{path} is not a folder"
    try:
        if not list_samples(path):
            return f"{path} has no .bin sample files"
    except (OSError, KordError) as exc:
        return f"{path} cannot be read: {exc}"
    return None


def kord_shape_problem(width: int, heads: int) -> str | None:
    """kord's model splits the features into `heads` tokens (models.check_kord_shape's rules)."""
    chunk, rest = divmod(width, heads)
    if heads < 1 or rest or chunk < heads or chunk % heads:
        good = [
            h for h in range(1, 65) if not width % h and width // h >= h and not (width // h) % h
        ]
        return (
            f"kord's model cannot split {width} features into {heads} attention heads; "
            f"choose one of {', '.join(map(str, good))}"
        )
    return None


def _narrow(*spins: QWidget) -> None:
    """Number fields as wide as their numbers, not the whole form."""
    for spin in spins:
        spin.setMaximumWidth(150)


def _stack_page(page: QWidget, *groups: QWidget) -> None:
    """Lay `groups` top-down on `page`, then its error label, with the slack below."""
    layout = QVBoxLayout(page)
    for group in groups:
        layout.addWidget(group)
    layout.addWidget(page.error)  # type: ignore[attr-defined]
    layout.addStretch(1)


class FolderList(QWidget):
    """A list of sample folders with Add…/Remove; every folder added must hold .bin samples."""

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMaximumHeight(64)
        self.add_button = QPushButton("Add…")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setEnabled(False)
        self.error = error_label()
        self.add_button.clicked.connect(self._browse)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.list.selectedItems()))
        )
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1, Qt.AlignmentFlag.AlignTop)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def add_folder(self, path: str | Path) -> bool:
        """Add `path` if it is a folder of .bin samples; otherwise say why and return False."""
        path = str(Path(path))
        problem = folder_problem(path)
        if problem is None and path in self.folders():
            problem = f"{path} is already in the list"
        show_error(self.error, problem)
        if problem:
            return False
        self.list.addItem(path)
        self.changed.emit()
        return True

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        show_error(self.error, None)
        self.changed.emit()

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, f"Add a folder of .bin samples — {self.title}"
        )
        if path:
            self.add_folder(path)


class SourcesPage(QWizardPage):
    """Page 1: captured folders, simulated data, rendered/processed datasets, noise, validation."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Data sources")
        self.setSubTitle("What the model learns from, and what it is checked against.")
        self.torch_missing: list[str] = []
        self.install_note = QLabel()
        self.install_note.setObjectName("installNote")
        self.install_note.setWordWrap(True)
        self.install_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.install_note.setStyleSheet(
            "QLabel { border: 1px solid #e5b344; border-radius: 4px; padding: 8px; }"
        )
        self.install_note.hide()

        self.captured = FolderList("captured samples")
        self.datasets = FolderList("rendered / processed datasets")
        self.sim = QSpinBox()
        self.sim.setRange(0, 2000)
        self.sim.setValue(DEFAULTS.simulation_size)
        self.sim.setSpecialValueText("none")
        self.sim_items = hint("")
        self.oversample = QSpinBox()
        self.oversample.setRange(1, 64)
        self.oversample.setValue(DEFAULTS.captured_oversample_factor)
        self.oversample.setSuffix("×")
        self.noise = QLineEdit()
        self.noise.setPlaceholderText(
            "optional: a folder of noise .bin samples mixed into sim data"
        )
        self.noise_browse = QPushButton("Browse…")
        self.noise_error = error_label()

        self.split_radio = QRadioButton("Hold out a share of the training data")
        self.folders_radio = QRadioButton("Use these folders")
        self.split_radio.setChecked(True)
        self.split = QSpinBox()
        self.split.setRange(5, 50)
        self.split.setValue(round(DEFAULTS.validation_fraction * 100))
        self.split.setSuffix(" %")
        self.validation = FolderList("validation samples")
        self.validation.setEnabled(False)
        self.error = error_label()

        _narrow(self.sim, self.oversample, self.split)
        sources = QGroupBox("Training data")
        form = QFormLayout(sources)
        form.addRow("Captured sample folders", self.captured)
        sim_row = QHBoxLayout()
        sim_row.addWidget(self.sim)
        sim_row.addWidget(self.sim_items, 1)
        form.addRow("Simulated chords", sim_row)
        form.addRow("Rendered / processed", self.datasets)
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise, 1)
        noise_row.addWidget(self.noise_browse)
        form.addRow("Noise folder", noise_row)
        form.addRow("", self.noise_error)
        form.addRow("Captured oversampling", self.oversample)
        form.addRow(
            hint(
                "Folders whose name contains “captured” are repeated in training (after the "
                "validation split, so no recording is in both)."
            )
        )
        val = QGroupBox("Validation data")
        grid = QGridLayout(val)
        grid.addWidget(self.split_radio, 0, 0)
        grid.addWidget(self.split, 0, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.folders_radio, 1, 0, 1, 2)
        indented = QHBoxLayout()
        indented.setContentsMargins(24, 0, 0, 0)
        indented.addWidget(self.validation)
        grid.addLayout(indented, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)

        _stack_page(self, self.install_note, sources, val)

        for folder_list in (self.captured, self.datasets, self.validation):
            folder_list.changed.connect(self._changed)
        self.sim.valueChanged.connect(self._changed)
        self.noise.textChanged.connect(self._changed)
        self.noise_browse.clicked.connect(self._browse_noise)
        self.split_radio.toggled.connect(self._validation_mode)
        self._changed()

    def set_torch_missing(self, missing: list[str]) -> None:
        """Say how to install training support (Next stays disabled) when packages are missing."""
        self.torch_missing = list(missing)
        self.install_note.setText(
            "<b>Training needs PyTorch, which is not installed</b> (missing: "
            f"{', '.join(missing)}).<br>Add it with<br><code>pip install "
            "'kord-desktop[train]'</code><br>or, in a source checkout, "
            "<code>.venv/bin/pip install -e '.[train]'</code><br>then restart Kord Desktop."
        )
        self.install_note.setVisible(bool(missing))
        self.completeChanged.emit()

    def _browse_noise(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Noise samples folder")
        if path:
            self.noise.setText(path)

    def _validation_mode(self, split: bool) -> None:
        self.split.setEnabled(split)
        self.validation.setEnabled(not split)
        self._changed()

    def _changed(self, *_args) -> None:
        n = self.sim.value()
        self.sim_items.setText(f"= {n * SIM_ITEMS:,} generated items" if n else "no simulated data")
        noise = self.noise.text().strip()
        show_error(self.noise_error, folder_problem(noise) if noise else None)
        self.completeChanged.emit()

    def problem(self) -> str | None:
        """The first reason this page cannot go on, or None."""
        if self.torch_missing:
            return "PyTorch is not installed"
        if not (self.captured.folders() or self.datasets.folders() or self.sim.value()):
            return "Add at least one sample folder or some simulated chords."
        noise = self.noise.text().strip()
        if noise and folder_problem(noise):
            return folder_problem(noise)
        if self.folders_radio.isChecked() and not self.validation.folders():
            return "Add at least one validation folder, or hold out a share of the training data."
        return None

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        problem = self.problem()
        show_error(self.error, problem if problem and not self.torch_missing else None)
        return problem is None

    def apply(self, config: TrainConfig) -> None:
        sources = [*self.captured.folders(), *self.datasets.folders()]
        if self.sim.value():
            sources.append("sim")
            config.simulation_size = self.sim.value()
        config.training_sources = sources
        config.captured_oversample_factor = self.oversample.value()
        config.noise_asset_root = self.noise.text().strip() or None
        if self.folders_radio.isChecked():
            config.validation_sources = self.validation.folders()
        else:
            config.validation_sources = []
            config.validation_fraction = self.split.value() / 100.0


class ModelPage(QWizardPage):
    """Page 2: feature loader (+ deterministic guess), exactly one target, model and its size."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Model")
        self.setSubTitle("What the model sees, what it predicts, and how big it is.")
        self.loader = QComboBox()
        for name in LOADERS:
            self.loader.addItem(name, name)
            self.loader.setItemData(
                self.loader.count() - 1, LOADER_HELP.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        self.loader.setCurrentIndex(self.loader.findData(DEFAULTS.loader))
        self.include_guess = QCheckBox("Include kord's deterministic guess as extra features")
        self.include_guess.setChecked(DEFAULTS.include_guess)
        self.loader_hint = hint("")

        self.targets = QButtonGroup(self)
        self.targets.setExclusive(True)
        target_box = QWidget()
        target_layout = QVBoxLayout(target_box)
        target_layout.setContentsMargins(0, 0, 0, 0)
        self.target_buttons: dict[str, QRadioButton] = {}
        for name in TARGETS:
            button = QRadioButton(f"{name} — {TARGET_HELP.get(name, '')}")
            button.setProperty("target", name)
            self.targets.addButton(button)
            target_layout.addWidget(button)
            self.target_buttons[name] = button
        self.target_buttons[DEFAULTS.target].setChecked(True)

        self.model = QComboBox()
        for name in MODELS:
            self.model.addItem(f"{name} — {MODEL_HELP.get(name, '')}", name)
        self.heads = QSpinBox()
        self.heads.setRange(1, 64)
        self.heads.setValue(DEFAULTS.mha_heads)
        self.dropout = QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.dropout.setDecimals(2)
        self.dropout.setValue(DEFAULTS.dropout)
        self.width = QSpinBox()
        self.width.setRange(8, 8192)
        self.width.setSingleStep(64)
        self.width.setValue(DEFAULTS.trunk_hidden_size)
        self.width_label = QLabel("Trunk width")
        self.error = error_label()

        _narrow(self.heads, self.dropout, self.width)
        data = QGroupBox("Input")
        form = QFormLayout(data)
        form.addRow("Loader", self.loader)
        form.addRow("", self.loader_hint)
        form.addRow("", self.include_guess)
        target_group = QGroupBox("Target (exactly one)")
        QVBoxLayout(target_group).addWidget(target_box)
        net = QGroupBox("Network")
        form2 = QFormLayout(net)
        form2.addRow("Model", self.model)
        form2.addRow("Attention heads", self.heads)
        form2.addRow(self.width_label, self.width)
        form2.addRow("Dropout", self.dropout)
        _stack_page(self, data, target_group, net)

        self.loader.currentIndexChanged.connect(self._changed)
        self.include_guess.toggled.connect(self._changed)
        self.model.currentIndexChanged.connect(self._model_changed)
        self.heads.valueChanged.connect(self._changed)
        self.targets.buttonToggled.connect(self._changed)
        self._model_changed()

    @property
    def model_name(self) -> str:
        return self.model.currentData()

    def target(self) -> str | None:
        button = self.targets.checkedButton()
        return button.property("target") if button is not None else None

    def _model_changed(self, *_args) -> None:
        kord = self.model_name == "kord"
        self.heads.setEnabled(kord)
        self.width_label.setText("Trunk width" if kord else "Hidden width")
        default = DEFAULTS.trunk_hidden_size if kord else DEFAULTS.ours_hidden
        self.width.setValue(default)
        self._changed()

    def feature_width(self) -> int:
        return int(feature_width(self.loader.currentData(), self.include_guess.isChecked()))

    def _changed(self, *_args) -> None:
        name = self.loader.currentData()
        self.loader_hint.setText(f"{LOADER_HELP.get(name, '')} · {self.feature_width()} features")
        self.completeChanged.emit()

    def problem(self) -> str | None:
        if self.target() is None:
            return f"Choose exactly one target ({', '.join(TARGETS)})."
        if self.model_name == "kord":
            return kord_shape_problem(self.feature_width(), self.heads.value())
        return None

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        problem = self.problem()
        show_error(self.error, problem)
        return problem is None

    def apply(self, config: TrainConfig) -> None:
        config.loader = self.loader.currentData()
        config.include_guess = self.include_guess.isChecked()
        config.target = self.target() or DEFAULTS.target
        config.model = self.model_name
        config.mha_heads = self.heads.value()
        config.dropout = round(self.dropout.value(), 4)
        if config.model == "kord":
            config.trunk_hidden_size = self.width.value()
        else:
            config.ours_hidden = self.width.value()


class TrainingPage(QWizardPage):
    """Page 3: device, precision (what this machine supports), epochs, LR, batch, store, output."""

    def __init__(self, default_destination: Path, threads: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Training")
        self.setSubTitle("How long and how precisely to train, and where the model goes.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Train")
        self.precisions: dict[str, dict[str, tuple[bool, str]]] = {}
        self.device = QComboBox()
        for name, label in (
            ("auto", "auto (GPU if there is one)"),
            ("cpu", "CPU"),
            ("cuda", "CUDA GPU"),
        ):
            self.device.addItem(label, name)
        self.precision = QComboBox()
        for name in PRECISIONS:
            self.precision.addItem(name, name)
        self.precision_why = hint("checking what this machine supports…")
        self.store = QComboBox()
        self.store.addItem("half (fp16 weights, half the size)", "half")
        self.store.addItem("full (fp32 weights)", "full")
        self.store.setCurrentIndex(self.store.findData(DEFAULTS.store_precision))
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(DEFAULTS.epochs)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(0.000001, 1.0)
        self.lr.setSingleStep(0.0001)
        self.lr.setValue(DEFAULTS.lr)
        self.batch = QSpinBox()
        self.batch.setRange(1, 8192)
        self.batch.setValue(DEFAULTS.batch_size)
        self.threads = QSpinBox()
        self.threads.setRange(0, 64)
        self.threads.setSpecialValueText("all cores")
        self.threads.setValue(threads)
        self.destination = QLineEdit(str(default_destination))
        self.browse = QPushButton("Browse…")
        self.error = error_label()

        _narrow(self.epochs, self.lr, self.batch, self.threads)
        run = QGroupBox("Hardware")
        form = QFormLayout(run)
        form.addRow("Device", self.device)
        form.addRow("Precision", self.precision)
        form.addRow("", self.precision_why)
        form.addRow("CPU threads", self.threads)
        opt = QGroupBox("Optimisation")
        form2 = QFormLayout(opt)
        form2.addRow("Epochs", self.epochs)
        form2.addRow("Learning rate", self.lr)
        form2.addRow("Batch size", self.batch)
        out = QGroupBox("Output")
        form3 = QFormLayout(out)
        form3.addRow("Stored weights", self.store)
        dest_row = QHBoxLayout()
        dest_row.addWidget(self.destination, 1)
        dest_row.addWidget(self.browse)
        form3.addRow("Model folder", dest_row)
        _stack_page(self, run, opt, out)

        self.device.currentIndexChanged.connect(self._refresh_precisions)
        self.precision.currentIndexChanged.connect(self._precision_changed)
        self.destination.textChanged.connect(self.completeChanged)
        self.browse.clicked.connect(self._browse)
        self._refresh_precisions()

    def set_precisions(self, precisions: dict[str, dict[str, tuple[bool, str]]]) -> None:
        """What each device supports, {device: {precision: (ok, why)}} (from DeviceProbe)."""
        self.precisions = dict(precisions)
        self._refresh_precisions()

    def resolved_device(self) -> str:
        name = self.device.currentData()
        if name == "auto":
            return "cuda" if "cuda" in self.precisions else "cpu"
        return name

    def _refresh_precisions(self, *_args) -> None:
        model: QStandardItemModel = self.device.model()  # type: ignore[assignment]
        cuda = model.item(self.device.findData("cuda"))
        has_cuda = "cuda" in self.precisions
        cuda.setEnabled(has_cuda or not self.precisions)
        cuda.setToolTip("" if has_cuda else "torch sees no CUDA GPU on this machine")
        if self.precisions and not has_cuda and self.device.currentData() == "cuda":
            self.device.setCurrentIndex(self.device.findData("auto"))
        table = self.precisions.get(self.resolved_device(), {})
        pmodel: QStandardItemModel = self.precision.model()  # type: ignore[assignment]
        for row, name in enumerate(PRECISIONS):
            item = pmodel.item(row)
            if not self.precisions:
                ok, why = (name == "fp32", "checking…" if name != "fp32" else "always available")
            else:
                ok, why = table.get(name, (False, "not reported for this device"))
            slow = ok and "slower" in why
            item.setEnabled(ok)
            item.setText(name + (" (slow here)" if slow else "" if ok else " (unsupported)"))
            item.setToolTip(why)
        current = pmodel.item(self.precision.currentIndex())
        if current is not None and not current.isEnabled():
            self.precision.setCurrentIndex(PRECISIONS.index("fp32"))
        self._precision_changed()

    def _precision_changed(self, *_args) -> None:
        name = self.precision.currentData()
        table = self.precisions.get(self.resolved_device(), {})
        if not self.precisions:
            why = "checking what this machine supports…"
        else:
            why = table.get(name, (False, ""))[1]
        self.precision_why.setText(why)
        self.precision.setToolTip(why)
        self.completeChanged.emit()

    def _browse(self) -> None:
        start = str(Path(self.destination.text()).parent)
        path = QFileDialog.getExistingDirectory(self, "Folder to put the model folder in", start)
        if path:
            self.destination.setText(str(Path(path) / Path(self.destination.text()).name))

    def problem(self) -> str | None:
        name = self.precision.currentData()
        if self.precisions:
            ok, why = self.precisions.get(self.resolved_device(), {}).get(name, (False, ""))
            if not ok:
                return f"{name} cannot run on {self.resolved_device()}: {why}"
        text = self.destination.text().strip()
        if not text:
            return "Choose a folder for the model."
        dest = Path(text).expanduser()
        if dest.exists():
            return f"{dest} already exists; choose a new folder name."
        parent = next((p for p in dest.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            return f"{parent} is a file, not a folder."
        return None

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        problem = self.problem()
        show_error(self.error, problem)
        return problem is None

    def apply(self, config: TrainConfig) -> None:
        config.device = self.device.currentData()
        config.precision = self.precision.currentData()
        config.store_precision = self.store.currentData()
        config.epochs = self.epochs.value()
        config.lr = float(self.lr.value())
        config.batch_size = self.batch.value()
        config.threads = self.threads.value()
        config.destination = str(Path(self.destination.text().strip()).expanduser())


def format_eta(seconds: float) -> str:
    """m:ss (or h:mm:ss) for the ETA label."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class RunPage(QWizardPage):
    """Page 4: live progress of the run (bar, numbers, curves), Cancel, errors."""

    STATS = (
        ("epoch", "Epoch"),
        ("step", "Step"),
        ("loss", "Loss"),
        ("lr", "Learning rate"),
        ("loss_scale", "Loss scale"),
        ("skipped", "Skipped steps"),
        ("rate", "Samples/s"),
        ("eta", "ETA"),
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Training")
        self.setSubTitle("The model trains in the background; the app stays usable.")
        self.succeeded = False
        self.phase = QLabel("Starting…")
        self.phase.setObjectName("phase")
        self.phase.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setFormat("%v / %m steps")
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        mono = QFont()
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for i, (key, title) in enumerate(self.STATS):
            value = QLabel("–")
            value.setObjectName(f"stat_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = hint(title)
            grid.addWidget(caption, 0, i)
            grid.addWidget(value, 1, i)
            self.values[key] = value
        self.curves = TrainingCurves()
        self.curves.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.error = error_label()
        self.cancel_button = QPushButton("Cancel training")
        self.again_button = QPushButton("Train again")
        self.settings_button = QPushButton("Change settings…")
        for button in (self.again_button, self.settings_button):
            button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.phase)
        layout.addWidget(self.bar)
        layout.addLayout(grid)
        layout.addWidget(self.curves, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def reset(self) -> None:
        self.succeeded = False
        self.phase.setText("Loading data and computing features…")
        self.bar.setRange(0, 0)  # busy until the first step (setValue would repaint now)
        for label in self.values.values():
            label.setText("–")
        self.curves.clear()
        show_error(self.error, None)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.again_button.hide()
        self.settings_button.hide()
        self.completeChanged.emit()

    def show_progress(self, p) -> None:
        """Fill the bar and the numbers from one engine TrainProgress."""
        if p.total_steps:
            if self.bar.maximum() != p.total_steps:
                self.bar.setRange(0, p.total_steps)
                self.curves.set_total_steps(p.total_steps, p.epochs)
            self.bar.setValue(p.global_step)
        if p.phase in ("step", "epoch"):
            v = self.values
            v["epoch"].setText(f"{p.epoch + 1} / {p.epochs}")
            v["step"].setText(f"{p.step} / {p.steps}")
            v["loss"].setText(f"{p.loss:.4f}")
            v["lr"].setText(f"{p.lr:.2e}")
            v["loss_scale"].setText(f"{p.loss_scale:g}")
            v["skipped"].setText(str(p.skipped_steps))
            if p.phase == "step":
                v["rate"].setText(f"{p.samples_per_s:,.0f}")
                v["eta"].setText(format_eta(p.eta_s))
                self.phase.setText(f"Training: epoch {p.epoch + 1} of {p.epochs}")
            else:
                val = ", ".join(f"{k} {x:.4f}" for k, x in p.val.items())
                self.phase.setText(f"Epoch {p.epoch + 1} of {p.epochs} done: {val}")
        elif p.message:
            self.phase.setText(p.message[:1].upper() + p.message[1:] + "…")

    def show_end(self, text: str, error: bool) -> None:
        """A finished, cancelled or failed run: say so and offer the way on."""
        self.cancel_button.hide()
        self.phase.setText(text if not error else "Training stopped.")
        show_error(self.error, text if error else None)
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        if not self.succeeded:
            self.again_button.show()
            self.settings_button.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.succeeded


class ResultsPage(QWizardPage):
    """Page 5: the report's metrics per source and "Use this model"."""

    COLUMNS = ("Source", "Samples", "Exact", "Macro F1", "PR-AUC", "Sample F1")
    KEYS = ("count", "exact_match", "macro_f1", "macro_pr_auc", "sample_f1")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle("Results")
        self.setSubTitle("How well the new model does on data it did not train on.")
        self.setFinalPage(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.use_button = QPushButton("Use this model")
        self.use_button.setDefault(False)
        self.use_button.setToolTip("Make the live detector use this model (remembered in settings)")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def show_report(self, destination: Path, report: dict) -> None:
        metrics: dict[str, dict] = report.get("metrics", {})
        self.table.setRowCount(len(metrics))
        for row, (name, m) in enumerate(metrics.items()):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            for col, key in enumerate(self.KEYS, start=1):
                value = m.get(key)
                if value is None:
                    text = "–"
                elif key == "count":
                    text = f"{int(value):,}"
                else:
                    text = f"{100 * float(value):.1f} %"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        facts = [
            f"Saved to <b>{destination}</b>",
            f"{report.get('steps', 0):,} steps in {report.get('train_seconds', 0):.1f} s "
            f"({report.get('samples_per_s', 0):,.0f} samples/s)",
            f"{report.get('parameters', 0):,} parameters, model.onnx "
            f"{report.get('onnx_bytes', 0) / 1024:,.0f} KiB",
        ]
        if report.get("final_loss") is not None:
            facts.append(f"final loss {report['final_loss']:.4f}")
        self.summary.setText("<br>".join(facts))

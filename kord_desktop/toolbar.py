"""The listening toolbar: input device, Start/Stop, detector, sensitivity, output and volume."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSlider, QToolBar, QWidget

#: (settings value, label) of the detectors offered
DETECTORS: tuple[tuple[str, str], ...] = (
    ("hybrid", "Model + harmonic"),
    ("ml", "Model"),
    ("kord", "kord's deterministic"),
    ("default", "Harmonic"),
)
#: the detectors that load a model (and so take the chosen model folder)
MODEL_DETECTORS = frozenset({"ml", "hybrid"})
GATE_RANGE = (-90, -20)
DEFAULT_DEVICE = "System default"


class ListenToolbar(QToolBar):
    """Emits what the user changed; the main window owns the analyzer and the synth."""

    start_requested = Signal()
    stop_requested = Signal()
    input_device_changed = Signal(str)
    output_device_changed = Signal(str)
    detector_changed = Signal(str)
    gate_changed = Signal(float)
    volume_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Listening", parent)
        self.setObjectName("listenToolbar")
        self.setMovable(False)

        self.input_combo = QComboBox()
        self.input_combo.setToolTip("Input device (microphone)")
        self.input_combo.setMinimumContentsLength(14)
        self.input_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.listen_button = QPushButton("Start listening")
        self.listen_button.setCheckable(True)
        self.listen_button.setToolTip("Start or stop live chord detection (Space)")
        self.listen_button.clicked.connect(self._listen_clicked)

        self.detector_combo = QComboBox()
        self.detector_combo.setToolTip("Which detector names the chord")
        for value, label in DETECTORS:
            self.detector_combo.addItem(label, value)

        self.gate_slider = QSlider(Qt.Orientation.Horizontal)
        self.gate_slider.setRange(*GATE_RANGE)
        self.gate_slider.setFixedWidth(110)
        self.gate_slider.setToolTip(
            "Sensitivity: the noise gate. Sounds quieter than this (dBFS) are ignored."
        )
        self.gate_label = QLabel()
        self.gate_label.setMinimumWidth(54)
        self.gate_slider.valueChanged.connect(self._gate_moved)

        self.output_combo = QComboBox()
        self.output_combo.setToolTip("Output device for the synth")
        self.output_combo.setMinimumContentsLength(12)
        self.output_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setFixedWidth(90)
        self.volume_slider.setToolTip("Synth volume")

        self.addWidget(QLabel(" Input "))
        self.addWidget(self.input_combo)
        self.addWidget(self.listen_button)
        self.addSeparator()
        self.addWidget(QLabel(" Detector "))
        self.addWidget(self.detector_combo)
        self.addWidget(QLabel(" Gate "))
        self.addWidget(self.gate_slider)
        self.addWidget(self.gate_label)
        self.addSeparator()
        self.addWidget(QLabel(" Output "))
        self.addWidget(self.output_combo)
        self.addWidget(QLabel(" Volume "))
        self.addWidget(self.volume_slider)

        self.input_combo.currentIndexChanged.connect(
            lambda _i: self.input_device_changed.emit(self.input_device)
        )
        self.output_combo.currentIndexChanged.connect(
            lambda _i: self.output_device_changed.emit(self.output_device)
        )
        self.detector_combo.currentIndexChanged.connect(
            lambda _i: self.detector_changed.emit(self.detector)
        )
        self.volume_slider.valueChanged.connect(lambda v: self.volume_changed.emit(v / 100.0))
        self.set_gate(-55.0)

    # ------------------------------------------------------------------ values
    @property
    def input_device(self) -> str:
        return self.input_combo.currentData() or ""

    @property
    def output_device(self) -> str:
        return self.output_combo.currentData() or ""

    @property
    def detector(self) -> str:
        return self.detector_combo.currentData()

    @property
    def gate_db(self) -> float:
        return float(self.gate_slider.value())

    @property
    def volume(self) -> float:
        return self.volume_slider.value() / 100.0

    def set_devices(
        self, inputs: list[str], outputs: list[str], selected_in: str = "", selected_out: str = ""
    ) -> None:
        """Fill the device combos ('' = system default) without emitting change signals."""
        for combo, names, selected in (
            (self.input_combo, inputs, selected_in),
            (self.output_combo, outputs, selected_out),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(DEFAULT_DEVICE, "")
            for name in names:
                combo.addItem(name, name)
            if selected and combo.findData(selected) < 0:
                combo.addItem(f"{selected} (missing)", selected)
            combo.setCurrentIndex(max(0, combo.findData(selected)))
            combo.blockSignals(False)

    def set_detector(self, value: str) -> None:
        i = self.detector_combo.findData(value)
        if i >= 0:
            self.detector_combo.setCurrentIndex(i)

    def set_gate(self, gate_db: float) -> None:
        self.gate_slider.setValue(round(gate_db))
        self._gate_moved(self.gate_slider.value())

    def set_volume(self, volume: float) -> None:
        self.volume_slider.setValue(round(100 * volume))

    def set_listening(self, listening: bool) -> None:
        """Reflect the analyzer state on the Start/Stop button."""
        self.listen_button.setChecked(listening)
        self.listen_button.setText("Stop listening" if listening else "Start listening")

    def _listen_clicked(self, checked: bool) -> None:
        # the button shows the real state once the main window has (re)started the analyzer
        self.listen_button.setChecked(not checked)
        (self.start_requested if checked else self.stop_requested).emit()

    def _gate_moved(self, value: int) -> None:
        self.gate_label.setText(f"{value} dB")
        self.gate_changed.emit(float(value))

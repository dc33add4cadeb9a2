"""Synth controls: timbre, ADSR, volume, sustain, arpeggio and MIDI input, persisted in settings.

Every change goes straight to context.synth (set_timbre / set_adsr / set_volume / set_sustain /
set_arpeggio_speed) and into context.settings under "synth/…", and is re-applied at start-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from kord_desktop.bridge.midi_input import MidiInput

TIMBRES = ("piano", "organ", "sine")


@dataclass(frozen=True)
class SynthDefaults:
    """Starting values: kord's web piano envelope (0.003/0.02/0.85/0.25) and 0.2 s arpeggio."""

    timbre: str = "piano"
    attack: float = 0.003
    decay: float = 0.02
    sustain: float = 0.85
    release: float = 0.25
    volume: float = 0.8
    sustain_pedal: bool = False
    arpeggio: bool = False
    arpeggio_speed: float = 0.2


DEFAULTS = SynthDefaults()


def read_setting(settings: Any, key: str, default: Any) -> Any:
    """Read a value typed like `default` from QSettings (or a wrapper with .value/.get)."""
    try:
        raw = settings.value(key, default) if hasattr(settings, "value") else settings.get(key)
    except Exception:
        return default
    if raw is None:
        return default
    try:
        if isinstance(default, bool):
            if isinstance(raw, str):
                return raw.strip().lower() in ("1", "true", "yes", "on")
            return bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            value = float(raw)
            return value if math.isfinite(value) else default
        return type(default)(raw) if default is not None else raw
    except (TypeError, ValueError):
        return default


def write_setting(settings: Any, key: str, value: Any) -> None:
    """Store a value in QSettings (or a wrapper with .setValue/.set)."""
    if hasattr(settings, "setValue"):
        settings.setValue(key, value)
    else:
        settings.set(key, value)


def arpeggio_enabled(settings: Any) -> bool:
    """Whether chord Play buttons should arpeggiate (the Synth panel's toggle)."""
    return read_setting(settings, "synth/arpeggio", DEFAULTS.arpeggio)


class _SliderSpin(QWidget):
    """A slider and a spin box showing one float; time ranges use a logarithmic slider."""

    value_changed = Signal(float)

    def __init__(self, lo: float, hi: float, decimals: int, suffix: str, log: bool):
        super().__init__()
        self._lo, self._hi, self._log = lo, hi, log
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 1000)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(lo, hi)
        self.spin.setDecimals(decimals)
        self.spin.setSingleStep(10 ** -(decimals - 1) if decimals > 1 else 0.1)
        self.spin.setSuffix(suffix)
        self.spin.setMinimumWidth(90)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)

    def _to_pos(self, v: float) -> int:
        v = min(max(v, self._lo), self._hi)
        if self._log:
            f = math.log(v / self._lo) / math.log(self._hi / self._lo)
        else:
            f = (v - self._lo) / (self._hi - self._lo)
        return round(f * 1000)

    def _to_value(self, pos: int) -> float:
        f = pos / 1000
        if self._log:
            return self._lo * (self._hi / self._lo) ** f
        return self._lo + f * (self._hi - self._lo)

    def _from_slider(self, pos: int) -> None:
        if self._to_pos(self.spin.value()) != pos:
            self.spin.setValue(self._to_value(pos))

    def _from_spin(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._to_pos(value))
        self.slider.blockSignals(False)
        self.value_changed.emit(float(value))

    def value(self) -> float:
        return float(self.spin.value())

    def set_value(self, value: float) -> None:
        self.spin.setValue(value)


class SynthControls(QWidget):
    """The Synth panel: sound settings for the built-in synth plus the MIDI keyboard input."""

    def __init__(self, context: Any, parent: QWidget | None = None, midi: MidiInput | None = None):
        super().__init__(parent)
        self.context = context
        self.settings = context.settings
        self.synth = context.synth

        self.timbre = QComboBox()
        for t in TIMBRES:
            self.timbre.addItem(t.capitalize(), t)
        self.attack = _SliderSpin(0.001, 2.0, 3, " s", log=True)
        self.decay = _SliderSpin(0.001, 3.0, 3, " s", log=True)
        self.sustain_level = _SliderSpin(0.0, 1.0, 2, "", log=False)
        self.release = _SliderSpin(0.01, 5.0, 3, " s", log=True)
        self.volume = _SliderSpin(0.0, 100.0, 0, " %", log=False)
        self.sustain_pedal = QCheckBox("Sustain pedal (hold; space bar on the piano)")
        self.arpeggio = QCheckBox("Arpeggiate chords")
        self.arpeggio_speed = QDoubleSpinBox()
        self.arpeggio_speed.setRange(0.02, 1.0)
        self.arpeggio_speed.setDecimals(2)
        self.arpeggio_speed.setSingleStep(0.05)
        self.arpeggio_speed.setSuffix(" s between notes")
        reset = QPushButton("Reset to defaults")
        reset.clicked.connect(self.reset)

        sound = QGroupBox("Sound")
        form = QFormLayout(sound)
        form.addRow("Timbre", self.timbre)
        form.addRow("Attack", self.attack)
        form.addRow("Decay", self.decay)
        form.addRow("Sustain level", self.sustain_level)
        form.addRow("Release", self.release)
        form.addRow("Volume", self.volume)
        form.addRow("", self.sustain_pedal)
        arp = QHBoxLayout()
        arp.addWidget(self.arpeggio)
        arp.addWidget(self.arpeggio_speed)
        arp.addStretch(1)
        form.addRow("", _wrap(arp))
        form.addRow("", reset)

        self.midi = midi if midi is not None else MidiInput(self)
        self.midi_ports = QComboBox()
        self.midi_status = QLabel()
        self.midi_status.setWordWrap(True)
        self.midi_refresh = QPushButton("Refresh")
        self.midi_refresh.clicked.connect(self.refresh_midi)
        midi_box = QGroupBox("MIDI input")
        midi_row = QHBoxLayout()
        midi_row.addWidget(self.midi_ports, 1)
        midi_row.addWidget(self.midi_refresh)
        midi_col = QVBoxLayout(midi_box)
        midi_col.addLayout(midi_row)
        midi_col.addWidget(self.midi_status)

        layout = QVBoxLayout(self)
        layout.addWidget(sound)
        layout.addWidget(midi_box)
        layout.addStretch(1)

        self._load()
        self.timbre.currentIndexChanged.connect(self._timbre_changed)
        for w in (self.attack, self.decay, self.sustain_level, self.release):
            w.value_changed.connect(self._adsr_changed)
        self.volume.value_changed.connect(self._volume_changed)
        self.sustain_pedal.toggled.connect(self._sustain_changed)
        self.arpeggio.toggled.connect(self._arpeggio_changed)
        self.arpeggio_speed.valueChanged.connect(self._arpeggio_changed)
        keyboard = getattr(context, "keyboard", None)
        if keyboard is not None and hasattr(keyboard, "sustain_changed"):
            keyboard.sustain_changed.connect(self._pedal_from_keyboard)
            self.midi.attach_keyboard(keyboard)
        self.midi.error.connect(self._midi_error)
        self.midi_ports.currentIndexChanged.connect(self._midi_port_chosen)
        self.apply()
        self.refresh_midi()

    # ------------------------------------------------------------------ state
    def _load(self) -> None:
        s, d = self.settings, DEFAULTS
        timbre = read_setting(s, "synth/timbre", d.timbre)
        self.timbre.setCurrentIndex(max(0, self.timbre.findData(timbre)))
        self.attack.set_value(read_setting(s, "synth/attack", d.attack))
        self.decay.set_value(read_setting(s, "synth/decay", d.decay))
        self.sustain_level.set_value(read_setting(s, "synth/sustain", d.sustain))
        self.release.set_value(read_setting(s, "synth/release", d.release))
        self.volume.set_value(100.0 * read_setting(s, "synth/volume", d.volume))
        self.arpeggio.setChecked(read_setting(s, "synth/arpeggio", d.arpeggio))
        self.arpeggio_speed.setValue(read_setting(s, "synth/arpeggio_speed", d.arpeggio_speed))

    def apply(self) -> None:
        """Push every current setting to the synth (at start-up and after a reset)."""
        self._timbre_changed()
        self._adsr_changed()
        self._volume_changed()
        self._arpeggio_changed()

    def reset(self) -> None:
        """Back to the defaults (kord's piano envelope), saved and applied."""
        d = DEFAULTS
        for w in (self.timbre, self.attack, self.decay, self.sustain_level, self.release):
            w.blockSignals(True)
        self.timbre.setCurrentIndex(self.timbre.findData(d.timbre))
        self.attack.set_value(d.attack)
        self.decay.set_value(d.decay)
        self.sustain_level.set_value(d.sustain)
        self.release.set_value(d.release)
        for w in (self.timbre, self.attack, self.decay, self.sustain_level, self.release):
            w.blockSignals(False)
        self.volume.set_value(100 * d.volume)
        self.arpeggio.setChecked(d.arpeggio)
        self.arpeggio_speed.setValue(d.arpeggio_speed)
        self.apply()

    def adsr(self) -> tuple[float, float, float, float]:
        """(attack s, decay s, sustain level, release s) as shown."""
        return (
            self.attack.value(),
            self.decay.value(),
            self.sustain_level.value(),
            self.release.value(),
        )

    # ------------------------------------------------------------------ slots
    def _timbre_changed(self, *_: Any) -> None:
        timbre = self.timbre.currentData()
        write_setting(self.settings, "synth/timbre", timbre)
        self.synth.set_timbre(timbre)

    def _adsr_changed(self, *_: Any) -> None:
        a, d, s, r = self.adsr()
        for key, value in (("attack", a), ("decay", d), ("sustain", s), ("release", r)):
            write_setting(self.settings, f"synth/{key}", value)
        self.synth.set_adsr(a, d, s, r)

    def _volume_changed(self, *_: Any) -> None:
        volume = self.volume.value() / 100.0
        write_setting(self.settings, "synth/volume", volume)
        self.synth.set_volume(volume)

    def _sustain_changed(self, on: bool) -> None:
        keyboard = getattr(self.context, "keyboard", None)
        if keyboard is not None and hasattr(keyboard, "set_sustain"):
            keyboard.set_sustain(on)  # the keyboard forwards the pedal to the synth
        elif hasattr(self.synth, "set_sustain"):
            self.synth.set_sustain(on)

    def _pedal_from_keyboard(self, on: bool) -> None:
        self.sustain_pedal.blockSignals(True)
        self.sustain_pedal.setChecked(on)
        self.sustain_pedal.blockSignals(False)

    def _arpeggio_changed(self, *_: Any) -> None:
        write_setting(self.settings, "synth/arpeggio", self.arpeggio.isChecked())
        write_setting(self.settings, "synth/arpeggio_speed", self.arpeggio_speed.value())
        self.arpeggio_speed.setEnabled(self.arpeggio.isChecked())
        if hasattr(self.synth, "set_arpeggio_speed"):
            self.synth.set_arpeggio_speed(self.arpeggio_speed.value())

    # ------------------------------------------------------------------ MIDI
    def refresh_midi(self) -> None:
        """Re-list MIDI input ports; shows "No MIDI input" (and why) when there are none."""
        ports = self.midi.list_ports()
        self.midi_ports.blockSignals(True)
        self.midi_ports.clear()
        if not ports:
            self.midi_ports.addItem("No MIDI input", None)
            self.midi_ports.setEnabled(False)
            self.midi_status.setText(f"No MIDI input: {self.midi.unavailable_reason}")
            self.midi_ports.blockSignals(False)
            return
        self.midi_ports.setEnabled(True)
        self.midi_ports.addItem("Off", None)
        for name in ports:
            self.midi_ports.addItem(name, name)
        saved = read_setting(self.settings, "midi/port", None)  # None: never chosen → first port
        index = 1 if saved is None else max(0, self.midi_ports.findData(saved)) if saved else 0
        self.midi_ports.setCurrentIndex(index)
        self.midi_ports.blockSignals(False)
        self._midi_port_chosen()

    def _midi_port_chosen(self, *_: Any) -> None:
        name = self.midi_ports.currentData()
        if name is None:
            self.midi.close()
            if self.midi_ports.isEnabled():
                self.midi_status.setText("MIDI input off")
                write_setting(self.settings, "midi/port", "")
            return
        if self.midi.open(name):
            write_setting(self.settings, "midi/port", name)
            self.midi_status.setText(f"Listening to {name}")

    def _midi_error(self, message: str) -> None:
        self.midi_status.setText(message)
        if hasattr(self.context, "status"):
            self.context.status(message)


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w

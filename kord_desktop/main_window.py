"""The main window: live listening view in the middle, theory panels docked right, keyboard below.

All engine work goes through the bridges (analyzer, synth) or a worker thread (file analysis);
the window itself only routes signals to widgets and keeps the settings in step.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kord_desktop import theme as themes
from kord_desktop.banner import Banner
from kord_desktop.context import AppContext
from kord_desktop.panels import PANELS, load_panel
from kord_desktop.settings import Settings
from kord_desktop.statusbar import KordStatusBar
from kord_desktop.toolbar import DETECTORS, MODEL_DETECTORS, ListenToolbar
from kord_desktop.widgets.chord_display import ChordDisplay
from kord_desktop.widgets.level_meter import LevelMeter
from kord_desktop.widgets.spectrum import SpectrumWidget
from kord_desktop.widgets.timeline import ChordTimeline
from kord_desktop.widgets.tuning import (
    TuningPopup,
    clamp_reference,
    format_cents,
    format_hz,
    parse_reference,
)
from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.naming import (
    kord_equivalent,
    lead_sheet_candidates,
    name_segments,
    with_names,
)
from kord_engine.samples import note_id_name

log = logging.getLogger(__name__)

#: listening that stopped by itself is tried again this often, for this long
RECOVER_INTERVAL_MS = 1000
RECOVER_SECONDS = 120.0
#: how the analyzer bridge words a stop of the running analyzer (AnalyzerBridge)
STOPPED_PREFIX = "Listening stopped:"
APP_TITLE = "Kord Desktop"
NO_DEVICE_MESSAGE = (
    "No audio input device found. Connect a microphone or audio interface, then press Retry. "
    "Everything else (theory panels, keyboard, synth, file analysis) works without one."
)


def detection_midis(detection: Detection) -> set[int]:
    """MIDI numbers to light for a detection (note ids are MIDI − 12; pitch classes → octave 4)."""
    if detection.notes:
        return {n + 12 for n in detection.notes}
    return {60 + pc for pc in detection.pitch_classes}


def chord_midis(name: str) -> list[int]:
    """MIDI notes of a chord name via the engine's theory (ParseError for bad names)."""
    from kord_engine.theory import Chord

    return [n.midi for n in Chord.parse(name).notes()]


#: View → Chord names: (style, menu label)
CHORD_NAME_STYLES = (
    ("lead-sheet", "&Lead sheet (C/E, Cø7, C5)"),
    ("kord", "&kord (kord's strings)"),
)


def lead_sheet_midis(chord: Any) -> list[int]:
    """MIDI notes to play a lead-sheet chord (LeadSheetChord): its tones from the root at
    octave 4 upwards, a slash bass below them."""
    from kord_engine.theory import Note

    root = chord.root_pc
    upper = sorted({60 + root + (Note.parse(t).pitch_class - root) % 12 for t in chord.tones})
    if chord.bass_pc is None:
        return upper
    bass = 48 + chord.bass_pc
    while bass >= upper[0]:
        bass -= 12
    return [bass, *upper]


def audio_devices() -> tuple[list[str], list[str], str]:
    """(input names, output names, why there is no input or "") from one PortAudio query."""
    try:
        from kord_engine.audio.input import devices

        infos = devices.list_devices()
        inputs = [d.name for d in infos if d.max_input_channels > 0]
        outputs = [d.name for d in infos if d.max_output_channels > 0]
        why = "" if inputs else (devices.audio_available("input")[1] or "no input devices")
    except Exception as exc:  # noqa: BLE001 - engine/PortAudio missing
        return [], [], str(exc)
    # PortAudio lists a device once per host API; show each name once
    return list(dict.fromkeys(inputs)), list(dict.fromkeys(outputs)), why


class MainWindow(QMainWindow):
    """Kord Desktop's one window. `MainWindow(context=None)` builds its own AppContext."""

    file_analyzed = Signal(object, object, str)  # Detection | None, segments | None, error text

    def __init__(self, context: AppContext | None = None, settings: Settings | None = None):
        super().__init__()
        self.context = context if context is not None else AppContext(settings)
        self.context.setParent(self)  # dies with the window, never later in a GC pass
        self.settings = self.context.settings
        self.colors = themes.resolve(self.settings.get("view/theme"))
        self._stream_time = 0.0
        self._chord_lit: set[int] = set()
        #: what the chord display shows, as detected (named again when the style changes)
        self._heard: Detection | None = None
        self.chord_names = self.settings.get("view/chord_names")
        self._banner_action = self.restart_listening
        # listening that stopped by itself (device lost, input stalled) is tried again
        self._recover_timer = QTimer(self)
        self._recover_timer.setInterval(RECOVER_INTERVAL_MS)
        self._recover_timer.timeout.connect(self._try_recover)
        self._recover_until = 0.0
        self.setWindowTitle(APP_TITLE)
        self.setObjectName("mainWindow")
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )

        self._build_central()
        self._build_toolbar()
        self._build_docks()
        self._build_menus()
        self.status_bar = KordStatusBar(self)
        self.setStatusBar(self.status_bar)
        self.context.set_status_sink(self.status_bar.showMessage)
        self.context.set_listen_starter(self.start_listening)  # e.g. the recording page
        self.tuning_popup = TuningPopup(self)
        self._connect()
        self._restore()
        self._restore_tuning()
        self.apply_theme(self.settings.get("view/theme"))
        self.set_note_names(self.settings.get("view/note_names"))
        self.set_chord_names(self.chord_names)
        hints = QApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # follow the desktop's light/dark switch
            hints.colorSchemeChanged.connect(self._system_scheme_changed)
        self.refresh_devices()
        self._update_model_label()

    # ------------------------------------------------------------------- building
    def _build_central(self) -> None:
        self.banner = Banner(self)
        self.chord_display = ChordDisplay()
        self.level_meter = LevelMeter()
        self.spectrum = SpectrumWidget()
        self.spectrum.setMinimumHeight(160)
        self.timeline = ChordTimeline()

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(self.chord_display)
        left.addWidget(self.spectrum, 1)
        top_layout.addLayout(left, 1)
        top_layout.addWidget(self.level_meter)

        history = QWidget()
        history_layout = QVBoxLayout(history)
        history_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel("Chord history")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        head.addWidget(title)
        head.addStretch(1)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the chord history as text")
        self.export_button = QPushButton("Export…")
        self.clear_button = QPushButton("Clear")
        for b in (self.copy_button, self.export_button, self.clear_button):
            head.addWidget(b)
        history_layout.addLayout(head)
        history_layout.addWidget(self.timeline, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("centralSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(history)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_toolbar(self) -> None:
        self.toolbar = ListenToolbar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        s = self.settings
        self.toolbar.set_detector(s.get("audio/detector"))
        self.toolbar.set_gate(s.get("audio/gate_db"))
        self.toolbar.set_volume(s.get("synth/volume"))

    def _build_docks(self) -> None:
        self.panels: dict[str, QWidget] = {}
        self.panel_docks: dict[str, QDockWidget] = {}
        first: QDockWidget | None = None
        for module, cls, title in PANELS:
            panel = load_panel(module, cls, title, self.context, None)
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{module}")
            dock.setWidget(panel)
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if first is None:
                first = dock
            else:
                self.tabifyDockWidget(first, dock)
            self.panels[module] = panel
            self.panel_docks[module] = dock
        if first is not None:
            first.raise_()
        self.keyboard_dock = QDockWidget("Keyboard", self)
        self.keyboard_dock.setObjectName("dock_keyboard")
        self.keyboard_dock.setWidget(self._keyboard_with_legend())
        self.keyboard_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.keyboard_dock)
        self.resizeDocks([first] if first else [], [460], Qt.Orientation.Horizontal)

    def _keyboard_with_legend(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.setSpacing(2)
        try:
            from kord_desktop.widgets.keyboard import KeyboardLegend

            layout.addWidget(KeyboardLegend(("detected", "played", "chord", "pressed", "selected")))
        except Exception:  # noqa: BLE001 - the keyboard is optional
            pass
        layout.addWidget(self.context.keyboard, 1)
        return box

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(
            file_menu, "&Open audio file…", self.open_audio_file, QKeySequence.StandardKey.Open
        )
        self.export_action = self._action(
            file_menu, "&Export chord history…", self.export_history_dialog
        )
        self.copy_action = self._action(file_menu, "&Copy chord history", self.timeline_copy)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        listen_menu = bar.addMenu("&Listen")
        self.listen_action = self._action(
            listen_menu, "Start/Stop &listening", self.toggle_listening, "Ctrl+L"
        )
        self._action(listen_menu, "&Refresh devices", self.refresh_devices, "F5")

        view = bar.addMenu("&View")
        theme_menu = view.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice in themes.THEMES:
            act = QAction(choice.capitalize(), self, checkable=True)
            act.setData(choice)
            act.triggered.connect(lambda _=False, c=choice: self.set_theme(c))
            self.theme_group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[choice] = act
        names_menu = view.addMenu("&Note names on keys")
        self.note_names_group = QActionGroup(self)
        self.note_names_actions: dict[str, QAction] = {}
        for mode, label in (("none", "&None"), ("c", "Every &C"), ("all", "&All keys")):
            act = QAction(label, self, checkable=True)
            act.triggered.connect(lambda _=False, m=mode: self.set_note_names(m))
            self.note_names_group.addAction(act)
            names_menu.addAction(act)
            self.note_names_actions[mode] = act
        chord_names_menu = view.addMenu("&Chord names")
        self.chord_names_group = QActionGroup(self)
        self.chord_names_actions: dict[str, QAction] = {}
        for style, label in CHORD_NAME_STYLES:
            act = QAction(label, self, checkable=True)
            act.triggered.connect(lambda _=False, s=style: self.set_chord_names(s))
            self.chord_names_group.addAction(act)
            chord_names_menu.addAction(act)
            self.chord_names_actions[style] = act
        panels_menu = view.addMenu("&Panels")
        for dock in [*self.panel_docks.values(), self.keyboard_dock]:
            panels_menu.addAction(dock.toggleViewAction())

        model = bar.addMenu("&Model")
        self._action(model, "&Load model…", self.load_model_dialog)
        self._action(model, "Use &default model", self.use_default_model)
        model.addSeparator()
        self.teach_action = self._action(
            model, "Teach it your &instrument…", lambda: self.open_training_wizard("teach")
        )
        self.train_action = self._action(model, "&Train a model…", self.open_training_wizard)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About Kord Desktop", self.show_about)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda _=False: slot())
        menu.addAction(act)
        return act

    def _connect(self) -> None:
        a = self.context.analyzer
        a.detection.connect(self.on_detection)
        a.raw.connect(self.on_raw)
        a.level.connect(self.level_meter.set_level)
        a.spectrum.connect(self.spectrum.set_spectrum)
        a.stats.connect(self.status_bar.set_stats)
        a.tuning.connect(self.on_tuning)
        a.error.connect(self.on_error)
        a.warning.connect(lambda msg: self.context.status(msg, 5000))
        a.running_changed.connect(self.toolbar.set_listening)
        t = self.toolbar
        t.start_requested.connect(self.start_listening)
        t.stop_requested.connect(self.stop_listening)
        t.detector_changed.connect(self._detector_changed)
        t.gate_changed.connect(self._gate_changed)
        t.input_device_changed.connect(self._input_changed)
        t.output_device_changed.connect(self._output_changed)
        t.volume_changed.connect(self._volume_changed)
        self.banner.action_clicked.connect(lambda: self._banner_action())
        self.chord_display.chord_clicked.connect(self.play_chord_name)
        self.context.synth.volume_changed.connect(self._synth_volume_changed)
        self.context.synth.output_status.connect(self._on_output_status)
        self.copy_button.clicked.connect(self.timeline_copy)
        self.export_button.clicked.connect(self.export_history_dialog)
        self.clear_button.clicked.connect(self.timeline.clear)
        self.file_analyzed.connect(self._show_file_result)
        self.status_bar.tuning.clicked.connect(self.show_tuning_popup)
        self.tuning_popup.tuning_requested.connect(self._tuning_requested)

    # --------------------------------------------------------------- settings / state
    def _restore(self) -> None:
        geometry = self.settings.get("window/geometry")
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(1360, 860)
        state = self.settings.get("window/state")
        if not state.isEmpty():
            self.restoreState(state)

    def save_state(self) -> None:
        """Write window geometry and dock layout to the settings (on close, and on demand)."""
        self.settings.set("window/geometry", QByteArray(self.saveGeometry()))
        self.settings.set("window/state", QByteArray(self.saveState()))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_state()
        self._recover_timer.stop()
        self.context.analyzer.stop()
        self.context.synth.close()
        super().closeEvent(event)

    def apply_theme(self, choice: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.colors = themes.apply_theme(app, choice)
        else:
            self.colors = themes.resolve(choice)
        for w in (self.spectrum, self.level_meter, self.timeline, self.banner):
            w.apply_theme(self.colors)
        self.status_bar.apply_theme(self.colors)
        self.tuning_popup.apply_theme(self.colors)
        self.chord_display.name_button.setStyleSheet(
            f"QPushButton#chordName {{ color: {self.colors.accent}; border: none; }}"
        )
        act = self.theme_actions.get(choice)
        if act is not None:
            act.setChecked(True)

    def _system_scheme_changed(self, *_args) -> None:
        if self.settings.get("view/theme") == "system":
            self.apply_theme("system")

    def set_theme(self, choice: str) -> None:
        self.settings.set("view/theme", choice)
        self.apply_theme(choice)

    def set_note_names(self, mode: str) -> None:
        """Label the keyboard's keys: 'none', 'c' (every C) or 'all'."""
        self.settings.set("view/note_names", mode)
        self.note_names_actions[mode].setChecked(True)
        fn = getattr(self.context.keyboard, "set_note_names", None)
        if callable(fn):
            fn(mode)

    def set_chord_names(self, style: str) -> None:
        """Name heard chords as a lead sheet does ("lead-sheet") or with kord's exact strings
        ("kord"): the chord display and its runner-ups, the history from now on and file
        results. Saved in the settings (ValueError for another style)."""
        self.settings.set("view/chord_names", style)
        self.chord_names = style
        self.chord_names_actions[style].setChecked(True)
        if self._heard is not None:
            shown = with_names(self._heard, style)
            self.chord_display.set_detection(shown, self.chord_display.provisional)

    def _detector_changed(self, value: str) -> None:
        """Switch detectors; while listening the analyzer swaps it without reopening the mic.
        If the new one cannot load (e.g. a broken model) the old one stays, and so does the
        toolbar."""
        analyzer = self.context.analyzer
        if analyzer.running:
            model_dir = self.settings.get("model/dir") or None
            if not analyzer.set_detector(value, model_dir):
                self.toolbar.detector_combo.blockSignals(True)
                self.toolbar.set_detector(analyzer.detector_name)
                self.toolbar.detector_combo.blockSignals(False)
                return
            self.context.status(f"Detector: {dict(DETECTORS).get(value, value)}")
        self.settings.set("audio/detector", value)
        self._update_model_label()

    def _gate_changed(self, gate_db: float) -> None:
        self.settings.set("audio/gate_db", gate_db)
        self.context.analyzer.set_gate(gate_db)  # takes effect on the next hop

    def _input_changed(self, device: str) -> None:
        self.settings.set("audio/input_device", device)
        if self.context.analyzer.running:
            self.restart_listening()

    def _output_changed(self, device: str) -> None:
        self.settings.set("audio/output_device", device)
        self.context.synth.set_output_device(device or None)

    def _volume_changed(self, volume: float) -> None:
        self.settings.set("synth/volume", volume)
        self.context.synth.set_volume(volume)

    def _update_model_label(self) -> None:
        detector = self.settings.get("audio/detector")
        label = dict(DETECTORS).get(detector, detector)
        if detector in MODEL_DETECTORS:
            model_dir = self.settings.get("model/dir")
            label = f"model: {Path(model_dir).name if model_dir else 'default'}"
        else:
            label = f"detector: {label}"
        self.status_bar.set_model(label)

    # ------------------------------------------------------------------------ tuning
    def _restore_tuning(self) -> None:
        """The saved tuning: locked at tuning/locked_hz, or estimated from tuning/last_hz."""
        s = self.settings
        self._tuning_estimate = s.get("tuning/last_hz")  # what "Lock at current estimate" locks
        self._tuning_settled = False
        locked = s.get("tuning/locked_hz") if s.get("tuning/mode") == "locked" else None
        bridge = self.context.analyzer
        bridge.set_initial_tuning(self._tuning_estimate)
        bridge.set_tuning(locked)
        shown = locked if locked is not None else self._tuning_estimate
        self._show_tuning(shown, locked is not None, False)

    @property
    def tuning_locked_hz(self) -> float | None:
        """The locked reference (A4, Hz), or None while it is estimated."""
        return self.context.analyzer.tuning_hz

    def _show_tuning(self, hz: float, locked: bool, settled: bool) -> None:
        self.status_bar.set_tuning(hz, locked, settled)
        self.spectrum.set_reference(hz)
        self.tuning_popup.set_state(hz, locked, settled, self._tuning_estimate)

    def on_tuning(self, hz: float, locked: bool, settled: bool) -> None:
        """The analyzer's reference moved (coalesced by the bridge): show it, keep the
        estimate for "Lock at current estimate" and for the next start."""
        if settled and not locked:
            self._tuning_estimate = float(hz)
            self._tuning_settled = True
            try:
                hz_ok = clamp_reference(hz)
                self.settings.set("tuning/last_hz", hz_ok)
                self.context.analyzer.set_initial_tuning(hz_ok)  # a restart starts from it
            except ValueError:  # the tracker stays within ±50 cents; never break on it
                log.debug("tuning estimate out of range: %s", hz)
        self._show_tuning(hz, locked, settled)

    def show_tuning_popup(self) -> None:
        """Open the tuning popup above the status bar's "A = … Hz"."""
        self.tuning_popup.popup_at(self.status_bar.tuning)

    def _tuning_requested(self, value: Any) -> None:
        if self.set_tuning(value):
            self.tuning_popup.hide()

    def set_tuning(self, reference: float | str | None) -> bool:
        """Lock the reference pitch at `reference` (Hz, or text as typed) or estimate it from
        what is heard (None). A bad value changes nothing: the popup shows why (inline) and
        the saved setting stays. Returns whether it was applied."""
        bridge = self.context.analyzer
        if reference is None:
            if not bridge.set_tuning(None):
                return False
            self.settings.set("tuning/mode", "auto")
            self._show_tuning(self._tuning_estimate, False, self._tuning_settled)
            self.context.status("Tuning: estimated from what you play")
            return True
        try:
            if isinstance(reference, str):
                hz = parse_reference(reference)
            else:
                hz = clamp_reference(reference)
        except (TypeError, ValueError) as exc:
            self.tuning_popup.show_error(str(exc))
            self.context.status(f"Tuning not changed: {exc}")
            return False
        if not bridge.set_tuning(hz):
            self.tuning_popup.show_error("The analyzer refused this tuning; see the status bar.")
            return False
        self.settings.set("tuning/locked_hz", hz)
        self.settings.set("tuning/mode", "locked")
        self.tuning_popup.clear_error()
        self._show_tuning(hz, True, True)
        self.context.status(f"Tuning locked at A = {format_hz(hz)} Hz ({format_cents(hz)})")
        return True

    def lock_tuning_estimate(self) -> bool:
        """Lock at the current estimate (to 0.1 Hz)."""
        return self.set_tuning(round(self._tuning_estimate, 1))

    # -------------------------------------------------------------------- listening
    def refresh_devices(self) -> None:
        """Re-read the audio devices; show the no-device banner when there is no input."""
        s = self.settings
        inputs, outputs, why = audio_devices()
        self.toolbar.set_devices(
            inputs, outputs, s.get("audio/input_device"), s.get("audio/output_device")
        )
        if inputs:
            if self._banner_action == self.refresh_devices:
                self.banner.hide()
            return
        self._banner_action = self.refresh_devices
        detail = f" ({why})" if why else ""  # e.g. "PortAudio found no audio devices"
        self.banner.show_message(
            NO_DEVICE_MESSAGE.replace(". Connect", f"{detail}. Connect", 1), "Retry"
        )

    def start_listening(self) -> bool:
        s = self.settings
        detector = self.toolbar.detector
        model_dir = s.get("model/dir") or None
        ok = self.context.analyzer.start(
            device=self.toolbar.input_device or None,
            detector_name=detector,
            gate_db=self.toolbar.gate_db,
            model_dir=model_dir,
        )
        if ok:
            self._recover_timer.stop()
            self.banner.hide()
            self.level_meter.reset()
            self.context.status("Listening…")
        self.toolbar.set_listening(self.context.analyzer.running)
        return ok

    def stop_listening(self) -> None:
        self._recover_timer.stop()
        self.context.analyzer.stop()
        self.toolbar.set_listening(False)
        self.level_meter.reset()
        self.context.status("Stopped listening")

    def restart_listening(self) -> bool:
        self.context.analyzer.stop()
        return self.start_listening()

    def toggle_listening(self) -> None:
        if self.context.analyzer.running:
            self.stop_listening()
        else:
            self.start_listening()

    # ------------------------------------------------------------ analyzer signals
    def on_raw(self, detection: Detection) -> None:
        if detection.timestamp:
            self._stream_time = float(detection.timestamp)
            self.timeline.set_now(self._stream_time)

    def on_detection(self, stable: Detection, changed: bool) -> None:
        """A new smoothed chord (or silence): update display, keys, spectrum marks, history."""
        if not changed:
            return
        bridge = self.context.analyzer  # says whether this label is provisional / a refinement
        self.show_detection(
            stable,
            stable.timestamp or self._stream_time,
            provisional=bool(getattr(bridge, "provisional", False)),
            refines=bool(getattr(bridge, "refines", False)),
        )

    def show_detection(
        self, detection: Detection, t: float, provisional: bool = False, refines: bool = False
    ) -> None:
        """Show a label; `provisional`: it may still be refined (drawn so); `refines`: it
        updates the history's newest entry in place instead of starting a new one."""
        self._heard = detection
        detection = with_names(detection, self.chord_names)
        self.chord_display.set_detection(detection, provisional)
        if self._chord_lit and self.context.lit_keys("chord") == self._chord_lit:
            self.context.light_keys("chord", ())  # a played runner-up gives way to what is heard
        self._chord_lit = set()
        self.spectrum.set_notes(detection.notes)
        self.context.light_keys("detected", detection_midis(detection))
        if detection.is_empty:
            self.timeline.end_chord(t)
        else:
            notes = " ".join(detection.note_names())
            name = detection.chord or notes or "?"
            if refines:
                self.timeline.refine_chord(name, notes, provisional)
            else:
                self.timeline.add_chord(t, name, notes, provisional)

    def on_error(self, message: str) -> None:
        """The analyzer failed (device unplugged, …): say so and offer a restart. Listening
        that stopped by itself (not a start the user asked for) is also tried again every
        RECOVER_INTERVAL_MS for RECOVER_SECONDS: a replugged microphone, or an input that
        stalled while the machine was busy (a fine-tune on two cores), comes back alone."""
        self.toolbar.set_listening(False)
        self.level_meter.reset()
        self._banner_action = self._restart_from_banner
        self.banner.show_message(message, "Restart listening")
        self.context.status(message, 10000)
        if message.startswith(STOPPED_PREFIX) and not self._recover_timer.isActive():
            self._recover_until = time.monotonic() + RECOVER_SECONDS
            self._recover_timer.start()

    def _try_recover(self) -> None:
        if self.context.analyzer.running or time.monotonic() > self._recover_until:
            self._recover_timer.stop()
            return
        self.refresh_devices()  # a replugged device may come back under another index
        if self.start_listening():
            self.context.status("Listening again", 5000)

    def _restart_from_banner(self) -> None:
        self.refresh_devices()
        self._banner_action = self._restart_from_banner
        if not self.restart_listening():
            return
        self.banner.hide()

    # ------------------------------------------------------------------------ synth
    def play_chord_name(self, name: str) -> None:
        """Play (and light) a chord by name, e.g. a runner-up clicked in the chord display
        (a lead-sheet name of what is shown, else a symbol kord's parser reads)."""
        heard = self._heard
        shown = lead_sheet_candidates(heard) if heard is not None else ()
        found = next((c for c in shown if c.name == name), None)
        if self.chord_names != "kord" and found is not None:
            midis = lead_sheet_midis(found)
            theory_name = kord_equivalent(found)
        else:
            try:
                midis = chord_midis(name)
            except Exception as exc:  # noqa: BLE001 - ParseError and friends
                self.context.status(f"Cannot play {name!r}: {exc}")
                return
            theory_name = name
        self.context.light_keys("chord", midis)
        self._chord_lit = set(midis)
        self.context.synth.play_chord(midis, arpeggio=self._arpeggio())
        self.context.status(f"Playing {name}")
        describe = getattr(self.panels.get("describe"), "describe", None)
        if callable(describe) and theory_name:  # its theory, one glance away in Describe
            describe(theory_name)

    def _arpeggio(self) -> bool:
        try:
            from kord_desktop.panels.synth_controls import arpeggio_enabled

            return bool(arpeggio_enabled(self.settings))
        except Exception:  # noqa: BLE001 - panel missing: play the chord at once
            return False

    def _synth_volume_changed(self, volume: float) -> None:
        self.toolbar.volume_slider.blockSignals(True)
        self.toolbar.set_volume(volume)
        self.toolbar.volume_slider.blockSignals(False)

    def _on_output_status(self, reason: str) -> None:
        if reason:
            self.context.status(f"Synth is silent: {reason}", 8000)

    # ------------------------------------------------------------------ history
    def timeline_copy(self) -> None:
        self.timeline.copy_to_clipboard()
        self.context.status(f"Copied {len(self.timeline.entries)} chords to the clipboard")

    def export_history_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export chord history", "chord-history.txt", "Text files (*.txt)"
        )
        if path:
            self.export_history(path)

    def export_history(self, path: str | Path) -> Path | None:
        try:
            out = self.timeline.export(path)
        except OSError as exc:
            self.banner.show_message(f"Could not write {path}: {exc}")
            return None
        self.context.status(f"Chord history written to {out}")
        return out

    # -------------------------------------------------------------------- files
    def open_audio_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open audio file", "", "Audio (*.wav *.flac *.ogg *.mp3 *.aiff *.aif);;All (*)"
        )
        if path:
            self.analyze_file(path)

    def analyze_file(self, path: str | Path) -> threading.Thread:
        """Analyse a file on a worker thread; the result shows through `file_analyzed`."""
        detector = self.toolbar.detector
        self.context.status(f"Analysing {Path(path).name}…", 0)

        model_dir = self.settings.get("model/dir") or None

        def work() -> None:
            try:
                from kord_engine.audio.input.decode import load_audio
                from kord_engine.audio.listen import analysis
                from kord_engine.audio.listen.detect import make_detector

                options = (
                    {"model_dir": model_dir} if detector in MODEL_DETECTORS and model_dir else {}
                )
                det_obj = make_detector(detector, **options)
                # decode once and estimate the file's own tuning once, for both analyses
                clip = load_audio(path)
                ref = analysis.resolve_tuning(clip.samples, clip.sample_rate, "auto")
                det = analysis.analyze_clip(clip, det_obj, tuning=ref)
                try:
                    segments = analysis.timeline_clip(clip, det_obj, tuning=ref)
                except Exception:  # noqa: BLE001 - the overall chord is still useful
                    segments = None
                self.file_analyzed.emit(det, segments, "")
            except Exception as exc:  # noqa: BLE001 - reported to the user
                self.file_analyzed.emit(None, None, f"{Path(path).name}: {exc}")

        thread = threading.Thread(target=work, name="kord-analyze-file", daemon=True)
        thread.start()
        return thread

    def _show_file_result(self, detection: Any, segments: Any, error: str) -> None:
        if error:
            self.context.status(f"Could not analyse {error}", 10000)
            self.banner.show_message(f"Could not analyse {error}")
            return
        if segments:
            self.timeline.clear()
            for seg in name_segments(segments, self.chord_names):
                if seg.chord:
                    notes = " ".join(note_id_name(n) for n in getattr(seg, "notes", ()))
                    self.timeline.add_chord(float(seg.start), seg.chord, notes)
                else:
                    self.timeline.end_chord(float(seg.start))
            self.timeline.end_chord(float(segments[-1].end))
        self._heard = detection
        detection = with_names(detection, self.chord_names)
        self.chord_display.set_detection(detection)
        self.spectrum.set_notes(detection.notes)
        self.context.light_keys("detected", detection_midis(detection))
        message = f"File: {detection.chord or 'no chord'}"
        tuning_hz = getattr(detection, "tuning_hz", None)
        if tuning_hz is not None:  # the file's own tuning, estimated from it
            message += f" · tuned to A = {format_hz(tuning_hz)} Hz ({format_cents(tuning_hz)})"
        self.context.status(message, 10000)

    # -------------------------------------------------------------------- model
    def load_model_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Load model (folder with model.onnx)")
        if path:
            self.load_model(path)

    def load_model(self, path: str | Path) -> bool:
        """Use the model in `path` (a folder with model.onnx) in the detectors that use one
        (hybrid, ml); from a detector without a model it switches to hybrid, the app's own."""
        path = Path(path)
        if not (path / "model.onnx").is_file():
            self.banner.show_message(f"{path} has no model.onnx: it is not a Kord model folder.")
            return False
        self.settings.set("model/dir", str(path))
        if self.toolbar.detector in MODEL_DETECTORS:
            self._detector_changed(self.toolbar.detector)  # reload the model in place
        else:  # the app's own detector that listens with a model (emits detector_changed)
            self.toolbar.set_detector("hybrid")
        self._update_model_label()
        self.context.status(f"Model: {path}")
        return True

    def use_default_model(self) -> None:
        self.settings.set("model/dir", "")
        if self.toolbar.detector in MODEL_DETECTORS:
            self._detector_changed(self.toolbar.detector)
        self._update_model_label()
        self.context.status("Using the default model")

    def open_training_wizard(self, path: str | None = None) -> None:
        """Open the training wizard (one per window); `path` "teach" starts at recording."""
        try:
            from kord_desktop.panels.training_wizard import TrainingWizard
        except Exception as exc:  # noqa: BLE001 - not built yet / torch missing
            QMessageBox.information(
                self, APP_TITLE, f"The training wizard is not available in this build.\n\n{exc}"
            )
            return
        wizard = getattr(self, "_wizard", None)
        if wizard is None:
            wizard = self._wizard = TrainingWizard(self.context, self)
            model_ready = getattr(wizard, "model_ready", None)
            if model_ready is not None:
                model_ready.connect(lambda p: self.load_model(p))
            default_requested = getattr(wizard, "default_model_requested", None)
            if default_requested is not None:
                default_requested.connect(self.use_default_model)
        open_at = getattr(wizard, "open_at", None)
        if callable(open_at) and not wizard.isVisible():
            open_at(path)
        wizard.show()
        wizard.raise_()

    def show_about(self) -> None:
        from kord_engine import __version__

        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<h3>{APP_TITLE} {__version__}</h3>"
            "<p>Hear a chord, name it, play it, learn its theory.</p>"
            "<p>Grown from <a href='https://github.com/twitchax/kord'>kord</a>, "
            "the Rust music-theory library and CLI.</p>",
        )

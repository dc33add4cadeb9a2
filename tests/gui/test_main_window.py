"""The main window: opens, routes analyzer events to the widgets, plays chords, exports history."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.listen.detection import EMPTY, Detection
from kord_engine.audio.listen.live import AnalyzerConfig, AnalyzerEvent, LiveAnalyzer
from kord_engine.theory import lead_sheet_names

pytestmark = pytest.mark.gui

C_MAJOR = Detection(
    notes=(48, 52, 55),  # C4 E4 G4
    pitch_classes=(0, 4, 7),
    bass=0,
    confidence=0.9,
    chords=("C", "Em(♭6)/C", "Am7/C"),
    timestamp=1.0,
)
C7B9 = Detection(
    notes=(48, 52, 55, 58, 61),  # C4 E4 G4 B♭4 D♭5
    pitch_classes=(0, 1, 4, 7, 10),
    bass=0,
    confidence=0.9,
    chords=("C7(♭9)", "Edim/C", "C(♭9)(♯13)"),
    timestamp=1.0,
)
A_MINOR = Detection(
    notes=(45, 48, 52),
    pitch_classes=(0, 4, 9),
    bass=9,
    confidence=0.8,
    chords=("Am",),
    timestamp=2.5,
)


def event(
    detection: Detection | None,
    changed: bool,
    t: float,
    error: str | None = None,
    fatal: bool = False,
):
    freqs = np.geomspace(27.5, 4186.0, 256).astype(np.float32)
    db = np.full(256, -90.0, dtype=np.float32)
    if detection is not None:
        for n in detection.notes:
            db[np.argmin(abs(freqs - 440 * 2 ** ((n + 12 - 69) / 12)))] = -12.0
    return AnalyzerEvent(
        timestamp=t,
        detection=detection or Detection(timestamp=t),
        stable=detection,
        changed=changed,
        level_db=-20.0,
        peak=0.5,
        clipping=False,
        overflows=3,
        spectrum_db=db,
        spectrum_freqs=freqs,
        processing_ms=4.2,
        error=error,
        fatal=fatal,
    )


def chord_audio(midis, seconds=1.0, rate=48000) -> np.ndarray:
    """A few harmonics per note, like a soft electric piano."""
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros_like(t)
    for m in midis:
        f = 440 * 2 ** ((m - 69) / 12)
        for h, amp in ((1, 1.0), (2, 0.5), (3, 0.25)):
            out += amp * np.sin(2 * np.pi * f * h * t)
    return (0.2 * out / np.max(np.abs(out))).astype(np.float32)


def test_window_opens_with_panels_keyboard_toolbar_and_menus(make_window, fake_devices):
    w = make_window()
    assert w.windowTitle() == "Kord Desktop"
    assert set(w.panel_docks) == {"describe", "guess", "loop", "synth_controls"}
    assert w.keyboard_dock.widget() is not None
    assert [w.toolbar.detector_combo.itemData(i) for i in range(4)] == [
        "hybrid",
        "ml",
        "kord",
        "default",
    ]
    inputs = [w.toolbar.input_combo.itemText(i) for i in range(w.toolbar.input_combo.count())]
    assert inputs == ["System default", "Fake Mic A", "Fake Mic B"]
    menus = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert menus == ["File", "Listen", "View", "Model", "Help"]
    assert not w.banner.isVisible()
    assert w.chord_display.chord_name == ""


def test_events_update_chord_display_keyboard_spectrum_and_timeline(make_window, fake_devices):
    w = make_window()
    bridge = w.context.analyzer
    bridge.handle_event(event(C_MAJOR, True, 1.0))
    bridge.flush()
    assert w.chord_display.chord_name == "C"
    # lead-sheet names by default, from the notes heard (not the detector's kord strings)
    assert w.chord_names == "lead-sheet"
    assert w.chord_display.alternatives() == lead_sheet_names(None, (0, 4, 7), 0)[1:6]
    assert "C4 E4 G4" in w.chord_display.notes_label.text()
    assert w.context.keyboard.notes("detected") == {60, 64, 67}
    assert w.spectrum.frames_drawn == 1
    assert w.level_meter.level_db == pytest.approx(-20.0)
    assert "4.2 ms" in w.status_bar.latency.text() and "3" in w.status_bar.overflows.text()
    # unchanged hops do not add history; a new chord closes the old one; silence ends it
    bridge.handle_event(event(C_MAJOR, False, 1.05))
    bridge.handle_event(event(A_MINOR, True, 2.5))
    bridge.handle_event(event(None, True, 4.0))
    assert w.timeline.chords() == ["C", "Am"]
    assert [e.end for e in w.timeline.entries] == [2.5, 4.0]
    assert w.chord_display.chord_name == ""
    assert w.context.keyboard.notes("detected") == set()


def test_real_analyzer_pipeline_names_a_fed_chord(make_window, fake_devices):
    """Audio fed offline through the engine's LiveAnalyzer reaches the window's widgets."""
    from kord_engine.audio.listen.detect import make_detector

    w = make_window()
    analyzer = LiveAnalyzer(
        make_detector("default"), AnalyzerConfig(), w.context.analyzer.handle_event
    )
    w.context.analyzer.attach(analyzer)
    analyzer.process_block(chord_audio([60, 64, 67]), 48000)  # C4 E4 G4
    w.context.analyzer.flush()
    assert w.chord_display.chord_name.startswith("C")
    lit = w.context.keyboard.notes("detected")
    assert {m % 12 for m in lit} == {0, 4, 7}
    assert w.timeline.chords()[0].startswith("C")
    assert w.spectrum.frames_drawn >= 1


def test_runner_up_click_plays_and_lights_that_chord(make_window, fake_devices, qtbot):
    w = make_window()
    w.context.analyzer.handle_event(event(C_MAJOR, True, 1.0))
    sounding = []
    w.context.synth.notes_sounding.connect(lambda s: sounding.append(set(s)))
    w.set_chord_names("kord")  # the detector's own (kord) runner-ups, parsed by kord
    button = w.chord_display.alt_buttons[1]
    assert button.text() == "Am7/C"
    button.click()
    chord = w.context.keyboard.notes("chord")
    assert {m % 12 for m in chord} == {9, 0, 4, 7}
    assert sounding and sounding[-1] == chord
    describe = w.panels["describe"]
    if hasattr(describe, "describe"):  # the clicked chord is explained in the Describe panel
        assert describe.input.text() == "Am7/C"
    qtbot.waitUntil(lambda: not w.context.synth.sounding, timeout=5000)
    assert w.context.keyboard.notes("played") == set()


def test_chord_names_kord_gives_the_detectors_strings_back(make_window, fake_devices):
    w = make_window()
    w.context.analyzer.handle_event(event(C7B9, True, 1.0))
    assert w.chord_display.chord_name == "C7♭9"  # lead sheet: the default
    w.set_chord_names("kord")  # what is shown is named again at once
    assert w.chord_display.chord_name == "C7(♭9)"
    assert w.chord_display.alternatives() == ["Edim/C", "C(♭9)(♯13)"]
    assert w.chord_names_actions["kord"].isChecked()
    w.context.analyzer.handle_event(event(A_MINOR, True, 2.5))
    w.context.analyzer.handle_event(event(C7B9, True, 3.0))
    assert w.timeline.chords() == ["C7♭9", "Am", "C7(♭9)"]  # history keeps what it said


def test_single_notes_and_power_chords_are_named_in_lead_sheet_style(make_window, fake_devices):
    w = make_window()
    single = Detection(notes=(45,), pitch_classes=(9,), bass=9, confidence=0.7, timestamp=1.0)
    power = Detection(notes=(43, 50), pitch_classes=(2, 7), bass=7, confidence=0.7, timestamp=2.0)
    w.context.analyzer.handle_event(event(single, True, 1.0))
    assert w.chord_display.chord_name == "A"
    w.context.analyzer.handle_event(event(power, True, 2.0))
    assert w.chord_display.chord_name == "G5"
    assert w.timeline.chords() == ["A", "G5"]
    sounding = []
    w.context.synth.notes_sounding.connect(lambda s: sounding.append(set(s)))
    w.chord_display.name_button.click()  # a power chord plays its two notes
    assert {m % 12 for m in w.context.keyboard.notes("chord")} == {7, 2}
    assert sounding and {m % 12 for m in sounding[-1]} == {7, 2}


def test_lead_sheet_runner_up_plays_its_tones_and_describes_them(make_window, fake_devices):
    w = make_window()
    c6 = Detection(notes=(48, 52, 55, 57), pitch_classes=(0, 4, 7, 9), bass=0, confidence=0.9)
    w.context.analyzer.handle_event(event(c6, True, 1.0))
    assert w.chord_display.chord_name == "C6"
    button = w.chord_display.alt_buttons[0]
    assert button.text() == "Am7/C"
    button.click()
    chord = sorted(w.context.keyboard.notes("chord"))
    assert chord[0] % 12 == 0 and {m % 12 for m in chord} == {9, 0, 4, 7}  # C in the bass
    describe = w.panels["describe"]
    assert describe.view() is not None and describe.view().title.startswith("Am7")
    # a symbol kord cannot parse (C°) still plays, and Describe shows kord's name for it
    dim = Detection(notes=(48, 51, 54), pitch_classes=(0, 3, 6), bass=0, confidence=0.9)
    w.context.analyzer.handle_event(event(dim, True, 2.0))
    assert w.chord_display.chord_name == "C°"
    w.chord_display.name_button.click()
    assert {m % 12 for m in w.context.keyboard.notes("chord")} == {0, 3, 6}
    assert describe.view() is not None and "♭5" in describe.view().title


def test_timeline_copy_and_export(make_window, fake_devices, tmp_path):
    from PySide6.QtGui import QGuiApplication

    w = make_window()
    w.context.analyzer.handle_event(event(C_MAJOR, True, 1.0))
    w.context.analyzer.handle_event(event(A_MINOR, True, 2.5))
    w.timeline_copy()
    text = QGuiApplication.clipboard().text()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert len(lines) == 2
    assert lines[0].split()[:4] == ["1.00", "–", "2.50", "s"] and "C" in lines[0]
    assert "Am" in lines[1] and "now" in lines[1]
    out = w.export_history(tmp_path / "history.txt")
    assert out.read_text() == w.timeline.to_text() == text


def test_error_event_shows_banner_and_restart_works(make_window, fake_devices, monkeypatch):
    w = make_window()
    bridge = w.context.analyzer
    bridge.handle_event(
        event(None, False, 0.5, error="input device 'Fake Mic A' disappeared", fatal=True)
    )
    assert w.banner.isVisible()
    assert w.banner.label.text().startswith("Listening stopped: ")
    assert "disappeared" in w.banner.label.text()
    assert w.banner.action.text() == "Restart listening"
    assert not w.toolbar.listen_button.isChecked()

    started = []

    class FakeAnalyzer:
        running = True

        def stop(self):
            self.running = False

    def fake_start(device=None, detector_name="default", gate_db=-55.0, model_dir=None):
        started.append((device, detector_name, gate_db))
        bridge._analyzer = FakeAnalyzer()
        bridge.running_changed.emit(True)
        return True

    monkeypatch.setattr(bridge, "start", fake_start)
    w.banner.action.click()
    assert started and started[0][1] == w.toolbar.detector
    assert not w.banner.isVisible()
    assert w.toolbar.listen_button.isChecked()
    assert w.toolbar.listen_button.text() == "Stop listening"


def test_theme_switch_changes_palette(make_window, fake_devices, qapp):
    w = make_window()
    w.set_theme("dark")
    dark = qapp.palette().window().color().lightness()
    w.set_theme("light")
    light = qapp.palette().window().color().lightness()
    assert light > dark
    assert w.settings.get("view/theme") == "light"
    assert w.theme_actions["light"].isChecked()


def test_empty_detection_keeps_display_clear(make_window, fake_devices):
    w = make_window()
    w.show_detection(EMPTY, 0.0)
    assert w.chord_display.chord_name == ""
    assert w.timeline.entries == []


def test_open_audio_file_shows_its_chord_and_timeline(make_window, fake_devices, qtbot, tmp_path):
    import soundfile as sf

    path = tmp_path / "c-major.wav"
    sf.write(path, chord_audio([60, 64, 67], seconds=1.5), 48000)
    w = make_window()
    w.toolbar.set_detector("default")
    w.analyze_file(path)
    qtbot.waitUntil(lambda: w.chord_display.chord_name != "", timeout=10_000)
    assert w.chord_display.chord_name.startswith("C")
    assert {m % 12 for m in w.context.keyboard.notes("detected")} == {0, 4, 7}
    assert w.timeline.chords() and w.timeline.chords()[0].startswith("C")


def test_bad_audio_file_and_bad_model_folder_are_reported_not_raised(
    make_window, fake_devices, qtbot, tmp_path
):
    w = make_window()
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all")
    w.analyze_file(junk)
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=10_000)
    assert "junk.wav" in w.banner.label.text()
    assert w.load_model(tmp_path) is False
    assert "not a Kord model" in w.banner.label.text()
    assert w.settings.get("model/dir") == ""


def test_a_failed_hop_warns_but_keeps_listening(make_window, fake_devices):
    class Running:
        running = True

        def stop(self):
            self.running = False

    w = make_window()
    bridge = w.context.analyzer
    bridge.attach(Running())
    bridge.handle_event(event(C_MAJOR, True, 1.0, error="detector 'ml' failed: boom"))
    assert bridge.running
    assert not w.banner.isVisible()
    assert "boom" in w.status_bar.currentMessage()
    assert w.chord_display.chord_name == "C"  # the hop's analysis is still shown
    bridge.handle_event(event(None, True, 1.5, error="no audio for 2 s", fatal=True))
    assert not bridge.running
    assert w.banner.isVisible() and "no audio for 2 s" in w.banner.label.text()


def test_version_flag_prints_and_exits_without_qt():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "kord_desktop", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.startswith("kord-desktop ")


@pytest.mark.slow
def test_offscreen_smoke_starts_the_window_without_torch(tmp_path):
    """The installer's check: start headless, print the line, exit 0 — and never import torch."""
    import os
    import subprocess
    import sys

    probe = (
        "import sys; sys.argv = ['kord-desktop', '--offscreen-smoke'];"
        "from kord_desktop.app import main; rc = main();"
        "print('torch loaded:', 'torch' in sys.modules); sys.exit(rc)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KORD_CONFIG_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "kord-desktop: main window up" in out.stdout
    assert "torch loaded: False" in out.stdout


def test_gate_and_detector_change_live_without_reopening_the_device(make_window, fake_devices):
    class Live:
        running = True

        def __init__(self):
            self.config = AnalyzerConfig()
            self.detectors = []

        def set_detector(self, detector):
            self.detectors.append(detector)

        def stop(self):
            self.running = False

    w = make_window()
    live = Live()
    w.context.analyzer.attach(live)
    w.toolbar.set_gate(-37)
    assert live.config.gate_db == -37.0
    w.toolbar.set_detector("kord")
    assert [d.name for d in live.detectors] == ["kord"]
    assert live.running  # same analyzer, same device
    assert w.settings.get("audio/detector") == "kord"
    assert "kord" in w.status_bar.model.text()


def test_load_model_folder_selects_the_model_detector(make_window, fake_devices, tmp_path):
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "model.onnx").write_bytes(b"onnx")
    w = make_window()
    w.toolbar.set_detector("default")
    assert w.load_model(model)
    assert w.settings.get("model/dir") == str(model)
    assert w.toolbar.detector == "hybrid"  # the app's detector with a model
    w.toolbar.set_detector("ml")
    assert w.load_model(model) and w.toolbar.detector == "ml"  # a model detector stays
    assert "my-model" in w.status_bar.model.text()
    w.use_default_model()
    assert w.settings.get("model/dir") == ""
    assert "default" in w.status_bar.model.text()


def test_train_a_model_menu_opens_the_wizard_and_uses_its_model(
    make_window, fake_devices, monkeypatch, tmp_path
):
    """Model ▸ Train a model… builds TrainingWizard(context, window); its model_ready(path)
    makes the window use that model (the wizard itself is tested by its own suite)."""
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QDialog

    import kord_desktop.panels.training_wizard as wizard_module

    class StubWizard(QDialog):
        model_ready = Signal(str)

        def __init__(self, context, parent=None):
            super().__init__(parent)
            self.context = context

    monkeypatch.setattr(wizard_module, "TrainingWizard", StubWizard)
    model = tmp_path / "trained"
    model.mkdir()
    (model / "model.onnx").write_bytes(b"onnx")
    w = make_window()
    w.train_action.trigger()
    wizard = w._wizard
    assert isinstance(wizard, StubWizard) and wizard.isVisible()
    assert wizard.context is w.context
    assert w.toolbar.detector == "hybrid"  # the default detector already uses a model
    wizard.model_ready.emit(str(model))
    assert w.settings.get("model/dir") == str(model)
    assert w.toolbar.detector == "hybrid"  # kept: it now runs the new model


def test_a_detector_that_cannot_load_keeps_the_old_one(make_window, fake_devices, tmp_path):
    class Live:
        running = True

        def __init__(self):
            self.config = AnalyzerConfig()

        def set_detector(self, detector):
            raise AssertionError("must not be called: the model cannot load")

        def stop(self):
            self.running = False

    w = make_window()
    w.toolbar.set_detector("kord")
    bridge = w.context.analyzer
    bridge.attach(Live())
    bridge.detector_name = "kord"
    w.settings.set("model/dir", str(tmp_path))  # no model here
    w.toolbar.set_detector("ml")
    assert w.toolbar.detector == "kord"
    assert w.settings.get("audio/detector") == "kord"
    assert "Could not switch" in w.status_bar.currentMessage()


def test_listening_that_stopped_by_itself_comes_back_alone(
    make_window, fake_devices, monkeypatch, qtbot
):
    """A stalled input or an unplugged microphone stops the analyzer; the window keeps
    trying to listen again (every second) and hides the banner once it does. A start the
    user asked for that fails is not retried."""
    w = make_window()
    w._recover_timer.setInterval(20)  # RECOVER_INTERVAL_MS is a second
    bridge = w.context.analyzer
    attempts = []

    class FakeAnalyzer:
        running = True

        def stop(self):
            self.running = False

    def fake_start(device=None, detector_name="default", gate_db=-55.0, model_dir=None):
        attempts.append(detector_name)
        if len(attempts) < 3:  # the device is not back yet
            bridge.error.emit("Could not start listening: no such device")
            return False
        bridge._analyzer = FakeAnalyzer()
        bridge.running_changed.emit(True)
        return True

    monkeypatch.setattr(bridge, "start", fake_start)
    bridge.handle_event(
        event(None, False, 0.5, error="no audio from input 'Mic' for 2 s", fatal=True)
    )
    qtbot.waitUntil(lambda: w.banner.isVisible() or len(attempts) > 0, timeout=2000)
    qtbot.waitUntil(lambda: bridge.running, timeout=3000)
    assert len(attempts) == 3 and not w.banner.isVisible()
    assert w.toolbar.listen_button.isChecked()
    assert not w._recover_timer.isActive()
    # a failed start that the user asked for shows its banner and is left alone
    attempts.clear()
    bridge._analyzer = None
    bridge.error.emit("Could not start listening: no such device")
    qtbot.wait(100)
    assert attempts == [] and not w._recover_timer.isActive()

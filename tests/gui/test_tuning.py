"""Tuning in the app: the status bar's "A = … Hz", the lock/type popup and its persistence, the
spectrum's note grid at the reference, and the file analysis' tuning."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from kord_desktop.settings import Settings
from kord_desktop.theme import DARK
from kord_desktop.widgets.spectrum import MARGIN_TOP, SpectrumWidget
from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.live import AnalyzerConfig, AnalyzerEvent, LiveAnalyzer
from kord_engine.audio.listen.tuning import MAX_HZ, hz_of

pytestmark = pytest.mark.gui

C_MAJOR = Detection(
    notes=(48, 52, 55), pitch_classes=(0, 4, 7), bass=0, confidence=0.9, chords=("C",)
)


def event(t: float, tuning_hz: float, locked: bool = False, settled: bool = True):
    freqs = np.geomspace(27.5, 4186.0, 256).astype(np.float32)
    return AnalyzerEvent(
        timestamp=t,
        detection=C_MAJOR,
        stable=C_MAJOR,
        changed=False,
        level_db=-20.0,
        peak=0.5,
        clipping=False,
        overflows=0,
        spectrum_db=np.full(256, -90.0, dtype=np.float32),
        spectrum_freqs=freqs,
        processing_ms=3.0,
        tuning_hz=tuning_hz,
        tuning_locked=locked,
        tuning_settled=settled,
    )


def chord_audio(midis, seconds=1.5, rate=48000, cents=0.0) -> np.ndarray:
    """A few harmonics per note, detuned by `cents` from A440."""
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros_like(t)
    for m in midis:
        f = 440 * 2 ** ((m - 69) / 12 + cents / 1200)
        for h, amp in ((1, 1.0), (2, 0.5), (3, 0.25)):
            out += amp * np.sin(2 * np.pi * f * h * t)
    return (0.2 * out / np.max(np.abs(out))).astype(np.float32)


def shown_hz(text: str) -> float:
    m = re.search(r"A [=≈] ([0-9.]+) Hz", text)
    assert m, text
    return float(m.group(1))


def offline_analyzer(window) -> LiveAnalyzer:
    """A real LiveAnalyzer (harmonic detector) fed offline through the window's bridge."""
    from kord_engine.audio.listen.detect import make_detector

    bridge = window.context.analyzer
    analyzer = LiveAnalyzer(make_detector("default"), AnalyzerConfig(), bridge.handle_event)
    bridge.attach(analyzer)
    return analyzer


# ------------------------------------------------------------------------- status bar
def test_status_bar_shows_the_reference_from_events(make_window, fake_devices):
    w = make_window()
    label = w.status_bar.tuning
    assert label.text() == "A ≈ 440 Hz" and label.muted and label.font().italic()
    bridge = w.context.analyzer
    bridge.handle_event(event(0.1, 436.4, settled=False))  # still the starting guess
    assert label.text() == "A ≈ 436.4 Hz" and label.muted
    bridge.handle_event(event(0.2, 436.0))
    assert label.text() == "A = 436 Hz"
    assert not label.muted and not label.font().italic()
    assert "−16 cents" in label.toolTip()
    bridge.handle_event(event(0.3, 442.0, locked=True))
    assert label.text() == "A = 442 Hz (locked)"


def test_tuning_signal_is_coalesced(make_window, fake_devices):
    w = make_window()
    bridge = w.context.analyzer
    got = []
    bridge.tuning.connect(lambda *args: got.append(args))
    for i in range(100):  # jitter below what the status bar shows: one emit
        bridge.handle_event(event(i * 0.05, 436.40 + 0.0004 * i))
    assert len(got) == 1
    bridge.handle_event(event(5.0, 436.5))  # moved by 0.1 Hz
    bridge.handle_event(event(5.05, 436.5, locked=True))  # same Hz, now locked
    assert [g[0] for g in got] == pytest.approx([436.40, 436.5, 436.5])
    assert [g[1] for g in got] == [False, False, True]
    assert w.status_bar.tuning.text() == "A = 436.5 Hz (locked)"


def test_a_detuned_instrument_is_estimated_live(make_window, fake_devices):
    """Audio 25 cents flat, through the engine's analyzer: the status bar, the spectrum grid
    and the saved estimate follow it, and the chord is still named."""
    w = make_window()
    analyzer = offline_analyzer(w)
    analyzer.process_block(chord_audio([60, 64, 67], seconds=1.5, cents=-25), 48000)
    w.context.analyzer.flush()
    text = w.status_bar.tuning.text()
    hz = shown_hz(text)
    assert text.startswith("A = ") and "locked" not in text
    assert abs(1200 * math.log2(hz / hz_of(-25))) < 3  # within 3 cents of 433.7 Hz
    assert w.spectrum.reference_hz == pytest.approx(hz, abs=0.05)
    assert w.settings.get("tuning/last_hz") == pytest.approx(hz, abs=0.05)
    assert w.context.analyzer.initial_tuning_hz == pytest.approx(hz, abs=0.05)  # for a restart
    assert w.chord_display.chord_name.startswith("C")


# ----------------------------------------------------------------- lock / type / restart
def test_lock_and_type_reach_the_analyzer_and_survive_a_restart(
    make_window, fake_devices, settings_path, qtbot, monkeypatch
):
    w = make_window()
    analyzer = offline_analyzer(w)
    bridge = w.context.analyzer
    bridge.handle_event(event(0.1, 436.37))  # an estimate
    popup = w.tuning_popup
    qtbot.mouseClick(w.status_bar.tuning, Qt.MouseButton.LeftButton)
    assert popup.isVisible()
    assert "436.4" in popup.lock_current_button.text()
    qtbot.mouseClick(popup.lock_current_button, Qt.MouseButton.LeftButton)
    assert not popup.isVisible()
    assert analyzer.config.tuning_hz == pytest.approx(436.4)
    assert analyzer.tuning.locked_hz == pytest.approx(436.4)
    assert w.status_bar.tuning.text() == "A = 436.4 Hz (locked)"

    w.show_tuning_popup()  # type a value and press Enter
    popup.hz_edit.clear()
    qtbot.keyClicks(popup.hz_edit, "442")
    qtbot.keyClick(popup.hz_edit, Qt.Key.Key_Return)
    assert popup.error == "" and not popup.isVisible()
    assert analyzer.tuning.locked_hz == pytest.approx(442.0)
    assert w.spectrum.reference_hz == pytest.approx(442.0)
    # the analyzer reads the next hop against it and says so
    analyzer.process_block(chord_audio([60, 64, 67], seconds=0.3), 48000)
    bridge.flush()
    assert w.status_bar.tuning.text() == "A = 442 Hz (locked)"
    w.close()

    # next start: locked at 442, the last estimate kept as the starting point
    w2 = make_window(settings_path)
    assert w2.tuning_locked_hz == pytest.approx(442.0)
    assert w2.status_bar.tuning.text() == "A = 442 Hz (locked)"
    assert w2.spectrum.reference_hz == pytest.approx(442.0)
    configs = []

    class FakeLive:
        def __init__(self, detector, config, on_event=None):
            config.validate()
            configs.append(config)
            self.running = False

        def start(self):
            self.running = True

        def stop(self):
            self.running = False

    import kord_engine.audio.listen.live as live

    monkeypatch.setattr(live, "LiveAnalyzer", FakeLive)
    w2.toolbar.set_detector("default")
    assert w2.start_listening()
    assert configs[-1].tuning_hz == pytest.approx(442.0)
    assert configs[-1].initial_tuning_hz == pytest.approx(436.37)

    # back to auto: the analyzer estimates again, and so does the next start
    w2.show_tuning_popup()
    qtbot.mouseClick(w2.tuning_popup.auto_button, Qt.MouseButton.LeftButton)
    assert w2.tuning_locked_hz is None
    assert "locked" not in w2.status_bar.tuning.text()
    w2.close()
    w3 = make_window(settings_path)
    assert w3.tuning_locked_hz is None
    assert w3.status_bar.tuning.text() == "A ≈ 436.4 Hz"
    w3.toolbar.set_detector("default")
    assert w3.start_listening()
    assert configs[-1].tuning_hz is None
    assert configs[-1].initial_tuning_hz == pytest.approx(436.37)


def test_presets_lock_at_once(make_window, fake_devices, qtbot):
    w = make_window()
    analyzer = offline_analyzer(w)
    w.show_tuning_popup()
    qtbot.mouseClick(w.tuning_popup.preset_buttons[432.0], Qt.MouseButton.LeftButton)
    assert analyzer.tuning.locked_hz == pytest.approx(432.0)
    assert w.settings.get("tuning/mode") == "locked"
    assert w.settings.get("tuning/locked_hz") == pytest.approx(432.0)


@pytest.mark.parametrize(
    "typed, says",
    [("460", "427.5–452.9 Hz"), ("415", "427.5–452.9 Hz"), ("abc", "not a number"), ("", "Type")],
)
def test_an_invalid_typed_value_is_rejected_and_the_setting_kept(
    make_window, fake_devices, settings_path, qtbot, typed, says
):
    w = make_window()
    analyzer = offline_analyzer(w)
    assert w.set_tuning("442")
    w.show_tuning_popup()
    popup = w.tuning_popup
    popup.hz_edit.clear()
    qtbot.keyClicks(popup.hz_edit, typed)
    qtbot.keyClick(popup.hz_edit, Qt.Key.Key_Return)
    assert says in popup.error
    assert popup.error_label.isVisible() and popup.isVisible()  # inline, the popup stays
    assert analyzer.tuning.locked_hz == pytest.approx(442.0)
    assert w.status_bar.tuning.text() == "A = 442 Hz (locked)"
    qtbot.keyClicks(popup.hz_edit, "x")  # editing again clears the error
    assert popup.error == ""
    w.close()
    again = Settings(settings_path)
    assert again.get("tuning/mode") == "locked"
    assert again.get("tuning/locked_hz") == pytest.approx(442.0)


def test_the_shown_limits_are_accepted(make_window, fake_devices):
    w = make_window()
    assert w.set_tuning("452.9")  # shown as the limit: +50 cents exactly
    assert w.tuning_locked_hz == pytest.approx(MAX_HZ)
    assert w.status_bar.tuning.text() == "A = 452.9 Hz (locked)"
    assert w.set_tuning("A = 427.5 Hz")
    assert not w.set_tuning(453.5)
    assert w.tuning_locked_hz == pytest.approx(427.5)


def test_a_corrupt_saved_tuning_falls_back(make_window, fake_devices, settings_path):
    from PySide6.QtCore import QSettings

    raw = QSettings(str(settings_path), QSettings.Format.IniFormat)
    raw.setValue("tuning/mode", "locked")
    raw.setValue("tuning/locked_hz", "999")
    raw.setValue("tuning/last_hz", "warm")
    raw.sync()
    w = make_window()
    assert w.tuning_locked_hz == pytest.approx(440.0)
    assert w.context.analyzer.initial_tuning_hz == pytest.approx(440.0)


# ---------------------------------------------------------------------------- spectrum
def grid_columns(widget: SpectrumWidget) -> set[int]:
    """x of the grid-coloured pixels on a row between two dB lines (the vertical note lines)."""
    image = widget.grab().toImage()
    y = MARGIN_TOP + 20
    return {x for x in range(image.width()) if image.pixelColor(x, y).name() == DARK.grid}


def test_spectrum_grid_and_markers_follow_the_reference(qtbot):
    w = SpectrumWidget()
    qtbot.addWidget(w)
    w.resize(1200, 260)
    w.show()
    qtbot.waitExposed(w)
    sx, ox, _sy, _oy = w._mapping()

    def x_of(hz: float) -> int:
        return round(math.log10(hz) * sx + ox)

    c4 = {ref: ref * 2 ** (-9 / 12) for ref in (440.0, 430.0)}
    assert x_of(c4[440.0]) - x_of(c4[430.0]) >= 4
    cols = grid_columns(w)
    assert x_of(c4[440.0]) in cols and x_of(c4[430.0]) not in cols
    w.set_notes([57])  # A4
    assert w.mark_frequencies() == pytest.approx([440.0])

    w.set_reference(430.0)
    cols = grid_columns(w)
    assert x_of(c4[430.0]) in cols and x_of(c4[440.0]) not in cols
    assert dict((label, f) for f, label in w.grid_lines())["C4"] == pytest.approx(c4[430.0])
    assert w.mark_frequencies() == pytest.approx([430.0])
    w.set_reference(MAX_HZ)  # C8 would leave the axis: no line past the plot
    assert "C8" not in {label for _f, label in w.grid_lines()}


def test_the_window_spectrum_follows_the_analyzer_and_the_lock(make_window, fake_devices):
    w = make_window()
    w.context.analyzer.handle_event(event(0.1, 433.7))
    assert w.spectrum.reference_hz == pytest.approx(433.7)
    assert w.set_tuning(443.0)
    assert w.spectrum.reference_hz == pytest.approx(443.0)


# ------------------------------------------------------------------------------- files
def test_file_analysis_reports_the_files_tuning(make_window, fake_devices, qtbot, tmp_path):
    import soundfile as sf

    path = tmp_path / "flat-c.wav"
    sf.write(path, chord_audio([60, 64, 67], seconds=1.5, cents=-25), 48000)
    w = make_window()
    w.toolbar.set_detector("default")
    w.analyze_file(path)
    qtbot.waitUntil(lambda: "tuned to" in w.status_bar.currentMessage(), timeout=15_000)
    message = w.status_bar.currentMessage()
    assert message.startswith("File: C")
    hz = shown_hz(message)
    assert abs(1200 * math.log2(hz / hz_of(-25))) < 3
    assert "−25 cents" in message or "−24 cents" in message or "−26 cents" in message

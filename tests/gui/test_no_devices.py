"""With no audio devices the app still starts: a clear banner, everything else usable."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_starts_with_banner_and_usable_panels(make_window, no_devices, qtbot):
    w = make_window()
    assert w.banner.isVisible()
    assert "No audio input device" in w.banner.label.text()
    assert w.banner.action.text() == "Retry"
    assert w.toolbar.input_combo.count() == 1  # just "System default"
    for dock in w.panel_docks.values():
        assert dock.widget() is not None and dock.widget().isEnabled()
    # the keyboard still plays (silently) and lights what it plays
    kb = w.context.keyboard
    kb.press_note(60)
    assert 60 in w.context.synth.sounding
    assert 60 in kb.notes("played")
    kb.release_note(60)
    assert 60 not in kb.notes("played")


def test_start_listening_without_device_reports_and_stays_up(make_window, no_devices):
    w = make_window()
    assert w.start_listening() is False
    assert w.banner.isVisible()
    assert "could not start listening" in w.banner.label.text().lower()
    assert "no audio input device" in w.banner.label.text().lower()
    assert not w.toolbar.listen_button.isChecked()
    assert not w.context.analyzer.running


def test_retry_hides_banner_once_a_device_appears(make_window, no_devices, monkeypatch):
    from kord_engine.audio.input import devices
    from tests.gui.conftest import FAKE_DEVICES

    w = make_window()
    assert w.banner.isVisible()
    monkeypatch.setattr(devices, "_query", lambda: (list(FAKE_DEVICES), None))
    w.banner.action.click()
    assert not w.banner.isVisible()
    assert w.toolbar.input_combo.count() == 3


def test_synth_without_output_is_silent_but_reports_notes(no_devices, qtbot):
    from kord_desktop.bridge.synth_bridge import SynthBridge

    synth = SynthBridge(start=False)
    statuses, sounding = [], []
    synth.output_status.connect(statuses.append)
    synth.notes_sounding.connect(lambda s: sounding.append(set(s)))
    synth.set_output_device(None, blocking=True)
    assert not synth.audible
    assert statuses and "no audio devices" in statuses[-1]
    synth.play_chord([60, 64, 67], duration=0.05)
    assert sounding[-1] == {60, 64, 67}
    qtbot.waitUntil(lambda: sounding[-1] == set(), timeout=2000)


def test_synth_output_lost_while_playing_goes_silent_with_a_reason(qtbot):
    from kord_desktop.bridge.synth_bridge import SynthBridge

    class DeadPlayer:
        error = "audio output 'USB' stopped unexpectedly (disconnected?)"
        stopped = False

        def stop(self):
            self.stopped = True

    synth = SynthBridge(start=False)
    player = DeadPlayer()
    synth._player = player
    statuses = []
    synth.output_status.connect(statuses.append)
    synth._check_output()
    assert not synth.audible and player.stopped
    assert "disconnected" in statuses[-1]
    synth.note_on(60)  # still usable, silently
    assert synth.sounding == {60}


def test_clip_led_and_level_meter(qtbot):
    from kord_desktop.widgets.level_meter import LevelMeter, db_fraction

    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.set_level(-30.0, 0.2, False)
    assert not meter.clipping
    meter.set_level(-1.0, 1.0, True)
    assert meter.clipping  # holds for a while after the clip
    assert (
        db_fraction(-80.0) == 0.0 and db_fraction(0.0) == 1.0 and db_fraction(float("nan")) == 0.0
    )

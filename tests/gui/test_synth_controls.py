"""SynthControls: every control reaches the synth, persists in settings, and is restored."""

from __future__ import annotations

import pytest

from kord_desktop.panels.synth_controls import DEFAULTS, SynthControls, arpeggio_enabled

pytestmark = pytest.mark.gui


def _panel(qtbot, ctx) -> SynthControls:
    panel = SynthControls(ctx)
    qtbot.addWidget(panel)
    return panel


def test_start_up_applies_defaults_to_the_synth(qtbot, ctx):
    _panel(qtbot, ctx)
    assert ctx.synth.timbre == "piano"
    assert ctx.synth.adsr == pytest.approx((0.003, 0.02, 0.85, 0.25))
    assert ctx.synth.volume == pytest.approx(DEFAULTS.volume)


def test_controls_change_the_synth(qtbot, ctx):
    panel = _panel(qtbot, ctx)
    panel.timbre.setCurrentIndex(panel.timbre.findData("organ"))
    assert ctx.synth.timbre == "organ"
    panel.attack.spin.setValue(0.5)
    assert ctx.synth.adsr[0] == pytest.approx(0.5)
    panel.release.slider.setValue(1000)  # slider end = the range's top
    assert ctx.synth.adsr[3] == pytest.approx(5.0)
    panel.sustain_level.spin.setValue(0.4)
    assert ctx.synth.adsr[2] == pytest.approx(0.4)
    panel.volume.spin.setValue(25)
    assert ctx.synth.volume == pytest.approx(0.25)
    panel.arpeggio.setChecked(True)
    panel.arpeggio_speed.setValue(0.1)
    assert ctx.synth.arpeggio_speed == pytest.approx(0.1)
    assert arpeggio_enabled(ctx.settings) is True


def test_sustain_toggle_and_space_bar_agree(qtbot, ctx):
    panel = _panel(qtbot, ctx)
    panel.sustain_pedal.setChecked(True)
    assert ctx.synth.sustain is True and ctx.keyboard.sustain() is True
    ctx.keyboard.set_sustain(False)
    assert panel.sustain_pedal.isChecked() is False and ctx.synth.sustain is False


def test_settings_survive_a_restart(qtbot, ctx):
    panel = _panel(qtbot, ctx)
    panel.timbre.setCurrentIndex(panel.timbre.findData("sine"))
    panel.decay.spin.setValue(1.25)
    panel.volume.spin.setValue(40)
    panel.arpeggio.setChecked(True)
    ctx.settings.sync()
    ctx2 = type(ctx)(ctx.settings.fileName())
    qtbot.addWidget(ctx2.keyboard)
    panel2 = _panel(qtbot, ctx2)
    assert panel2.timbre.currentData() == "sine"
    assert ctx2.synth.timbre == "sine"
    assert ctx2.synth.adsr[1] == pytest.approx(1.25)
    assert ctx2.synth.volume == pytest.approx(0.4)
    assert panel2.arpeggio.isChecked()


def test_corrupt_settings_fall_back_to_defaults(qtbot, ctx):
    ctx.settings.setValue("synth/attack", "fast")
    ctx.settings.setValue("synth/timbre", "kazoo")
    panel = _panel(qtbot, ctx)
    assert panel.attack.value() == pytest.approx(DEFAULTS.attack)
    assert ctx.synth.timbre == "piano"


def test_reset_restores_kords_piano_envelope(qtbot, ctx):
    panel = _panel(qtbot, ctx)
    panel.attack.spin.setValue(1.0)
    panel.timbre.setCurrentIndex(panel.timbre.findData("organ"))
    panel.reset()
    assert ctx.synth.timbre == "piano"
    assert ctx.synth.adsr == pytest.approx((0.003, 0.02, 0.85, 0.25))

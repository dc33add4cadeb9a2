"""MidiInput: messages from the port's thread arrive as Qt signals; no MIDI is not an error."""

from __future__ import annotations

import threading

import mido
import pytest

from kord_desktop.bridge import midi_input
from kord_desktop.bridge.midi_input import MidiInput
from kord_desktop.panels.synth_controls import SynthControls
from tests.gui.fakes import make_context

pytestmark = pytest.mark.gui


class _FakePort:
    def __init__(self, name, callback):
        self.name, self.callback, self.closed = name, callback, False

    def close(self):
        self.closed = True


class _FakeMido:
    """Stands in for mido with one virtual input port."""

    def __init__(self, names=("Fake Keys",)):
        self.names = list(names)
        self.ports: list[_FakePort] = []

    def get_input_names(self):
        return list(self.names)

    def open_input(self, name, callback=None):
        port = _FakePort(name, callback)
        self.ports.append(port)
        return port


def test_missing_mido_is_not_an_error(qtbot, monkeypatch):
    def broken():
        raise ImportError("No module named 'rtmidi'")

    monkeypatch.setattr(midi_input, "_load_mido", broken)
    midi = MidiInput()
    assert midi.available() is False
    assert "not installed" in midi.unavailable_reason
    assert midi.list_ports() == []
    with qtbot.waitSignal(midi.error) as sig:
        assert midi.open() is False
    assert sig.args[0]


def test_no_ports_reports_why(qtbot):
    midi = MidiInput(backend=_FakeMido(names=()))
    assert midi.available() is False
    assert midi.unavailable_reason == "no MIDI input port found"


def test_real_backend_never_raises():
    midi = MidiInput()  # on a machine without ALSA sequencer this must just be unavailable
    if not midi.available():
        assert midi.unavailable_reason


def test_messages_from_the_port_thread_become_signals(qtbot):
    backend = _FakeMido()
    midi = MidiInput(backend=backend)
    assert midi.available() and midi.open() and midi.port_name == "Fake Keys"
    port = backend.ports[-1]
    with qtbot.waitSignal(midi.note_on) as on:
        threading.Thread(
            target=port.callback, args=(mido.Message("note_on", note=64, velocity=127),)
        ).start()
    assert on.args == [64, pytest.approx(1.0)]
    with qtbot.waitSignal(midi.note_off) as off:
        port.callback(mido.Message("note_on", note=64, velocity=0))
    assert off.args == [64]
    with qtbot.waitSignal(midi.sustain_changed) as ped:
        port.callback(mido.Message("control_change", control=64, value=127))
    assert ped.args == [True]
    midi.close()
    assert port.closed and midi.port_name is None


def test_midi_notes_play_through_the_keyboard(qtbot, tmp_path):
    ctx = make_context(qtbot, tmp_path)
    backend = _FakeMido()
    panel = SynthControls(ctx, midi=MidiInput(backend=backend))
    qtbot.addWidget(panel)
    assert panel.midi.port_name == "Fake Keys"  # first port opened by default
    port = backend.ports[-1]
    port.callback(mido.Message("note_on", note=60, velocity=64))
    qtbot.waitUntil(lambda: ctx.synth.calls_to("note_on") != [])
    assert ctx.synth.calls_to("note_on")[0] == (60, pytest.approx(64 / 127))
    assert ctx.keyboard.notes("pressed") == {60}
    port.callback(mido.Message("note_off", note=60))
    qtbot.waitUntil(lambda: ctx.synth.calls_to("note_off") == [(60,)])
    assert ctx.keyboard.notes("pressed") == set()


def test_panel_shows_no_midi_input(qtbot, tmp_path):
    ctx = make_context(qtbot, tmp_path)
    panel = SynthControls(ctx, midi=MidiInput(backend=_FakeMido(names=())))
    qtbot.addWidget(panel)
    assert panel.midi_ports.currentText() == "No MIDI input"
    assert not panel.midi_ports.isEnabled()
    assert "No MIDI input" in panel.midi_status.text()

"""Test doubles for the desktop panels: a FakeSynth that records calls, and a FakeContext.

FakeContext mirrors AppContext's contract (.settings, .synth, .keyboard, .status(msg)) with a
real QSettings in a temp file and a real PianoKeyboard wired to the FakeSynth.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from kord_desktop.widgets.keyboard import PianoKeyboard


class FakeSynth(QObject):
    """Records every SynthBridge call as (method, args) in .calls; tracks sounding notes."""

    notes_sounding = Signal(object)

    def __init__(self):
        super().__init__()
        self.calls: list[tuple[str, tuple]] = []
        self.sounding: set[int] = set()
        self.timbre = "piano"
        self.adsr: tuple[float, float, float, float] | None = None
        self.volume: float | None = None
        self.sustain = False
        self.arpeggio_speed: float | None = None
        self.chord_durations: list[float | None] = []

    def _record(self, name: str, *args) -> None:
        self.calls.append((name, args))

    def calls_to(self, name: str) -> list[tuple]:
        """Arguments of every call to one method, in order."""
        return [args for n, args in self.calls if n == name]

    def note_on(self, midi: int, velocity: float = 0.8) -> None:
        self._record("note_on", midi, velocity)
        self.sounding.add(midi)
        self.notes_sounding.emit(set(self.sounding))

    def note_off(self, midi: int) -> None:
        self._record("note_off", midi)
        self.sounding.discard(midi)
        self.notes_sounding.emit(set(self.sounding))

    def play_chord(self, midis, arpeggio: bool = False, duration: float | None = None) -> None:
        self._record("play_chord", list(midis), arpeggio)
        self.chord_durations.append(duration)

    def all_off(self) -> None:
        self._record("all_off")
        self.sounding.clear()
        self.notes_sounding.emit(set())

    def set_timbre(self, timbre: str) -> None:
        self._record("set_timbre", timbre)
        self.timbre = timbre

    def set_adsr(self, attack: float, decay: float, sustain: float, release: float) -> None:
        self._record("set_adsr", attack, decay, sustain, release)
        self.adsr = (attack, decay, sustain, release)

    def set_volume(self, volume: float) -> None:
        self._record("set_volume", volume)
        self.volume = volume

    def set_sustain(self, on: bool) -> None:
        self._record("set_sustain", on)
        self.sustain = on

    def set_arpeggio_speed(self, seconds: float) -> None:
        self._record("set_arpeggio_speed", seconds)
        self.arpeggio_speed = seconds

    def set_output_device(self, device) -> None:
        self._record("set_output_device", device)


class FakeContext:
    """AppContext stand-in: real QSettings (temp INI file), FakeSynth, real PianoKeyboard."""

    def __init__(self, settings_path: str | Path):
        self.settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        self.synth = FakeSynth()
        self.keyboard = PianoKeyboard()
        self.keyboard.attach_synth(self.synth)
        self.messages: list[str] = []

    def status(self, msg: str) -> None:
        self.messages.append(msg)


def make_context(qtbot, tmp_path: Path) -> FakeContext:
    """A FakeContext whose keyboard is registered with qtbot (closed after the test)."""
    ctx = FakeContext(tmp_path / "settings.ini")
    qtbot.addWidget(ctx.keyboard)
    return ctx

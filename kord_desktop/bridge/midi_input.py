"""MIDI keyboard input: mido (python-rtmidi backend) messages → Qt signals on the GUI thread.

A missing mido/rtmidi, a machine without a MIDI subsystem, or no input port is not an error:
available() is False and unavailable_reason says why, so the UI can show "No MIDI input".
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot


def _load_mido() -> Any:
    """Import mido with its rtmidi backend; raises ImportError when either is missing."""
    import mido

    mido.set_backend("mido.backends.rtmidi", load=True)
    return mido


class MidiInput(QObject):
    """One open MIDI input port; note_on/note_off arrive as signals (velocity 0..1)."""

    note_on = Signal(int, float)
    note_off = Signal(int)
    sustain_changed = Signal(bool)
    error = Signal(str)
    _message = Signal(object)  # rtmidi thread → GUI thread (queued)

    def __init__(self, parent: QObject | None = None, backend: Any | None = None):
        super().__init__(parent)
        self._mido = backend
        self._reason = ""
        self._port = None
        self._port_name: str | None = None
        self._message.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        if self._mido is None:
            try:
                self._mido = _load_mido()
            except Exception as exc:  # ImportError, or a backend that fails to load
                self._reason = f"MIDI support is not installed ({exc})"

    # ------------------------------------------------------------------ discovery
    def list_ports(self) -> list[str]:
        """Names of the MIDI input ports; [] (with unavailable_reason set) when there are none."""
        if self._mido is None:
            return []
        try:
            names = list(self._mido.get_input_names())
        except Exception as exc:  # e.g. rtmidi's SystemError when ALSA has no sequencer
            self._reason = f"no MIDI subsystem ({_first_line(exc)})"
            return []
        self._reason = "" if names else "no MIDI input port found"
        return names

    def available(self) -> bool:
        """True when mido works and at least one input port exists."""
        return bool(self.list_ports())

    @property
    def unavailable_reason(self) -> str:
        """Why available() is False ('' when it is True)."""
        if self._mido is not None and not self._reason:
            self.list_ports()
        return self._reason

    # ------------------------------------------------------------------ open / close
    def open(self, name: str | None = None) -> bool:
        """Open a port by name (None: the first); returns False and emits error on failure."""
        self.close()
        ports = self.list_ports()
        if not ports:
            self.error.emit(self._reason or "No MIDI input")
            return False
        if name is None:
            name = ports[0]
        if name not in ports:
            self.error.emit(f"MIDI input {name!r} not found; available: {', '.join(ports)}")
            return False
        try:
            self._port = self._mido.open_input(name, callback=self._on_message)
        except Exception as exc:
            self.error.emit(f"could not open MIDI input {name!r}: {_first_line(exc)}")
            self._port = None
            return False
        self._port_name = name
        return True

    def close(self) -> None:
        """Close the open port, if any."""
        port, self._port, self._port_name = self._port, None, None
        if port is not None:
            with contextlib.suppress(Exception):  # a port that vanished is closed anyway
                port.close()

    @property
    def port_name(self) -> str | None:
        """Name of the open port, or None."""
        return self._port_name

    # ------------------------------------------------------------------ messages
    def _on_message(self, message: Any) -> None:
        """mido callback (rtmidi's thread): hand the message to the GUI thread, nothing else."""
        self._message.emit(message)

    def feed(self, message: Any) -> None:
        """Handle a mido message as if it came from the port (same thread rules as the callback)."""
        self._on_message(message)

    @Slot(object)
    def _dispatch(self, message: Any) -> None:
        kind = getattr(message, "type", None)
        if kind == "note_on" and message.velocity > 0:
            self.note_on.emit(int(message.note), message.velocity / 127.0)
        elif kind == "note_off" or (kind == "note_on" and message.velocity == 0):
            self.note_off.emit(int(message.note))
        elif kind == "control_change" and message.control == 64:
            self.sustain_changed.emit(message.value >= 64)

    def attach_keyboard(self, keyboard) -> None:
        """Route notes to a PianoKeyboard as presses (it lights them and forwards to the synth)."""
        self.note_on.connect(keyboard.press_note)
        self.note_off.connect(keyboard.release_note)
        self.sustain_changed.connect(keyboard.set_sustain)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

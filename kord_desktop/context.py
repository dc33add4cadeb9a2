"""What every panel gets: the settings, the shared synth, keyboard and analyzer, and `status()`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QWidget

from kord_desktop.bridge.analyzer_bridge import AnalyzerBridge
from kord_desktop.bridge.synth_bridge import SynthBridge
from kord_desktop.settings import Settings

log = logging.getLogger(__name__)


def make_keyboard() -> QWidget:
    """The shared 88-key PianoKeyboard (kord_desktop.widgets.keyboard), or a placeholder."""
    try:
        from kord_desktop.widgets.keyboard import PianoKeyboard

        return PianoKeyboard()
    except Exception as exc:  # noqa: BLE001 - widget missing / broken: keep the app up
        log.warning("keyboard unavailable: %s", exc)
        placeholder = QLabel("Keyboard not available in this build")
        placeholder.setObjectName("keyboardPlaceholder")
        return placeholder


class AppContext(QObject):
    """Shared app objects, built once by the main window and handed to each panel.

    `start_audio=False` keeps the synth silent (tests); the output opens after the event loop
    starts so it never delays the first window.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        parent: QObject | None = None,
        start_audio: bool = True,
    ):
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.synth = SynthBridge(self, volume=self.settings.get("synth/volume"), start=False)
        if start_audio:
            # opens on a worker thread: never delays the first window
            self.synth.set_output_device(self.settings.get("audio/output_device") or None)
        self.analyzer = AnalyzerBridge(self)
        self._status: Callable[..., None] = lambda msg, *_: log.info("status: %s", msg)
        self._listen: Callable[[], bool] | None = None
        self.keyboard = make_keyboard()
        attach = getattr(self.keyboard, "attach_synth", None)
        if callable(attach):
            attach(self.synth)  # keys play the synth; sounding notes light as "played"

    def status(self, msg: str, timeout_ms: int = 5000) -> None:
        """Show `msg` in the main window's status bar."""
        self._status(msg, timeout_ms)

    def set_status_sink(self, sink: Callable[..., None]) -> None:
        self._status = sink

    def start_listening(self) -> bool:
        """Start listening the way the main window does (its device, detector and gate);
        False when it could not start or no window set a starter."""
        return bool(self._listen()) if self._listen is not None else False

    def set_listen_starter(self, starter: Callable[[], bool]) -> None:
        """Who starts listening for a panel that needs the microphone (the main window)."""
        self._listen = starter

    def light_keys(self, role: str, midis: Iterable[int]) -> None:
        """Light `midis` on the shared keyboard in highlight `role` ("detected", "chord", …)."""
        set_notes = getattr(self.keyboard, "set_notes", None)
        if callable(set_notes):
            set_notes(role, midis)

    def lit_keys(self, role: str) -> set[int]:
        notes = getattr(self.keyboard, "notes", None)
        return set(notes(role)) if callable(notes) else set()

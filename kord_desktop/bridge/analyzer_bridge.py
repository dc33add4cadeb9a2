"""Qt adapter over the engine's LiveAnalyzer: analyzer events (worker thread) → GUI-thread signals.

Every event reaches the GUI through a queued signal (detections are never dropped); the spectrum
and level, which only matter for drawing, are coalesced: the analyzer thread stores the latest
frame and the GUI emits only the newest one when it handles an event, so a slow GUI drops
frames, never analyzer work (and no polling timer wakes the GUI between events; the spectrum
widget animates between frames itself). The tuning (the reference pitch A4) is coalesced too:
`tuning` is emitted only when it moved by TUNING_STEP_HZ or its locked/settled state changed.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from kord_engine.audio.listen.detection import EMPTY

#: the tuning signal fires when the reference moved at least this much (the status bar shows
#: 0.1 Hz), not on every hop
TUNING_STEP_HZ = 0.05


def is_fatal(event: Any) -> bool:
    """True for the analyzer's stop events (device lost, stalled), as opposed to a failed hop
    (detector error) after which listening goes on."""
    return bool(getattr(event, "fatal", False))


class AnalyzerBridge(QObject):
    """Owns one LiveAnalyzer at a time; start/stop from the GUI thread, listen to the signals."""

    #: (stable Detection, changed) — the smoothed chord, on every analyzer event; while it
    #: is emitted, `provisional` and `refines` describe it (see LiveAnalyzer's events)
    detection = Signal(object, bool)
    #: Detection — the unsmoothed per-hop detection
    raw = Signal(object)
    #: (level_db, peak, clipping)
    level = Signal(float, float, bool)
    #: (freqs ndarray, dB ndarray) — the newest frame, at most once per analyzer event
    spectrum = Signal(object, object)
    #: str — listening stopped or could not start (device lost, cannot open, …), said so
    error = Signal(str)
    #: str — a problem on one hop (detector failure) while listening goes on
    warning = Signal(str)
    #: (processing_ms, overflows)
    stats = Signal(float, int)
    #: (reference A4 Hz, locked, settled) — only when it changed (see TUNING_STEP_HZ)
    tuning = Signal(float, bool, bool)
    running_changed = Signal(bool)

    _event_ready = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._analyzer: Any = None
        self._lock = threading.Lock()
        self._latest: Any = None  # newest event with a spectrum, for the display timer
        self._latest_seq = 0
        self._shown_seq = 0
        self.detector_name = ""
        self.model_dir: Path | None = None
        self.events_received = 0
        #: the locked reference (A4, Hz) for every analyzer started, None: estimate it
        self.tuning_hz: float | None = None
        #: where the estimate starts (e.g. the last session's)
        self.initial_tuning_hz = 440.0
        self._tuning_shown: tuple[float, bool, bool] | None = None
        #: the newest label is provisional (shown fast after an onset, may be refined)
        self.provisional = False
        #: the newest change updates the current label in place (refined or confirmed)
        self.refines = False
        self._event_ready.connect(self._on_event_gui)

    # ----------------------------------------------------------------- control (GUI thread)
    @property
    def analyzer(self) -> Any:
        """The LiveAnalyzer in use, or None; its `capture.ring` is the microphone's audio
        (the recording page's take recorder reads it: one input stream for both)."""
        return self._analyzer

    @property
    def running(self) -> bool:
        a = self._analyzer
        return bool(a is not None and getattr(a, "running", False))

    def start(
        self,
        device: str | int | None = None,
        detector_name: str = "default",
        gate_db: float = -55.0,
        model_dir: str | Path | None = None,
    ) -> bool:
        """Start listening on `device` (None = system default). Emits `error` and returns False
        if the device or detector cannot be opened."""
        self.stop()
        try:
            from kord_engine.audio.listen.detect import make_detector
            from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer
        except ImportError as exc:
            self.error.emit(f"Live analysis is not available in this build ({exc}).")
            return False
        try:
            options: dict[str, Any] = {}
            if detector_name in ("ml", "hybrid") and model_dir:
                options["model_dir"] = Path(model_dir)
            detector = make_detector(detector_name, **options)
            config = AnalyzerConfig(
                gate_db=float(gate_db),
                device=device or None,
                tuning_hz=self.tuning_hz,
                initial_tuning_hz=self.initial_tuning_hz,
            )
            analyzer = LiveAnalyzer(detector, config, on_event=self.handle_event)
            analyzer.start()
        except Exception as exc:  # KordError; PortAudio and friends raise their own types
            self.error.emit(f"Could not start listening: {exc}")
            return False
        self._analyzer = analyzer
        self._tuning_shown = None
        self.detector_name = detector_name
        self.model_dir = Path(model_dir) if model_dir else None
        self.running_changed.emit(True)
        return True

    def set_gate(self, gate_db: float) -> None:
        """Change the noise gate while listening (read by the analyzer on its next hop)."""
        analyzer = self._analyzer
        config = getattr(analyzer, "config", None)
        if config is not None:
            config.gate_db = float(gate_db)

    def set_tuning(self, reference_hz: float | None) -> bool:
        """Lock the reference pitch (A4, Hz) or estimate it (None): for the running analyzer
        from its next hop, and for every later start. The caller checks the value (see
        kord_desktop.widgets.tuning.clamp_reference); if the analyzer refuses it anyway,
        `warning` says why and False is returned (nothing changes)."""
        hz = None if reference_hz is None else float(reference_hz)
        set_tuning = getattr(self._analyzer, "set_tuning", None)
        if callable(set_tuning):
            try:
                set_tuning(hz)
            except Exception as exc:  # noqa: BLE001 - AudioError for a value out of range
                self.warning.emit(f"Could not set the tuning: {exc}")
                return False
        self.tuning_hz = hz
        self._tuning_shown = None  # the next event shows the new state, whatever it is
        return True

    def set_initial_tuning(self, reference_hz: float) -> None:
        """Where the next started analyzer's estimate begins (the last session's estimate)."""
        self.initial_tuning_hz = float(reference_hz)

    def set_detector(self, detector_name: str, model_dir: str | Path | None = None) -> bool:
        """Swap the detector while listening, without reopening the device. On failure the
        old detector keeps running and `warning` says why."""
        analyzer = self._analyzer
        if analyzer is None or not hasattr(analyzer, "set_detector"):
            return False
        try:
            from kord_engine.audio.listen.detect import make_detector

            options = (
                {"model_dir": Path(model_dir)}
                if detector_name in ("ml", "hybrid") and model_dir
                else {}
            )
            analyzer.set_detector(make_detector(detector_name, **options))
        except Exception as exc:  # noqa: BLE001 - KordError, ModelError, onnxruntime errors
            self.warning.emit(f"Could not switch to the {detector_name!r} detector: {exc}")
            return False
        self.detector_name = detector_name
        self.model_dir = Path(model_dir) if model_dir else None
        return True

    def stop(self) -> None:
        """Stop the analyzer (joins its thread); safe to call when not running."""
        analyzer, self._analyzer = self._analyzer, None
        if analyzer is None:
            return
        with contextlib.suppress(Exception):  # a dead device may fail to close
            analyzer.stop()
        self._emit_display_frame()
        self.running_changed.emit(False)

    def process_block(self, block) -> None:
        """Feed audio offline to the current analyzer (tests, screenshots, files)."""
        if self._analyzer is not None:
            self._analyzer.process_block(block)

    def attach(self, analyzer: Any) -> None:
        """Adopt an analyzer created elsewhere (offline feeding); it must call `handle_event`."""
        self.stop()
        self._analyzer = analyzer
        self._tuning_shown = None

    # ------------------------------------------------------------ analyzer thread → GUI
    def handle_event(self, event: Any) -> None:
        """The analyzer's on_event callback: runs on the analyzer thread; never blocks."""
        if getattr(event, "spectrum_db", None) is not None or hasattr(event, "level_db"):
            with self._lock:
                self._latest = event
                self._latest_seq += 1
        self._event_ready.emit(event)

    @Slot(object)
    def _on_event_gui(self, event: Any) -> None:
        self.events_received += 1
        err = getattr(event, "error", None)
        if err:
            if self.running and not is_fatal(event):
                self.warning.emit(str(err))
            else:
                self.stop()
                self.error.emit(f"Listening stopped: {err}")
                return
        det = getattr(event, "detection", None)
        if det is not None:
            self.raw.emit(det)
        stable = getattr(event, "stable", None)
        self.provisional = bool(getattr(event, "stable_provisional", False))
        self.refines = bool(event.changed and getattr(event, "refined", False))
        self.detection.emit(stable if stable is not None else EMPTY, bool(event.changed))
        self.stats.emit(float(event.processing_ms or 0.0), int(event.overflows or 0))
        self._emit_tuning(event)
        self._emit_display_frame()  # the newest frame only: queued older events skip it

    def _emit_tuning(self, event: Any) -> None:
        """Emit `tuning` when the event's reference moved or its locked/settled state changed."""
        hz = getattr(event, "tuning_hz", None)
        if hz is None:
            return
        now = (
            float(hz),
            bool(getattr(event, "tuning_locked", False)),
            bool(getattr(event, "tuning_settled", False)),
        )
        shown = self._tuning_shown
        if shown is not None and shown[1:] == now[1:] and abs(shown[0] - now[0]) < TUNING_STEP_HZ:
            return
        self._tuning_shown = now
        self.tuning.emit(*now)

    @Slot()
    def _emit_display_frame(self) -> None:
        with self._lock:
            if self._latest_seq == self._shown_seq:
                return
            event = self._latest
            self._shown_seq = self._latest_seq
        self.level.emit(float(event.level_db), float(event.peak), bool(event.clipping))
        if event.spectrum_db is not None and event.spectrum_freqs is not None:
            self.spectrum.emit(event.spectrum_freqs, event.spectrum_db)

    def flush(self) -> None:
        """Emit the pending display frame now (tests; normally each handled event does it)."""
        self._emit_display_frame()

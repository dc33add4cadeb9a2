"""Recording labelled takes off the GUI thread: the analyzer's own capture feeds a TakeRecorder.

No second input stream is opened: while the app listens, a small reader thread copies the
frames the live analyzer's capture ring received since its last look (every 20 ms) into the
engine's `TakeRecorder`, which waits for the onset and keeps a fixed window after it. Offline
(tests, screenshots) `push(block, rate)` feeds the same recorder. Finished takes are saved with
`save_take` on a worker thread; every result reaches the GUI as a queued signal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal

log = logging.getLogger(__name__)

#: how often the reader thread looks for new audio in the capture ring
POLL_SECONDS = 0.02
#: the input level is emitted at most this often (the meter does not need more)
LEVEL_INTERVAL = 0.05
#: … unless it moved this much (dB) since the last one shown
LEVEL_JUMP_DB = 6.0


def state_name(state: Any) -> str:
    """ "WAITING", "RECORDING" or "DONE" for a TakeState (an enum member or its name)."""
    return str(getattr(state, "name", state)).upper()


class TakeBridge(QObject):
    """Arms one take at a time; start/stop/arm/disarm from the GUI thread, listen to signals.

    `analyzer` is the app's AnalyzerBridge (its running LiveAnalyzer's capture is read), or
    None when audio only arrives through `push`.
    """

    #: "IDLE" (not armed), "WAITING" (for the onset), "RECORDING", "DONE"
    state_changed = Signal(str)
    #: RMS dBFS of the newest audio the recorder saw
    level = Signal(float)
    #: (audio ndarray, sample rate) — a finished take, not saved yet
    take_ready = Signal(object, int)
    #: (request id, Take) — a take written by save_take / relabel
    saved = Signal(int, object)
    #: (request id, message) — saving failed; nothing half-written is left behind
    save_failed = Signal(int, str)
    #: (request id) — a take was deleted
    deleted = Signal(int)

    # from the reader thread, tagged with the arming they belong to (see _generation)
    _state_internal = Signal(str, int)
    _take_internal = Signal(object, int, int)

    def __init__(self, analyzer: Any = None, parent: QObject | None = None):
        super().__init__(parent)
        self.analyzer = analyzer
        self.seconds = 1.5
        self.state = "IDLE"
        self.frames_lost = 0  # frames the reader missed (it fell behind the ring)
        self.frames_fed = 0  # frames the recorder has seen since it was last armed
        self.read_until = 0  # the capture ring's frame the reader has read up to
        self._lock = threading.Lock()
        self._recorder: Any = None
        self._rate = 0
        self._armed = False
        self._manual = False
        self._last_level = 0.0
        self._shown_level = -120.0
        self._reader: threading.Thread | None = None
        self._stop = threading.Event()  # the current reader's: set, it ends at its next look
        self._stop.set()
        self._requests = 0
        #: bumped by every arm/disarm: a take or state from an older arming is dropped
        self._generation = 0
        self._saver: ThreadPoolExecutor | None = None
        self._state_internal.connect(self._on_state)
        self._take_internal.connect(self._on_take)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # pending saves finish before the app goes

    # ------------------------------------------------------------------ control (GUI thread)
    @property
    def armed(self) -> bool:
        return self._armed

    def seconds_fed(self) -> float:
        """Seconds of audio the recorder has seen since it was armed (0 before any)."""
        return self.frames_fed / self._rate if self._rate else 0.0

    def arm(self, seconds: float | None = None) -> None:
        """Wait for the next onset and record `seconds` after it (discarding any take begun)."""
        with self._lock:
            if seconds is not None:
                self.seconds = float(seconds)
            self._recorder = None  # made for the stream's rate at the first block
            self._armed = True
            self._manual = False
            self._generation += 1
            self.frames_fed = 0
        self._show_state("WAITING")
        self._ensure_reader()

    def start_manual(self) -> None:
        """Record from now on until `stop_manual` (or the take's length), no onset needed."""
        with self._lock:
            self._armed = True
            self._manual = True
            self._generation += 1
            recorder = self._recorder
            if recorder is not None:
                recorder.reset()
                recorder.start()
        self._show_state("RECORDING")
        self._ensure_reader()

    def stop_manual(self) -> None:
        """End a take started with `start_manual`; it becomes `take_ready` like any other."""
        with self._lock:
            recorder = self._recorder
            if recorder is None or not self._armed:
                return
            done = state_name(recorder.stop()) == "DONE"  # False: no audio arrived yet
            self._manual = False
            audio, generation = (self._take_locked(recorder) if done else None), self._generation
        if audio is None:
            self._show_state("WAITING")
        else:
            self._finished(audio, generation)

    def disarm(self) -> None:
        """Stop recording; a take in progress is dropped (nothing is written)."""
        with self._lock:
            self._armed = False
            self._manual = False
            self._generation += 1
            if self._recorder is not None:
                self._recorder.reset()
            self._stop.set()  # the reader only runs while a take is armed
        self._show_state("IDLE")

    def shutdown(self) -> None:
        """Stop the reader thread and finish pending saves (window closing, tests); the bridge
        can be armed again afterwards."""
        self.disarm()
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.join(timeout=2.0)
        saver, self._saver = self._saver, None
        if saver is not None:
            saver.shutdown(wait=True)

    # ------------------------------------------------------------------ saving (worker thread)
    def save(self, instrument: str, audio: np.ndarray, rate: int, notes, symbol: str = "") -> int:
        """Save a take on the worker thread; `saved(id, Take)` or `save_failed(id, why)`."""
        from kord_engine.ml.recordings import save_take

        def job() -> Any:
            return save_take(instrument, audio, rate, tuple(int(n) for n in notes), symbol=symbol)

        return self._submit(job)

    def relabel(self, take: Any, notes: Sequence[int]) -> int:
        """Save `take`'s audio again with other notes, then delete the old take."""
        from kord_engine.ml.recordings import delete_take, load_take_audio, save_take

        def job() -> Any:
            audio, rate = load_take_audio(take)
            new = save_take(
                take.instrument,
                audio,
                rate,
                tuple(int(n) for n in notes),
                symbol=take.symbol,
            )
            delete_take(take)
            return new

        return self._submit(job)

    def delete(self, take: Any) -> int:
        """Delete a take's files on the worker thread (after any save queued before it)."""
        from kord_engine.ml.recordings import delete_take

        def job() -> Any:
            delete_take(take)
            return None

        return self._submit(job, deleted=True)

    def wait_saved(self, timeout: float = 10.0) -> bool:
        """Block until every queued save/delete has run (tests, closing the wizard)."""
        if self._saver is None:
            return True
        done = threading.Event()
        self._saver.submit(done.set)
        return done.wait(timeout)

    def _submit(self, job, deleted: bool = False) -> int:
        self._requests += 1
        request = self._requests

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # noqa: BLE001 - shown on the page
                log.warning("take request %d failed: %s", request, exc)
                self.save_failed.emit(request, str(exc))
                return
            if deleted:
                self.deleted.emit(request)
            else:
                self.saved.emit(request, result)

        if self._saver is None:
            self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kord-take-saver")
        self._saver.submit(run)
        return request

    # ------------------------------------------------------------------ audio in
    def push(self, block: np.ndarray, rate: int) -> None:
        """Feed audio directly (offline use: tests, screenshots); same path as live audio."""
        self._feed(np.asarray(block, dtype=np.float32).reshape(-1), int(rate))

    def _ensure_reader(self) -> None:
        """A reader thread for this arming (the last one was told to stop when its take
        ended or was dropped; it can no longer feed the recorder, see _feed)."""
        if self.analyzer is None or not self._stop.is_set():
            return
        self._stop = stop = threading.Event()
        self._reader = threading.Thread(
            target=self._read_loop, args=(stop,), name="kord-take-reader", daemon=True
        )
        self._reader.start()

    def _capture(self) -> Any:
        analyzer = getattr(self.analyzer, "analyzer", None)
        if analyzer is None or not getattr(analyzer, "running", False):
            return None
        return getattr(analyzer, "capture", None)

    def _read_loop(self, stop: threading.Event) -> None:
        """Copy what the capture ring received since the last look into the recorder, from
        the newest frame when the reader starts (or listening restarts) on."""
        seen: Any = None  # the ring read last (a new one when listening restarted)
        pos = 0
        while not stop.wait(POLL_SECONDS):
            capture = self._capture()
            ring = getattr(capture, "ring", None)
            rate = int(getattr(capture, "sample_rate", 0) or 0)
            if ring is None or not rate:
                seen = None
                continue
            total = ring.total_written
            if ring is not seen:
                seen, pos = ring, total
                self.read_until = pos
                continue
            new = total - pos
            if new <= 0:
                continue
            if new > ring.capacity:
                self.frames_lost += new - ring.capacity
                new = ring.capacity
            block, pos = ring.read_latest(new)
            try:
                self._feed(block, rate, stop)
            except Exception:  # noqa: BLE001 - a recorder bug must not kill the reader
                log.exception("take recorder failed")
            self.read_until = pos

    def _feed(self, block: np.ndarray, rate: int, stop: threading.Event | None = None) -> None:
        with self._lock:
            if not self._armed or (stop is not None and stop.is_set()):
                return
            recorder = self._recorder
            if recorder is None or rate != self._rate:
                from kord_engine.ml.take import TakeRecorder

                recorder = self._recorder = TakeRecorder(rate, seconds=self.seconds)
                self._rate = rate
                if self._manual:
                    recorder.start()
            state = state_name(recorder.feed(block))
            self.frames_fed += block.shape[0]
            level_db = float(recorder.level_db)
            audio = self._take_locked(recorder) if state == "DONE" else None
            generation = self._generation
        # signals go out with the lock released: a slot connected directly may arm again
        now = time.monotonic()
        jump = abs(level_db - self._shown_level) >= LEVEL_JUMP_DB  # an attack shows at once
        if jump or now - self._last_level >= LEVEL_INTERVAL:
            self._last_level, self._shown_level = now, level_db
            self.level.emit(level_db)
        if audio is not None:
            self._finished(audio, generation)
        elif state != self.state:
            self.state = state
            self._state_internal.emit(state, generation)

    def _take_locked(self, recorder: Any) -> np.ndarray:
        """The finished take's audio, once; feeding stops until armed again (lock held)."""
        audio = np.asarray(recorder.audio(), dtype=np.float32).copy()
        self._armed = False
        self._manual = False
        self._stop.set()
        recorder.reset()
        return audio

    def _finished(self, audio: np.ndarray, generation: int) -> None:
        self.state = "DONE"
        self._state_internal.emit("DONE", generation)
        if audio.size:
            self._take_internal.emit(audio, self._rate, generation)

    def _show_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _on_state(self, state: str, generation: int) -> None:
        if generation == self._generation:
            self.state_changed.emit(state)

    def _on_take(self, audio: np.ndarray, rate: int, generation: int) -> None:
        if generation == self._generation:  # not skipped, retaken or disarmed meanwhile
            self.take_ready.emit(audio, rate)

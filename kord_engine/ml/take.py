"""TakeRecorder: cut one chord out of a stream of audio blocks (pure logic, no I/O).

Auto mode waits for an onset — a block louder than the running noise floor by
`threshold_db` (and than `min_level_db` in absolute terms) — and keeps `pre_seconds` before
the first loud sample and `seconds` after it. Manual mode (`start()` / `stop()`) keeps what
arrives between the two calls. The GUI feeds it from the capture thread's blocks; the CLI's
`kord ml gather --chords` from a recording; tests from synthetic audio.
"""

from __future__ import annotations

import enum
from collections import deque

import numpy as np

from kord_engine.errors import AudioError

SILENCE_DB = -120.0
#: the noise floor falls only to a level held this long: otherwise the sound resuming after a
#: 30 ms input dropout inside a ringing chord is an onset, and the old chord's tail is saved
#: under the next chord's name
FLOOR_SECONDS = 0.15


class TakeState(enum.Enum):
    """Where a take is: waiting for an onset, recording, or holding a finished take."""

    WAITING = "waiting"
    RECORDING = "recording"
    DONE = "done"


def level_db(block: np.ndarray) -> float:
    """RMS level of a block in dB full scale (SILENCE_DB for digital silence)."""
    x = np.asarray(block, dtype=np.float64).reshape(-1)
    if x.size == 0:
        return SILENCE_DB
    rms = float(np.sqrt(np.mean(x * x)))
    return max(SILENCE_DB, 20.0 * np.log10(rms)) if rms > 0 else SILENCE_DB


class TakeRecorder:
    """Feed audio blocks; get one take (`audio()`) once `feed` returns TakeState.DONE.

    `rate` Hz mono float32 blocks of any length. The noise floor is learnt over the first
    `warmup_seconds` (no onset fires there), then follows quiet blocks: it falls to any
    quieter level held for FLOOR_SECONDS (not to a dropout's) and rises by at most
    `floor_rise_db_per_s`, so a chord never becomes the floor. `max_seconds` caps a manual take.
    """

    def __init__(
        self,
        rate: int,
        seconds: float = 1.5,
        pre_seconds: float = 0.05,
        threshold_db: float = 12.0,
        min_level_db: float = -50.0,
        warmup_seconds: float = 0.1,
        floor_rise_db_per_s: float = 3.0,
        max_seconds: float = 30.0,
    ):
        if int(rate) <= 0:
            raise AudioError(f"sample rate must be positive, got {rate}")
        if not 0 < seconds <= max_seconds:
            raise AudioError(f"take length must be in (0, {max_seconds}] s, got {seconds}")
        if pre_seconds < 0 or threshold_db <= 0 or warmup_seconds < 0:
            raise AudioError("pre_seconds and warmup_seconds must be ≥ 0, threshold_db > 0")
        self.rate = int(rate)
        self.seconds = float(seconds)
        self.pre_seconds = float(pre_seconds)
        self.threshold_db = float(threshold_db)
        self.min_level_db = float(min_level_db)
        self.warmup_seconds = float(warmup_seconds)
        self.floor_rise_db_per_s = float(floor_rise_db_per_s)
        self.max_seconds = float(max_seconds)
        self._pre_frames = int(round(self.pre_seconds * self.rate))
        self._take_frames = int(round(self.seconds * self.rate))
        self.reset()

    # ---------------------------------------------------------------- state
    def reset(self, keep_floor: bool = False) -> None:
        """Forget the take and wait for the next onset; `keep_floor` skips a new warm-up
        (the next chord of a session, same room)."""
        floor = self._floor if keep_floor and hasattr(self, "_floor") else None
        self._state = TakeState.WAITING
        self._manual = False
        self._history: deque[np.ndarray] = deque()
        self._history_frames = 0
        self._chunks: list[np.ndarray] = []
        self._frames = 0
        self._goal = self._take_frames
        self._seen = 0
        self._warm: list[float] = []
        self._recent: deque[tuple[int, float]] = deque()  # (frames, level) of recent blocks
        self._recent_frames = 0
        self._floor: float | None = floor
        self._level = SILENCE_DB
        self._audio: np.ndarray | None = None
        self.onset_frame: int | None = None  # stream frame of the first loud sample

    @property
    def state(self) -> TakeState:
        return self._state

    @property
    def level_db(self) -> float:
        """RMS level (dBFS) of the last block fed: for a level meter."""
        return self._level

    @property
    def noise_floor_db(self) -> float | None:
        """The running noise floor (dBFS), None until the warm-up is over."""
        return self._floor

    @property
    def onset_threshold_db(self) -> float:
        """The level a block must reach to start a take now."""
        floor = self._floor if self._floor is not None else SILENCE_DB
        return max(floor + self.threshold_db, self.min_level_db)

    def start(self) -> None:
        """Manual take: record from now until `stop()` (or `max_seconds`)."""
        self._state = TakeState.RECORDING
        self._manual = True
        self._chunks, self._frames = [], 0
        self._goal = int(round(self.max_seconds * self.rate))
        self._audio = None
        self.onset_frame = self._seen

    def stop(self) -> TakeState:
        """End a manual (or running automatic) take now; DONE when anything was recorded."""
        if self._state is TakeState.RECORDING:
            self._finish()
        return self._state

    def audio(self) -> np.ndarray | None:
        """The finished take (float32 mono), None before DONE."""
        return self._audio

    # ---------------------------------------------------------------- feeding
    def feed(self, block: np.ndarray) -> TakeState:
        """Take one block of audio; returns the state after it."""
        x = np.asarray(block, dtype=np.float32)
        if x.ndim == 2:
            x = x.mean(axis=1)
        x = x.reshape(-1)
        if not np.all(np.isfinite(x)):
            raise AudioError("audio block contains NaN or infinite values")
        self._level = level_db(x)
        start_frame = self._seen
        self._seen += len(x)
        if self._state is TakeState.DONE or len(x) == 0:
            return self._state
        if self._state is TakeState.RECORDING:
            self._append(x)
            return self._state
        if self._floor is None:  # warm-up: learn the floor, never fire
            self._warm.append(self._level)
            self._remember(x)
            if self._seen >= self.warmup_seconds * self.rate:
                self._floor = float(np.median(self._warm))
            return self._state
        if self._level >= self.onset_threshold_db:
            amp = 10.0 ** (self.onset_threshold_db / 20.0)
            loud = np.nonzero(np.abs(x) >= amp)[0]
            first = int(loud[0]) if len(loud) else 0
            self._begin(x, first, start_frame)
            return self._state
        self._follow_floor(len(x))
        self._remember(x)
        return self._state

    def _follow_floor(self, frames: int) -> None:
        # the floor falls only to a level that lasted FLOOR_SECONDS: a dropout of a few tens
        # of ms inside a ringing chord is not the room
        self._recent.append((frames, self._level))
        self._recent_frames += frames
        while self._recent_frames - self._recent[0][0] >= FLOOR_SECONDS * self.rate:
            self._recent_frames -= self._recent.popleft()[0]
        lasting = max(level for _, level in self._recent)
        rise = self.floor_rise_db_per_s * frames / self.rate
        assert self._floor is not None
        self._floor = min(lasting, self._floor + rise)

    def _remember(self, x: np.ndarray) -> None:
        """Keep the last `pre_seconds` of audio for the take's pre-roll."""
        if self._pre_frames == 0:
            return
        self._history.append(x.copy())
        self._history_frames += len(x)
        while self._history and self._history_frames - len(self._history[0]) >= self._pre_frames:
            self._history_frames -= len(self._history.popleft())

    def _begin(self, x: np.ndarray, first: int, start_frame: int) -> None:
        past = np.concatenate([*self._history, x[:first]]) if self._history else x[:first]
        pre = past[len(past) - min(len(past), self._pre_frames) :]
        self._state = TakeState.RECORDING
        self._chunks, self._frames = [], 0
        self._goal = len(pre) + self._take_frames
        self.onset_frame = start_frame + first
        self._append(np.concatenate([pre, x[first:]]))

    def _append(self, x: np.ndarray) -> None:
        need = self._goal - self._frames
        self._chunks.append(x[:need].copy())
        self._frames += min(len(x), need)
        if self._frames >= self._goal:
            self._finish()

    def _finish(self) -> None:
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        if len(audio) == 0:  # a manual take stopped before any audio: wait again
            self._state = TakeState.WAITING
            self._manual = False
            return
        self._audio = audio.astype(np.float32)
        self._state = TakeState.DONE

"""Microphone capture: a sounddevice InputStream whose callback only copies each block
(mixed to mono) into a ring buffer and counts overflows."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np

from kord_engine.audio.input.devices import (
    DeviceInfo,
    close_stream,
    negotiate_sample_rate,
    open_stream,
    resolve_device,
    sounddevice_module,
)
from kord_engine.audio.input.ringbuffer import RingBuffer
from kord_engine.errors import DeviceError

log = logging.getLogger(__name__)


class Capture:
    """Record from an input device into `ring` (mono float32) until stopped.

    `error` becomes a message when the stream ends on its own (device unplugged, driver
    failure); `stop()` then `start()` opens it again.
    """

    def __init__(
        self,
        device: str | int | None = None,
        sample_rate: int | None = None,
        channels: int = 1,
        blocksize: int = 1024,
        ring_seconds: float = 4.0,
    ):
        if channels < 1:
            raise DeviceError(f"capture needs at least 1 channel, got {channels}")
        if ring_seconds <= 0:
            raise DeviceError(f"ring buffer length must be > 0 s, got {ring_seconds}")
        self.device_spec = device
        self.requested_rate = sample_rate
        self.channels = int(channels)
        self.blocksize = int(blocksize)
        self.ring_seconds = float(ring_seconds)
        self.device: DeviceInfo | None = None
        self.sample_rate: int = int(sample_rate or 0)
        self.ring: RingBuffer = RingBuffer(1)
        self.overflows = 0
        self.callbacks = 0
        self.error: str | None = None
        self._stream: Any = None
        self._stopping = False
        self._scratch = np.zeros(max(self.blocksize, 4096), dtype=np.float32)
        self._lock = threading.Lock()

    # -- the audio thread ------------------------------------------------------------------
    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        if indata.shape[1] == 1:
            self.ring.write(indata[:, 0])
            return
        scratch = self._scratch
        if frames > scratch.shape[0]:  # a host gave a larger block than asked: grow once
            self._scratch = scratch = np.zeros(frames, dtype=np.float32)
        mix = scratch[:frames]
        np.sum(indata, axis=1, out=mix)
        mix *= 1.0 / indata.shape[1]
        self.ring.write(mix)

    def _finished(self) -> None:
        if not self._stopping and self.error is None:
            self.error = f"audio input {self._device_name()} stopped unexpectedly (disconnected?)"

    def _device_name(self) -> str:
        return repr(self.device.name) if self.device else "device"

    # -- control ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._stream is not None and self.error is None

    @property
    def stream_time(self) -> float:
        """Seconds of audio captured since start (the analyzer's clock)."""
        return self.ring.total_written / self.sample_rate if self.sample_rate else 0.0

    def start(self) -> None:
        """Open the device and start recording; raises DeviceError if it cannot."""
        with self._lock:
            if self._stream is not None:
                return
            sd = sounddevice_module()
            self.device = resolve_device(self.device_spec, "input")
            channels = min(self.channels, max(1, self.device.max_input_channels))
            self.sample_rate = negotiate_sample_rate(
                self.device, self.requested_rate, "input", channels
            )
            self.ring = RingBuffer(max(1, int(round(self.ring_seconds * self.sample_rate))))
            self.overflows = 0
            self.error = None
            self._stopping = False
            stream = open_stream(
                sd,
                "input",
                self.device,
                self.sample_rate,
                channels,
                self.blocksize,
                self._callback,
                self._finished,
            )
            self._stream = stream
            log.debug("capturing from %s at %d Hz", self.device.name, self.sample_rate)

    def wait_for_audio(self, timeout: float = 5.0) -> bool:
        """Block until the first frames arrive (some hosts take a second to start delivering);
        False on timeout or error."""
        deadline = time.monotonic() + timeout
        while self.ring.total_written == 0:
            if self.check() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def check(self) -> str | None:
        """Poll the stream's health from the reader thread; returns (and keeps) any error."""
        stream = self._stream
        if stream is not None and self.error is None:
            try:
                if not stream.active and not self._stopping:
                    self.error = f"audio input {self._device_name()} is no longer active"
            except Exception as exc:
                self.error = f"audio input {self._device_name()} failed: {exc}"
        return self.error

    def stop(self) -> None:
        """Stop and close the stream (safe to call twice or after an error)."""
        with self._lock:
            stream, self._stream = self._stream, None
            if stream is None:
                return
            self._stopping = True
            close_stream(stream, "input")

    def __enter__(self) -> Capture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

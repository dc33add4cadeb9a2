"""Sound out: a sounddevice OutputStream whose callback renders the synth into each block.

An open stream calls back ~190 times a second even while nothing plays (1.6–3 % of a core
through PulseAudio here); with `idle_pause_seconds` the stream pauses once the synth has been
idle that long and starts again, in about 2 ms, when the synth is next told to play.

No output device is a normal state: start() raises DeviceError with the reason, and callers
(the GUI) fall back to silent mode. Offline rendering and WAV writing live in `wav`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
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
from kord_engine.audio.sound.synth import Synth
from kord_engine.audio.sound.wav import render_offline, write_wav
from kord_engine.errors import DeviceError

__all__ = ["Player", "render_offline", "write_wav"]

log = logging.getLogger(__name__)


class Player:
    """Play `synth` on an output device (index, name substring, or None for the default).

    `latency` is "low", "high" or seconds, as sounddevice takes it. `idle_pause_seconds`:
    pause the stream after the synth has been idle this long (None: it runs until stop());
    the synth's next control call (note_on, play_chord, …) starts it again. The synth's clock
    stands still while paused, so a caller that waits on `synth.time` with nothing scheduled
    (the CLI's Looper between passes) keeps the default.
    """

    def __init__(
        self,
        synth: Synth,
        device: str | int | None = None,
        blocksize: int = 256,
        latency: str | float = "low",
        idle_pause_seconds: float | None = None,
    ):
        if blocksize < 0:
            raise DeviceError(f"blocksize must be ≥ 0 frames, got {blocksize}")
        if idle_pause_seconds is not None and not idle_pause_seconds >= 0:
            raise DeviceError(f"idle_pause_seconds must be ≥ 0 or None, got {idle_pause_seconds}")
        self.synth = synth
        self.device_spec = device
        self.blocksize = int(blocksize)
        self.requested_latency = latency
        self.idle_pause_seconds = idle_pause_seconds
        self.device: DeviceInfo | None = None
        self.sample_rate = synth.sample_rate
        self.underflows = 0
        self.callbacks = 0
        self.error: str | None = None
        self._stream: Any = None
        self._stopping = False
        self._lock = threading.Lock()
        self._abort: type[BaseException] | None = None  # sounddevice.CallbackAbort
        self._idle_frames = 0
        self._paused = False  # set by the callback before it aborts an idle stream
        self.pauses = 0

    # -- the audio thread ------------------------------------------------------------------
    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self.callbacks += 1
        if status and status.output_underflow:
            self.underflows += 1
        try:
            block = self.synth.render(frames)
        except Exception as exc:  # never let an exception kill the stream: play silence
            outdata.fill(0.0)
            if self.error is None:
                self.error = f"synth failed while rendering: {exc}"
            return
        outdata[:] = block[:, None]
        if not self.synth.idle:
            self._idle_frames = 0
            return
        self._idle_frames += frames
        if self._abort is not None and self.idle_pause_seconds is not None:
            self._pause_if_idle()

    def _pause_if_idle(self) -> None:
        """Abort the stream (from its callback) once the synth has been idle long enough.
        `_paused` is set before the synth is asked again: a control call queued after that
        finds it set and starts the stream again (see _wake), one queued before keeps it
        running."""
        if self._idle_frames < self.idle_pause_seconds * self.sample_rate:
            return
        self._paused = True
        if not self.synth.idle:
            self._paused = False
            self._idle_frames = 0
            return
        self.pauses += 1
        raise self._abort

    def _wake(self) -> None:
        """The synth was told to play: start a paused stream again (any thread but the
        callback's; a running stream costs one attribute read)."""
        if not self._paused:
            return
        with self._lock:
            stream = self._stream
            if stream is None or not self._paused:
                return
            try:
                if not stream.stopped:  # aborted from its callback: PortAudio wants a stop first
                    stream.abort()
                self._idle_frames = 0
                self._paused = False
                stream.start()
            except Exception as exc:  # the device went away while paused
                self.error = f"audio output could not resume: {exc}"

    @property
    def paused(self) -> bool:
        """Whether the stream is paused because the synth has been idle (see __init__)."""
        return self._paused

    def _finished(self) -> None:
        if not self._stopping and not self._paused and self.error is None:
            name = repr(self.device.name) if self.device else "device"
            self.error = f"audio output {name} stopped unexpectedly (disconnected?)"

    # -- control ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._stream is not None and self.error is None

    @property
    def latency(self) -> float | None:
        """Output latency the stream reports (seconds), or None when not started."""
        stream = self._stream
        return float(stream.latency) if stream is not None else None

    @property
    def key_to_sound(self) -> float | None:
        """Worst-case seconds from note_on to sound: one block of queueing + stream latency."""
        latency = self.latency
        if latency is None:
            return None
        return latency + self.blocksize / self.sample_rate

    def start(self) -> None:
        """Open the output device and start playing; raises DeviceError if it cannot."""
        with self._lock:
            if self._stream is not None:
                return
            sd = sounddevice_module()
            self.device = resolve_device(self.device_spec, "output")
            channels = min(2, max(1, self.device.max_output_channels))
            rate = negotiate_sample_rate(self.device, self.synth.sample_rate, "output", channels)
            if rate != self.synth.sample_rate:
                log.info("output %s runs at %d Hz; retuning the synth", self.device.name, rate)
                self.synth.set_config(replace(self.synth.config, sample_rate=rate))
            self.sample_rate = rate
            self.error = None
            self._stopping = False
            self._paused = False
            self._idle_frames = 0
            self._abort = getattr(sd, "CallbackAbort", None)
            stream = open_stream(
                sd,
                "output",
                self.device,
                rate,
                channels,
                self.blocksize,
                self._callback,
                self._finished,
                latency=self.requested_latency,
            )
            self._stream = stream
            self.synth.on_queued = self._wake
            log.debug(
                "playing on %s at %d Hz, latency %.4f s", self.device.name, rate, stream.latency
            )

    def stop(self) -> None:
        """Stop and close the stream (safe to call twice or after an error)."""
        with self._lock:
            stream, self._stream = self._stream, None
            if stream is None:
                return
            if self.synth.on_queued == self._wake:
                self.synth.on_queued = None
            self._stopping = True
            close_stream(stream, "output", drain=not self._played_out(stream))

    close = stop

    def _played_out(self, stream: Any) -> bool:
        """Whether nothing but silence is left in the device's buffer: paused, or the synth
        idle for longer than the stream's latency and two blocks. Then closing aborts at once
        instead of waiting for that silence to play."""
        if self._paused:
            return True
        if not self.synth.idle:
            return False
        queued = float(stream.latency) * self.sample_rate + 2 * self.blocksize
        return self._idle_frames >= queued

    def __enter__(self) -> Player:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

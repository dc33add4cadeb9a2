"""A private PulseAudio null sink for one user (a test session, a test, a benchmark): what this
process and its children play on the default output comes back on the default input, and
nobody else's sound gets in.

    with private_null_sink("kord_e2e") as sink:   # PULSE_SINK / PULSE_SOURCE set inside
        ...

The daemon is started with scripts/pulse-null-sink.sh when none answers. On entry the sink is
loaded, a silent low-latency stream (`pacat` from /dev/zero) kept playing into it, this
process's environment routed through it, and a short tone played until it comes back on the
monitor. On exit the environment is restored, the keeper stopped and the module unloaded.

Why the keeper: PulseAudio 16's null sink renders up to 2 s ahead while no client asks for low
latency, so a recording started on an idle sink got its first data 2.0 s late (parec as well
as PortAudio; 10–20 ms on a busy sink), and 2 s is also the live analyzer's stall limit. With
a 20 ms client always connected every new stream flows within ~20 ms. Test and benchmark
support only.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
START_SCRIPT = ROOT / "scripts" / "pulse-null-sink.sh"
RATE = 48000
#: the keeper's latency: what every new stream on the sink waits for its first data at most
KEEPER_LATENCY_MS = 20
#: the probe tone: quiet, and far above the null sink's digital silence
PROBE_AMPLITUDE = 0.05
PROBE_HZ = 440.0
HEARD_LEVEL = 1e-3

_serial = itertools.count(1)


class NullSinkError(RuntimeError):
    """PulseAudio or its null sink is not available, or no sound came back through it."""


class PulseAudioMissing(NullSinkError):
    """pactl or pulseaudio is not installed (a machine without it skips, not fails)."""


@dataclass(frozen=True)
class NullSink:
    """A loaded private null sink: its name, pactl module id and rate; `flow_s` is how long the
    probe tone took to come back (None when the wait was skipped)."""

    name: str
    module: str
    rate: int
    flow_s: float | None = None

    @property
    def source(self) -> str:
        """The sink's monitor: the default input while the sink is in use."""
        return f"{self.name}.monitor"


def pactl(*args: str, timeout: float = 10.0) -> subprocess.CompletedProcess:
    """Run `pactl args…`; the completed process (text output)."""
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=timeout)


def ensure_daemon() -> None:
    """Make sure a PulseAudio daemon answers, starting one with scripts/pulse-null-sink.sh."""
    if shutil.which("pactl") is None:
        raise PulseAudioMissing("pactl is not installed (apt-get install pulseaudio-utils)")
    if pactl("info").returncode == 0:
        return
    if shutil.which("pulseaudio") is None:
        raise PulseAudioMissing("pulseaudio is not installed (apt-get install pulseaudio)")
    proc = subprocess.run(["bash", str(START_SCRIPT)], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0 or pactl("info").returncode != 0:
        raise NullSinkError(f"could not start PulseAudio: {proc.stderr.strip() or proc.stdout}")


def wait_until_flowing(rate: int = RATE, timeout_s: float = 10.0) -> float:
    """Play a tone on the default output until the default input hears it; seconds it took.

    The tone stops (silence is played out) before the streams close, so whoever records next
    hears nothing of it."""
    import sounddevice as sd

    heard = threading.Event()
    step = 2 * np.pi * PROBE_HZ / rate
    phase = 0

    def on_input(indata, frames, t, status) -> None:
        if float(np.max(np.abs(indata), initial=0.0)) > HEARD_LEVEL:
            heard.set()

    def on_output(outdata, frames, t, status) -> None:
        nonlocal phase
        if heard.is_set():
            outdata.fill(0.0)
            return
        n = np.arange(phase, phase + frames)
        outdata[:, 0] = PROBE_AMPLITUDE * np.sin(step * n)
        phase += frames

    t0 = time.monotonic()
    try:
        with (
            sd.InputStream(samplerate=rate, channels=1, dtype="float32", callback=on_input),
            sd.OutputStream(samplerate=rate, channels=1, dtype="float32", callback=on_output),
        ):
            flowing = heard.wait(timeout_s)
            took = time.monotonic() - t0
            time.sleep(0.2)  # silence out, so the tone's tail is not left in the stream
    except sd.PortAudioError as exc:
        raise NullSinkError(f"cannot open audio streams through the null sink: {exc}") from exc
    if not flowing:
        raise NullSinkError(f"no sound came back through the null sink within {timeout_s:g} s")
    return took


def keep_flowing(sink: str, rate: int = RATE) -> subprocess.Popen | None:
    """Play silence into `sink` at low latency until terminated (None without pacat), so the
    sink never falls back to its 2 s blocks while idle."""
    if shutil.which("pacat") is None:
        return None
    with open("/dev/zero", "rb") as zeros:
        return subprocess.Popen(
            ["pacat", "--playback", "--raw", f"--device={sink}", "--format=s16le",
             "--channels=1", f"--rate={rate}", f"--latency-msec={KEEPER_LATENCY_MS}"],
            stdin=zeros, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip


@contextmanager
def private_null_sink(
    prefix: str = "kord", rate: int = RATE, wait_s: float | None = 10.0
) -> Iterator[NullSink]:
    """A fresh null sink named `prefix_<pid>_<n>`, with PULSE_SINK / PULSE_SOURCE pointing at
    it (for this process and the children it starts) until the block ends; `wait_s` None skips
    waiting for the first stream to flow. Raises NullSinkError when it cannot be had."""
    ensure_daemon()
    name = f"{prefix}_{os.getpid()}_{next(_serial)}"
    loaded = pactl(
        "load-module",
        "module-null-sink",
        f"sink_name={name}",
        f"rate={rate}",
        f"sink_properties=device.description={name}",
    )
    if loaded.returncode != 0:
        raise NullSinkError(f"could not load a null sink: {loaded.stderr.strip()}")
    module = loaded.stdout.strip()
    saved = {key: os.environ.get(key) for key in ("PULSE_SINK", "PULSE_SOURCE")}
    keeper = None
    try:
        keeper = keep_flowing(name, rate)
        os.environ["PULSE_SINK"] = name
        os.environ["PULSE_SOURCE"] = f"{name}.monitor"
        flow_s = wait_until_flowing(rate, wait_s) if wait_s is not None else None
        yield NullSink(name=name, module=module, rate=rate, flow_s=flow_s)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if keeper is not None:
            keeper.terminate()
            keeper.wait(5)
        pactl("unload-module", module)

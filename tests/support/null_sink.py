"""A private PulseAudio null sink for one user (a test session, a test, a benchmark): what this
process and its children play on the default output comes back on the default input, and
nobody else's sound gets in.

    with private_null_sink("kord_e2e") as sink:   # PULSE_SINK / PULSE_SOURCE set inside
        ...

The daemon is started with scripts/pulse-null-sink.sh when none answers. On entry the sink is
loaded, a silent low-latency stream (`pacat` from /dev/zero) kept playing into it, this
process's environment routed through it, and a short tone played until it comes back on the
monitor. On exit the environment is restored, the keeper stopped and the module unloaded.

`unplug(sink)` / `replug(sink)` remove the device and bring it back under the same name while
the block runs (benchmarks/bench_soak.py); the exit then unloads whichever module is loaded.

Why the keeper: PulseAudio 16's null sink renders up to 2 s ahead while no client asks for low
latency, so a recording started on an idle sink got its first data 2.0 s late (parec as well
as PortAudio; 10–20 ms on a busy sink), and 2 s is also the live analyzer's stall limit. With
a 20 ms client always connected every new stream flows within ~20 ms. Test and benchmark
support only.
"""

from __future__ import annotations

import dataclasses
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
#: sink name → [module id, keeper] of each sink private_null_sink holds now: replug() loads
#: it again under the same name (a new module and keeper), which the sink's exit then ends
_loaded: dict[str, list] = {}


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
    state: list = [module, None]
    _loaded[name] = state
    try:
        state[1] = keep_flowing(name, rate)
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
        _loaded.pop(name, None)
        _stop_keeper(state[1])
        if state[0] is not None:
            pactl("unload-module", state[0])


def _stop_keeper(keeper: subprocess.Popen | None) -> None:
    if keeper is not None:
        keeper.terminate()
        keeper.wait(5)


def _rows(kind: str) -> list[list[str]]:
    """`pactl list short kind` as rows of tab-separated fields."""
    return [line.split("\t") for line in pactl("list", "short", kind).stdout.splitlines()]


def _index_of(kind: str, name: str) -> str | None:
    return next((row[0] for row in _rows(kind) if len(row) > 1 and row[1] == name), None)


def unplug(sink: NullSink, kill_streams: bool = True) -> int:
    """Remove the sink (and its monitor, the default input) as if the device were unplugged;
    how many recording streams were ended. Bring it back with replug().

    PulseAudio (≥ 14) moves a removed source's streams to the fallback source — here the
    shared default sink's monitor — so a recorder goes on hearing another sink's silence and
    never learns its device went. `kill_streams` first ends the streams recording from it
    (pacmd kill-source-output): what a recorder sees when nothing can take the device over
    (or through plain ALSA). Without pacmd they are moved. The keeper is stopped: it would
    be moved to the default sink as well."""
    state = _loaded.get(sink.name)
    if state is None:
        raise NullSinkError(f"{sink.name!r} is not a sink private_null_sink holds")
    killed = 0
    source = _index_of("sources", sink.source) if kill_streams and shutil.which("pacmd") else None
    if source is not None:
        for row in _rows("source-outputs"):
            if len(row) > 1 and row[1] == source:
                done = subprocess.run(["pacmd", "kill-source-output", row[0]],
                                      capture_output=True, text=True, timeout=10)  # fmt: skip
                killed += done.returncode == 0 and not done.stdout.strip()
    _stop_keeper(state[1])
    state[1] = None
    if state[0] is not None:
        pactl("unload-module", state[0])
        state[0] = None
    return killed


def replug(sink: NullSink, wait_s: float | None = 10.0) -> NullSink:
    """Load an unplugged sink again under the same name, its keeper playing into it; the sink
    with its new module id. Like private_null_sink, it waits (unless `wait_s` is None) until
    sound played on it comes back (`flow_s`): a freshly loaded null sink renders its first
    2 s block before the keeper's latency counts, so a recording opened at once got its first
    audio 1.9–2.0 s late, a null-sink artefact no real device has."""
    state = _loaded.get(sink.name)
    if state is None or state[0] is not None:
        raise NullSinkError(f"{sink.name!r} is not an unplugged private sink")
    loaded = pactl(
        "load-module",
        "module-null-sink",
        f"sink_name={sink.name}",
        f"rate={sink.rate}",
        f"sink_properties=device.description={sink.name}",
    )
    if loaded.returncode != 0:
        raise NullSinkError(f"could not load the null sink again: {loaded.stderr.strip()}")
    state[0] = loaded.stdout.strip()
    state[1] = keep_flowing(sink.name, sink.rate)
    flow_s = wait_until_flowing(sink.rate, wait_s) if wait_s is not None else None
    return dataclasses.replace(sink, module=state[0], flow_s=flow_s)

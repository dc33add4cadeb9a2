"""End-to-end audio fixtures: a PulseAudio null sink whose monitor is the default input, so
what the test plays on the default output comes back through the default input.

Each test session gets its own private null sink (PULSE_SINK / PULSE_SOURCE), so other
programs playing on the shared default sink cannot leak into the recording; `null_sink` gives
one test a sink of its own (tests/support/null_sink.py), checked for input and output.
"""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import ExitStack

import numpy as np
import pytest

from tests.support.null_sink import NullSinkError, PulseAudioMissing, private_null_sink

RATE = 48000
#: output queued ahead of the sound card: at PortAudio's "high" default (35 ms here) the
#: writer thread, starved on two busy cores, underran the stream (ALSA "underrun occurred")
#: and each silence it left in a chord was a false attack the analyzer rightly labelled
PLAYBACK_LATENCY_S = 0.25


@pytest.fixture(scope="session")
def pulse_loopback():
    """Start the null sink if needed and route this process's audio through a private one."""
    with ExitStack() as stack:
        try:
            sink = stack.enter_context(private_null_sink("kord_e2e", rate=RATE))
        except PulseAudioMissing as exc:
            pytest.skip(str(exc))
        except NullSinkError as exc:
            pytest.fail(f"no private null sink: {exc}")
        yield {"sink": sink.name}


@pytest.fixture
def null_sink(request):
    """A private PulseAudio null sink for this test (other tests may be playing into the shared
    one): PULSE_SINK/PULSE_SOURCE route this process's default output and input through it
    while the test runs. Its name says which module holds it (kord_e2e_gui_<pid>_<n> for
    test_gui_e2e.py). Skips when there is no sink, or no input or output through it."""
    from kord_engine.audio.input.devices import audio_available

    stem = request.module.__name__.rpartition(".")[2]
    prefix = "kord_e2e_" + stem.removeprefix("test_").removesuffix("_e2e")
    with ExitStack() as stack:
        try:
            sink = stack.enter_context(private_null_sink(prefix))
        except NullSinkError as exc:
            pytest.skip(f"PulseAudio null sink unavailable: {exc}")
        for kind in ("input", "output"):
            ok, why = audio_available(kind)
            if not ok:
                pytest.skip(f"no audio {kind} through the null sink: {why}")
        yield sink.name


@pytest.fixture(scope="session")
def render():
    """render(chords) -> (audio, rate): fluidsynth piano, or our own synth without fluidsynth."""

    def _render(chords):
        from kord_engine.audio.sound import fluidsynth

        if shutil.which("fluidsynth") and fluidsynth.find_soundfonts():
            audio, rate, _ = fluidsynth.render_chords(chords, sample_rate=RATE)
            return audio.astype(np.float32), rate
        from kord_engine.audio.sound.synth import Synth, SynthConfig

        synth = Synth(SynthConfig(timbre="piano", sample_rate=RATE))
        parts = []
        for notes, seconds in chords:
            for n in notes:
                synth.note_on(int(n))
            parts.append(synth.render(int(seconds * RATE)))
            synth.all_notes_off()
        parts.append(synth.render(RATE // 2))
        return np.concatenate(parts).astype(np.float32), RATE

    return _render


class Playback:
    """Play audio on the default output in a background thread."""

    def __init__(self, audio: np.ndarray, rate: int):
        self.audio, self.rate = audio, rate
        self.error: BaseException | None = None
        self.started_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import sounddevice as sd

        from kord_engine.audio.input.devices import resolve_device

        try:
            device = resolve_device(None, "output")
            with sd.OutputStream(
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                device=device.index,
                latency=PLAYBACK_LATENCY_S,
            ) as stream:
                self.started_at = time.monotonic()
                chunk = self.rate // 10
                for pos in range(0, len(self.audio), chunk):
                    if self._stop.is_set():
                        break
                    stream.write(self.audio[pos : pos + chunk].reshape(-1, 1))
        except BaseException as exc:  # surfaced by join()
            self.error = exc

    def start(self) -> Playback:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Cut the playback short (within 0.1 s)."""
        self._stop.set()
        self.join()

    def join(self, timeout: float = 30.0) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "playback did not finish"
        if self.error is not None:
            raise self.error


@pytest.fixture
def play(pulse_loopback):
    started: list[Playback] = []

    def _play(audio: np.ndarray, rate: int) -> Playback:
        playback = Playback(audio, rate).start()
        started.append(playback)
        return playback

    yield _play
    for playback in started:
        playback.join()

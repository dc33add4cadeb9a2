"""Player: the output callback renders the synth; no device is a clear DeviceError; and (e2e)
a tone played to the PulseAudio null sink comes back on its monitor."""

import shutil
import subprocess
import time
from types import SimpleNamespace

import numpy as np
import pytest

from kord_engine.audio.sound.player import Player
from kord_engine.audio.sound.synth import Synth, SynthConfig
from kord_engine.errors import DeviceError


class CallbackAbort(Exception):
    """sounddevice.CallbackAbort's stand-in."""


class FakeStream:
    def __init__(self, owner, **kwargs):
        self.kwargs = kwargs
        self.latency = 0.0123
        self.active = False
        self.stopped = True
        self.closed = False
        self.starts = 0
        owner.streams.append(self)

    def start(self):
        assert self.stopped, "PortAudio refuses to start a stream that is not stopped"
        self.active, self.stopped = True, False
        self.starts += 1

    def stop(self):
        self.active, self.stopped = False, True
        self.ended_by = "stop"

    def abort(self):
        self.active, self.stopped = False, True
        self.ended_by = "abort"

    def close(self):
        self.closed = True

    def pull(self, frames):
        """Ask the callback for one block, as PortAudio would."""
        assert self.active, "an inactive stream is not called back"
        out = np.full((frames, self.kwargs["channels"]), 9.0, dtype=np.float32)
        try:
            self.kwargs["callback"](out, frames, None, SimpleNamespace(output_underflow=False))
        except CallbackAbort:  # PortAudio: the stream goes inactive (not stopped) at once
            self.active = False
            self.kwargs["finished_callback"]()
        return out


class FakeSd:
    def __init__(self, devs, rates=(48000, 44100)):
        self._devs = devs
        self.default = SimpleNamespace(device=[-1, 0])
        self._rates = rates
        self.streams = []
        self.CallbackAbort = CallbackAbort

    def query_devices(self, index=None):
        return list(self._devs) if index is None else self._devs[index]

    def query_hostapis(self):
        return [{"name": "ALSA"}]

    def check_output_settings(self, device=None, samplerate=None, channels=None, dtype=None):
        if samplerate not in self._rates:
            raise ValueError("Invalid sample rate")

    check_input_settings = check_output_settings

    def OutputStream(self, **kwargs):  # noqa: N802 - sounddevice's name
        return FakeStream(self, **kwargs)


def speakers(rate=48000.0):
    return {
        "name": "Speakers",
        "index": 0,
        "hostapi": 0,
        "max_input_channels": 0,
        "max_output_channels": 2,
        "default_samplerate": rate,
    }


def test_callback_renders_the_synth_into_every_channel(fake_sd):
    sd = fake_sd(FakeSd([speakers()]))
    synth = Synth(SynthConfig(timbre="sine"))
    reference = Synth(SynthConfig(timbre="sine"))
    with Player(synth, blocksize=256) as player:
        stream = sd.streams[0]
        assert stream.kwargs["samplerate"] == 48000 and stream.kwargs["blocksize"] == 256
        assert player.latency == pytest.approx(0.0123)
        assert player.key_to_sound == pytest.approx(0.0123 + 256 / 48000)
        synth.note_on(69)
        reference.note_on(69)
        block = stream.pull(256)
        np.testing.assert_array_equal(block[:, 0], block[:, 1])
        np.testing.assert_allclose(block[:, 0], reference.render(256), atol=1e-7)
        assert np.abs(block).max() > 0.0
    assert stream.closed and player.latency is None


def test_an_idle_stream_pauses_and_the_next_note_starts_it(fake_sd):
    sd = fake_sd(FakeSd([speakers()]))
    synth = Synth(SynthConfig(timbre="sine"))
    with Player(synth, blocksize=480, idle_pause_seconds=0.05) as player:
        stream = sd.streams[0]
        for _ in range(4):  # 40 ms of silence: still running
            stream.pull(480)
        assert stream.active and not player.paused
        stream.pull(480)  # 50 ms idle: the callback aborts the stream
        assert player.paused and not stream.active and player.pauses == 1
        assert player.running and player.error is None  # a pause is not a lost device
        synth.note_on(69)  # any control call wakes it: stopped, then started again
        assert stream.active and not player.paused and stream.starts == 2
        block = stream.pull(480)
        assert np.abs(block).max() > 0.0  # the note is in the first block after the pause
        synth.note_off(69)
        for _ in range(60):  # sounding and releasing is not idle; the pause comes after
            if not stream.active:
                break
            stream.pull(480)
        assert player.paused and synth.idle and player.pauses == 2
        synth.set_gain(0.3)  # a settings change wakes it too (the gain ramps in a block)
        assert stream.active
    assert stream.closed and synth.on_queued is None


def test_a_note_queued_while_the_callback_decides_keeps_the_stream(fake_sd, monkeypatch):
    sd = fake_sd(FakeSd([speakers()]))
    synth = Synth(SynthConfig(timbre="sine"))
    real_idle = Synth.idle
    asked = []

    def racing_idle(self):  # a GUI thread queues a note between the callback's two looks
        asked.append(1)
        if len(asked) == 2:
            self._queue.append(("on", 69, 0.8))
        return real_idle.fget(self)

    monkeypatch.setattr(Synth, "idle", property(racing_idle))
    with Player(synth, blocksize=480, idle_pause_seconds=0.0) as player:
        stream = sd.streams[0]
        stream.pull(480)
        assert stream.active and not player.paused
        assert np.abs(stream.pull(480)).max() > 0.0


def test_without_idle_pause_the_stream_runs_on(fake_sd):
    sd = fake_sd(FakeSd([speakers()]))
    with Player(Synth(), blocksize=480) as player:
        for _ in range(300):
            sd.streams[0].pull(480)
        assert sd.streams[0].active and not player.paused


def test_a_negative_idle_pause_is_refused():
    with pytest.raises(DeviceError, match="idle_pause_seconds"):
        Player(Synth(), idle_pause_seconds=-1.0)


def test_closing_drains_only_while_sound_may_still_be_queued(fake_sd):
    """A stop waits for the device's buffer to play out (0.5–2 s through PulseAudio): worth it
    while the end of a sound may be in it, not once only silence has been queued for longer
    than the stream's latency — then the stream is aborted at once."""
    sd = fake_sd(FakeSd([speakers()]))
    synth = Synth(SynthConfig(timbre="sine"))
    player = Player(synth, blocksize=256)
    player.start()
    synth.note_on(69)
    sd.streams[0].pull(256)
    player.stop()  # a note sounding: its tail is drained
    assert sd.streams[0].ended_by == "stop" and sd.streams[0].closed
    player.start()
    stream = sd.streams[1]
    synth.all_notes_off()
    while not synth.idle:
        stream.pull(256)
    stream.pull(256)  # silence for less than the latency (12.3 ms = 590 frames) and 2 blocks
    player.stop()
    assert stream.ended_by == "stop"
    player.start()
    stream = sd.streams[2]
    for _ in range(5):  # 1280 frames of silence: more than 590 + 512
        stream.pull(256)
    player.stop()
    assert stream.ended_by == "abort" and stream.closed


def test_a_device_at_another_rate_retunes_the_synth(fake_sd):
    fake_sd(FakeSd([speakers(44100.0)], rates=(44100,)))
    synth = Synth(SynthConfig(timbre="sine"))
    with Player(synth) as player:
        assert player.sample_rate == 44100
        synth.render(16)
        assert synth.sample_rate == 44100


def test_render_failure_plays_silence_and_reports(fake_sd):
    sd = fake_sd(FakeSd([speakers()]))
    synth = Synth()
    player = Player(synth)
    player.start()
    synth.render = lambda frames: 1 / 0  # type: ignore[method-assign]
    block = sd.streams[0].pull(128)
    assert np.all(block == 0.0)
    assert "synth failed" in player.error
    player.stop()
    player.stop()  # twice is fine


def test_no_output_device_is_a_clear_device_error(fake_sd):
    mic_only = dict(speakers(), name="Mic", max_input_channels=2, max_output_channels=0)
    fake_sd(FakeSd([mic_only]))
    with pytest.raises(DeviceError, match="no audio output"):
        Player(Synth()).start()


def test_unknown_output_device_names_the_choices(fake_sd):
    fake_sd(FakeSd([speakers()]))
    with pytest.raises(DeviceError, match="Speakers"):
        Player(Synth(), device="Headphones").start()


def _null_sink_up() -> bool:
    if shutil.which("pactl") is None:
        return False
    try:
        info = subprocess.run(["pactl", "info"], capture_output=True, timeout=5, text=True)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return info.returncode == 0 and "kord_null" in info.stdout


@pytest.mark.e2e
def test_tone_played_to_the_null_sink_comes_back_on_its_monitor():
    if not _null_sink_up():
        pytest.skip("PulseAudio null sink not running (scripts/pulse-null-sink.sh)")
    from kord_engine.audio.input.capture import Capture

    synth = Synth(SynthConfig(timbre="sine", gain=0.5))
    with Capture(sample_rate=48000, blocksize=512) as capture, Player(synth):
        synth.note_on(69, 1.0)  # A4
        # Streams can take most of a second to get going: wait for 0.6 s of captured audio.
        deadline = time.monotonic() + 8.0
        while capture.ring.total_written < 0.6 * capture.sample_rate:
            assert time.monotonic() < deadline, "no audio captured from the null sink"
            time.sleep(0.05)
        recorded = capture.ring.latest(capture.sample_rate // 4)
    synth.all_notes_off()
    _assert_a4(recorded, capture.sample_rate)


def _assert_a4(recorded: np.ndarray, rate: int) -> None:
    spec = np.abs(np.fft.rfft(recorded * np.hanning(len(recorded))))
    freqs = np.fft.rfftfreq(len(recorded), 1 / rate)
    assert abs(freqs[np.argmax(spec)] - 440.0) < 5.0
    assert np.abs(recorded).max() > 0.05


@pytest.mark.e2e
def test_a_paused_output_plays_the_next_note_at_once():
    """Through PulseAudio: the idle stream pauses (no callbacks), and a note played then is
    heard on the monitor within a few blocks of asking, not after a re-open."""
    if not _null_sink_up():
        pytest.skip("PulseAudio null sink not running (scripts/pulse-null-sink.sh)")
    from kord_engine.audio.input.capture import Capture

    synth = Synth(SynthConfig(timbre="sine", gain=0.5))
    with (
        Capture(sample_rate=48000, blocksize=512) as capture,
        Player(synth, idle_pause_seconds=0.2) as player,
    ):
        deadline = time.monotonic() + 8.0
        while not player.paused:
            assert time.monotonic() < deadline, "the idle output never paused"
            time.sleep(0.02)
        calls = player.callbacks
        time.sleep(0.3)
        assert player.callbacks == calls  # paused: PortAudio calls nothing
        before = capture.ring.total_written
        synth.note_on(69, 1.0)
        assert not player.paused
        while capture.ring.total_written < before + 0.4 * capture.sample_rate:
            assert time.monotonic() < deadline + 8.0, "no audio captured after the pause"
            time.sleep(0.05)
        recorded = capture.ring.latest(capture.sample_rate // 4)
        assert player.error is None
    synth.all_notes_off()
    _assert_a4(recorded, capture.sample_rate)

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


class FakeStream:
    def __init__(self, owner, **kwargs):
        self.kwargs = kwargs
        self.latency = 0.0123
        self.active = False
        self.closed = False
        owner.streams.append(self)

    def start(self):
        self.active = True

    def stop(self):
        self.active = False

    def close(self):
        self.closed = True

    def pull(self, frames):
        """Ask the callback for one block, as PortAudio would."""
        out = np.full((frames, self.kwargs["channels"]), 9.0, dtype=np.float32)
        self.kwargs["callback"](out, frames, None, SimpleNamespace(output_underflow=False))
        return out


class FakeSd:
    def __init__(self, devs, rates=(48000, 44100)):
        self._devs = devs
        self.default = SimpleNamespace(device=[-1, 0])
        self._rates = rates
        self.streams = []

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
    spec = np.abs(np.fft.rfft(recorded * np.hanning(len(recorded))))
    freqs = np.fft.rfftfreq(len(recorded), 1 / capture.sample_rate)
    assert abs(freqs[np.argmax(spec)] - 440.0) < 5.0
    assert np.abs(recorded).max() > 0.05

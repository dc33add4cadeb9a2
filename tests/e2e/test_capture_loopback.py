"""Capture through the null sink: what is played on the default output lands in the ring."""

from __future__ import annotations

import time

import numpy as np
import pytest

from kord_engine.audio.input.capture import Capture
from kord_engine.audio.input.devices import audio_available, list_devices, resolve_device

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_devices_are_listed(pulse_loopback):
    assert audio_available("input") == (True, "")
    assert list_devices()
    mic = resolve_device(None, "input")
    assert mic.is_default_input and mic.max_input_channels > 0


def test_capture_records_a_played_tone(play):
    rate = 48000
    t = np.arange(int(1.0 * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    with Capture(sample_rate=rate, blocksize=512, ring_seconds=3.0) as capture:
        assert capture.sample_rate == rate
        assert capture.wait_for_audio(10.0), capture.error
        play(tone, rate).join()
        time.sleep(0.3)
        audio = capture.ring.latest(int(2.5 * rate))
        assert capture.error is None and capture.check() is None
        assert capture.stream_time > 1.0
    assert not capture.running
    loud = audio[np.abs(audio) > 0.05]
    assert loud.size > 0.5 * rate, "the tone did not come back"
    assert np.abs(audio).max() == pytest.approx(0.3, abs=0.05)
    spectrum = np.abs(np.fft.rfft(audio))
    peak_hz = np.argmax(spectrum) * rate / len(audio)
    assert peak_hz == pytest.approx(440.0, abs=2.0)

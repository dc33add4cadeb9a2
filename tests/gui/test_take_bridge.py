"""TakeBridge on the live path: a reader thread takes the frames a (fake) listening analyzer's
capture ring receives and records a take from them — no second input stream — and only runs
while a take is armed."""

from __future__ import annotations

import numpy as np
import pytest

from kord_desktop.bridge.take_bridge import TakeBridge
from kord_engine.audio.input.ringbuffer import RingBuffer
from tests.gui.test_record_page import RATE, chord_audio

pytestmark = pytest.mark.gui

BLOCK = 1024


class FakeCapture:
    def __init__(self):
        self.ring = RingBuffer(4 * RATE)
        self.sample_rate = RATE


class FakeLiveAnalyzer:
    """What TakeBridge reads of a listening LiveAnalyzer: `running` and `capture.ring`."""

    def __init__(self):
        self.running = True
        self.capture = FakeCapture()


class FakeAnalyzerBridge:
    def __init__(self):
        self.analyzer = FakeLiveAnalyzer()


@pytest.fixture
def live(qtbot):
    bridge = FakeAnalyzerBridge()
    takes = TakeBridge(bridge)
    yield bridge, takes
    takes.shutdown()


def capture(qtbot, bridge, takes, audio: np.ndarray) -> None:
    """The sound card writes `audio` into the ring block by block; after each block, wait
    until the reader has read it (or the take ended and the reader stopped)."""
    ring = bridge.analyzer.capture.ring
    for pos in range(0, audio.size, BLOCK):
        ring.write(audio[pos : pos + BLOCK])
        end = ring.total_written
        qtbot.waitUntil(lambda end=end: takes.read_until >= end or not takes.armed, timeout=5000)
        if not takes.armed:
            return


def test_a_take_is_recorded_from_the_capture_ring(qtbot, live):
    bridge, takes = live
    ready = []
    takes.take_ready.connect(lambda audio, rate: ready.append((audio, rate)))
    ring = bridge.analyzer.capture.ring
    ring.write(chord_audio((60, 64, 67), seconds=1.0, quiet=0.0))  # before arming: not heard
    takes.arm(1.0)
    qtbot.waitUntil(lambda: takes.read_until == ring.total_written, timeout=5000)
    capture(qtbot, bridge, takes, chord_audio((57, 60, 64), seconds=1.5, quiet=0.4))
    qtbot.waitUntil(lambda: bool(ready), timeout=5000)
    audio, rate = ready[0]
    assert rate == RATE
    assert 1.0 * RATE <= audio.size <= 1.1 * RATE  # the fixed window and its pre-roll
    assert float(np.max(np.abs(audio))) > 0.05  # the chord, not the silence before it
    assert takes.frames_lost == 0
    assert not takes.armed
    qtbot.waitUntil(lambda: not takes._reader.is_alive(), timeout=5000)  # idle: no thread


def test_listening_again_after_a_restart_reads_the_new_ring(qtbot, live):
    bridge, takes = live
    ready = []
    takes.take_ready.connect(lambda audio, rate: ready.append(audio))
    takes.arm(1.0)
    first = bridge.analyzer.capture.ring
    qtbot.waitUntil(lambda: takes.read_until == first.total_written, timeout=5000)
    bridge.analyzer = FakeLiveAnalyzer()  # the device was reopened: a new capture and ring
    second = bridge.analyzer.capture.ring
    second.write(np.zeros(BLOCK, np.float32))
    qtbot.waitUntil(lambda: takes.read_until == second.total_written, timeout=5000)
    capture(qtbot, bridge, takes, chord_audio((62, 65, 69), seconds=1.3, quiet=0.4))
    qtbot.waitUntil(lambda: bool(ready), timeout=5000)
    assert len(ready) == 1


def test_disarming_drops_the_take_and_stops_the_reader(qtbot, live):
    bridge, takes = live
    ready = []
    takes.take_ready.connect(lambda audio, rate: ready.append(audio))
    takes.arm(1.0)
    ring = bridge.analyzer.capture.ring
    qtbot.waitUntil(lambda: takes.read_until == ring.total_written, timeout=5000)
    audio = chord_audio((60, 64, 67), seconds=1.5, quiet=0.4)
    capture(qtbot, bridge, takes, audio[: int(0.9 * RATE)])
    assert takes.state == "RECORDING"
    reader = takes._reader
    takes.disarm()
    ring.write(audio[int(0.9 * RATE) :])
    qtbot.waitUntil(lambda: not reader.is_alive(), timeout=5000)
    assert ready == [] and takes.state == "IDLE"

"""RingBuffer: newest frames out, wraparound, over-capacity writes, one writer + one reader."""

import threading

import numpy as np
import pytest

from kord_engine.audio.input.ringbuffer import RingBuffer


def ramp(start: int, n: int) -> np.ndarray:
    """Frame numbers start..start+n as float32, wrapped below 2**20: float32 holds integers
    exactly only up to 2**24, which a fast writer passes within seconds (CI saw torn-looking
    reads past 16.8 M frames that were only rounding)."""
    return (np.arange(start, start + n, dtype=np.int64) % WRAP).astype(np.float32)


WRAP = 2**20


def test_latest_before_full_is_zero_padded():
    ring = RingBuffer(8)
    ring.write(ramp(1, 3))
    assert ring.total_written == 3
    np.testing.assert_array_equal(ring.latest(5), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(ring.latest(2), [2, 3])
    assert ring.latest(0).shape == (0,)


def test_wraparound_keeps_order():
    ring = RingBuffer(5)
    written = 0
    for size in (3, 4, 2, 5, 1):
        ring.write(ramp(written, size))
        written += size
        want = np.arange(written - 5, written, dtype=np.float32)
        want[want < 0] = 0
        np.testing.assert_array_equal(ring.latest(5), want)
    assert ring.total_written == written


def test_over_capacity_write_keeps_the_newest():
    ring = RingBuffer(4)
    ring.write(ramp(0, 2))
    ring.write(ramp(2, 10))
    assert ring.total_written == 12
    np.testing.assert_array_equal(ring.latest(4), [8, 9, 10, 11])


def test_read_latest_reports_end_and_returns_a_copy():
    ring = RingBuffer(4)
    ring.write(ramp(0, 6))
    out, end = ring.read_latest(3)
    assert end == 6
    out[:] = -1
    np.testing.assert_array_equal(ring.latest(3), [3, 4, 5])


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        RingBuffer(0)
    ring = RingBuffer(4)
    with pytest.raises(ValueError, match="0..4"):
        ring.latest(5)


def test_write_does_not_allocate_a_new_buffer():
    ring = RingBuffer(16)
    buf = ring._buf
    for i in range(10):
        ring.write(ramp(i * 7, 7))
    assert ring._buf is buf


def test_clear_forgets():
    ring = RingBuffer(4)
    ring.write(ramp(1, 4))
    ring.clear()
    assert ring.total_written == 0
    np.testing.assert_array_equal(ring.latest(4), [0, 0, 0, 0])


def test_concurrent_reader_always_sees_a_contiguous_ramp():
    """The writer writes an increasing ramp; every read must be consecutive values."""
    ring = RingBuffer(4096)
    stop = threading.Event()
    bad = []

    def writer():
        pos = 0
        while not stop.is_set():
            ring.write(ramp(pos, 256))
            pos += 256

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        reads = 0
        while reads < 2000:
            out, end = ring.read_latest(1024)
            if end >= 1024:
                reads += 1
                if not np.array_equal(out, ramp(end - 1024, 1024)):
                    bad.append(end)
    finally:
        stop.set()
        thread.join()
    assert not bad


def test_read_since_takes_every_frame_once_and_says_where_a_gap_begins():
    ring = RingBuffer(8)
    ring.write(ramp(0, 5))
    got, end = ring.read_since(0)
    np.testing.assert_array_equal(got, ramp(0, 5))
    assert end == 5
    ring.write(ramp(5, 2))
    got, end = ring.read_since(end)
    np.testing.assert_array_equal(got, ramp(5, 2))
    assert ring.read_since(end)[0].shape == (0,)
    ring.write(ramp(7, 10))  # more than the ring holds since the reader's last visit
    got, end = ring.read_since(7)
    assert end - got.shape[0] == 9  # the oldest frame kept, not the one asked for
    np.testing.assert_array_equal(got, ramp(9, 8))

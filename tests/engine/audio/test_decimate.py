"""Live audio at its analysis rate (audio.listen.decimate): the filter's response, streaming
against one pass, the live analyzer reading the same notes at either rate."""

import numpy as np
import pytest

from kord_engine.audio.input.ringbuffer import RingBuffer
from kord_engine.audio.listen.decimate import (
    PASSBAND_HZ,
    DecimatedRing,
    Decimator,
    decimate,
    decimation_factor,
    lowpass,
)
from kord_engine.audio.listen.detect.hybrid import HybridDetector
from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer


@pytest.mark.parametrize(
    ("rate", "factor"),
    [(8000, 1), (16000, 1), (22050, 1), (32000, 1), (44100, 2), (48000, 2), (96000, 4)],
)
def test_fast_streams_are_analysed_at_no_less_than_22050_hz(rate, factor):
    assert decimation_factor(rate) == factor
    assert Decimator(rate).rate == rate // factor


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
def test_the_filter_is_flat_where_detectors_read_and_deaf_where_it_would_fold_back(rate):
    q = decimation_factor(rate)
    response = np.abs(np.fft.rfft(lowpass(rate, q), rate))  # 1 Hz bins
    db = 20 * np.log10(np.maximum(response, 1e-12))
    assert np.abs(db[: int(PASSBAND_HZ) + 1]).max() < 0.01
    # what lands on 0..PASSBAND_HZ after decimation comes from within PASSBAND_HZ of a
    # multiple of the new rate: everything from the first of those up is held down
    assert db[int(rate // q - PASSBAND_HZ) :].max() < -65


def test_streaming_gives_the_samples_of_one_pass_whatever_the_blocks():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(20_000).astype(np.float32)
    whole = decimate(x, 48000)
    assert whole.shape == (10_000,)  # causal: ceil(n / 2), the hop grid keeps its times
    d, parts, i = Decimator(48000), [], 0
    for size in rng.integers(1, 1500, size=200):
        parts.append(d.process(x[i : i + size]))
        i += int(size)
        if i >= x.size:
            break
    streamed = np.concatenate(parts)
    np.testing.assert_array_equal(streamed, whole[: streamed.size])
    # one pass is the causal FIR, every second sample
    want = np.convolve(x, lowpass(48000, 2))[: x.size : 2]
    np.testing.assert_allclose(whole, want, atol=1e-5)


def test_a_tone_above_the_passband_does_not_fold_into_it():
    t = np.arange(48000) / 48000
    high = np.sin(2 * np.pi * 16_000 * t).astype(np.float32)  # 24 kHz would hear 8 kHz
    low = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    rms = lambda a: float(np.sqrt(np.mean(a[1000:] ** 2)))  # noqa: E731
    assert rms(decimate(high, 48000)) < 1e-3 * rms(high)
    assert rms(decimate(low, 48000)) == pytest.approx(rms(low), rel=1e-3)


def test_pulling_from_the_capture_ring_restarts_the_filter_after_a_gap():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(9000).astype(np.float32)
    source, stream = RingBuffer(4000), DecimatedRing(48000, 1.0)
    for a, b in ((0, 1000), (1000, 1001), (1001, 3500)):
        source.write(x[a:b])
        stream.pull(source)
    assert stream.consumed == 3500
    np.testing.assert_array_equal(stream.ring.latest(1750), decimate(x[:3500], 48000))
    source.write(x[3500:9000])  # 5500 frames: more than the source holds
    stream.pull(source)
    assert stream.consumed == 9000
    np.testing.assert_array_equal(stream.ring.latest(2000), decimate(x[5000:9000], 48000))


def test_off_the_stream_is_analysed_as_it_comes():
    stream = DecimatedRing(48000, 1.0, enabled=False)
    assert stream.rate == 48000
    block = np.arange(10, dtype=np.float32)
    stream.feed(block)
    np.testing.assert_array_equal(stream.ring.latest(10), block)


def _chord(rate: int, seconds: float = 1.2) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    freqs = 440.0 * 2 ** ((np.array([48, 52, 55, 59]) - 57) / 12)  # Cmaj7 from C4
    x = sum((0.6**k) * np.sin(2 * np.pi * k * f * t) for f in freqs for k in (1, 2, 3, 4))
    x = 0.05 * x * np.minimum(1.0, t / 0.01)
    x[: int(0.2 * rate)] = 0.0
    return x.astype(np.float32)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_the_live_analyzer_hears_the_same_chord_at_either_rate(rate):
    audio, labels = _chord(rate), []
    for on in (True, False):
        analyzer = LiveAnalyzer(HybridDetector(), AnalyzerConfig(decimate=on))
        events = analyzer.process_block(audio, rate)
        labels.append([(round(e.timestamp, 3), e.stable.pitch_classes) for e in events if e.stable])
        # the view keeps its frequencies whatever rate it is drawn from
        assert events[-1].spectrum_freqs[-1] == pytest.approx(4186.0)
    assert labels[0][-1][1] == (0, 4, 7, 11)
    assert labels[0] == labels[1]

"""LiveAnalyzer's per-hop pipeline (fed offline through process_block) and its worker thread
(driven by a fake capture): gating, levels, spectrum, smoothing, errors as events."""

import threading
import time

import numpy as np
import pytest

from kord_engine.audio.input.ringbuffer import RingBuffer
from kord_engine.audio.listen import live
from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.live import AnalyzerConfig, AnalyzerConfigError, LiveAnalyzer
from tests.audio_fixtures import have_fluidsynth

RATE = 16000
C_MAJOR = (261.63, 329.63, 392.00)  # C4 E4 G4
A_MINOR = (220.00, 261.63, 329.63)  # A3 C4 E4


class PeakDetector:
    """A tiny stand-in detector: the pitch classes of the three strongest FFT peaks."""

    name = "peaks"
    window_seconds = 0.25

    def __init__(self):
        self.calls = 0

    def detect(self, audio, sample_rate):
        self.calls += 1
        spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
        freqs = np.fft.rfftfreq(len(audio), 1 / sample_rate)
        spec[freqs < 60] = 0
        peaks = []
        for _ in range(3):
            k = int(np.argmax(spec))
            peaks.append(freqs[k])
            spec[max(0, k - 4) : k + 5] = 0
        midis = [int(round(69 + 12 * np.log2(f / 440))) for f in peaks]
        pcs = tuple(sorted({m % 12 for m in midis}))
        return Detection(
            notes=tuple(sorted(m - 12 for m in midis)),
            pitch_classes=pcs,
            bass=min(midis) % 12,
            confidence=0.9,
            chords=("C",) if pcs == (0, 4, 7) else ("Am",) if pcs == (0, 4, 9) else (),
        )


def tones(freqs, seconds, amp=0.2):
    t = np.arange(int(seconds * RATE)) / RATE
    return (amp * sum(np.sin(2 * np.pi * f * t) for f in freqs)).astype(np.float32)


def silence(seconds):
    return np.zeros(int(seconds * RATE), np.float32)


def changes(events):
    """(time, chord) of each new label (a history entry; refinements and confirmations of a
    provisional label update its entry in place and are left out)."""
    return [
        (round(e.timestamp, 3), e.stable.chord if e.stable else None)
        for e in events
        if e.changed and not e.refined
    ]


def test_one_event_per_hop_with_stream_timestamps():
    """Without onsets (detection of them off) the hops keep to their grid."""
    cfg = AnalyzerConfig(hop_seconds=0.05, onset_db=0, change_threshold=0)
    events = LiveAnalyzer(PeakDetector(), cfg).process_block(tones(C_MAJOR, 1.0), RATE)
    assert len(events) == 20
    np.testing.assert_allclose([e.timestamp for e in events], np.arange(1, 21) * 0.05)
    assert all(e.detection.timestamp == e.timestamp for e in events)
    assert events[-1].stable is not None and events[-1].stable.pitch_classes == (0, 4, 7)
    assert all(e.error is None for e in events)
    assert not any(e.stable_provisional or e.onset_time is not None for e in events)


def test_after_an_onset_hops_come_at_settle_then_fast_then_on_the_grid():
    """An attack at 0.2 s: the hop that sees it settles; the next comes exactly
    settle_seconds after the attack, then every fast_hop_seconds while the label is younger
    than fast_seconds, then every hop_seconds from there. The first label is provisional,
    confirmed refine_seconds after it was shown, in place."""
    cfg = AnalyzerConfig(settle_seconds=0.08, fast_seconds=0.2, refine_seconds=0.3)
    audio = np.concatenate([silence(0.2), tones(C_MAJOR, 1.0)])
    events = LiveAnalyzer(PeakDetector(), cfg).process_block(audio, RATE)
    times = [round(e.timestamp, 3) for e in events]
    assert times[:4] == [0.05, 0.1, 0.15, 0.2]
    after = [t for t in times if t > 0.2]
    assert after[:9] == [0.25, 0.28, 0.305, 0.33, 0.355, 0.38, 0.405, 0.455, 0.505]
    first = next(e for e in events if e.changed)
    assert round(first.timestamp, 3) == 0.28 and first.stable_provisional and not first.refined
    assert abs(first.onset_time - 0.2) <= 0.011
    confirm = [e for e in events if e.changed and e.refined]
    assert len(confirm) == 1 and not confirm[0].stable_provisional
    assert round(confirm[0].timestamp - first.timestamp, 3) >= 0.3
    assert [e.settling for e in events if e.timestamp > 0.2][:2] == [True, False]


def test_progression_changes_once_per_chord():
    analyzer = LiveAnalyzer(PeakDetector(), AnalyzerConfig(hold_seconds=0.15))
    audio = np.concatenate([tones(C_MAJOR, 1.0), tones(A_MINOR, 1.0), silence(0.6)])
    got = changes(analyzer.process_block(audio, RATE))
    assert [name for _, name in got] == ["C", "Am", None]
    c_time, am_time, off_time = (t for t, _ in got)
    # the label outlasts the sound by release_seconds (0.5 s): a struck chord fading below the
    # gate is still the chord until the next one or half a second of silence
    assert c_time <= 0.35 and 1.0 < am_time <= 1.4 and 2.5 < off_time <= 2.65
    quick = LiveAnalyzer(PeakDetector(), AnalyzerConfig(hold_seconds=0.15, release_seconds=0.15))
    got = changes(quick.process_block(np.concatenate([audio, silence(0.2)]), RATE))
    assert [name for _, name in got] == ["C", "Am", None] and 2.0 < got[-1][0] <= 2.3


def test_block_size_does_not_change_the_result():
    audio = np.concatenate([tones(C_MAJOR, 0.6), tones(A_MINOR, 0.6)])
    whole = LiveAnalyzer(PeakDetector()).process_block(audio, RATE)
    pieces = LiveAnalyzer(PeakDetector())
    chunked = []
    rng = np.random.default_rng(1)
    pos = 0
    while pos < len(audio):
        n = int(rng.integers(1, 3000))
        chunked += pieces.process_block(audio[pos : pos + n], RATE)
        pos += n
    assert [(e.timestamp, e.detection, e.stable, e.changed) for e in whole] == [
        (e.timestamp, e.detection, e.stable, e.changed) for e in chunked
    ]


def test_silence_is_gated_without_running_the_detector():
    detector = PeakDetector()
    analyzer = LiveAnalyzer(detector, AnalyzerConfig(gate_db=-55))
    noise = (np.random.default_rng(0).standard_normal(RATE) * 1e-4).astype(np.float32)  # -80 dB
    events = analyzer.process_block(noise, RATE)
    assert detector.calls == 0
    assert all(e.gated and e.detection.is_empty and e.stable is None for e in events)
    assert all(-85 < e.level_db < -75 for e in events)


def test_levels_and_clipping():
    analyzer = LiveAnalyzer(PeakDetector(), AnalyzerConfig(clip_level=0.99))
    t = np.arange(RATE // 2) / RATE
    quiet = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    event = analyzer.process_block(quiet, RATE)[-1]
    assert event.level_db == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.1)
    assert event.peak == pytest.approx(0.5, abs=0.01) and not event.clipping
    loud = np.clip(3 * quiet, -1, 1)
    assert analyzer.process_block(loud, RATE)[-1].clipping


def test_spectrum_peaks_at_the_tone():
    cfg = AnalyzerConfig(spectrum_points=512, spectrum_fmin=27.5, spectrum_fmax=4186)
    event = LiveAnalyzer(PeakDetector(), cfg).process_block(tones((440.0,), 0.5, amp=0.5), RATE)[-1]
    assert event.spectrum_db.shape == event.spectrum_freqs.shape == (512,)
    assert event.spectrum_freqs[0] == pytest.approx(27.5)
    assert event.spectrum_freqs[-1] == pytest.approx(4186, rel=1e-4)
    peak_freq = event.spectrum_freqs[int(np.argmax(event.spectrum_db))]
    assert peak_freq == pytest.approx(440, rel=0.03)
    assert event.spectrum_db.max() == pytest.approx(20 * np.log10(0.5), abs=1.5)


def test_spectrum_view_converts_only_the_bins_it_shows_and_shows_the_same():
    """dB of every bin, interpolated at the view's points, as the view computes from the
    bins below its top point only."""
    view = live.SpectrumView(48000, 1024, 27.5, 4186.0)
    audio = np.random.default_rng(5).standard_normal(24000).astype(np.float32)
    frame = audio[-view.size :]
    window = np.hanning(view.size).astype(np.float32)
    mag = np.abs(np.fft.rfft(frame * window)) * np.float32(2.0 / window.sum())
    db = 20.0 * np.log10(np.maximum(mag, 1e-6))
    want = np.interp(view.freqs * (view.size / 48000), np.arange(db.size), db)
    np.testing.assert_allclose(view.compute(audio), want, atol=1e-4)
    assert view._top < view.size // 4  # 717 of 4,097 bins at 48 kHz


def test_no_spectrum_when_disabled():
    event = LiveAnalyzer(PeakDetector(), AnalyzerConfig(spectrum_points=0)).process_block(
        tones(C_MAJOR, 0.1), RATE
    )[-1]
    assert event.spectrum_db is None and event.spectrum_freqs is None


def test_detector_failure_becomes_an_event():
    class Broken:
        name = "broken"
        window_seconds = 0.1

        def detect(self, audio, sample_rate):
            raise RuntimeError("boom")

    events = LiveAnalyzer(Broken()).process_block(tones(C_MAJOR, 0.3), RATE)
    assert events[0].settling and events[0].error is None  # the attack is not analysed
    assert all("boom" in e.error and e.detection.is_empty for e in events[1:])


def test_listener_failure_does_not_stop_processing():
    def bad_listener(event):
        raise ValueError("listener bug")

    grid = AnalyzerConfig(onset_db=0, change_threshold=0)  # one hop every 50 ms
    analyzer = LiveAnalyzer(PeakDetector(), grid, on_event=bad_listener)
    assert len(analyzer.process_block(tones(C_MAJOR, 0.3), RATE)) == 6


def test_set_detector_swaps_live_and_window_follows_it():
    first, second = PeakDetector(), PeakDetector()
    second.window_seconds = 0.5
    analyzer = LiveAnalyzer(first, AnalyzerConfig(settle_seconds=0.0, fast_seconds=0.0))
    analyzer.process_block(tones(C_MAJOR, 0.2), RATE)
    assert analyzer.window_seconds() == 0.25
    analyzer.set_detector(second)
    analyzer.process_block(tones(C_MAJOR, 0.2), RATE)
    assert (first.calls, second.calls) == (4, 4)
    assert analyzer.window_seconds() == 0.5
    assert LiveAnalyzer(first, AnalyzerConfig(window_seconds=1.0)).window_seconds() == 1.0


def test_stereo_blocks_are_mixed_and_bad_input_refused():
    analyzer = LiveAnalyzer(PeakDetector())
    stereo = np.stack([tones(C_MAJOR, 0.3), tones(C_MAJOR, 0.3)], axis=1)
    assert analyzer.process_block(stereo, RATE)[-1].stable.pitch_classes == (0, 4, 7)
    with pytest.raises(AnalyzerConfigError, match="sample rate changed"):
        analyzer.process_block(tones(C_MAJOR, 0.1), 44100)
    analyzer.reset()
    # 44.1 kHz is analysed at 22.05 kHz: the hop is 1102 of its frames, one frame off 50 ms
    events = analyzer.process_block(np.zeros(2205, np.float32), 44100)
    assert events[-1].timestamp == pytest.approx(0.05, abs=1 / 22050)
    with pytest.raises(AnalyzerConfigError, match="sample_rate"):
        LiveAnalyzer(PeakDetector()).process_block(silence(0.1), -5)
    # without a rate: the config's, else 48 kHz
    assert LiveAnalyzer(PeakDetector()).process_block(np.zeros(2400))[-1].timestamp == 0.05
    cfg = AnalyzerConfig(sample_rate=RATE)
    assert LiveAnalyzer(PeakDetector(), cfg).process_block(silence(0.1))[-1].timestamp == 0.1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hop_seconds", 0.1),
        ("hop_seconds", 0),
        ("hold_seconds", -1),
        ("clip_level", 1.5),
        ("window_seconds", 10.0),
        ("spectrum_fmin", 5000.0),
    ],
)
def test_config_validation(field, value):
    with pytest.raises(AnalyzerConfigError, match=field):
        LiveAnalyzer(PeakDetector(), AnalyzerConfig(**{field: value}))


class FakeCapture:
    """Stands in for capture.Capture: a thread writes a C chord into the ring in real time."""

    instances = []

    def __init__(self, device=None, sample_rate=None, blocksize=512, ring_seconds=4.0):
        self.sample_rate = RATE
        self.ring = RingBuffer(int(ring_seconds * RATE))
        self.overflows = 0
        self.error = None
        self.device = None
        self.feeding = True
        self.stopped = False
        self._audio = tones(C_MAJOR, 10.0)
        self._stop = threading.Event()
        FakeCapture.instances.append(self)

    def start(self):
        def feed():
            pos = 0
            while not self._stop.wait(0.01):
                if self.feeding:
                    self.ring.write(self._audio[pos : pos + RATE // 100])
                    pos += RATE // 100

        self._thread = threading.Thread(target=feed, daemon=True)
        self._thread.start()

    def check(self):
        return self.error

    def wait_for_audio(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.ring.total_written == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.ring.total_written > 0

    def stop(self):
        self.stopped = True
        self._stop.set()
        self._thread.join()


@pytest.fixture
def fake_capture(monkeypatch):
    FakeCapture.instances = []
    monkeypatch.setattr(live, "Capture", FakeCapture)
    return FakeCapture


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_worker_reports_the_chord_and_stops_cleanly(fake_capture):
    events = []
    analyzer = LiveAnalyzer(PeakDetector(), AnalyzerConfig(hop_seconds=0.02), events.append)
    assert not analyzer.wait_until_listening(0.1)  # not started
    analyzer.start()
    try:
        assert analyzer.running
        assert analyzer.wait_until_listening(2.0)
        assert wait_for(lambda: any(e.changed and e.stable for e in events))
    finally:
        analyzer.stop()
    assert not analyzer.running and fake_capture.instances[0].stopped
    stable = next(e.stable for e in events if e.changed)
    assert stable.pitch_classes == (0, 4, 7)
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)
    assert all(e.error is None for e in events)


def test_device_error_becomes_an_event_and_restart_works(fake_capture):
    events = []
    analyzer = LiveAnalyzer(PeakDetector(), AnalyzerConfig(hop_seconds=0.02), events.append)
    analyzer.start()
    try:
        assert wait_for(lambda: len(events) > 2)
        fake_capture.instances[0].error = "audio input 'Mic' stopped unexpectedly"
        assert wait_for(lambda: not analyzer.running)
        assert events[-1].error == "audio input 'Mic' stopped unexpectedly"
        assert events[-1].fatal and not any(e.fatal for e in events[:-1])
        assert analyzer.last_error == events[-1].error
        assert fake_capture.instances[0].stopped
        analyzer.start()
        assert analyzer.running and len(fake_capture.instances) == 2
        count = len(events)
        assert wait_for(lambda: len(events) > count + 2)
        assert events[-1].error is None
    finally:
        analyzer.stop()


def test_stalled_device_is_an_error(fake_capture):
    events = []
    cfg = AnalyzerConfig(hop_seconds=0.02, stall_seconds=0.2)
    analyzer = LiveAnalyzer(PeakDetector(), cfg, events.append)
    analyzer.start()
    try:
        assert wait_for(lambda: len(events) > 2)
        fake_capture.instances[0].feeding = False
        assert wait_for(lambda: not analyzer.running)
        assert "no audio" in events[-1].error
    finally:
        analyzer.stop()


def test_last_onset_finds_the_newest_attack():
    quiet, loud = tones(C_MAJOR, 0.3, amp=0.02), tones(A_MINOR, 0.2, amp=0.2)
    audio = np.concatenate([quiet, loud])
    onset = live.last_onset(audio, RATE, rise_db=6.0)
    assert onset is not None and abs(onset - len(quiet)) <= RATE // 100
    assert live.last_onset(tones(C_MAJOR, 0.5), RATE, rise_db=6.0) is None  # steady
    assert live.last_onset(audio, RATE, rise_db=0.0) is None  # disabled
    assert live.last_onset(audio, RATE, rise_db=6.0, floor_db=0.0) is None  # below the floor


def test_onset_trimming_names_the_new_chord_sooner():
    """A slowly decaying C then an F♯ attack: the detector sees only post-onset audio, so the
    new chord is labelled within hold + 0.1 s of its onset (the whole window would lag)."""
    f_sharp = (369.99, 466.16, 277.18)
    decay = np.exp(-np.arange(int(0.8 * RATE)) / RATE).astype(np.float32)
    audio = np.concatenate([tones(C_MAJOR, 0.8) * decay, tones(f_sharp, 1.0, amp=0.4)])

    def new_chord_time(onset_db):
        detector = PeakDetector()
        detector.window_seconds = 0.5
        cfg = AnalyzerConfig(onset_db=onset_db, settle_seconds=0.03, change_threshold=0)
        events = LiveAnalyzer(detector, cfg).process_block(audio, RATE)
        shown = [(e.timestamp, e.stable.pitch_classes) for e in events if e.changed and e.stable]
        # the C is labelled as such, then the F♯ (a first short-audio label may be refined)
        assert (0, 4, 7) in [pcs for t, pcs in shown if t < 0.8]
        assert shown[-1][1] == (1, 6, 10)
        return (
            next(e.timestamp for e in events if e.stable and e.stable.pitch_classes == (1, 6, 10))
            - 0.8
        )

    assert new_chord_time(6.0) <= 0.15 + 0.1
    assert new_chord_time(0.0) > 0.15 + 0.1


# -- Capture against a fake sounddevice stream -----------------------------------------------------


class FakeStream:
    """Records the callbacks sounddevice would call; the test drives them by hand."""

    fail_open = False

    def __init__(self, **kwargs):
        if FakeStream.fail_open:
            raise RuntimeError("Device unavailable [PaErrorCode -9985]")
        self.kwargs = kwargs
        self.callback = kwargs["callback"]
        self.finished = kwargs["finished_callback"]
        self.active = False
        self.closed = False

    def start(self):
        self.active = True

    def stop(self):
        self.active = False
        self.finished()

    def close(self):
        self.closed = True


@pytest.fixture
def fake_stream(monkeypatch):
    from types import SimpleNamespace

    from kord_engine.audio.input import capture, devices

    mic = devices.DeviceInfo(0, "Fake Mic", "ALSA", 2, 0, 44100.0, True, False)
    monkeypatch.setattr(capture, "resolve_device", lambda spec, kind: mic)
    monkeypatch.setattr(capture, "negotiate_sample_rate", lambda d, rate, kind, ch: rate or 44100)
    monkeypatch.setattr(
        capture, "sounddevice_module", lambda: SimpleNamespace(InputStream=FakeStream)
    )
    FakeStream.fail_open = False
    return capture


class SimpleStatus:
    """sounddevice.CallbackFlags stand-in: truthy when a flag is set."""

    def __init__(self, overflow):
        self.input_overflow = overflow

    def __bool__(self):
        return self.input_overflow


def test_capture_mixes_to_mono_and_counts_overflows(fake_stream):
    cap = fake_stream.Capture(channels=2, blocksize=4, ring_seconds=1.0)
    cap.start()
    stream = cap._stream
    assert stream.kwargs["channels"] == 2 and stream.kwargs["samplerate"] == 44100
    assert cap.ring.capacity == 44100 and cap.running
    block = np.array([[1, 3], [2, 4], [0, 0], [-1, 1]], dtype=np.float32)
    stream.callback(block, 4, None, None)
    stream.callback(block, 4, None, SimpleStatus(True))
    np.testing.assert_array_equal(cap.ring.latest(8), [2, 3, 0, 0, 2, 3, 0, 0])
    assert cap.overflows == 1
    assert cap.stream_time == pytest.approx(8 / 44100)
    cap.stop()
    assert stream.closed and cap.error is None and not cap.running


def test_capture_mono_block_and_oversized_block(fake_stream):
    cap = fake_stream.Capture(channels=1, blocksize=4)
    cap.start()
    cap._stream.callback(np.arange(5, dtype=np.float32).reshape(5, 1), 5, None, None)
    np.testing.assert_array_equal(cap.ring.latest(5), [0, 1, 2, 3, 4])
    cap.stop()
    stereo = fake_stream.Capture(channels=2, blocksize=4)
    stereo.start()
    big = np.ones((5000, 2), np.float32)
    stereo._stream.callback(big, 5000, None, None)  # larger than the scratch buffer
    assert stereo.ring.total_written == 5000 and stereo.ring.latest(1)[0] == 1.0
    stereo.stop()


def test_capture_notices_a_vanished_device_and_restarts(fake_stream):
    cap = fake_stream.Capture()
    cap.start()
    first = cap._stream
    first.active = False
    first.finished()  # PortAudio ended the stream on its own
    assert "stopped unexpectedly" in cap.check() and not cap.running
    cap.stop()
    cap.start()
    assert cap.error is None and cap.running and cap._stream is not first
    cap._stream.active = False  # inactive without a finished callback
    assert "no longer active" in cap.check()
    cap.stop()


def test_capture_open_failure_is_a_device_error(fake_stream):
    from kord_engine.errors import DeviceError

    FakeStream.fail_open = True
    with pytest.raises(DeviceError, match="could not open audio input 'Fake Mic'.*-9985"):
        fake_stream.Capture().start()
    with pytest.raises(DeviceError):
        fake_stream.Capture(channels=0)


def test_device_that_never_delivers_audio_is_an_error(fake_capture, monkeypatch):
    monkeypatch.setattr(FakeCapture, "start", lambda self: setattr(self, "_thread", None))
    monkeypatch.setattr(FakeCapture, "stop", lambda self: setattr(self, "stopped", True))
    events = []
    cfg = AnalyzerConfig(hop_seconds=0.02, stall_seconds=5.0, startup_seconds=0.2)
    analyzer = LiveAnalyzer(PeakDetector(), cfg, events.append)
    analyzer.start()
    try:
        assert not analyzer.wait_until_listening(0.1)
        assert wait_for(lambda: not analyzer.running)
        assert events[-1].fatal and "after opening it" in events[-1].error
    finally:
        analyzer.stop()


def test_attack_is_not_analysed_until_it_settles():
    """Hops that end less than settle_seconds after an onset skip the detector and leave the
    smoother alone: a garbage attack frame can neither start nor break a candidate."""
    detector = PeakDetector()
    cfg = AnalyzerConfig(settle_seconds=0.1, hold_seconds=0.0, fast_seconds=0.0)
    audio = np.concatenate([silence(0.2), tones(C_MAJOR, 0.3)])
    events = LiveAnalyzer(detector, cfg).process_block(audio, RATE)
    after = [e for e in events if e.timestamp > 0.2 + 1e-9]
    assert [e.settling for e in after] == [True, False, False, False, False, False]
    assert after[0].detection.is_empty and after[0].stable is None and not after[0].changed
    assert after[1].changed and after[1].stable.pitch_classes == (0, 4, 7)
    assert round(after[1].timestamp, 3) == 0.3  # exactly settle_seconds after the attack
    assert detector.calls == 5
    no_settle = LiveAnalyzer(PeakDetector(), AnalyzerConfig(settle_seconds=0.0, hold_seconds=0.0))
    assert not any(e.settling for e in no_settle.process_block(audio, RATE))


def test_warm_up_runs_the_pipeline_and_never_raises():
    """warm_up feeds a quiet chord through the whole hop pipeline (the detector is called,
    caches are built) without touching the analyzer's own state."""
    import importlib

    shape_index = importlib.import_module("kord_engine.theory.guess").shape_index
    from kord_engine.audio.listen import naming

    for cache in (shape_index, naming._rank_cached, naming._names_cached):
        cache.cache_clear()  # as in a new process
    detector = PeakDetector()
    analyzer = LiveAnalyzer(detector)
    analyzer.warm_up(RATE)
    assert detector.calls >= 1
    assert analyzer.smoother.stable is None and analyzer.take_due() is None
    # the naming tables too: the first label shown is not kept waiting for them
    assert shape_index.cache_info().currsize == 3

    class Broken(PeakDetector):
        def detect(self, audio, sample_rate):
            raise RuntimeError("boom")

    LiveAnalyzer(Broken()).warm_up(RATE)  # no exception


@pytest.fixture
def fake_cli_detector(monkeypatch):
    from kord_engine.audio.listen import detect

    class Named(PeakDetector):
        def detect(self, audio, sample_rate):
            d = super().detect(audio, sample_rate)
            return Detection(d.notes, d.pitch_classes, d.bass, 0.9, ("C",))

    monkeypatch.setattr(detect, "make_detector", lambda name, **kw: Named())


def test_cli_live_prints_changes_then_stops(fake_capture, fake_cli_detector, capsys, mic_cli):
    assert mic_cli(["--live", "--seconds", "0.6", "--hop", "0.02"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    # the first label is provisional; its confirmation (the same label) is not repeated
    assert len(lines) == 1 and lines[0].endswith("C       (C E G, bass C, 0.90)  (provisional)")
    assert "Listening on" in err
    assert fake_capture.instances[0].stopped


def test_cli_live_json_marks_provisional_lines(fake_capture, fake_cli_detector, capsys, mic_cli):
    import json

    assert mic_cli(["--live", "--json", "--seconds", "0.8", "--hop", "0.02"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["pitch_classes"], r["provisional"], r["refines"]) for r in records] == [
        ([0, 4, 7], True, False),  # shown at once after the attack
        ([0, 4, 7], False, True),  # confirmed: the same entry
    ]


def test_cli_live_device_loss_is_exit_2(fake_capture, fake_cli_detector, capsys, mic_cli):
    def lose_device():
        assert wait_for(
            lambda: fake_capture.instances and fake_capture.instances[0].ring.total_written
        )
        time.sleep(0.1)
        fake_capture.instances[0].error = "audio input 'Mic' stopped unexpectedly"

    killer = threading.Thread(target=lose_device)
    killer.start()
    assert mic_cli(["--live", "--seconds", "5", "--json", "--hop", "0.02"]) == 2
    killer.join()
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "kord: error: audio input 'Mic' stopped unexpectedly"


class UnionDetector(PeakDetector):
    """Every pitch class within 10 dB of the strongest note — like the real detectors, it
    reports the union of two chords while both are in the window."""

    window_seconds = 1.0

    def detect(self, audio, sample_rate):
        self.calls += 1
        spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
        freqs = np.fft.rfftfreq(len(audio), 1 / sample_rate)
        midis = np.arange(48, 84)
        mags = np.interp(440 * 2 ** ((midis - 69) / 12), freqs, spec)
        loud = midis[mags > 0.3 * mags.max()]
        pcs = tuple(sorted({int(m % 12) for m in loud}))
        return Detection(pitch_classes=pcs, confidence=0.9)


def entries(events):
    """The history a listener keeps: one entry per new label, refinements applied in place."""
    out = []
    for e in events:
        if e.changed:
            label = e.stable.pitch_classes if e.stable else None
            if getattr(e, "refined", False) and out:
                out[-1] = label
            else:
                out.append(label)
    return out


def test_sustained_chord_change_has_no_union_chord_in_between():
    """An organ-like change (no attack, so no level onset): the window hears C and Am
    together for up to its length; that union must not become a label."""
    audio = np.concatenate([tones(C_MAJOR, 1.2), tones(A_MINOR, 1.2)])

    def run(**cfg):
        return LiveAnalyzer(UnionDetector(), AnalyzerConfig(**cfg)).process_block(audio, RATE)

    def am_time(events):
        return next(e.timestamp for e in events if e.stable and e.stable.pitch_classes == (0, 4, 9))

    # without spectral change detection, the superset hold keeps the union out…
    blind = run(change_threshold=0)
    assert entries(blind) == [(0, 4, 7), (0, 4, 9)]
    assert entries(run(change_threshold=0, superset_hold_seconds=0.15)) == [
        (0, 4, 7),
        (0, 4, 7, 9),
        (0, 4, 9),
    ]
    # …and with it the change is heard in the spectrum: the detector hears only the Am
    heard = run()
    assert entries(heard) == [(0, 4, 7), (0, 4, 9)]
    assert any(e.onset_time is not None and abs(e.onset_time - 1.2) < 0.1 for e in heard)
    assert am_time(heard) < am_time(blind) and am_time(heard) - 1.2 < 0.3


class VoicingDetector(UnionDetector):
    """UnionDetector with notes, and `voice` as the hybrid has it: the notes of classes
    already decided, without a second full detection."""

    def __init__(self):
        super().__init__()
        self.voiced = []

    def detect(self, audio, sample_rate):
        found = super().detect(audio, sample_rate)
        notes = tuple(48 + pc for pc in found.pitch_classes)
        return Detection(
            notes=notes,
            pitch_classes=found.pitch_classes,
            bass=notes[0] % 12 if notes else None,
            confidence=0.9,
        )

    def voice(self, audio, sample_rate, pitch_classes):
        self.voiced.append(len(audio))
        return [36 + 9] if 9 in pitch_classes else []  # an A2 below everything


def test_a_sustained_chord_s_bass_is_voiced_from_the_whole_without_a_second_detection():
    """After a change heard only in the spectrum, the detector reads the recent part for the
    classes; the bass comes from the whole audio since the change through `voice` when the
    detector has it (the hybrid: its harmonic half alone), else from a second detect."""
    audio = np.concatenate([tones(C_MAJOR, 1.2), tones(A_MINOR, 1.6)])
    plain, voicing = UnionDetector(), VoicingDetector()
    LiveAnalyzer(plain, AnalyzerConfig()).process_block(audio, RATE)
    events = LiveAnalyzer(voicing, AnalyzerConfig()).process_block(audio, RATE)
    assert voicing.voiced  # the recent part was read, the whole only voiced
    assert voicing.calls == plain.calls - len(voicing.voiced)
    am = [e.detection for e in events if e.detection.pitch_classes == (0, 4, 9)]
    assert any(d.bass == 9 and min(d.notes) == 45 for d in am)  # the voiced A2 is the bass


@pytest.mark.skipif(not have_fluidsynth(), reason="fluidsynth or a soundfont is missing")
def test_the_first_label_of_a_piano_am_has_its_bass_whatever_the_hop_phase():
    """The e2e test's A3 C4 E4 piano chord from silence, at every phase of the hop grid
    (leads of 0–44 ms). The cause of its flaky first line "Am (C E A, bass C)": 230–280 ms
    after the attack the harmonic detector misreads the A3 once (C D E), the hybrid then
    places the model's A above the C it heard — bass C — and the old smoother, keyed on
    pitch classes only, took that hop as the second agreeing one and never corrected the
    bass (same classes: 'no change'). Now every label shown, provisional or not, is Am over
    A, and it is one history entry."""
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.sound.fluidsynth import render_chords

    audio, rate, _ = render_chords([([57, 60, 64], 2.0)], sample_rate=48000)
    detector = make_detector("hybrid")
    for lead_ms in range(0, 48, 4):
        feed = np.concatenate([np.zeros(int((0.3 + lead_ms / 1000) * rate), np.float32), audio])
        events = LiveAnalyzer(detector, AnalyzerConfig(spectrum_points=0)).process_block(feed, rate)
        shown = [
            (e.stable.pitch_classes, e.stable.bass)
            for e in events
            if e.changed and e.stable and e.timestamp < 2.0
        ]
        assert shown and set(shown) == {((0, 4, 9), 9)}, (lead_ms, shown)
        assert entries([e for e in events if e.timestamp < 2.0]) == [(0, 4, 9)], lead_ms


def decaying(freqs_taus, seconds):
    """Tones that die away, each at its own rate: (Hz, time constant s) pairs."""
    t = np.arange(int(seconds * RATE)) / RATE
    out = sum(0.2 * np.exp(-t / tau) * np.sin(2 * np.pi * f * t) for f, tau in freqs_taus)
    return out.astype(np.float32)


def test_a_plucked_chord_keeps_its_label_while_a_note_fades_first():
    """A guitar-like C E G whose G dies away faster than the C and E: the detector soon hears
    only C E, but the chord is still C (no onset, the sound decaying); a sustained C E G that
    drops its G does change."""
    c, e, g = C_MAJOR
    plucked = np.concatenate([silence(0.2), decaying([(c, 0.6), (e, 0.6), (g, 0.15)], 1.5)])

    def labels(audio, **cfg):
        an = LiveAnalyzer(UnionDetector(), AnalyzerConfig(spectrum_points=0, **cfg))
        return entries(an.process_block(audio, RATE))

    assert labels(plucked) == [(0, 4, 7)]
    # the hold is what keeps it: without it the fading G takes the label with it
    assert labels(plucked, subset_hold_seconds=0.0)[-1] == (0, 4)
    organ = np.concatenate([silence(0.2), tones(C_MAJOR, 1.0), tones(C_MAJOR[:2], 1.0)])
    assert labels(organ) == [(0, 4, 7), (0, 4)]


def analysed(events):
    return [e for e in events if not e.gated and not e.settling]


def test_a_steady_sound_is_not_analysed_on_every_hop():
    """While nothing moves (no onset, the level and the spectrum's shape as on the last
    analysed hop) that hop's detection stands for steady_seconds; steady_seconds=0 runs the
    detector on every hop, and the labels are the same."""
    audio = tones(C_MAJOR, 2.5)
    cfg = AnalyzerConfig(hop_seconds=0.05, onset_db=0)
    lazy = PeakDetector()
    analyzer = LiveAnalyzer(lazy, cfg)
    start = analyzer.process_block(audio[: RATE // 2], RATE)  # the sound's start
    later = analyzer.process_block(audio[RATE // 2 :], RATE)
    assert lazy.calls - len(analysed(start)) < 0.5 * len(analysed(later))
    events = start + later
    hops = analysed(events)
    assert all(e.detection.pitch_classes == (0, 4, 7) for e in hops)
    assert all(e.detection.timestamp == e.timestamp for e in hops)
    eager = PeakDetector()
    cfg0 = AnalyzerConfig(hop_seconds=0.05, onset_db=0, steady_seconds=0)
    again = LiveAnalyzer(eager, cfg0).process_block(audio, RATE)
    assert eager.calls == len(analysed(again)) == len(hops)
    assert changes(again) == changes(events)


def test_a_level_jump_or_a_spectral_change_runs_the_detector_at_once():
    t = np.arange(int(1.5 * RATE)) / RATE
    c = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in C_MAJOR)
    c[RATE:] *= 2.0  # +6 dB after 1 s, no attack detection (onset_db=0)
    det = PeakDetector()
    analyzer = LiveAnalyzer(det, AnalyzerConfig(hop_seconds=0.05, onset_db=0))
    analyzer.process_block(c[:RATE].astype(np.float32), RATE)
    before = det.calls
    analyzer.process_block(c[RATE : RATE + RATE // 20].astype(np.float32), RATE)
    assert det.calls == before + 1
    # C → Am without an attack, and a chord whose notes die away: the labels come exactly as
    # with the detector on every hop (what left the window must sound like what entered it)
    legato = np.concatenate([tones(C_MAJOR, 1.5), tones(A_MINOR, 1.5)])
    fading = decaying([(261.63, 2.0), (329.63, 1.2), (392.0, 0.4)], 3.0)
    for audio in (legato, fading):
        found = {}
        for steady in (0.0, 0.15):
            cfg = AnalyzerConfig(hop_seconds=0.05, onset_db=0, steady_seconds=steady)
            found[steady] = changes(LiveAnalyzer(PeakDetector(), cfg).process_block(audio, RATE))
        assert found[0.15] == found[0.0] and found[0.0][0][1] == "C"
    assert found[0.0][-1][1] == "C"  # the fading chord is still C (see the plucked-chord test)
    legato_cfg = AnalyzerConfig(hop_seconds=0.05, onset_db=0)
    assert "Am" in [
        c for _, c in changes(LiveAnalyzer(PeakDetector(), legato_cfg).process_block(legato, RATE))
    ]


def test_hops_are_detected_unnamed_and_each_shown_label_is_named_once(monkeypatch):
    """Naming a set not seen before costs milliseconds: a detector that can leave the names
    out is asked to, and the analyzer names only the labels it shows."""
    from kord_engine.audio.listen import naming

    class LateNames(PeakDetector):
        names_on_request = True

        def detect(self, audio, sample_rate, *, named=True):
            assert not named
            found = super().detect(audio, sample_rate)
            return Detection(found.notes, found.pitch_classes, found.bass, found.confidence)

    calls = []
    real = naming.rank_chords_named
    monkeypatch.setattr(naming, "rank_chords_named", lambda *a: calls.append(a) or real(*a))
    audio = np.concatenate([tones(C_MAJOR, 1.0), silence(0.5), tones(A_MINOR, 1.0)])
    events = LiveAnalyzer(LateNames(), AnalyzerConfig()).process_block(audio, RATE)
    assert all(not e.detection.chords for e in events)
    shown = [e.stable for e in events if e.changed and e.stable]
    assert shown[0].pitch_classes == (0, 4, 7) and shown[-1].pitch_classes == (0, 4, 9)
    for label in shown:
        assert (
            label.chords == real(label.notes, label.pitch_classes, label.bass, "pitch_classes")[1]
        )
    assert shown[0].chords[0] == "C" and shown[-1].chords[0] == "Am"
    # once per label shown at most (a confirmation keeps the names), never once per hop
    assert 0 < len(calls) <= len(shown) < len(analysed(events)) / 3
    later = [e.stable for e in events if e.stable and not e.changed]
    assert later and all(s.chords for s in later)  # the label keeps its names

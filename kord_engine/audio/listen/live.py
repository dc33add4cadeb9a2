"""The live analyzer: every hop take the newest window from the capture ring, measure the
level, gate silence, run the detector, smooth, and publish an AnalyzerEvent through a callback.

The same per-hop pipeline runs synchronously in `process_block` for files and tests.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kord_engine.audio.input.capture import Capture
from kord_engine.audio.listen.decimate import DecimatedRing
from kord_engine.audio.listen.detection import Detection, Detector
from kord_engine.audio.listen.fft import rfft
from kord_engine.audio.listen.smoothing import RELEASE_SECONDS, ChordSmoother
from kord_engine.audio.listen.sparse_rows import GridInterpolation
from kord_engine.errors import KordError

log = logging.getLogger(__name__)

SILENCE_DB = -120.0
DEFAULT_RATE = 48000  # process_block's rate when neither the call nor the config gives one


#: seconds of sound the tuning estimate has heard before votes come every
#: tuning_tracking_seconds instead of every tuning_update_seconds
TUNING_CONFIDENT_SECONDS = 3.0


class AnalyzerConfigError(KordError, ValueError):
    """An AnalyzerConfig value out of range."""


@dataclass
class AnalyzerConfig:
    """Settings of the live analyzer (the desktop's Listen panel and `kord analyze mic --live`)."""

    device: str | int | None = None
    sample_rate: int | None = None
    hop_seconds: float = 0.05  # one analysis per hop (≤ 50 ms)
    hold_seconds: float = 0.15  # a new chord must last this long to become stable
    # silence this long clears the chord (None: hold_seconds): a struck chord that fades below
    # the gate (a marimba, a short piano note) is still the chord a musician reads until the
    # next one or half a second of silence (bench_live_e2e held-out songs: frames right
    # 70.4 → 71.1 % sets, 79.4 → 80.3 bass, mallets 51 → 60; 269 → 264 history entries)
    release_seconds: float | None = RELEASE_SECONDS
    gate_db: float = -55.0  # RMS dBFS of the newest hop below which it is silence
    window_seconds: float | None = None  # None: the detector's window_seconds
    spectrum_points: int = 1024  # log-spaced points for the view (0: no spectrum)
    # analyse a fast stream at its analysis rate (48 and 44.1 kHz halved, see audio.listen.
    # decimate): no detector reads above 8.4 kHz, and every transform of a hop is half as long
    # (False: at the device's rate)
    decimate: bool = True
    spectrum_fmin: float = 27.5  # A0
    spectrum_fmax: float = 4186.0  # C8
    clip_level: float = 0.99
    # 1024 frames (21 ms at 48 kHz) is well inside a 50 ms hop; through ALSA's PulseAudio plugin
    # a 512-frame input stream alone costs ~18 % of a core (256: ~44 %), 1024 frames ~1.6 %
    blocksize: int = 1024
    ring_seconds: float = 4.0
    stall_seconds: float = 2.0  # no audio for this long while running is an error
    startup_seconds: float = 5.0  # grace for the first audio after opening the device
    # a rise of this many dB (10 ms frames vs the 60 ms before) is an onset: the detector then
    # sees only the audio since the newest onset, so the old chord does not bleed into the new
    # one (0 disables)
    onset_db: float = 6.0
    # after an onset, wait this long before detecting (the attack itself is noise); the
    # first hop is moved to exactly this long after the onset (no waiting for the hop grid)
    settle_seconds: float = 0.08
    # a change of the spectrum's shape this large (0..1, see audio.novelty) is an onset too:
    # strings, organ and pads change chords without an attack (0 disables)
    change_threshold: float = 0.15
    # how long a set that adds notes to the stable chord must last before it replaces it
    # (None: the analysis window — while a sustained chord changes without an onset the
    # window hears both chords, and their union must not become a chord of its own)
    superset_hold_seconds: float | None = None
    # right after an onset, this many agreeing hops show a chord as a provisional label
    # without waiting out hold_seconds (the analysed audio holds only the new chord; see
    # ChordSmoother; 0: off); a change heard only in the spectrum needs one hop more
    onset_hops: int = 1
    # while a new chord's label is this young (s since its onset), hops come every
    # fast_hop_seconds instead of hop_seconds: the label is refined while it matters most
    fast_seconds: float = 0.3
    fast_hop_seconds: float = 0.025
    # after an onset, a SUSTAINED sound (organ, strings, pads: no decay since the attack) is
    # read from its newest recent_seconds (at least half of what followed the onset): the
    # previous chord's release and the room's reverb fade out of it (0: all since the onset)
    recent_seconds: float = 0.25
    # this soon after an onset, the bass is the lowest spectral peak on one of the detected
    # pitch classes with a partial of its own (audio.bass; 0: the detector's bass)
    early_bass_seconds: float = 0.3
    # a provisional label is refined in place (bass, extensions) this long, then confirmed
    # (0: every label is final at once)
    refine_seconds: float = 0.3
    # a DECAYING sound's label (piano, guitar: its newest 50 ms SUSTAIN_DB below its loudest)
    # keeps notes that fade out this long: a plucked chord is still the chord while its
    # notes die away at different rates (sustained sounds: hold_seconds)
    subset_hold_seconds: float = 1.0
    # tuning: None estimates the instrument's A4 from what is heard (starting from
    # initial_tuning_hz, e.g. the last session's estimate); a number locks it
    tuning_hz: float | None = None
    initial_tuning_hz: float = 440.0
    tuning_update_seconds: float = 0.2  # sounding audio between two tuning votes
    # ... once the estimate has heard TUNING_CONFIDENT_SECONDS of sound: slow drift needs no
    # vote every 0.2 s (each vote is a 0.5 s window, so the votes still cover all played)
    tuning_tracking_seconds: float = 0.5
    # a steady sound is not analysed again on every hop: with no onset in the window, the
    # level within steady_db and the spectrum's shape within steady_distance (0..1, as the
    # change threshold) of the last analysed hop, and what left the window since sounding
    # like what entered it, that hop's detection stands for up to steady_seconds (0: the
    # detector runs on every hop). Onsets, changes heard in the
    # spectrum, decays and swells all run it at once.
    steady_seconds: float = 0.15
    steady_db: float = 2.0
    steady_distance: float = 0.07
    # ... and what left the window within this of what entered it (a decaying note's
    # partials fade, so the window's oldest and newest audio differ more than two hops do)
    steady_window_distance: float = 0.1

    def validate(self) -> None:
        """Raise AnalyzerConfigError naming the first bad value."""
        checks = [
            (
                0 < self.hop_seconds <= 0.05,
                f"hop_seconds must be in (0, 0.05], got {self.hop_seconds}",
            ),
            (self.hold_seconds >= 0, f"hold_seconds must be ≥ 0, got {self.hold_seconds}"),
            (
                self.release_seconds is None or self.release_seconds >= 0,
                f"release_seconds must be ≥ 0, got {self.release_seconds}",
            ),
            (
                self.window_seconds is None or 0 < self.window_seconds <= self.ring_seconds,
                f"window_seconds must be in (0, ring_seconds={self.ring_seconds}], "
                f"got {self.window_seconds}",
            ),
            (self.spectrum_points >= 0, f"spectrum_points must be ≥ 0, got {self.spectrum_points}"),
            (
                0 < self.spectrum_fmin < self.spectrum_fmax,
                f"need 0 < spectrum_fmin < spectrum_fmax, got {self.spectrum_fmin}, "
                f"{self.spectrum_fmax}",
            ),
            (0 < self.clip_level <= 1.0, f"clip_level must be in (0, 1], got {self.clip_level}"),
            (self.blocksize >= 0, f"blocksize must be ≥ 0, got {self.blocksize}"),
            (self.ring_seconds > 0, f"ring_seconds must be > 0, got {self.ring_seconds}"),
            (self.stall_seconds > 0, f"stall_seconds must be > 0, got {self.stall_seconds}"),
            (
                self.startup_seconds > 0,
                f"startup_seconds must be > 0, got {self.startup_seconds}",
            ),
            (self.onset_db >= 0, f"onset_db must be ≥ 0, got {self.onset_db}"),
            (
                self.superset_hold_seconds is None or self.superset_hold_seconds >= 0,
                f"superset_hold_seconds must be ≥ 0, got {self.superset_hold_seconds}",
            ),
            (self.onset_hops >= 0, f"onset_hops must be ≥ 0, got {self.onset_hops}"),
            (
                0 <= self.change_threshold <= 1,
                f"change_threshold must be in [0, 1], got {self.change_threshold}",
            ),
            (
                0 <= self.fast_seconds < 5 and 0 < self.fast_hop_seconds <= 0.05,
                f"need fast_seconds in [0, 5) and fast_hop_seconds in (0, 0.05], got "
                f"{self.fast_seconds}, {self.fast_hop_seconds}",
            ),
            (
                0 <= self.recent_seconds < self.ring_seconds,
                f"recent_seconds must be in [0, ring_seconds), got {self.recent_seconds}",
            ),
            (
                0 <= self.early_bass_seconds < 5,
                f"early_bass_seconds must be in [0, 5), got {self.early_bass_seconds}",
            ),
            (
                0 <= self.refine_seconds < 5,
                f"refine_seconds must be in [0, 5), got {self.refine_seconds}",
            ),
            (
                0 <= self.settle_seconds < 1.0,
                f"settle_seconds must be in [0, 1), got {self.settle_seconds}",
            ),
            (
                0 <= self.steady_seconds <= 1 and self.steady_db >= 0,
                f"need steady_seconds in [0, 1] and steady_db ≥ 0, got "
                f"{self.steady_seconds}, {self.steady_db}",
            ),
            (
                0 <= self.steady_distance <= 1 and 0 <= self.steady_window_distance <= 1,
                f"steady_distance and steady_window_distance must be in [0, 1], got "
                f"{self.steady_distance}, {self.steady_window_distance}",
            ),
            (
                self.tuning_tracking_seconds > 0,
                f"tuning_tracking_seconds must be > 0, got {self.tuning_tracking_seconds}",
            ),
            (
                self.tuning_update_seconds > 0,
                f"tuning_update_seconds must be > 0, got {self.tuning_update_seconds}",
            ),
        ]
        from kord_engine.audio.listen.tuning import check_reference

        for name in ("tuning_hz", "initial_tuning_hz"):
            value = getattr(self, name)
            if value is not None:
                try:
                    check_reference(value)
                except KordError as exc:
                    raise AnalyzerConfigError(f"{name}: {exc}") from None
        for ok, message in checks:
            if not ok:
                raise AnalyzerConfigError(message)


@dataclass(frozen=True)
class AnalyzerEvent:
    """What the analyzer knows after one hop (or an error)."""

    timestamp: float  # stream time (s) of the end of the analysed window
    detection: Detection  # this hop's raw detection (empty when gated or on error)
    stable: Detection | None  # the smoothed chord, None for "no chord"
    changed: bool  # stable (or whether it is provisional) changed on this hop
    level_db: float  # RMS dBFS of the newest hop
    peak: float  # max |sample| of the newest hop
    clipping: bool
    overflows: int  # input overflows so far
    spectrum_db: np.ndarray | None  # dBFS at spectrum_freqs, for the view
    spectrum_freqs: np.ndarray | None
    processing_ms: float  # time spent on this hop
    error: str | None = None
    gated: bool = False  # the hop was below the noise gate
    fatal: bool = False  # the analyzer stopped (device lost or stalled); start() to retry
    settling: bool = False  # just after an onset: not analysed yet (see settle_seconds)
    # the sound was steady: the detector did not run, the last analysed hop's detection
    # stands (see AnalyzerConfig.steady_seconds)
    steady: bool = False
    tuning_hz: float = 440.0  # the reference (A4, Hz) the notes were read against
    tuning_locked: bool = False  # fixed by the user rather than estimated
    tuning_settled: bool = False  # estimated from enough sound (False: still the initial guess)
    # the label is provisional: shown fast after an onset, may still be refined in place
    stable_provisional: bool = False
    # this hop's change updates the current label in place (a refinement of a provisional
    # label, or its confirmation) instead of starting a new one: one history entry, not two
    refined: bool = False
    # stream time of the attack or spectral change the analysed audio starts at (None: the
    # window saw no onset)
    onset_time: float | None = None
    # the analysing thread's CPU time on this hop (ms): processing_ms less the time it waited
    # (for the GIL, for a core another process held)
    processing_cpu_ms: float = 0.0


def level(block: np.ndarray) -> tuple[float, float]:
    """(RMS in dBFS, peak |x|) of a block; silence is SILENCE_DB."""
    if block.size == 0:
        return SILENCE_DB, 0.0
    peak = float(np.abs(block).max())
    rms = float(np.sqrt(np.dot(block, block) / block.size))
    db = 20.0 * np.log10(rms) if rms > 1e-6 else SILENCE_DB
    return max(SILENCE_DB, float(db)), peak


def last_onset(
    audio: np.ndarray, sample_rate: int, rise_db: float, floor_db: float = SILENCE_DB
) -> int | None:
    """Start (frame index) of the newest onset in `audio`, or None.

    An onset is a 10 ms frame where the mean power of it and the next two frames exceeds the
    mean power of the six frames before by `rise_db` (and is above `floor_db`).
    """
    frame = max(1, sample_rate // 100)
    n = audio.shape[0] // frame
    if rise_db <= 0 or n < 7:
        return None
    offset = audio.shape[0] - n * frame
    blocks = audio[offset:].reshape(n, frame)
    power = np.einsum("ij,ij->i", blocks, blocks) / frame
    csum = np.empty(n + 1, np.float64)
    csum[0] = 0.0
    np.cumsum(power, dtype=np.float64, out=csum[1:])
    idx, post_end, post_len = _onset_frames(n)
    # the frames from idx on: the mean power of the 3 from there (fewer at the end) against
    # the mean of the 6 before
    post = (csum[post_end] - csum[6:n]) / post_len
    pre = (csum[6:n] - csum[: n - 6]) / 6.0
    ratio = 10.0 ** (rise_db / 10.0)
    floor = 10.0 ** (floor_db / 10.0)
    hits = idx[(post >= ratio * (pre + 1e-12)) & (post > floor)]
    if hits.size == 0:
        return None
    first = hits.size - 1  # the start of the newest run of consecutive hits
    while first > 0 and hits[first - 1] == hits[first] - 1:
        first -= 1
    run = hits[first:]
    # inside the run, the first frame that is loud by itself is where the attack starts
    loud = run[power[run] >= ratio * (pre[run - 6] + 1e-12)]
    start = int(loud[0]) if loud.size else int(run[0])
    return offset + start * frame


@lru_cache(maxsize=16)
def _onset_frames(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """last_onset's frame indices for n frames: 6..n−1, where their 3 following frames end
    (at most n), and how many those are (float: the divisor) — read-only, per window length."""
    idx = np.arange(6, n)
    post_end = np.minimum(idx + 3, n)
    post_len = (post_end - idx).astype(np.float64)
    for a in (idx, post_end, post_len):
        a.flags.writeable = False
    return idx, post_end, post_len


class SpectrumView:
    """dBFS magnitude of the newest audio at log-spaced frequencies (Hann window, rfft)."""

    def __init__(self, sample_rate: int, points: int, fmin: float, fmax: float):
        self.sample_rate = int(sample_rate)
        # ~0.17 s at 48 kHz: 5.9 Hz bins, fine above ~100 Hz, interpolated below
        self.size = 1 << int(np.ceil(np.log2(max(256, sample_rate * 0.17))))
        self.freqs = np.geomspace(fmin, min(fmax, sample_rate / 2 - 1), points).astype(np.float32)
        self._window = np.hanning(self.size).astype(np.float32)
        self._scale = np.float32(2.0 / self._window.sum())
        bins = self.freqs * (self.size / self.sample_rate)
        # the bins the view's points fall between: only these are converted to dB
        self._top = min(self.size // 2 + 1, int(np.ceil(bins.max())) + 2)
        # np.interp(bins, arange(top), dB), its bins and offsets found once
        self._interp = GridInterpolation(bins, self._top)
        self._frame = np.empty(self.size, np.float32)  # the windowed frame, reused each hop

    def compute(self, audio: np.ndarray) -> np.ndarray:
        frame = audio[-self.size :]
        windowed = self._frame
        if frame.shape[0] < self.size:
            frame = np.concatenate([np.zeros(self.size - frame.shape[0], np.float32), frame])
        np.multiply(frame, self._window, out=windowed)
        mag = np.abs(rfft(windowed)[: self._top])
        mag *= self._scale
        db = np.log10(np.maximum(mag, 1e-6, out=mag), out=mag)
        db *= 20.0
        return self._interp(db).astype(np.float32)


EventCallback = Callable[[AnalyzerEvent], None]


class LiveAnalyzer:
    """Runs a Detector on live (or fed) audio every hop and reports AnalyzerEvents.

    After an onset (an attack, or a change heard in the spectrum) the detector hears only
    the audio since it; the first hop after it comes exactly settle_seconds later, its label
    is provisional and refined in place as the audio grows (see ChordSmoother).

    start()/stop() drive a microphone Capture and a worker thread; process_block() runs the
    same pipeline synchronously on given audio (no device). Nothing raises from the worker:
    failures become events with `error` set, after which the analyzer is stopped and can be
    started again.
    """

    #: a sound whose newest 50 ms are within this many dB of its loudest since the onset
    #: is sustained (see AnalyzerConfig.recent_seconds); piano and guitar decay faster
    SUSTAIN_DB = 6.0
    #: a steady hop's detection stands while the estimated reference moves less than this
    STEADY_CENTS = 1.0

    def __init__(
        self,
        detector: Detector,
        config: AnalyzerConfig | None = None,
        on_event: EventCallback | None = None,
    ):
        self.config = config or AnalyzerConfig()
        self.config.validate()
        self.on_event = on_event
        self._detector = detector
        self._detector_lock = threading.Lock()
        self.smoother = ChordSmoother(
            self.config.hold_seconds,
            self.config.release_seconds,
            onset_hops=self.config.onset_hops,
            refine_seconds=self.config.refine_seconds,
        )
        from kord_engine.audio.listen.tuning import TuningTracker

        self.tuning = TuningTracker(self.config.initial_tuning_hz, self.config.tuning_hz)
        self._tuning_due = 0.0
        self._last_end: int | None = None  # stream frame of the previous hop's window end
        self._due: int | None = None  # stream frame the next hop is wanted at (after an onset)
        self._changes = None  # novelty.ChangeTracker, made for the stream's rate
        # the last hop the detector ran on: (its detection, stream time, level, spectrum
        # shape, detector, reference) — a steady sound's later hops reuse its detection
        self._analysed: tuple | None = None
        self._peak_onset: float | None = None  # the onset _peak_db is the loudest hop since
        self._peak_db = SILENCE_DB
        self.capture: Capture | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._spectrum: SpectrumView | None = None
        # offline feeding state: the fed audio at its analysis rate, and the rate it came at
        self._offline_ring: DecimatedRing | None = None
        self._offline_rate = 0
        self._offline_next_hop = 0
        self.last_error: str | None = None

    # -- configuration ----------------------------------------------------------------------
    @property
    def detector(self) -> Detector:
        return self._detector

    def set_detector(self, detector: Detector) -> None:
        """Swap the detector; takes effect on the next hop (thread-safe)."""
        with self._detector_lock:
            self._detector = detector

    def set_tuning(self, reference_hz: float | None) -> None:
        """Lock the reference pitch (A4 in Hz) or estimate it again (None); next hop on."""
        self.tuning.lock(reference_hz)
        self.config.tuning_hz = self.tuning.locked_hz

    def _update_tuning(self, window: np.ndarray, sample_rate: int, hop_frames: int) -> float:
        """Feed the tracker every tuning_update_seconds of sounding audio (every
        tuning_tracking_seconds once it has heard TUNING_CONFIDENT_SECONDS); the reference
        now."""
        tracker = self.tuning
        if tracker.locked_hz is None:
            self._tuning_due -= hop_frames / sample_rate
            if self._tuning_due <= 0:
                step = self.config.tuning_update_seconds
                if tracker.heard_seconds >= TUNING_CONFIDENT_SECONDS:
                    # a well-founded estimate stands: follow the drift less often
                    step = max(step, self.config.tuning_tracking_seconds)
                n = min(window.shape[0], int(0.5 * sample_rate))
                tracker.update(window[window.shape[0] - n :], sample_rate, step)
                self._tuning_due += step
        return tracker.reference_hz

    def window_seconds(self) -> float:
        seconds = self.config.window_seconds or float(
            getattr(self._detector, "window_seconds", 0.5)
        )
        return min(max(seconds, self.config.hop_seconds), self.config.ring_seconds)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def sample_rate(self) -> int:
        if self.capture is not None and self.capture.sample_rate:
            return self.capture.sample_rate
        return self._offline_rate

    # -- the per-hop pipeline ---------------------------------------------------------------
    def _spectrum_for(self, sample_rate: int) -> SpectrumView | None:
        cfg = self.config
        if cfg.spectrum_points <= 0:
            return None
        if self._spectrum is None or self._spectrum.sample_rate != sample_rate:
            self._spectrum = SpectrumView(
                sample_rate, cfg.spectrum_points, cfg.spectrum_fmin, cfg.spectrum_fmax
            )
        return self._spectrum

    def analyze_window(
        self, window: np.ndarray, sample_rate: int, timestamp: float, overflows: int = 0
    ) -> AnalyzerEvent:
        """One hop: level, gate, detect, smooth, spectrum → event (never raises)."""
        started, started_cpu = time.perf_counter(), time.thread_time()
        cfg = self.config
        hop_frames = max(1, int(round(cfg.hop_seconds * sample_rate)))
        level_db, peak = level(window[-hop_frames:])
        end_frame = int(round(timestamp * sample_rate))
        begin = end_frame - window.shape[0]  # the stream frame the window starts at
        elapsed = hop_frames if self._last_end is None else max(0, end_frame - self._last_end)
        self._last_end = end_frame
        error = None
        gated = level_db < cfg.gate_db
        detection = Detection(timestamp=timestamp)
        settling = False
        steady = None
        onset = None
        spectral = False
        tuning_hz = self.tuning.reference_hz
        if not gated:
            with self._detector_lock:
                detector = self._detector
            try:
                tuning_hz = self._update_tuning(window, sample_rate, elapsed)
                if hasattr(detector, "reference_hz"):
                    detector.reference_hz = tuning_hz
            except Exception as exc:  # the notes can still be read on the last reference
                error = f"tuning failed: {exc}"
                log.debug("tuning failed", exc_info=True)
            onset, spectral = self.find_onset(window, sample_rate, end_frame)
            heard = window if onset is None else window[onset:]
            recent = heard if onset is None else self._recent_part(heard, sample_rate)
            # the first few ms of an attack are noise and too short to resolve semitones
            settle = int(round(cfg.settle_seconds * sample_rate))
            settling = onset is not None and heard.shape[0] < settle
            if settling:  # analyse again exactly when the attack has settled
                self._due = end_frame - window.shape[0] + onset + settle
            elif onset is not None and heard.shape[0] < cfg.fast_seconds * sample_rate:
                # while the new chord's label is young, look again sooner than the grid
                self._due = end_frame + int(round(cfg.fast_hop_seconds * sample_rate))
            try:
                if not settling:
                    steady = self._steady(onset, level_db, timestamp, detector, tuning_hz, begin)
                    if steady is not None:
                        detection = dataclasses.replace(steady, timestamp=timestamp)
                    else:
                        detection = dataclasses.replace(
                            self._detect(detector, heard, recent, sample_rate),
                            timestamp=timestamp,
                            tuning_hz=tuning_hz,
                        )
                        self._remember(detection, level_db, timestamp, detector, tuning_hz, begin)
            except Exception as exc:  # a detector bug must not kill the stream
                self._analysed = None
                error = f"detector {getattr(detector, 'name', '?')!r} failed: {exc}"
                log.debug("detector failed", exc_info=True)
        else:
            self._analysed = None
        onset_time = None if onset is None else timestamp - (window.shape[0] - onset) / sample_rate
        smoother = self.smoother
        if settling:  # no news for the smoother: the stable chord and any candidate stay
            stable, changed = smoother.stable, False
            smoother.refined = False
        else:
            if cfg.superset_hold_seconds is not None:
                smoother.superset_hold_seconds = cfg.superset_hold_seconds
            elif onset is not None:  # only post-onset audio was heard: no mixture possible
                smoother.superset_hold_seconds = cfg.hold_seconds
            else:
                smoother.superset_hold_seconds = window.shape[0] / sample_rate
            smoother.subset_hold_seconds = (
                cfg.subset_hold_seconds
                if self._decaying(level_db, onset_time)
                else cfg.hold_seconds
            )
            hops = cfg.onset_hops + 1 if spectral and cfg.onset_hops else cfg.onset_hops
            stable, changed = smoother.update(
                detection,
                timestamp,
                onset=None if error is not None else onset_time,
                hops=hops,
            )
            if changed and stable is not None and not stable.chords:
                # hops are detected unnamed; a label is named once, when it is shown
                from kord_engine.audio.listen.naming import named

                stable = named(stable)
                smoother.rename(stable)
        spectrum_db = freqs = None
        try:
            view = self._spectrum_for(sample_rate)
            if view is not None:
                spectrum_db, freqs = view.compute(window), view.freqs
        except Exception as exc:
            error = error or f"spectrum failed: {exc}"
        return AnalyzerEvent(
            timestamp=timestamp,
            detection=detection,
            stable=stable,
            changed=changed,
            level_db=level_db,
            peak=peak,
            clipping=peak >= cfg.clip_level,
            overflows=overflows,
            spectrum_db=spectrum_db,
            spectrum_freqs=freqs,
            processing_ms=(time.perf_counter() - started) * 1000.0,
            error=error,
            gated=gated,
            settling=settling,
            steady=steady is not None,
            tuning_hz=tuning_hz,
            tuning_locked=self.tuning.locked_hz is not None,
            tuning_settled=self.tuning.settled,
            stable_provisional=smoother.provisional,
            refined=changed and smoother.refined,
            onset_time=onset_time,
            processing_cpu_ms=(time.thread_time() - started_cpu) * 1000.0,
        )

    def find_onset(self, window: np.ndarray, sample_rate: int, end: int) -> tuple[int | None, bool]:
        """(start of the newest onset in `window` or None, whether it was heard only as a
        change of the spectrum): a level attack (last_onset), or a change of the spectrum's
        shape (novelty.ChangeTracker, fed here every hop) after it; `end`: the stream frame
        the window ends at."""
        cfg = self.config
        onset = last_onset(window, sample_rate, cfg.onset_db, cfg.gate_db)
        if cfg.change_threshold <= 0:
            return onset, False
        from kord_engine.audio.listen.novelty import ChangeTracker

        tracker = self._changes
        if tracker is None or tracker.sample_rate != sample_rate:
            tracker = self._changes = ChangeTracker(sample_rate, cfg.change_threshold)
        begin = end - window.shape[0]
        tolerance = int(ChordSmoother.ONSET_TOLERANCE * sample_rate)
        if onset is not None and begin + onset > tracker.segment_start + tolerance:
            tracker.reset(begin + onset)
        tracker.update(window, end)
        start = tracker.segment_start - begin
        if onset is not None and abs(start - onset) <= tolerance:
            return onset, False
        if 0 <= start < window.shape[0] and (onset is None or start > onset):
            return start, True
        return onset, False

    def _shape(self) -> np.ndarray | None:
        tracker = self._changes
        return None if tracker is None else tracker.newest_shape()

    def _steady(
        self,
        onset: int | None,
        level_db: float,
        timestamp: float,
        detector: Detector,
        tuning_hz: float,
        begin: int = 0,
    ) -> Detection | None:
        """The last analysed hop's detection where the sound has not moved since (see
        AnalyzerConfig.steady_seconds), else None: the detector runs. `begin`: the stream
        frame the analysed window starts at."""
        cfg = self.config
        last = self._analysed
        tracker = self._changes
        if onset is not None or last is None or cfg.steady_seconds <= 0 or tracker is None:
            return None
        detection, when, level, shape, by, reference, last_begin = last
        if (
            by is not detector
            or abs(1200.0 * np.log2(reference / tuning_hz)) > self.STEADY_CENTS
            or timestamp - when >= cfg.steady_seconds - 1e-6
            or abs(level_db - level) > cfg.steady_db
            or self.smoother.provisional
        ):
            return None
        from kord_engine.audio.listen.novelty import shape_distance

        now = self._shape()
        if shape is None or now is None or shape_distance(shape, now) > cfg.steady_distance:
            return None
        # the window is the same only if what left it since (its oldest audio: the previous
        # chord's release, the room's reverb, a legato change's old notes) sounds like what
        # entered it
        left = tracker.shape_between(last_begin, begin)
        if left is None or shape_distance(left, now) > cfg.steady_window_distance:
            return None
        return detection

    def _remember(
        self,
        detection: Detection,
        level_db: float,
        timestamp: float,
        detector: Detector,
        tuning_hz: float,
        begin: int = 0,
    ) -> None:
        self._analysed = (
            detection,
            timestamp,
            level_db,
            self._shape(),
            detector,
            tuning_hz,
            begin,
        )

    def _detect(
        self, detector: Detector, heard: np.ndarray, recent: np.ndarray, sample_rate: int
    ) -> Detection:
        """The detection of `heard` (the audio since the onset); where only its `recent`
        part is clean of the previous chord, the notes heard there over the lowest of them
        that the whole of `heard` holds (the bass needs the longer audio)."""

        def run(audio: np.ndarray) -> Detection:
            # unnamed where the detector can: only the labels shown are named (see analyze_window)
            if getattr(detector, "names_on_request", False):
                return detector.detect(audio, sample_rate, named=False)
            return detector.detect(audio, sample_rate)

        if recent.shape[0] == heard.shape[0]:
            found = run(heard)
            if heard.shape[0] < self.config.early_bass_seconds * sample_rate:
                found = self._early_bass(found, heard, sample_rate)
            return found
        found = run(recent)
        if not found.pitch_classes:
            return found
        pcs = set(found.pitch_classes)
        # the whole is read for its low notes only: a detector that can voice classes already
        # decided (the hybrid: its harmonic half alone) skips what would go unused
        voice = getattr(detector, "voice", None)
        whole = run(heard).notes if voice is None else voice(heard, sample_rate, pcs)
        low = [n for n in whole if n % 12 in pcs]
        if not low or not found.notes or min(low) % 12 == found.bass:
            return found
        from kord_engine.audio.listen.naming import detection_from_notes

        bass = min(low)
        notes = sorted({bass, *(n for n in found.notes if n > bass)})
        return detection_from_notes(
            notes, found.confidence, found.timestamp, extra=found.extra, named=bool(found.chords)
        )

    def _early_bass(self, found: Detection, heard: np.ndarray, sample_rate: int) -> Detection:
        """`found` with the bass read by audio.bass.lowest_chord_tone: right after an attack
        the detectors' lowest note is often a partial or a neighbour, not the bass."""
        if not found.notes or not found.pitch_classes:
            return found
        from kord_engine.audio.listen.bass import lowest_chord_tone

        pc = lowest_chord_tone(heard, sample_rate, found.pitch_classes, self.tuning.reference_hz)
        if pc is None or pc == found.bass:
            return found
        from kord_engine.audio.listen.naming import detection_from_notes

        low = min(found.notes)
        bass = low - (low - pc) % 12
        return detection_from_notes(
            [bass, *found.notes],
            found.confidence,
            found.timestamp,
            extra=found.extra,
            named=bool(found.chords),
        )

    def _recent_part(self, heard: np.ndarray, sample_rate: int) -> np.ndarray:
        """A sustained sound's newest part: the previous chord's release and the room's
        reverb fade from it, the new chord's notes swell into it. A decaying sound (piano,
        guitar) keeps all of it: its attack is its clearest part."""
        keep = self.config.recent_seconds
        if not keep:
            return heard
        n = max(int(keep * sample_rate), heard.shape[0] // 2)
        if heard.shape[0] <= n + int(0.05 * sample_rate):
            return heard
        frame = max(1, sample_rate // 20)
        k = heard.shape[0] // frame
        blocks = heard[heard.shape[0] - k * frame :].reshape(k, frame)
        power = np.einsum("ij,ij->i", blocks, blocks)
        if power[-1] >= power.max() * 10 ** (-self.SUSTAIN_DB / 10):
            return heard[-n:]
        return heard

    def _decaying(self, level_db: float, onset_time: float | None) -> bool:
        """Whether the sound dies away: this hop SUSTAIN_DB below the loudest hop since the
        newest onset (a piano or guitar chord, not an organ, strings or a pad)."""
        if onset_time is not None and (
            self._peak_onset is None or abs(onset_time - self._peak_onset) > 0.03
        ):
            self._peak_onset, self._peak_db = onset_time, level_db
        self._peak_db = max(self._peak_db, level_db)
        return level_db < self._peak_db - self.SUSTAIN_DB

    def take_due(self) -> int | None:
        """The stream frame the next hop is wanted at (set while an attack settles), once."""
        due, self._due = self._due, None
        return due

    def _emit(self, event: AnalyzerEvent) -> None:
        if event.error:
            self.last_error = event.error
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # a listener's bug must not stop the analysis
            log.exception("analyzer event listener failed")

    # -- offline feeding ----------------------------------------------------------------------
    def process_block(
        self, block: np.ndarray, sample_rate: int | None = None
    ) -> list[AnalyzerEvent]:
        """Feed audio without a device; runs one hop per hop_seconds of audio, synchronously.

        Blocks may be any length; the first call fixes the sample rate (default: config's, else
        48000; reset() to change it).
        Returns the events (also sent to on_event), deterministic for the same input.
        """
        if self.running:
            raise AnalyzerConfigError("process_block cannot be used while the analyzer is running")
        block = np.asarray(block, dtype=np.float32)
        if block.ndim == 2:
            block = block.mean(axis=1, dtype=np.float32)
        if block.ndim != 1:
            raise AnalyzerConfigError(f"audio must be mono (frames,), got shape {block.shape}")
        if self._offline_ring is None:
            sample_rate = sample_rate or self.config.sample_rate or DEFAULT_RATE
            if sample_rate <= 0:
                raise AnalyzerConfigError(f"sample_rate must be positive, got {sample_rate}")
            self._offline_rate = int(sample_rate)
            self._offline_ring = DecimatedRing(
                self._offline_rate, self.config.ring_seconds, self.config.decimate
            )
            rate = self._offline_ring.rate
            self._offline_next_hop = int(round(self.config.hop_seconds * rate))
        elif sample_rate and int(sample_rate) != self._offline_rate:
            raise AnalyzerConfigError(
                f"sample rate changed from {self._offline_rate} to {sample_rate}; call reset()"
            )
        stream = self._offline_ring
        ring, rate = stream.ring, stream.rate
        block = stream.analysed(block)  # the hop grid runs at the analysis rate
        hop = max(1, int(round(self.config.hop_seconds * rate)))
        events = []
        pos = 0
        while pos < block.shape[0]:
            take = min(block.shape[0] - pos, self._offline_next_hop - ring.total_written)
            ring.write(block[pos : pos + take])
            pos += take
            if ring.total_written >= self._offline_next_hop:
                self._offline_next_hop += hop
                window_frames = int(round(self.window_seconds() * rate))
                window, end = ring.read_latest(window_frames)
                event = self.analyze_window(window, rate, end / rate)
                due = self.take_due()
                if due is not None and end < due < self._offline_next_hop:
                    self._offline_next_hop = due  # the hop grid goes on from there
                self._emit(event)
                events.append(event)
        return events

    def reset(self) -> None:
        """Forget fed audio and the smoother state (offline use)."""
        self._offline_ring = None
        self._offline_rate = 0
        self._offline_next_hop = 0
        self.smoother.reset()
        self.tuning.reset()
        self._tuning_due = 0.0
        self._last_end = None
        self._due = None
        self._changes = None
        self._analysed = None
        self._peak_onset, self._peak_db = None, SILENCE_DB

    # -- live -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the input device and start analysing; raises DeviceError if it cannot open."""
        if self.running:
            return
        self.stop()
        cfg = self.config
        capture = Capture(
            cfg.device,
            cfg.sample_rate,
            blocksize=cfg.blocksize,
            ring_seconds=cfg.ring_seconds,
        )
        capture.start()
        self.capture = capture
        self.smoother.reset()
        self._last_end = self._due = self._changes = self._analysed = None
        self.last_error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(capture, self._stop), name="kord-live-analyzer", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker and close the device; safe to call at any time."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)
        if self.capture is not None:
            self.capture.stop()

    def wait_until_listening(self, timeout: float | None = None) -> bool:
        """Block until the device delivers its first audio (up to startup_seconds); False if it
        did not (or the analyzer is not started)."""
        capture = self.capture
        if capture is None or not self.running:
            return False
        return capture.wait_for_audio(self.config.startup_seconds if timeout is None else timeout)

    def restart(self) -> None:
        """Stop and start again (after a device error, or to apply a new device)."""
        self.stop()
        self.start()

    def _error_event(self, message: str, timestamp: float, overflows: int) -> AnalyzerEvent:
        return AnalyzerEvent(
            timestamp=timestamp,
            detection=Detection(timestamp=timestamp),
            stable=None,
            changed=self.smoother.stable is not None,
            level_db=SILENCE_DB,
            peak=0.0,
            clipping=False,
            overflows=overflows,
            spectrum_db=None,
            spectrum_freqs=None,
            processing_ms=0.0,
            error=message,
            fatal=True,
        )

    def warm_up(self, sample_rate: int) -> None:
        """Run the whole hop pipeline once, on a quiet chord that starts after a little
        silence, so every cache (matrices, FFT plans, the model's session) is built before
        the first real hop instead of during it — a cold model costs a quarter second, which
        would be the first chord's label."""
        frames = int(round(self.window_seconds() * sample_rate))
        t = np.arange(frames) / sample_rate
        rng = np.random.default_rng(0)
        chord = sum(np.sin(2 * np.pi * f * t) for f in (130.81, 261.63, 329.63, 392.0))
        audio = (0.05 * chord + 0.001 * rng.standard_normal(frames)).astype(np.float32)
        audio[: frames // 3] = 0.0
        with self._detector_lock:
            detector = self._detector
        trial = LiveAnalyzer(detector, dataclasses.replace(self.config, tuning_hz=440.0))
        try:
            trial.process_block(audio, sample_rate)
            from kord_engine.audio.listen.naming import warm_up

            warm_up()  # hops are detected unnamed: the first label shown is named then
        except Exception:  # a real failure shows up again, as an event, on the first hop
            log.debug("detector warm-up failed", exc_info=True)
        self._spectrum = trial._spectrum

    def _run(self, capture: Capture, stop: threading.Event) -> None:
        hop = self.config.hop_seconds
        # the capture's frames, brought to the analysis rate as they are read
        stream = DecimatedRing(capture.sample_rate, self.config.ring_seconds, self.config.decimate)
        rate = stream.rate
        self.warm_up(capture.sample_rate)
        last_end = -1
        last_progress = time.monotonic()
        next_wake = time.monotonic() + hop
        pending: int | None = None  # the stream frame an early hop waits for
        try:
            while not stop.wait(max(0.0, next_wake - time.monotonic())):
                now = time.monotonic()
                next_wake += hop
                if next_wake < now:  # fell behind (suspended, slow detector): resync
                    next_wake = now + hop
                error = capture.check()
                end = capture.ring.total_written
                stream.pull(capture.ring)
                waiting = pending is not None and stream.ring.total_written < pending
                if error is None and waiting and now - last_progress < self.config.stall_seconds:
                    # the settled attack's audio is not all in yet: look again shortly
                    next_wake = min(next_wake, now + 0.004)
                    continue
                pending = None
                if error is None and end == last_end:
                    # before the first audio, the host may still be starting up
                    patience = self.config.stall_seconds if end else self.config.startup_seconds
                    if now - last_progress > patience:
                        name = capture.device.name if capture.device else "device"
                        error = f"no audio from input {name!r} for {patience:g} s"
                        if not end:
                            error += " after opening it"
                    else:
                        continue
                if error is not None:
                    self._emit(
                        self._error_event(error, end / capture.sample_rate, capture.overflows)
                    )
                    self.smoother.reset()
                    break
                last_end, last_progress = end, now
                window_frames = int(round(self.window_seconds() * rate))
                window, end = stream.ring.read_latest(window_frames)
                event = self.analyze_window(window, rate, end / rate, capture.overflows)
                due = self.take_due()
                if due is not None and due > end:  # wake when the attack has settled
                    next_wake = min(next_wake, time.monotonic() + (due - end) / rate + 0.002)
                    pending = due
                self._emit(event)
        except Exception as exc:  # never raise from the worker
            log.debug("live analyzer failed", exc_info=True)
            self._emit(self._error_event(f"live analysis failed: {exc}", 0.0, capture.overflows))
        finally:
            capture.stop()

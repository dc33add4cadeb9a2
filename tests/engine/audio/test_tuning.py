"""Tuning: the reference pitch estimated from audio, and detectors reading notes against it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kord_engine.audio.input.decode import AudioClip
from kord_engine.audio.listen.analysis import analyze_clip, resolve_tuning
from kord_engine.audio.listen.detect import make_detector
from kord_engine.audio.listen.live import AnalyzerConfig, AnalyzerConfigError, LiveAnalyzer
from kord_engine.audio.listen.tuning import (
    TuningTracker,
    cents_histogram,
    cents_of,
    check_reference,
    estimate_from_histogram,
    estimate_tuning,
    estimate_tuning_spectrum,
    hz_of,
)
from kord_engine.cli import main
from kord_engine.errors import AudioError
from kord_engine.samples import read_sample
from tests.audio_fixtures import harmonic_chord, have_fluidsynth

RATE = 44100


def detuned(midis: list[int], cents: float, seconds: float = 1.5, **kw) -> np.ndarray:
    """A harmonic chord whose instrument is `cents` off A440."""
    return harmonic_chord([m + cents / 100.0 for m in midis], RATE, seconds, **kw)


def clip(x: np.ndarray) -> AudioClip:
    return AudioClip(samples=x, sample_rate=RATE, channels=1)


def test_reference_conversions():
    assert cents_of(440.0) == 0.0
    assert cents_of(hz_of(-31.77)) == pytest.approx(-31.77)
    assert hz_of(1200) == pytest.approx(880.0)
    assert check_reference(432) == 432.0
    for bad in (420.0, 460.0, "x", None):
        with pytest.raises(AudioError, match="tuning must"):
            check_reference(bad)


def test_histogram_is_circular_and_its_mode_is_the_offset():
    # votes at +48 and −49 cents are neighbours (1 and 3 cents across the ±50 seam)
    est = estimate_from_histogram(cents_histogram(np.array([48.0, 49.0, -49.0]), np.ones(3)))
    assert abs(abs(est.cents) - 49.5) < 1.0
    # a few stray votes (5th/7th harmonics: −14 / −31 cents) do not move the mode
    votes = np.array([12.0] * 6 + [12.0 - 14] * 2 + [12.0 - 31])
    est = estimate_from_histogram(cents_histogram(votes, np.ones(len(votes))))
    assert est.cents == pytest.approx(12.0, abs=1.0) and 0 < est.confidence < 1


@pytest.mark.parametrize("cents", [-45, -31.77, -20, -5, 0, 7, 20, 32, 45])
def test_estimate_of_a_detuned_chord_is_within_a_cent(cents):
    x = detuned([48, 52, 55, 60], cents, noise=0.002)
    est = estimate_tuning(x, RATE)
    assert est.known and est.cents == pytest.approx(cents, abs=1.0)
    assert est.reference_hz == pytest.approx(hz_of(cents), abs=0.3)


def test_silence_has_no_estimate_and_resolves_to_a440():
    silent = np.zeros(RATE, np.float32)
    assert not estimate_tuning(silent, RATE).known
    assert resolve_tuning(silent, RATE, "auto") == 440.0
    assert resolve_tuning(silent, RATE, None) is None
    assert resolve_tuning(silent, RATE, "443") == 443.0
    with pytest.raises(AudioError, match="tuning"):
        resolve_tuning(silent, RATE, "sharp")


@pytest.mark.parametrize("name", ["default", "hybrid", "ml"])
def test_detectors_hear_a_quarter_tone_sharp_chord_through_the_tuning(name):
    # C E G B♭ played 45 cents sharp: on A440's grid E and B♭ sit right between two semitones
    x = detuned([48, 52, 55, 58], 45, seconds=2.0)
    det = make_detector(name)
    found = analyze_clip(clip(x), det, "auto")
    assert found.tuning_hz == pytest.approx(hz_of(45), abs=0.5)
    assert found.pitch_classes == (0, 4, 7, 10)
    assert name == "ml" or found.bass == 0
    # the detector is given back as it was (A440) after the analysis
    assert det.reference_hz == 440.0


@pytest.mark.parametrize("name", ["hybrid", "ml"])
def test_the_model_is_lost_on_a440s_grid_and_found_on_the_instruments(name):
    x = detuned([48, 52, 55, 58], 40, seconds=2.0)
    assert analyze_clip(clip(x), name, 440.0).pitch_classes != (0, 4, 7, 10)
    assert analyze_clip(clip(x), name, "auto").pitch_classes == (0, 4, 7, 10)


def test_a_detuning_past_a_quarter_tone_wraps_to_the_nearer_semitone():
    # C E G B♭ 55 cents flat is C♯ E♯ … 45 cents sharp of the semitone below: ±50 cents is
    # all a tuning can say, so the estimate wraps and the notes are read a semitone lower
    x = detuned([49, 53, 56, 59], -55, seconds=2.0)
    est = analyze_clip(clip(x), "default", "auto")
    assert est.tuning_hz == pytest.approx(hz_of(45), abs=0.5)
    assert est.pitch_classes == (0, 4, 7, 10)


def test_kord_detector_reports_but_keeps_a440():
    x = detuned([48, 52, 55], 30, seconds=2.0)
    found = analyze_clip(clip(x), "kord", "auto")
    assert found.tuning_hz == pytest.approx(hz_of(30), abs=0.5)
    assert not hasattr(make_detector("kord"), "reference_hz")


def test_captured_bin_estimate_is_near_a440(shared_dir):
    f = shared_dir / "data/samples/captured/A3_C4_E4_3709226405532565024.bin"
    est = estimate_tuning_spectrum(read_sample(f).spectrum, 1.0)
    assert est.known and abs(est.cents) < 15


# -- live -------------------------------------------------------------------------------------
def feed(analyzer: LiveAnalyzer, x: np.ndarray, block: int = 2048):
    events = []
    for a in range(0, len(x), block):
        events += analyzer.process_block(x[a : a + block], RATE)
    return events


def test_tracker_first_estimate_within_a_second_then_holds_through_silence():
    analyzer = LiveAnalyzer(make_detector("default"), AnalyzerConfig(spectrum_points=0))
    x = np.concatenate([detuned([57, 60, 64], -25, 1.0), np.zeros(RATE, np.float32)])
    events = feed(analyzer, x)
    first = next(e for e in events if e.tuning_settled)
    assert first.timestamp <= 1.0
    sounding = [e for e in events if e.timestamp <= 1.0 and e.tuning_settled]
    assert all(abs(cents_of(e.tuning_hz) + 25) < 3 for e in sounding)
    assert events[-1].gated and abs(cents_of(events[-1].tuning_hz) + 25) < 3  # held
    assert not events[0].tuning_locked


def test_tracker_follows_slow_drift():
    tracker = TuningTracker()
    x = detuned([50, 57, 62], 0, 0.5)
    for _ in range(25):
        tracker.update(x, RATE, 0.2)
    assert cents_of(tracker.reference_hz) == pytest.approx(0, abs=1.0)
    for step in range(300):  # a minute of playing that drifts 10 cents sharp
        tracker.update(detuned([50, 57, 62], 10 * (step + 1) / 300, 0.5), RATE, 0.2)
    assert cents_of(tracker.reference_hz) == pytest.approx(10, abs=3.0)


def test_live_votes_every_tracking_step_once_confident_and_still_follows_drift(monkeypatch):
    """A vote every 0.2 s of sound until the estimate has heard 3 s, then every
    tuning_tracking_seconds (0.5 s): a minute of playing that drifts 10 cents sharp is still
    followed."""
    from kord_engine.audio.listen.live import TUNING_CONFIDENT_SECONDS

    analyzer = LiveAnalyzer(make_detector("default"), AnalyzerConfig(spectrum_points=0))
    votes = []
    real = analyzer.tuning.update
    monkeypatch.setattr(
        analyzer.tuning,
        "update",
        lambda *a: votes.append(analyzer.tuning.heard_seconds) or real(*a),
    )
    chord = [50, 57, 62]
    feed(analyzer, detuned(chord, 0, 6.0))
    early = [h for h in votes if h < TUNING_CONFIDENT_SECONDS]
    assert len(early) == 15  # 3 s of sound, a vote per 0.2 s
    assert 5 <= len(votes) - len(early) <= 7  # the other 3 s: a vote per 0.5 s
    assert analyzer.tuning.settled
    events = []
    for step in range(60):  # a minute of playing, drifting a sixth of a cent a second
        events += feed(analyzer, detuned(chord, 10 * (step + 1) / 60, 1.0))
    assert cents_of(events[-1].tuning_hz) == pytest.approx(10, abs=3.0)


def test_locked_tuning_is_used_and_can_be_released():
    det = make_detector("default")
    analyzer = LiveAnalyzer(det, AnalyzerConfig(tuning_hz=432.0, spectrum_points=0))
    events = feed(analyzer, detuned([48, 52, 55], 20, 0.6))
    assert all(e.tuning_hz == 432.0 and e.tuning_locked for e in events)
    assert det.reference_hz == 432.0
    analyzer.set_tuning(None)
    events = feed(analyzer, detuned([48, 52, 55], 20, 1.2))
    assert not events[-1].tuning_locked
    assert cents_of(events[-1].tuning_hz) == pytest.approx(20, abs=3.0)
    with pytest.raises(AnalyzerConfigError, match="tuning_hz"):
        AnalyzerConfig(tuning_hz=500.0).validate()


# -- CLI --------------------------------------------------------------------------------------
def test_cli_prints_tuning_and_takes_a_fixed_one(tmp_path, capsys):
    from tests.audio_fixtures import write_wav

    path = write_wav(tmp_path / "sharp.wav", detuned([50, 54, 57], 32, 2.0), RATE)
    assert main(["analyze", "file", str(path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["tuning_hz"] == pytest.approx(hz_of(32), abs=0.5)
    assert row["pitch_classes"] == [2, 6, 9]
    assert main(["analyze", "file", str(path), "--json", "--tuning", "432"]) == 0
    assert json.loads(capsys.readouterr().out)["tuning_hz"] == 432.0
    assert main(["analyze", "file", str(path), "--timeline", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tuning_hz"] == pytest.approx(hz_of(32), abs=0.5)
    assert main(["ml", "infer", "file", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pitch_classes"] == [2, 6, 9]
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "file", str(path), "--tuning", "500"])
    assert exc.value.code == 2
    assert "--tuning" in capsys.readouterr().err


@pytest.mark.skipif(not have_fluidsynth(), reason="fluidsynth or soundfonts missing")
@pytest.mark.parametrize("cents", [-32, 40])
def test_detuned_render_estimate_tracks_the_pitch_bend(cents):
    from kord_engine.audio.sound.fluidsynth import render_chords

    chord = [((45, 52, 57, 61, 64), 1.5)]
    dry, sr, _ = render_chords(chord, program=0)
    bent, _, _ = render_chords(chord, program=0, cents=cents)
    # the soundfont's own samples are a few cents off A440: compare with the unbent render
    shift = estimate_tuning(bent, sr).cents - estimate_tuning(dry, sr).cents
    assert shift == pytest.approx(cents, abs=3.0)
    found = analyze_clip(AudioClip(samples=bent, sample_rate=sr, channels=1), "hybrid", "auto")
    assert found.pitch_classes == (1, 4, 9) and found.bass == 9


# -- rooms and microphones: the harmonic detector ----------------------------------------------
def partials(midi: int, harmonics: dict[int, float], seconds: float = 1.0) -> np.ndarray:
    """One note as given partials {harmonic number: amplitude}."""
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 440.0 * 2 ** ((midi - 69) / 12)
    return sum(a * np.sin(2 * np.pi * h * f0 * t + h) for h, a in harmonics.items()).astype(
        np.float32
    )


@pytest.mark.parametrize("fundamental", [0.002, 0.004])
def test_a_note_whose_fundamental_faded_or_was_filtered_is_heard_from_its_partials(fundamental):
    # G3 B♭3 full; D4 with its fundamental nearly gone (a plucked string's decay, a small
    # microphone): its 3rd and 5th partials (A5, F♯6) must not become notes
    full = {1: 0.1, 2: 0.06, 3: 0.04, 4: 0.03, 5: 0.02, 6: 0.015}
    d4 = {1: fundamental, 2: 0.08, 3: 0.12, 4: 0.07, 5: 0.06, 6: 0.05}
    x = partials(55, full) + partials(58, full) + partials(62, d4)
    found = make_detector("default").detect(x, RATE)
    assert found.pitch_classes == (2, 7, 10) and found.bass == 7
    off = make_detector("default", weak_fund_rel=0.0, series_support=0).detect(x, RATE)
    assert off.pitch_classes != (2, 7, 10)  # what the rule fixes


def test_a_bass_whose_fundamental_a_cheap_mic_filtered_out_is_still_the_bass():
    # E2 B2 G♯3, the E2's fundamental (82 Hz) 30 dB under its octave (a laptop microphone's
    # high-pass); its 2nd-4th partials all stand out, so it is a note, not a ghost, and the bass
    full = {1: 0.1, 2: 0.06, 3: 0.04, 4: 0.03, 5: 0.02, 6: 0.015}
    e2 = {1: 0.003, 2: 0.1, 3: 0.08, 4: 0.06, 5: 0.03, 6: 0.02}
    x = partials(40, e2) + partials(47, full) + partials(56, full)
    found = make_detector("default").detect(x, RATE)
    assert found.pitch_classes == (4, 8, 11) and found.bass == 4
    assert make_detector("default", series_support=0).detect(x, RATE).bass == 11

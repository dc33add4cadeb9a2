"""kord's deterministic detector: all captured labels, C7♭9 from wav/mp3/vec.bin, and the kord
bugs we fixed on purpose (each test says what kord does and what we do)."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.input.decode import load_audio, load_raw_f32
from kord_engine.audio.listen.detect.kord import (
    KORD_EXACT,
    KordDetector,
    KordQuirks,
    kord_note_strengths,
    kord_notes,
    kord_space,
)
from kord_engine.samples import list_samples, read_sample

C7B9 = [48, 52, 55, 58, 61]  # C4 E4 G4 B♭4 D♭5


def _captured(shared_dir):
    return list_samples(shared_dir / "data/samples/captured")


@pytest.mark.parametrize("quirks", [KordQuirks(), KORD_EXACT], ids=["fixed", "kord-exact"])
def test_reproduces_every_captured_label(shared_dir, quirks):
    files = _captured(shared_dir)
    assert len(files) == 132
    wrong = []
    for f in files:
        s = read_sample(f)
        if tuple(sorted(kord_notes(s.spectrum, 0.0, quirks))) != s.note_ids:
            wrong.append(f.name)
    assert wrong == []


@pytest.mark.parametrize("name", ["C7b9.wav", "C7b9.mp3"])
def test_c7b9_recordings(shared_dir, name):
    det = KordDetector()
    from kord_engine.audio.listen.analysis import analyze_file

    result = analyze_file(shared_dir / "data/audio" / name, det)
    assert list(result.notes) == C7B9
    assert result.chord == "C7(♭9)"
    from kord_engine.theory import Chord

    assert result.extra["candidates"][0] == Chord.parse("C7b9")


def test_c7b9_vec_bin_mono_mix(shared_dir):
    clip = load_raw_f32(shared_dir / "data/audio/vec.bin")
    space, offset = kord_space(clip.samples, clip.sample_rate)
    assert offset == pytest.approx(0.4)  # L = 5: bin i is i + 0.4 Hz
    assert sorted(kord_notes(space, offset)) == C7B9
    assert KordDetector().detect(clip.samples, clip.sample_rate).chord == "C7(♭9)"


def _spectrum_with_peaks(peaks: dict[int, float]) -> np.ndarray:
    """A 1 Hz spectrum with sharp triangular peaks (bin → height) over a tiny floor."""
    m = np.full(8192, 0.01, np.float32)
    for k, h in peaks.items():
        m[k] = h
        m[k - 1] = m[k + 1] = h * 0.3
    return m


def test_silence_gives_no_notes_instead_of_kord_panic():
    # kord indexes [0] of an empty peak list and panics; we return no notes
    assert kord_notes(np.zeros(8192, np.float32)) == []
    assert KordDetector().detect(np.zeros(48000, np.float32), 48000).is_empty


def test_first_peak_counted_once():
    # kord: entry.or_insert(m) then += m counts the first peak of a note twice, so a note
    # with one peak (A4 = 440 Hz, 100) beats a note with two peaks summing to more
    # (E5 at 659 + 660 Hz... mapped to one note: 60 + 60 = 120).
    spec = _spectrum_with_peaks({440: 100.0, 655: 60.0, 665: 60.0})
    kord = kord_note_strengths(spec, 0.0, KordQuirks(double_count_first_peak=True))
    ours = kord_note_strengths(spec, 0.0, KordQuirks())
    assert dict(kord)[57] == pytest.approx(200.0)  # A4 doubled
    assert dict(ours)[57] == pytest.approx(100.0)
    assert ours[0][0] == 64  # E5 (120) is the strongest for us
    assert kord[0][0] == 57  # A4 (200) for kord


def test_eighth_harmonic_is_folded():
    # kord's fold list lacks +36 semitones (8th harmonic): C3 (130.8 Hz) with its 8th harmonic
    # C6 (1046.5 Hz) reports C6 as a separate note; we fold it into C3.
    spec = _spectrum_with_peaks({131: 100.0, 1047: 40.0})
    assert sorted(kord_notes(spec, 0.0, KordQuirks(omit_eighth_harmonic=True))) == [36, 72]
    assert kord_notes(spec, 0.0, KordQuirks()) == [36]


def test_short_audio_is_padded_to_a_second():
    rate = 16000
    t = np.arange(rate // 2) / rate
    x = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    assert KordDetector().detect(x, rate).notes == (57,)


def test_window_is_whole_seconds():
    assert KordDetector(window_seconds=0.3).window_seconds == 1.0
    assert KordDetector(window_seconds=2.7).window_seconds == 2.0


def test_load_audio_then_detect_matches_file_path(shared_dir):
    clip = load_audio(shared_dir / "data/audio/C7b9.wav")
    assert sorted(KordDetector().detect(clip.samples[: 14 * 44100], 44100).notes) == C7B9

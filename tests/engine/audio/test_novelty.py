"""Spectral change detection (audio.novelty) and the early bass (audio.bass) on synthetic
harmonic tones: a legato chord change without an attack is found where it happens, a swell
of the same chord is not a change; the bass of a short snippet is its lowest chord tone."""

import numpy as np
import pytest

from kord_engine.audio.listen.bass import lowest_chord_tone
from kord_engine.audio.listen.novelty import (
    ChangeTracker,
    band_spectra,
    frame_length,
    shape_distance,
)

RATE = 48000


def midi_hz(m):
    return 440.0 * 2 ** ((m - 69) / 12)


def notes(midis, seconds, amp=0.1, start=0.0):
    """Harmonic tones (6 partials, 1/h), like a soft organ; `start`: phase time offset."""
    t = start + np.arange(int(seconds * RATE)) / RATE
    out = np.zeros_like(t)
    for m in midis:
        for h in range(1, 7):
            out += amp / h * np.sin(2 * np.pi * midi_hz(m) * h * t)
    return out.astype(np.float32)


def legato(first, second, seconds=1.0, fade=0.05):
    """`first` then `second` with a short crossfade at `seconds` and no change of level."""
    a = notes(first, seconds + fade)
    b = notes(second, seconds + fade, start=seconds)
    n = int(fade * RATE)
    ramp = np.linspace(0, 1, n, dtype=np.float32)
    out = np.concatenate([a[:-n], a[-n:] * (1 - ramp) + b[:n] * ramp, b[n:]])
    return out.astype(np.float32)


def feed(tracker, audio, hop=2400, window=24000):
    """Feed like the analyzer: every hop, the newest `window` frames; the changes found."""
    found = []
    for end in range(hop, audio.shape[0] + 1, hop):
        at = tracker.update(audio[max(0, end - window) : end], end)
        if at is not None:
            found.append((end, at))
    return found


def test_shape_distance_ignores_level_and_sees_other_notes():
    x = np.array([1.0, 2.0, 0.0, 0.0])
    assert shape_distance(x, 3 * x) == pytest.approx(0.0)
    assert shape_distance(x, np.array([0.0, 0.0, 1.0, 1.0])) == pytest.approx(1.0)
    c = band_spectra(notes([60, 64, 67], 0.1)[None, : frame_length(RATE)], RATE)[0]
    am = band_spectra(notes([57, 60, 64], 0.1)[None, : frame_length(RATE)], RATE)[0]
    assert 0.15 < shape_distance(c, am) < 0.9  # two common notes: different, not disjoint


def test_a_legato_change_is_found_where_it_happens_once():
    audio = legato([60, 64, 67], [57, 60, 64], seconds=1.0)
    found = feed(ChangeTracker(RATE), audio)
    assert len(found) == 1, found
    end, at = found[0]
    assert abs(at / RATE - 1.0) < 0.06  # where the A came in
    assert (end - at) / RATE < 0.2  # known soon after


def test_a_swell_of_the_same_chord_is_no_change():
    chord = notes([60, 64, 67], 2.0)
    swell = (chord * np.linspace(0.2, 1.0, chord.shape[0], dtype=np.float32)).astype(np.float32)
    assert feed(ChangeTracker(RATE), swell) == []
    assert feed(ChangeTracker(RATE), chord) == []


def test_reset_starts_a_segment_whose_reference_waits_for_the_new_sound():
    audio = legato([60, 64, 67], [57, 60, 64], seconds=1.0)
    tracker = ChangeTracker(RATE)
    feed(tracker, audio[: int(0.98 * RATE)])
    tracker.reset(int(0.98 * RATE))  # an attack found by level just before the change
    found = feed(tracker, audio)
    # the reference starts settle_seconds after the reset: nothing before the change
    # compares against it, so no second change appears around 1.0 s
    assert all(abs(at / RATE - 1.0) > 0.2 for _, at in found), found


def test_the_bass_of_a_short_snippet_is_its_lowest_chord_tone():
    am = notes([45, 60, 64], 0.1)  # A2 C4 E4, 100 ms
    assert lowest_chord_tone(am, RATE, {0, 4, 9}) == 9
    c_over_e = notes([52, 55, 60], 0.08)  # E3 G3 C4, 80 ms
    assert lowest_chord_tone(c_over_e, RATE, (0, 4, 7)) == 4
    # a low hum with no partials of its own is no bass note
    hum = (0.2 * np.sin(2 * np.pi * 55.0 * np.arange(4800) / RATE)).astype(np.float32)
    assert lowest_chord_tone(am + hum, RATE, {0, 4, 9}) == 9
    # heard against another tuning: A = 432 Hz
    detuned = notes([45 + 12 * np.log2(432 / 440), 60 + 12 * np.log2(432 / 440)], 0.1)
    assert lowest_chord_tone(detuned, RATE, {0, 9}, reference_hz=432.0) == 9
    assert lowest_chord_tone(am, RATE, set()) is None
    assert lowest_chord_tone(np.zeros(4800, np.float32), RATE, {0, 4, 9}) is None


def test_a_file_timeline_starts_its_chords_where_they_start(tmp_path):
    """Offline: cut where chords start (an attack, and a legato change heard only in the
    spectrum), name each piece from its own audio; the old frame grid, for contrast, lets a
    window straddle two chords."""
    from kord_engine.audio.input.decode import AudioClip
    from kord_engine.audio.listen.analysis import timeline_clip
    from kord_engine.audio.listen.onsets import chord_segments, find_onsets

    lead = np.zeros(int(0.6 * RATE), np.float32)
    audio = np.concatenate([lead, legato([60, 64, 67], [57, 60, 64], 1.0)])  # C at 0.6, Am at 1.6
    found = find_onsets(audio, RATE)
    assert any(abs(t - 0.6) < 0.03 for t in found.starts), found
    assert any(abs(t - 1.6) < 0.08 for t in found.starts), found
    assert found.silences[0][0] == 0.0 and 0.5 <= found.silences[0][1] <= 0.65
    pieces = [(round(a, 2), d.pitch_classes) for a, b, d in chord_segments(audio, RATE, _Harm())]
    assert pieces[0] == (0.0, ()) and (0, 4, 7) in [p for _, p in pieces]
    clip = AudioClip(audio, RATE, 1)
    segs = timeline_clip(clip, _Harm(), tuning=None)
    assert [s.pitch_classes for s in segs] == [(), (0, 4, 7), (0, 4, 9)]
    assert abs(segs[1].start - 0.6) < 0.03 and abs(segs[2].start - 1.6) < 0.08
    grid = timeline_clip(clip, _Harm(), tuning=None, onsets=False)
    assert abs(grid[-1].start - 1.6) > abs(segs[2].start - 1.6)


class _Harm:
    """The pitch classes of the strongest harmonic-tone fundamentals (synthetic audio only)."""

    name = "harm"
    window_seconds = 0.5

    def detect(self, audio, sample_rate):
        from kord_engine.audio.listen.naming import detection_from_notes

        if audio.size < 256 or float(np.max(np.abs(audio))) < 1e-3:
            return detection_from_notes([], 0.0)
        spec = np.abs(np.fft.rfft(audio * np.hanning(audio.size), 1 << 16))
        freqs = np.fft.rfftfreq(1 << 16, 1 / sample_rate)
        midis = np.arange(40, 80)
        mags = np.array([spec[np.argmin(abs(freqs - midi_hz(m)))] for m in midis])
        return detection_from_notes(midis[mags > 0.5 * mags.max()].tolist(), 0.9)

"""ChordSmoother on synthetic detection sequences: hold, release, no flicker."""

import pytest

from kord_engine.audio.detection import Detection
from kord_engine.audio.smoothing import ChordSmoother

C = Detection(pitch_classes=(0, 4, 7), bass=0, chords=("C",), confidence=0.9)
AM = Detection(pitch_classes=(0, 4, 9), bass=9, chords=("Am",), confidence=0.8)
SILENCE = Detection()
HOP = 0.05


def run(smoother, sequence):
    """Feed detections one hop apart; return (time, stable chord name) of each change."""
    changes = []
    for i, det in enumerate(sequence):
        stable, changed = smoother.update(det, i * HOP)
        if changed:
            changes.append((round(i * HOP, 3), stable.chord if stable else None))
    return changes


def test_new_chord_becomes_stable_after_hold():
    s = ChordSmoother(hold_seconds=0.15)
    # frames at 0, .05, .10, .15 → stable at 0.15
    assert run(s, [C] * 6) == [(0.15, "C")]
    assert s.stable == C


def test_zero_hold_is_immediate():
    assert run(ChordSmoother(0.0), [C, AM, AM]) == [(0.0, "C"), (0.05, "Am")]


def test_short_blip_never_becomes_stable():
    s = ChordSmoother(0.15)
    seq = [C] * 5 + [AM, AM] + [C] * 5 + [AM] + [C] * 3
    assert run(s, seq) == [(0.15, "C")]


def test_interrupted_candidate_restarts_its_hold():
    s = ChordSmoother(0.15)
    # AM, AM, C(blip back to stable), AM … → AM's hold restarts after the blip
    seq = [C] * 4 + [AM, AM, C, AM, AM, AM, AM]
    assert run(s, seq) == [(0.15, "C"), (0.5, "Am")]


def test_alternating_frames_do_not_flicker():
    s = ChordSmoother(0.15)
    seq = [C] * 4 + [AM, C] * 10
    assert run(s, seq) == [(0.15, "C")]


def test_silence_clears_after_release():
    s = ChordSmoother(hold_seconds=0.15, release_seconds=0.3)
    seq = [C] * 4 + [SILENCE] * 8
    # silence starts at 0.2, clears at 0.5
    assert run(s, seq) == [(0.15, "C"), (0.5, None)]
    assert s.stable is None


def test_brief_dropout_keeps_the_chord():
    s = ChordSmoother(hold_seconds=0.15)
    seq = [C] * 4 + [SILENCE, SILENCE] + [C] * 4
    assert run(s, seq) == [(0.15, "C")]


def test_same_pitch_classes_with_other_detail_is_not_a_change():
    s = ChordSmoother(0.1)
    c_loud = Detection(pitch_classes=(0, 4, 7), bass=0, chords=("C",), confidence=0.99)
    assert run(s, [C] * 3 + [c_loud] * 5) == [(0.1, "C")]
    assert s.stable == C  # the detection that became stable stays (no label flicker)


def test_progression():
    s = ChordSmoother(0.15)
    g7 = Detection(pitch_classes=(2, 5, 7, 11), chords=("G7",))
    seq = [C] * 10 + [AM] * 10 + [g7] * 10 + [SILENCE] * 10
    names = [name for _, name in run(s, seq)]
    assert names == ["C", "Am", "G7", None]


def test_reset_and_bad_values():
    s = ChordSmoother(0.0)
    s.update(C, 0.0)
    s.reset()
    assert s.stable is None
    with pytest.raises(ValueError):
        ChordSmoother(-1)
    with pytest.raises(ValueError):
        ChordSmoother(0.1, release_seconds=-0.5)


def test_a_superset_of_the_stable_chord_needs_the_longer_hold():
    """C → C+A (the union heard while a sustained chord changes) → Am: the union never lasts
    the superset hold, so the stable sequence is C, Am with nothing in between."""
    c_plus_a = Detection(pitch_classes=(0, 4, 7, 9), chords=("C6",))
    s = ChordSmoother(hold_seconds=0.15, superset_hold_seconds=0.5)
    seq = [C] * 10 + [c_plus_a] * 8 + [AM] * 10
    assert run(s, seq) == [(0.15, "C"), (1.05, "Am")]
    # a real added note that stays long enough still becomes stable
    s = ChordSmoother(hold_seconds=0.15, superset_hold_seconds=0.5)
    assert run(s, [C] * 10 + [c_plus_a] * 12) == [(0.15, "C"), (1.0, "C6")]
    # without the longer hold the union would have been reported
    s = ChordSmoother(hold_seconds=0.15)
    assert [n for _, n in run(s, seq)] == ["C", "C6", "Am"]


def run_after_onset(smoother, sequence, onset=0.0):
    """Like run(), but every hop is a post-onset hop of the attack at `onset`."""
    changes = []
    for i, det in enumerate(sequence):
        stable, changed = smoother.update(det, i * HOP, onset=onset)
        if changed:
            changes.append((round(i * HOP, 3), stable.chord if stable else None))
    return changes


def test_after_an_onset_two_agreeing_hops_suffice():
    assert run_after_onset(ChordSmoother(0.15), [C] * 6) == [(0.05, "C")]
    # without the onset (or with the fast path off) the full hold applies
    assert run(ChordSmoother(0.15), [C] * 6) == [(0.15, "C")]
    assert run_after_onset(ChordSmoother(0.15, onset_hops=0), [C] * 6) == [(0.15, "C")]


def test_after_an_onset_extra_notes_may_drop_out():
    """An early detection with an extra note, then the chord: the chord is confirmed at once;
    after a different wrong set only the hold counts (until the wrong set ages out)."""
    cmaj7 = Detection(pitch_classes=(0, 4, 7, 11), chords=("Cmaj7",))
    assert run_after_onset(ChordSmoother(0.15), [cmaj7, C, C]) == [(0.05, "C")]
    wrong = Detection(pitch_classes=(2, 5, 9), chords=("Dm",))
    assert run_after_onset(ChordSmoother(0.15), [wrong, C, C, C, C]) == [(0.2, "C")]
    assert run_after_onset(ChordSmoother(0.5), [wrong] + [C] * 6) == [(0.2, "C")]


def test_after_an_onset_a_blip_or_a_note_cloud_is_not_confirmed():
    cloud = Detection(pitch_classes=tuple(range(8)), chords=())
    # the cloud itself never becomes stable fast, nor does what follows it
    assert run_after_onset(ChordSmoother(0.15), [cloud, C, C, C, C]) == [(0.2, "C")]
    s = ChordSmoother(0.15)
    run(s, [C] * 4)
    # one hop of Am between C hops after a new attack: no change
    assert run_after_onset(s, [C, AM, C, C], onset=1.0) == []


def test_a_new_onset_starts_a_new_count():
    s = ChordSmoother(0.15)
    assert s.update(C, 0.0, onset=0.0) == (None, False)
    # the next hop belongs to another attack: a single hop, nothing confirmed yet
    assert s.update(C, 0.05, onset=0.04) == (None, False)
    stable, changed = s.update(C, 0.1, onset=0.04)
    assert changed and stable == C

"""ChordSmoother on synthetic detection sequences: hold, release, no flicker."""

import pytest

from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.smoothing import ChordSmoother

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
    with pytest.raises(ValueError):
        ChordSmoother(0.1, refine_seconds=-1)
    with pytest.raises(ValueError):
        ChordSmoother(0.1, onset_hops=-1)


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


def trace(smoother, sequence, onset=0.0, start=0.0):
    """Every hop a post-onset hop of the attack at `onset`; each change as (time, chord, bass,
    provisional, refined in place)."""
    out = []
    for i, det in enumerate(sequence):
        t = round(start + i * HOP, 3)
        stable, changed = smoother.update(det, t, onset=onset)
        if changed:
            out.append(
                (
                    t,
                    stable.chord if stable else None,
                    stable.bass if stable else None,
                    smoother.provisional,
                    smoother.refined,
                )
            )
    return out


C_OVER_E = Detection(pitch_classes=(0, 4, 7), bass=4, chords=("C/E",), confidence=0.7)


def test_after_an_onset_the_first_hop_shows_a_provisional_label_then_confirms_it():
    assert trace(ChordSmoother(0.15), [C] * 8) == [
        (0.0, "C", 0, True, False),
        (0.3, "C", 0, False, True),  # confirmed after refine_seconds: the same entry
    ]
    # without the onset (or with the fast path off) the full hold applies, and nothing is
    # provisional
    assert run(ChordSmoother(0.15), [C] * 6) == [(0.15, "C")]
    s = ChordSmoother(0.15, onset_hops=0)
    assert trace(s, [C] * 6) == [(0.15, "C", 0, False, False)]
    assert trace(ChordSmoother(0.15, refine_seconds=0), [C] * 3) == [(0.0, "C", 0, False, False)]


def test_a_provisional_label_is_refined_in_place():
    """The first short-audio detection hears the wrong bass; the next hop's longer audio
    hears the right one: one entry, refined, never a second one."""
    got = trace(ChordSmoother(0.15), [C_OVER_E, C, C, C, C, C, C, C])
    assert got == [
        (0.0, "C/E", 4, True, False),
        (0.05, "C", 0, True, True),
        (0.3, "C", 0, False, True),
    ]
    # the same bass change outside an onset is a new label, after the longer bass hold
    s = ChordSmoother(0.15)
    assert run(s, [C] * 4 + [C_OVER_E] * 8)[-1] == (0.5, "C/E")


def test_after_an_onset_extra_notes_may_drop_out():
    """An early detection with an extra note, then the chord: refined at once."""
    cmaj7 = Detection(pitch_classes=(0, 4, 7, 11), bass=0, chords=("Cmaj7",))
    assert trace(ChordSmoother(0.15), [cmaj7, C, C])[:2] == [
        (0.0, "Cmaj7", 0, True, False),
        (0.05, "C", 0, True, True),
    ]


def test_a_label_two_hops_agreed_on_does_not_lose_a_note_on_one_hop():
    """Am heard twice, then a hop that misses the A (C E): the label stays Am."""
    c_e = Detection(pitch_classes=(0, 4), bass=0, chords=("C(no5)",))
    got = trace(ChordSmoother(0.15), [AM, AM, c_e, AM, AM, AM, AM])
    assert [g[1] for g in got] == ["Am", "Am"] and got[-1][3:] == (False, True)
    # two hops without it do refine it
    got = trace(ChordSmoother(0.15), [AM, AM, c_e, c_e, c_e])
    assert got[-1] == (0.15, "C(no5)", 0, True, True)


def test_after_an_onset_a_note_cloud_is_not_shown_fast():
    cloud = Detection(pitch_classes=tuple(range(8)), chords=())
    got = trace(ChordSmoother(0.15), [cloud, C, C, C, C])
    assert got[0] == (0.05, "C", 0, True, False)
    s = ChordSmoother(0.15)
    run(s, [C] * 4)
    # the stable chord heard again after a new attack: no change at all
    assert trace(s, [C, C, C, C], onset=1.0, start=1.0) == []


def test_a_new_onset_starts_a_new_entry():
    s = ChordSmoother(0.15)
    assert trace(s, [C] * 8) == [(0.0, "C", 0, True, False), (0.3, "C", 0, False, True)]
    # the next attack's first hop names the next chord: a new entry, provisional again
    assert trace(s, [AM] * 2, onset=1.0, start=1.0) == [(1.0, "Am", 9, True, False)]
    # a third attack before the Am was confirmed: again a new entry (the Am stays as it was)
    assert trace(s, [C_OVER_E], onset=1.1, start=1.1) == [(1.1, "C/E", 4, True, False)]
    # hops of one attack found a few ms apart are the same attack
    s = ChordSmoother(0.15)
    assert s.update(C, 0.0, onset=0.0) == (C, True)
    s.update(AM, 0.05, onset=0.02)
    assert s.refined and s.stable == AM


def test_onset_hops_two_needs_two_agreeing_hops_for_the_first_label():
    s = ChordSmoother(0.15, onset_hops=2)
    assert trace(s, [AM, C, C, C])[0] == (0.1, "C", 0, True, False)
    # a caller may ask for more hops for a less certain onset
    s = ChordSmoother(0.15)
    got = []
    for i, det in enumerate([C, C, C]):
        stable, changed = s.update(det, i * HOP, onset=0.0, hops=3)
        got.append(changed)
    assert got == [False, False, True]


def test_after_the_first_refinement_a_one_hop_misreading_is_not_the_label():
    """What the e2e loopback once showed for A3 C4 E4 after a C: a first label with the old
    chord's notes, the right one, then the detector's misreadings of 220–310 ms audio (C D E,
    C D E♭ E, C E) one hop each. The label is refined once, to Am, and stays Am: one entry."""

    def det(pcs, bass):
        return Detection(pitch_classes=pcs, bass=bass, chords=(str(pcs),))

    seq = [
        det((0, 4, 7, 8), 7),
        AM,
        det((0, 2, 4), 0),
        det((0, 2, 3, 4), 2),
        det((0, 4), 0),
        AM,
        AM,
        AM,
    ]
    got = trace(ChordSmoother(0.15), seq)
    assert got == [
        (0.0, "(0, 4, 7, 8)", 7, True, False),
        (0.05, "Am", 9, True, True),
        (0.3, "Am", 9, False, True),
    ]


def test_two_fast_hops_are_one_misreading_and_a_change_at_confirmation_is_in_place():
    """Hops 25 ms apart (the analyzer's fast hops after an onset): two of them agreeing on
    another label are one stretch of audio misread, not agreement; a refinement due on the
    very hop the label is confirmed refines and confirms the same entry."""
    c_e = Detection(pitch_classes=(0, 4), bass=0, chords=("C(no5)",))
    s = ChordSmoother(0.15)
    times = [0.0, 0.025, 0.05, 0.075, 0.1, 0.125]
    seq = [AM, AM, AM, c_e, c_e, AM]
    changes = [s.update(d, t, onset=0.0)[1] for d, t in zip(seq, times, strict=True)]
    assert changes == [True, False, False, False, False, False] and s.stable == AM
    # the same two misreadings 50 ms apart do agree
    s = ChordSmoother(0.15)
    for d, t in zip([AM, AM, c_e, AM, c_e], [0.0, 0.05, 0.1, 0.125, 0.15], strict=True):
        s.update(d, t, onset=0.0)
    assert s.stable == c_e and s.refined and s.provisional
    # a refinement on the confirming hop: one entry, refined and confirmed at once
    s = ChordSmoother(0.15)
    got = trace(s, [AM, C_OVER_E, C_OVER_E, C_OVER_E, C_OVER_E, C, C, C])
    assert got == [
        (0.0, "Am", 9, True, False),
        (0.05, "C/E", 4, True, True),  # the first refinement: one hop
        (0.3, "C", 0, False, True),  # agreed on at 0.25 and 0.3: refined and confirmed
    ]


def test_a_set_losing_notes_waits_out_the_subset_hold():
    """subset_hold_seconds: a label's notes fading out (the live analyzer sets it for a
    decaying sound) do not take it away before that long; other changes keep hold_seconds."""
    c_e = Detection(pitch_classes=(0, 4), bass=0, chords=("C(no5)",))
    s = ChordSmoother(0.15, subset_hold_seconds=1.0)
    assert run(s, [C] * 4 + [c_e] * 19) == [(0.15, "C")]
    s = ChordSmoother(0.15, subset_hold_seconds=1.0)
    assert run(s, [C] * 4 + [c_e] * 21) == [(0.15, "C"), (1.2, "C(no5)")]
    s = ChordSmoother(0.15, subset_hold_seconds=1.0)
    assert run(s, [C] * 4 + [AM] * 4) == [(0.15, "C"), (0.35, "Am")]
    assert run(ChordSmoother(0.15), [C] * 4 + [c_e] * 4) == [(0.15, "C"), (0.35, "C(no5)")]


def test_a_label_corrected_just_after_confirmation_is_the_same_entry():
    """The e2e progression's Am (A3 C4 E4): shown over A, refined once to 'over C' by one
    hop's misread bass, confirmed so, then its onset's hops agree on A again — that corrects
    the entry in place (one Am in the history), as long as the label is young; so does a
    confirmed cloud its hops thin out to the chord. Later, a change is a new entry as
    before."""
    am_over_c = Detection(pitch_classes=(0, 4, 9), bass=0, chords=("Am/C",))
    s = ChordSmoother(0.15)
    got = trace(s, [AM, am_over_c] + [am_over_c] * 5 + [AM, AM])
    assert got == [
        (0.0, "Am", 9, True, False),
        (0.05, "Am/C", 0, True, True),  # the one-hop first refinement
        (0.3, "Am/C", 0, False, True),  # confirmed
        (0.4, "Am", 9, False, True),  # agreed on at 0.35 and 0.4: corrected in place
    ]
    s = ChordSmoother(0.15)
    late = trace(s, [AM, am_over_c] + [am_over_c] * 12 + [AM, AM])
    assert late[-1] == (0.75, "Am", 9, False, False)  # 0.75 s after it was shown: a new entry
    cloud = Detection(pitch_classes=(0, 4, 7, 9, 11), bass=9, chords=("Am9",))
    s = ChordSmoother(0.15)
    got = trace(s, [C, cloud] + [cloud] * 5 + [AM, AM])
    assert got[-1] == (0.4, "Am", 9, False, True)

"""ml.chord_sets: named sets and typed chord lists → symbols with playable voicings."""

from collections import Counter

import pytest

from kord_engine.ml.chord_sets import (
    CHORD_SETS,
    ChordPrompt,
    ChordSetError,
    chord_set,
    parse_chord_list,
    voice,
)
from kord_engine.theory import Chord


def test_a_typed_list_gives_the_chords_tones_with_slash_basses_lowest():
    prompts = parse_chord_list("C Am7, F/A | G7")
    assert [p.symbol for p in prompts] == ["C", "Am7", "F/A", "G7"]
    assert prompts[0] == ChordPrompt("C", (48, 52, 55))
    assert prompts[1].notes == (57, 60, 64, 67)
    assert prompts[2].notes == (57, 60, 65)  # A3 C4 F4: the slash bass lowest
    assert prompts[3].pitch_classes == (2, 5, 7, 11)
    assert parse_chord_list("C/D")[0].notes == (50, 60, 64, 67)  # a bass outside the chord


def test_a_bad_symbol_is_named():
    with pytest.raises(ChordSetError, match="'Hm7'"):
        parse_chord_list("C Hm7 G")
    with pytest.raises(ChordSetError, match="no chords"):
        parse_chord_list("  , ")


@pytest.mark.parametrize("name", CHORD_SETS)
def test_every_set_voices_its_symbols_in_range(name):
    prompts = chord_set(name)
    assert prompts
    for p in prompts:
        chord = Chord.parse(p.symbol)
        assert set(p.pitch_classes) == set(chord.pitch_classes()), p
        assert p.notes[0] % 12 == chord.bass.pitch_class, p  # the chord's bass is lowest
        assert min(p.notes) >= 48 and max(p.notes) <= 84, p
        assert list(p.notes) == sorted(set(p.notes))


def test_the_default_set_spreads_over_roots_qualities_and_inversions():
    prompts = chord_set("default")
    assert len(prompts) == 40 and len({p.symbol for p in prompts}) == 40
    roots = Counter(Chord.parse(p.symbol).root.pitch_class for p in prompts)
    assert len(roots) == 12 and max(roots.values()) - min(roots.values()) <= 1
    inverted = sum("/" in p.symbol for p in prompts)
    assert 20 <= inverted <= 30  # about two thirds in inversion
    assert chord_set("default", seed=1) != prompts
    assert chord_set("default", seed=0) == prompts
    assert len(chord_set("default", count=80)) == 80


def test_counts_draw_from_the_named_sets():
    assert len(chord_set("triads")) == 144 and len(chord_set("sevenths")) == 240
    few = chord_set("sevenths", count=10, seed=3)
    assert len(few) == len(set(few)) == 10 and set(few) <= set(chord_set("sevenths"))
    with pytest.raises(ChordSetError, match="unknown"):
        chord_set("jazz")
    with pytest.raises(ChordSetError, match="at least 1"):
        chord_set("triads", count=0)


def test_voice_rules():
    assert voice([0, 4, 7], 4) == (52, 55, 60)  # C/E: close first inversion
    assert voice([7, 11, 2, 5], 7) == (55, 59, 62, 65)
    with pytest.raises(ChordSetError):
        voice([], 0)

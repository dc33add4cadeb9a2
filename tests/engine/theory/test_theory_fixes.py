"""Where kord is wrong we are right (each test names kord's mistake), plus property tests:
bad text only ever raises ParseError, rendered chords parse back, arithmetic is consistent."""

from __future__ import annotations

import contextlib
import string

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from theory_expect import names

from kord_engine.theory import (
    Chord,
    Extension,
    Interval,
    Mode,
    Modifier,
    Note,
    ParseError,
    Scale,
    TheoryError,
    describe,
    guess,
    guess_pitch_classes,
    parse_notation,
)
from kord_engine.theory.pitch import LETTER_INDEX, PITCH_CLASS, PITCH_COUNT
from kord_engine.theory.tones import chord_intervals, place_slash

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- kord's bugs, fixed ---------------------------------------------------------------------
def test_minor_flat9_flat13_keeps_its_m():
    """kord: Em7b9b13 → "E7(♭9)(♭13)" (the suffix drops the minor)."""
    chord = Chord.parse("Em7b9b13")
    assert chord.name == "Em7(♭9)(♭13)"
    assert names(chord.notes()) == ["E4", "G4", "B4", "D5", "F5", "C6"]
    assert Chord.parse(chord.name) == chord


def test_dorian_flat2_has_a_minor_seventh():
    """kord: B dorian ♭2 = B C D E F♯ G♯ A♯ (a major 7th); melodic minor's 2nd mode has A."""
    mode = Mode.parse("B dorian b2")
    assert [n.pitch_name for n in mode.notes()] == ["B", "C", "D", "E", "F♯", "G♯", "A"]
    assert Mode.parse("B phrygian nat6") == mode


def test_sus2_sus4_keeps_the_fifth():
    """kord: Csus2sus4 = C D F (sus4 removes 'index 1', which is then the fifth)."""
    assert names(Chord.parse("Csus2sus4").notes()) == ["C4", "D4", "F4", "G4"]
    assert names(Chord.parse("C7sus2sus4").notes()) == ["C4", "D4", "F4", "G4", "B♭4"]


def test_c_flat_chord_octaves_follow_the_sound():
    """kord: Cb = C♭4 E♭5 G♭5 (pitch-class wrap rule); C♭4 sounds B3, so E♭4 G♭4 are above it."""
    notes = Chord.parse("Cb").notes()
    assert names(notes) == ["C♭4", "E♭4", "G♭4"]
    assert notes[0].frequency == Note.parse("B3").frequency
    assert [n.frequency for n in notes] == sorted(n.frequency for n in notes)
    assert [n.semitone - notes[0].semitone for n in notes] == [0, 4, 7]
    assert names(Chord.parse("Cb7").notes()) == ["C♭4", "E♭4", "G♭4", "B𝄫4"]


def test_b_sharp_root_stays_at_the_bottom():
    """kord: B# = D𝄪4 F𝄪4 B♯4 (root on top); B♯4 sounds C5, its 3rd is D𝄪5."""
    notes = Chord.parse("B#").notes()
    assert names(notes) == ["B♯4", "D𝄪5", "F𝄪5"]
    assert [n.semitone - notes[0].semitone for n in notes] == [0, 4, 7]


def test_c_flat_slash_does_not_crash():
    """kord panics (octave underflow) on Db/Cb; the C♭ bass sits just below the chord."""
    chord = Chord.parse("Db/Cb")
    assert names(chord.notes()) == ["C♭4", "D♭4", "F4", "A♭4"]
    assert chord.bass.frequency < chord.notes()[1].frequency
    assert names(Chord.parse("C/Cb").notes()) == ["C♭4", "C4", "E4", "G4"]


def test_dim9_name_shows_the_ninth():
    """kord names Cdim9 "Cdim" although it has a D5; the name must say so and parse back."""
    chord = Chord.parse("Cdim9")
    assert chord.name == "Cdim(add9)"
    assert names(Chord.parse(chord.name).notes()) == names(chord.notes())
    assert Chord.parse("Cmaj79").name == "Cmaj7(add9)"
    assert Chord.parse("Cdim7").name == "Cdim"


def test_half_diminished_ninth_is_deterministic():
    """kord names Cø9 "Cm7(♭5)" or "Cm9(♭5)" at random; one degree, the higher, here."""
    assert {Chord.parse("Cø9").name for _ in range(5)} == {"Cm9(♭5)"}
    assert Chord("C").nine().seven() == Chord("C").nine()


def test_kord_names_parse_back():
    """kord prints Cm(maj7), C+(maj7) and C𝄪 but its grammar refuses them; ours reads them."""
    for text in ("Cm(maj7)", "C+(maj7)", "C𝄪", "B𝄫7", "Cm(maj7)(♯5)"):
        assert Chord.parse(text).name == text


def test_extension_order_is_stable():
    assert Chord.parse("Cadd4add2").name == Chord.parse("Cadd2add4").name == "C(add2)(add4)"


# ---- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "position"),
    [("Cb5", 2), ("H7", 0), ("C@3/E", 3), ("", 0), ("C7)b9(", 2), ("Cmaj9", 2), ("c", 0)],
)
def test_bad_chord_names_the_position(text, position):
    with pytest.raises(ParseError) as exc:
        Chord.parse(text)
    assert exc.value.position == position
    assert f"position {position}" in str(exc.value)


def test_huge_input_is_a_parse_error():
    for text in ("C" * 10_000, "C" + " " * 10_000, "x" * 10_000, "C" + "1" * 10_000):
        with pytest.raises(ParseError):
            parse_notation(text)
    with pytest.raises(ParseError, match="octave"):
        Note.parse("C" + "1" * 10_000)  # not int()'s ValueError for a 10,000-digit number


def test_out_of_range_chord_is_a_parse_error():
    with pytest.raises(ParseError, match="out of range"):
        Chord.parse("B##(#13)")  # B𝄪 + augmented 13th needs a quadruple sharp


@FAST
@given(st.text(max_size=40))
def test_random_text_only_raises_parse_error(text):
    for parse in (Chord.parse, Note.parse, Scale.parse, Mode.parse, parse_notation, describe):
        with contextlib.suppress(ParseError):
            parse(text)


SYMBOL_ALPHABET = string.ascii_letters + "#b♯♭𝄪𝄫0123456789()/@^!+-ø " + "majdiusn"


@FAST
@given(st.text(alphabet=SYMBOL_ALPHABET, max_size=16))
def test_chord_like_text_only_raises_parse_error(text):
    try:
        chord = Chord.parse(text)
    except ParseError:
        return
    chord.format_verbose()
    chord.to_json()


# ---- round trips ----------------------------------------------------------------------------
chords = st.builds(
    lambda root, octave, mods, exts, slash, inversion, crunchy: (
        root, octave, mods, exts, slash, inversion, crunchy),
    st.integers(8, 40),
    st.integers(1, 6),
    st.lists(st.sampled_from(list(Modifier)), max_size=4),
    st.lists(st.sampled_from(list(Extension)), max_size=3),
    st.one_of(st.none(), st.integers(8, 40)),
    st.integers(0, 4),
    st.booleans(),
)  # fmt: skip


def _build(spec) -> Chord:
    root, octave, mods, exts, slash, inversion, crunchy = spec
    chord = Chord(Note(root, octave), modifiers=mods, extensions=exts, inversion=inversion,
                  crunchy=crunchy, slash=None if slash is None else Note(slash))  # fmt: skip
    try:
        chord.notes()
    except TheoryError:
        assume(False)
    return chord


@FAST
@given(chords)
def test_rendered_chords_parse_back(spec):
    chord = _build(spec)
    for text in (chord.precise_name, chord.name_ascii):
        again = Chord.parse(text)
        assert names(again.notes()) == names(chord.notes())
        assert again.precise_name == chord.precise_name


@FAST
@given(chords)
# C𝄫1 (B♭0) over A𝄪: octave 0 keeps the slash (B0) above the root; kord sorts it up
@example((8, 1, [], [], 39, 0, False))
def test_tones_match_kords_recipe_on_notes(spec):
    """tones.py's (fifths, semitones) pipeline equals kord's §7 steps done on Note objects."""
    chord = _build(spec)
    notes = [chord.root + iv for iv in chord_intervals(chord.modifiers, chord.extensions)]
    for _ in range(chord.inversion):
        note = notes.pop(0)
        while note < notes[-1]:
            note = note + Interval.PerfectOctave
        notes.append(note)
    if chord.crunchy:
        top = notes[0] + Interval.PerfectOctave
        lowered = []
        for note in notes:
            while note > top:
                note = note - Interval.PerfectOctave
            lowered.append(note)
        notes = lowered
    if chord.slash is not None:
        notes.insert(0, place_slash(chord.slash, notes[0]))
    notes.sort(key=lambda n: n.frequency)
    deduped = [n for i, n in enumerate(notes) if i == 0 or n != notes[i - 1]]
    assert names(chord.notes()) == names(deduped)


# ---- note arithmetic ------------------------------------------------------------------------
C_BOUNDARY = {"C♭", "C𝄫", "C♭𝄫", "D♭𝄫", "B♯", "B𝄪", "A♯𝄪", "B♯𝄪"}


def _kord_add(note: Note, interval: Interval) -> Note:
    """kord's own rule (§2): pitch-class wrap + C♭/B♯ special + the interval's octave add."""
    new = note.pitch + interval.fifths
    name = Note(new).pitch_name
    wrap = 1 if PITCH_CLASS[new] < PITCH_CLASS[note.pitch] else 0
    special = 0
    if new != note.pitch and name in {"C♭", "C𝄫", "C♭𝄫", "D♭𝄫"}:
        special = 1
    if new != note.pitch and name in {"B♯", "B𝄪", "B♯𝄪", "A♯𝄪"}:
        special = -1
    return Note(new, note.octave + wrap + special + interval.kord_octave)


def test_letter_rule_agrees_with_kord_away_from_the_c_boundary():
    """Our octave rule counts letters; kord's compares pitch classes.  They agree for every
    spelling except those whose written octave is not their sounding one (C♭ …, B♯ …),
    where kord's is the one that is off by an octave."""
    differences = set()
    for pitch in range(PITCH_COUNT):
        note = Note(pitch, 4)
        for interval in Interval:
            try:
                ours = note + interval
            except TheoryError:
                continue
            assert ours.semitone - note.semitone == interval.semitones
            assert LETTER_INDEX[ours.pitch] == (LETTER_INDEX[pitch] + interval.steps) % 7
            assert ours - interval == note
            if ours != _kord_add(note, interval):
                differences.add(note.pitch_name)
    assert differences and differences <= C_BOUNDARY


def test_notes_sort_by_frequency_and_compare_by_spelling():
    a, b = Note.parse("C#4"), Note.parse("Db4")
    assert a != b and not a < b and not b < a
    assert sorted([Note.parse("B#4"), Note.parse("C5"), Note.parse("B4")]) == [
        Note.parse("B4"), Note.parse("B#4"), Note.parse("C5")]  # fmt: skip
    assert Note.parse("C15").name == "C15"
    with pytest.raises(ParseError):
        Note.parse("C16")
    assert Note.parse("C𝄪4") == Note.parse("C##4")


# ---- guessing -------------------------------------------------------------------------------
@FAST
@given(chords)
def test_every_guess_sounds_the_input(spec):
    chord = _build(spec)
    notes = chord.notes()
    assume(len(notes) >= 3)
    sounding = sorted(n.semitone for n in notes)
    for candidate in guess(notes):
        assert [n.semitone for n in candidate.notes()] == sounding


def test_guess_finds_simple_chords_from_their_tones():
    for text in ("C", "Dm7", "G7b9", "F#m7b5", "Bbmaj7", "Ab+7", "Edim", "Csus4", "C9"):
        first = guess(Chord.parse(text).notes())[0]
        assert first.precise_name == Chord.parse(text).name


def test_guess_pitch_classes():
    assert guess_pitch_classes([0, 4]) == []
    assert guess_pitch_classes([]) == []
    assert guess_pitch_classes(["x", None]) == []
    plain = guess_pitch_classes([0, 4, 7])
    assert plain[0].name == "C"
    with_bass = guess_pitch_classes([0, 4, 7], bass=4)
    assert with_bass[0].notes()[0].pitch_class == 4
    assert {n.pitch_class for n in with_bass[0].notes()} == {0, 4, 7}
    assert len(guess_pitch_classes([0, 2, 4, 5, 7, 9, 11], limit=3)) <= 3
    assert guess_pitch_classes([0, 4, 7, 10], bass=2)[0].notes()[0].pitch_class == 2


def test_json_keys_are_stable():
    data = Chord.parse("C/E").to_json()
    assert list(data) == ["name", "precise_name", "description", "notes", "pitch_classes",
                          "bass", "scale", "recommended"]  # fmt: skip
    assert data["bass"] == 4 and data["pitch_classes"] == [0, 4, 7]
    assert data["recommended"][0] == {
        "rank": 1, "name": "ionian", "kind": "mode",
        "reason": Chord.parse("C").scale_candidates()[0].reason,
        "notes": ["C4", "D4", "E4", "F4", "G4", "A4", "B4"],
        "description": "ionian, 1st mode of major scale, major scale",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("pcs", "bass", "first"),
    [
        ((0, 4, 7), 4, "C/E"),  # kord's key ranks Em(♯5) first: nobody calls E-G-C that
        ((0, 4, 7), 7, "C/G"),
        ((0, 4, 7), 0, "C"),
        ((9, 0, 4, 7), 9, "Am7"),  # a chord over its own root beats a foreign-bass slash
        ((2, 5, 9, 0), 2, "Dm7"),
        ((7, 11, 2, 5), 7, "G7"),
        ((0, 3, 7), 3, "Cm/E♭"),
        ((11, 2, 5, 9), 11, "Bm7(♭5)"),
    ],
)
def test_guess_pitch_classes_names_what_a_musician_hears_over_the_bass(pcs, bass, first):
    chords = guess_pitch_classes(pcs, bass=bass)
    assert chords[0].name == first
    assert all(c.notes()[0].pitch_class == bass for c in chords)

"""kord_vectors.json `describe`, `notation`, `kinds`, `scale_candidates` and the describe
entries of `observed`: notes, names, descriptions and kord's exact CLI text."""

from __future__ import annotations

import pytest
from theory_expect import apply_ops, names

from kord_engine.theory import (
    Chord,
    Mode,
    ModeKind,
    ParseError,
    Scale,
    ScaleKind,
    describe,
    parse_notation,
)
from kord_engine.theory.kinds import ModeKind as MK

# kord gives dorian ♭2 (2nd mode of melodic minor) a major 7th; it is a minor 7th.
DORIAN_FLAT2_FIX = {"A♯5": "A5", "A♯": "A"}


def _fix_dorian_flat2(value):
    if isinstance(value, list):
        return [DORIAN_FLAT2_FIX.get(v, v) for v in value]
    return value.replace("F♯, G♯, A♯", "F♯, G♯, A")


def _parse(entry: dict):
    if "builder_root" in entry:
        return apply_ops(entry["builder_root"], entry["builder_ops"])
    text = entry.get("input") or entry.get("symbol")
    if text is None:  # constructed directly: Scale(root, kind) / Mode(root, kind)
        if "scale_kind" in entry:
            return Scale(entry["root"], ScaleKind[entry["scale_kind"]])
        return Mode(entry["root"], ModeKind[entry["mode_kind"]])
    return parse_notation(text, entry.get("type_flag"))


def _check_root_and_kind(value, e) -> None:
    """The vector's root / scale_kind / mode_kind facts, where it states them."""
    if "root" in e:
        assert value.root.name == e["root"]
    if "scale_kind" in e:
        assert value.kind is ScaleKind[e["scale_kind"]]
    if "mode_kind" in e:
        assert value.kind is ModeKind[e["mode_kind"]]


def test_describe_vector(v_describe):
    e = v_describe
    value = _parse(e)
    is_dorian_flat2 = getattr(value, "kind", None) is MK.DorianFlat2
    fix = _fix_dorian_flat2 if is_dorian_flat2 else (lambda v: v)
    if "kind" in e:
        assert isinstance(value, {"chord": Chord, "scale": Scale, "mode": Mode}[e["kind"]])
    _check_root_and_kind(value, e)
    if "name" in e:
        assert value.name == e["name"]
    if "static_name" in e:
        assert value.kind.static_name == e["static_name"]
    if "notes" in e:
        assert names(value.notes()) == fix(e["notes"])
    if "note_count" in e:
        assert len(value.notes()) == e["note_count"]
    if "note_at" in e:
        for index, name in e["note_at"].items():
            assert value.notes()[int(index)].name == name
    if "letters" in e:
        for index, letter in e["letters"].items():
            assert value.notes()[int(index)].pitch.letter == letter
    if e.get("spelling_rule") == "unique_letters":
        letters = [n.pitch.letter for n in value.notes()]
        assert len(set(letters)) == len(letters)
    if "display_exact" in e:
        assert value.display() == e["display_exact"]
    contains = e.get("display_contains", [])
    for text in [contains] if isinstance(contains, str) else contains:
        assert text in value.display()
    for text in e.get("verbose_contains", []):
        assert text in value.format_verbose()
    if "name_contains" in e:
        assert e["name_contains"] in value.name
    if e.get("description_nonempty"):
        assert value.description
    if "equivalent_input" in e:
        assert value == Chord.parse(e["equivalent_input"])
    observed = e.get("observed_head")
    if observed:
        assert value.name == observed["name"]
        assert value.description == observed["description"]
        assert names(value.notes()) == fix(observed["notes"])
        if "cli_output" in observed:
            text = e.get("input") or e.get("symbol")
            assert describe(text, e.get("type_flag")) == fix(observed["cli_output"])


def test_observed_describe(v_observed__describe):
    e = v_observed__describe
    if e.get("error"):
        with pytest.raises(ParseError) as exc:
            parse_notation(e["input"], e.get("type_flag"))
        kord = e["error_text"]
        if "-->" in kord:
            column = int(kord.split("-->")[1].split("\n")[0].split(":")[1])
            assert exc.value.position == column - 1
        else:
            assert str(exc.value) == kord
        return
    value = parse_notation(e["input"], e.get("type_flag"))
    assert value.name == e["name"]
    assert value.description == e["description"]
    assert names(value.notes()) == e["notes"]
    assert type(value).__name__.lower() == e["kind"]
    if "cli_output" in e:
        assert describe(e["input"]) == e["cli_output"]


def test_notation_vector(v_notation):
    e = v_notation
    value = parse_notation(e["input"])
    assert type(value).__name__.lower() == e["kind"]
    _check_root_and_kind(value, e)
    if "note_count" in e:
        assert len(value.notes()) == e["note_count"]
    if "first_note" in e:
        assert value.notes()[0].name == e["first_note"]
    if "interval_count" in e:
        assert len(value.known_chord.intervals) == e["interval_count"]
    if "name" in e:
        assert value.name == e["name"]
    if "name_contains" in e:
        assert e["name_contains"] in value.name
    if "display_contains" in e:
        assert e["display_contains"] in value.display()


def test_kind_vector(v_kinds):
    e = v_kinds
    kind = ScaleKind[e["scale_kind"]] if "scale_kind" in e else ModeKind[e["mode_kind"]]
    if "interval_count" in e:
        assert len(kind.intervals) == e["interval_count"]
    if "static_name" in e:
        assert kind.static_name == e["static_name"]
    if "description" in e:
        assert kind.description == e["description"]
    if "parent_scale" in e:
        assert kind.parent_scale is ScaleKind[e["parent_scale"]]
    if "parent_degree" in e:
        assert kind.parent_degree == e["parent_degree"]
    if "intervals" in e:
        assert [iv.name for iv in kind.intervals] == e["intervals"]


def test_scale_candidate_vector(v_scale_candidates):
    e = v_scale_candidates
    if e.get("known_chord") == "*":
        for symbol in ("C", "Cm", "Cmaj7", "C7", "Cmmaj7", "Cm7", "C7#11", "C+", "C+maj7",
                       "C+7", "Cm7b5", "Cdim", "C7b9", "C7#9", "C7#5b9", "Cm7b13", "Cm7b9b13",
                       "C(#11)"):  # fmt: skip
            candidates = Chord.parse(symbol).scale_candidates()
            assert [c.rank for c in candidates] == list(range(1, len(candidates) + 1))
            assert all(c.reason for c in candidates)
        return
    chord = Chord.parse(e.get("example_input") or e["input"])
    candidates = chord.scale_candidates()
    if "known_chord" in e:
        assert chord.known_chord.label == e["known_chord"]
    if "count" in e:
        assert len(candidates) == e["count"]
    if "min_count" in e:
        assert len(candidates) >= e["min_count"]
    for rank, kind in e.get("rank_kinds", {}).items():
        candidate = candidates[int(rank) - 1]
        type_name, kind_name = kind.split(":")
        assert candidate.type_name == type_name and candidate.kind.name == kind_name


def test_reference_candidates_verbatim(vectors):
    reference = vectors["reference"]["scale_candidates_by_known_chord"]
    symbol = {"Major": "C", "Minor": "Cm", "Major7": "Cmaj7", "Dominant": "C7",
              "MinorMajor7": "Cmmaj7", "MinorDominant": "Cm7", "DominantSharp11": "C7#11",
              "Augmented": "C+", "AugmentedMajor7": "C+maj7", "AugmentedDominant": "C+7",
              "HalfDiminished": "Cm7b5", "Diminished": "Cdim", "DominantFlat9": "C7b9",
              "DominantSharp9": "C7#9", "AugmentedDominantFlat9": "C7#5b9",
              "MinorDominantFlat13": "Cm7b13", "MinorDominantFlat9Flat13": "Cm7b9b13",
              "Sharp11": "C(#11)"}  # fmt: skip
    assert set(symbol) == set(reference)
    for known, entries in reference.items():
        chord = Chord.parse(symbol[known])
        assert chord.known_chord.kind.name == known
        got = [(c.rank, c.type_name, c.kind.name, c.reason) for c in chord.scale_candidates()]
        assert got == [(x["rank"], x["type"], x["kind"], x["reason"]) for x in entries]

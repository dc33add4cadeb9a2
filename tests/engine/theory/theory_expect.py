"""Shared helpers for the theory tests: applying kord builder ops, and where kord was wrong.

KORD_BUGS maps an input to the fields where our answer deliberately differs from what kord
printed (`observed_head`), with the reason.  Every other observed field must match exactly.
"""

from __future__ import annotations

import re

from kord_engine.theory import Chord, Note

SCALE_Cb = ["C♭4", "D♭4", "E♭4", "F♭4", "G♭4", "A♭4", "B♭4"]
SCALE_Bs = ["B♯4", "C𝄪5", "D𝄪5", "E♯5", "F𝄪5", "G𝄪5", "A𝄪5"]

KORD_BUGS: dict[str, tuple[dict, str]] = {
    "Em7b9b13": (
        {"name": "Em7(♭9)(♭13)", "precise_name": "Em7(♭9)(♭13)"},
        "kord's MinorDominantFlat9Flat13 suffix drops the 'm' (E7(♭9)(♭13) has a G, not G♯)",
    ),
    "Cm11b9b13": (
        {"name": "Cm11(♭9)(♭13)", "precise_name": "Cm11(♭9)(♭13)"},
        "kord's MinorDominantFlat9Flat13 suffix drops the 'm'",
    ),
    "Cb": (
        {"notes": ["C♭4", "E♭4", "G♭4"], "scale": SCALE_Cb},
        "kord's octave rule uses pitch classes, so C♭4 (= B3) got E♭5/G♭5 an octave too high",
    ),
    "B#": (
        {"notes": ["B♯4", "D𝄪5", "F𝄪5"], "scale": SCALE_Bs},
        "kord puts the 3rd and 5th of B♯4 (= C5) in octave 4, below the root",
    ),
    "Cdim9": (
        {"name": "Cdim(add9)", "precise_name": "Cdim(add9)"},
        "kord renders 'Cdim' and hides the 9th; the name must say D5 is there (and parse back)",
    ),
    "Csus2sus4": (
        {"notes": ["C4", "D4", "F4", "G4"]},
        "kord's sus4 removes 'index 1', which after sus2 is the 5th: C D F has no fifth",
    ),
}

_CALL = re.compile(r"(\w+)\((.*)\)$")


def apply_ops(root: str, ops: list[str]) -> Chord:
    """Run kord builder ops like "seven", "with_octave(6)", "with_slash(D4)" on Chord(root)."""
    chord = Chord(Note.parse(root))
    for op in ops:
        call = _CALL.match(op)
        if call is None:
            chord = getattr(chord, op)()
            continue
        name, arg = call.groups()
        if name == "with_slash":
            value: object = Note.parse(arg)
        elif arg in ("true", "false"):
            value = arg == "true"
        else:
            value = int(arg)
        chord = getattr(chord, name)(value)
    return chord


def names(notes) -> list[str]:
    return [n.name for n in notes]


def chord_facts(chord: Chord) -> dict:
    return {
        "name": chord.name,
        "precise_name": chord.precise_name,
        "known_chord": chord.known_chord.label,
        "description": chord.description,
        "notes": names(chord.notes()),
        "scale": names(chord.scale()),
    }


def expected_chord_facts(text: str, observed: dict) -> dict:
    """kord's observed facts with our deliberate corrections applied."""
    expected = {k: v for k, v in observed.items() if k in chord_facts_keys}
    fix = KORD_BUGS.get(text)
    if fix is not None:
        expected.update(fix[0])
    return expected


chord_facts_keys = ("name", "precise_name", "known_chord", "description", "notes", "scale")

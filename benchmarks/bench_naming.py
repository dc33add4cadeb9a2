"""Chord naming benchmark: the share of the lead-sheet table named exactly as the table says.

    .venv/bin/python benchmarks/bench_naming.py [--by-type] [--misses N]

The table (tests/engine/theory/leadsheet_table.py) holds voiced chords written from music
theory, with the name a musician writes.  Three namers get the same spelled notes:

* ours: kord_engine.theory.lead_sheet_name(notes), the lowest note being the bass;
* kord: the first candidate of kord's guess (kord_engine.theory.guess, kord's try_from_notes)
  on the same notes, its `name` (kord prints no inversion slash: G/D comes out as "G");
  and, second row, kord's pitch-class search over the bass (guess_pitch_classes(pcs, bass),
  what `kord guess` falls back to for a voicing its exact search cannot name);
* pychord (`pip install pychord`, in the dev extra): the first of find_chords_from_notes on
  the pitch names in voicing order (doubled pitch classes dropped), or, where that finds
  nothing, on the close position above the bass (pychord stacks the names it is given, so
  C G E reads as a 10th); skipped with a note when pychord is not installed.

Names are compared modulo trivial symbol equivalences (see `canonical`): ASCII b/# = ♭/♯;
parentheses and commas are dropped (C7(♭9) = C7♭9, Cm(add9) = Cmadd9); maj = M = Δ
(Cmaj7 = CM7); ø7 = m7♭5 = m7-5; ° = dim = o; °7 = dim7 = o7; + = aug; 7♯5 = +7 = aug7;
m(maj7) = mM7 = mmaj7; 6/9 = 69; sus = sus4; -5/+5, -9/+9, +11, -13 = ♭5/♯5, ♭9/♯9, ♯11, ♭13.
Root and bass spellings must match (C♯ is not D♭).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLE_PATH = ROOT / "tests" / "engine" / "theory" / "leadsheet_table.py"

_NAME = re.compile(r"^([A-G])([#b]*)(.*?)(?:/([A-G][#b]*))?$")
_SUFFIX_RULES = [
    (r"^(maj|M|Δ)$", ""),
    (r"^(min|-)(?=$|\d|add|maj|M)", "m"),
    (r"^m7(-5|b5)", "ø7"),
    (r"^ø$", "ø7"),
    (r"^m(M|maj|Δ)", "mmaj"),
    (r"^(M|Δ)(?=\d)", "maj"),
    (r"^(dim7|o7)", "°7"),
    (r"^(dim|o)(?!\d)", "°"),
    (r"^(\+7|aug7|7\+5|7#5)", "7#5"),
    (r"^aug", "+"),
    (r"^(m?)69", r"\g<1>6/9"),
    (r"sus(?!\d)", "sus4"),
    (r"-(5|9|13)", r"b\1"),
    (r"\+(5|9|11)", r"#\1"),
    (r"^alt$", "7alt"),
]


def canonical(name: str | None) -> tuple[str, str, str] | None:
    """(root, suffix, bass) with the equivalences above applied; None for no name."""
    if not name:
        return None
    text = name.strip()
    for a, b in (("♭", "b"), ("♯", "#"), ("𝄫", "bb"), ("𝄪", "##")):
        text = text.replace(a, b)
    text = text.replace("(", "").replace(")", "").replace(",", "")
    match = _NAME.match(text)
    if not match:
        return (text, "", "")
    root = match.group(1) + match.group(2)
    suffix = match.group(3)
    for pattern, replacement in _SUFFIX_RULES:
        suffix = re.sub(pattern, replacement, suffix)
    return root, suffix, match.group(4) or ""


def load_table() -> list[tuple[str, str, str]]:
    spec = importlib.util.spec_from_file_location("leadsheet_table", TABLE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.TABLE)


def ours(notes: list[str]) -> str | None:
    from kord_engine.theory import lead_sheet_name

    return lead_sheet_name(notes)


def kord(notes: list[str]) -> str | None:
    from kord_engine.errors import KordError
    from kord_engine.theory import guess

    try:
        chords = guess(notes)
    except KordError:
        return None
    return chords[0].name if chords else None


def kord_pitch_classes(notes: list[str]) -> str | None:
    from kord_engine.theory import Note, guess_pitch_classes

    parsed = [Note.parse(n) for n in notes]
    bass = min(parsed, key=lambda n: n.semitone).pitch_class
    chords = guess_pitch_classes([n.pitch_class for n in parsed], bass=bass, limit=1)
    return chords[0].name if chords else None


def _pychord():
    try:
        from pychord import find_chords_from_notes
    except ImportError:
        return None

    def name(notes: list[str]) -> str | None:
        from kord_engine.theory import Note

        parsed, seen = [], set()
        for text in notes:
            note = Note.parse(text)
            if note.pitch_class not in seen:
                seen.add(note.pitch_class)
                parsed.append(note)
        bass = parsed[0].pitch_class
        close = parsed[:1] + sorted(parsed[1:], key=lambda n: (n.pitch_class - bass) % 12)
        for order in (parsed, close):
            names = [n.pitch_name.replace("♭", "b").replace("♯", "#")
                     .replace("𝄫", "bb").replace("𝄪", "##") for n in order]  # fmt: skip
            try:
                chords = find_chords_from_notes(names)
            except Exception:  # pychord raises ValueError and friends on odd input
                continue
            if chords:
                return chords[0].chord
        return None

    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--by-type", action="store_true", help="scores by chord type")
    parser.add_argument("--misses", type=int, default=0, metavar="N", help="show N misses each")
    args = parser.parse_args(argv)

    table = load_table()
    namers = {
        "lead-sheet (ours)": ours,
        "kord guess (1st)": kord,
        "kord pcs+bass (1st)": kord_pitch_classes,
    }
    pychord = _pychord()
    if pychord is None:
        print("pychord is not installed (pip install pychord): skipped")
    else:
        namers["pychord (1st)"] = pychord
    print(f"naming benchmark: {len(table)} voicings from {TABLE_PATH.relative_to(ROOT)}")
    for label, namer in namers.items():
        right = 0
        by_type: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
        misses = []
        start = time.perf_counter()
        for notes, expected, what in table:
            got = namer(notes.split())
            ok = canonical(got) == canonical(expected)
            right += ok
            kind = what.rsplit(" ", 1)[0]
            by_type[kind][0] += ok
            by_type[kind][1] += 1
            if not ok:
                misses.append((notes, expected, got))
        seconds = time.perf_counter() - start
        share = 100.0 * right / len(table)
        per = 1e6 * seconds / len(table)
        print(f"  {label:20} {right:5d}/{len(table)} = {share:5.1f} %   ({per:.0f} µs a voicing)")
        if args.by_type:
            for kind, (ok, n) in by_type.items():
                print(f"      {kind:12} {ok:4d}/{n:<4d} {100.0 * ok / n:5.1f} %")
        for notes, expected, got in misses[: args.misses]:
            print(f"      miss: {notes:30} table {expected:12} got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

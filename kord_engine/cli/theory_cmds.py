"""`kord describe` and `kord guess`: print kord's verbose theory text (or JSON).

`--names lead-sheet|kord` picks the chord names: kord's exact strings (the default here, so
diffs against kord keep working) or lead-sheet symbols (kord_engine.theory.leadsheet).
`kord guess` takes note names (C, F#4, Bb3) or pitch classes (0..11):

* every note with an octave (E3 C4 G4): a voicing, the lowest note is the bass; where kord's
  exact-voicing search finds nothing, kord style falls back to its pitch-class search over
  that bass (so `kord guess E3 C4 G4` prints C/E rather than nothing);
* otherwise: kord style keeps kord's reading (every note at octave 4); lead-sheet style reads
  pitch classes listed from the bass up (the first one given is the bass).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time

from kord_engine.errors import ParseError

log = logging.getLogger(__name__)

NAMES_CHOICES = ("lead-sheet", "kord")
#: how many lead-sheet candidates `kord guess --names lead-sheet` prints
GUESS_LIMIT = 8


def add_names_option(parser: argparse.ArgumentParser, default: str) -> None:
    """Add `--names lead-sheet|kord` (stored as args.names) to a command's parser."""
    parser.add_argument(
        "--names",
        choices=NAMES_CHOICES,
        default=default,
        help=f"chord names: lead-sheet symbols (C/E, Cø7, G+) or kord's exact strings "
        f"(default: {default})",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `describe` and `guess` to the `kord` parser."""
    describe = subparsers.add_parser(
        "describe",
        help="describe a chord, scale or mode (e.g. Cm7b5, 'D dorian', 'A harmonic minor')",
        description="Print a chord's, scale's or mode's notes, description and recommended scales.",
    )
    describe.add_argument("symbol", metavar="TEXT", help="chord symbol, scale or mode")
    describe.add_argument(
        "-t",
        "--type",
        dest="notation_type",
        metavar="TYPE",
        help="force the notation type: chord, scale or mode (default: scale, mode, then chord)",
    )
    describe.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_names_option(describe, "kord")
    describe.set_defaults(func=run_describe)

    guess = subparsers.add_parser(
        "guess",
        help="name the chords a set of notes could be (e.g. C E G Bb, E3 C4 G4, 4 0 7)",
        description="Print every chord whose tones sound exactly these notes, simplest first. "
        "Notes with octaves are a voicing (the lowest is the bass); without octaves, or as "
        "pitch classes 0..11, lead-sheet names read them from the bass up.",
    )
    guess.add_argument(
        "notes", nargs="*", metavar="NOTE", help="notes like C, F#4, Bb3 or pitch classes 0..11"
    )
    guess.add_argument("--json", action="store_true", help="print a JSON list of chords")
    add_names_option(guess, "kord")
    guess.set_defaults(func=run_guess)


def run_describe(args: argparse.Namespace) -> int:
    from kord_engine.theory import Chord, describe, describe_json, parse_notation
    from kord_engine.theory.leadsheet import format_chord_block, lead_sheet_name_of_chord

    if getattr(args, "names", "kord") == "lead-sheet":
        parsed = parse_notation(args.symbol, args.notation_type)
        if isinstance(parsed, Chord):
            if args.json:
                data = parsed.to_json()
                data = {"name": lead_sheet_name_of_chord(parsed), "kord_name": data["name"],
                        **{k: v for k, v in data.items() if k != "name"}}  # fmt: skip
                _print_json(data)
            else:
                sys.stdout.write(format_chord_block(parsed, "lead-sheet") + "\n")
            return 0
    if args.json:
        _print_json(describe_json(args.symbol, args.notation_type))
    else:
        sys.stdout.write(describe(args.symbol, args.notation_type))
    return 0


_PITCH_CLASS = re.compile(r"^\s*\d+\s*$")
_HAS_OCTAVE = re.compile(r"\d\s*$")


def _guess_tokens(texts: list[str]) -> tuple[list, bool]:
    """Notes (Note) and pitch classes (int) in the order given; True if all notes had octaves."""
    from kord_engine.theory import Note

    out: list = []
    voiced = bool(texts)
    for text in texts:
        if _PITCH_CLASS.match(text):
            pc = int(text)
            if not 0 <= pc <= 11:
                raise ParseError(f"pitch class {pc} is not 0..11", text, 0)
            out.append(pc)
            voiced = False
        else:
            out.append(Note.parse(text.strip()))
            voiced = voiced and bool(_HAS_OCTAVE.search(text))
    return out, voiced


def run_guess(args: argparse.Namespace) -> int:
    tokens, voiced = _guess_tokens(args.notes)
    if getattr(args, "names", "kord") == "lead-sheet":
        return _guess_lead_sheet(args, tokens, voiced)
    return _guess_kord(args, tokens, voiced)


def _guess_lead_sheet(args: argparse.Namespace, tokens: list, voiced: bool) -> int:
    from kord_engine.theory.leadsheet import lead_sheet_chords

    if not tokens:
        raise ParseError("Must have at least one note to name a chord.")
    if voiced:
        chords = lead_sheet_chords(tokens, limit=GUESS_LIMIT)
    else:  # pitch classes, from the bass up
        notes = [t for t in tokens if not isinstance(t, int)]
        pcs = [t for t in tokens if isinstance(t, int)]
        chords = lead_sheet_chords(notes, pcs, bass=tokens[0], limit=GUESS_LIMIT)
    if args.json:
        _print_json([chord.to_json() for chord in chords])
        return 0
    for chord in chords:
        sys.stdout.write(f"{chord.name}\n   {chord.description}\n   {', '.join(chord.tones)}\n\n")
    return 0


def _guess_kord(args: argparse.Namespace, tokens: list, voiced: bool) -> int:
    from kord_engine.theory import Note, guess, guess_pitch_classes
    from kord_engine.theory.guess import TOO_FEW_NOTES

    if len(tokens) < 3:
        raise ParseError(TOO_FEW_NOTES)
    notes = [Note.from_pitch_class(t) if isinstance(t, int) else t for t in tokens]
    start = time.perf_counter()
    chords = guess(notes)
    if not chords and voiced:
        # kord's search wants its own voicings; name the pitch classes over the real bass
        bass = min(notes, key=lambda n: n.semitone).pitch_class
        chords = guess_pitch_classes([n.pitch_class for n in notes], bass=bass, limit=None)
    log.debug("%d candidates in %.1f ms", len(chords), (time.perf_counter() - start) * 1000)
    if args.json:
        _print_json([chord.to_json() for chord in chords])
        return 0
    if not chords:
        if not getattr(args, "quiet", False):
            print("No chord candidates found", file=sys.stderr)
        return 0
    for chord in chords:
        sys.stdout.write(chord.format_verbose() + "\n")
    return 0


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

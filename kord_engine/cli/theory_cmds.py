"""`kord describe` and `kord guess`: print kord's verbose theory text (or JSON)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from kord_engine.errors import ParseError

log = logging.getLogger(__name__)


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
    describe.set_defaults(func=run_describe)

    guess = subparsers.add_parser(
        "guess",
        help="name the chords a set of notes could be (e.g. C E G Bb)",
        description="Print every chord whose tones sound exactly these notes, simplest first.",
    )
    guess.add_argument("notes", nargs="*", metavar="NOTE", help="notes like C, F#4, Bb3")
    guess.add_argument("--json", action="store_true", help="print a JSON list of chords")
    guess.set_defaults(func=run_guess)


def run_describe(args: argparse.Namespace) -> int:
    from kord_engine.theory import describe, describe_json

    if args.json:
        _print_json(describe_json(args.symbol, args.notation_type))
    else:
        sys.stdout.write(describe(args.symbol, args.notation_type))
    return 0


def run_guess(args: argparse.Namespace) -> int:
    from kord_engine.theory import guess
    from kord_engine.theory.guess import TOO_FEW_NOTES

    if len(args.notes) < 3:
        raise ParseError(TOO_FEW_NOTES)
    start = time.perf_counter()
    chords = guess(args.notes)
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

"""`kord` command line: argument parsing and printing only; the work is engine calls.

Each command group lives in its own module with `register(subparsers)`; handlers take the
parsed args and return an exit code. Every `KordError` becomes a one-line message and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from kord_engine import __version__
from kord_engine.errors import KordError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message (its default, kept explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"kord: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from kord_engine.cli import audio_cmds, ml_cmds, synth_cmds, theory_cmds

    parser = _Parser(
        prog="kord",
        description="Kord: music theory, chord detection and synthesis from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"kord {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only results")
    noise.add_argument("-v", "--verbose", action="store_true", help="print debug information")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (theory_cmds, synth_cmds, audio_cmds, ml_cmds):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kord` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "func", None)
    if handler is None:
        parser.print_usage(sys.stderr)
        print("kord: error: no command given", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return int(handler(args) or 0)
    except KordError as exc:
        print(f"kord: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

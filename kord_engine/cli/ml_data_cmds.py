"""`kord ml process` and `kord ml gather`: parsing and printing; the work is in kord_engine.ml."""

from __future__ import annotations

import argparse
import sys


def register_data_commands(ml_sub: argparse._SubParsersAction) -> None:
    """Add `process` and `gather` under `kord ml` (called by ml_cmds.register)."""
    p = ml_sub.add_parser(
        "process",
        help="turn a MIDI file and its audio (WAV/FLAC) into labelled .bin samples per measure",
    )
    p.add_argument("--midi", required=True, help="the MIDI file")
    p.add_argument("--audio", required=True, help="its audio rendering/recording (WAV or FLAC)")
    p.add_argument("-d", "--destination", default=".hidden/samples", help="output folder")
    p.add_argument(
        "--min-fraction",
        type=float,
        default=0.2,
        help="share of the measure a note must sound (0..1)",
    )
    p.add_argument("--min-notes", type=int, default=1)
    p.add_argument("--max-notes", type=int, default=20)
    p.add_argument("--min-duration", type=float, default=1.0, help="skip shorter measures (s)")
    p.add_argument("--limit", type=int, default=None, help="at most this many measures")
    p.add_argument(
        "--window",
        type=float,
        default=None,
        metavar="SECONDS",
        help="also cut windows of this length inside each measure (e.g. 0.5)",
    )
    p.add_argument("--window-hop", type=float, default=None, metavar="SECONDS")
    p.add_argument("--skip-rests", action="store_true", help="do not write empty (rest) samples")
    p.set_defaults(func=_process)

    g = ml_sub.add_parser(
        "gather", help="record from the microphone, type the notes played, save a .bin sample"
    )
    g.add_argument("-d", "--destination", default=".hidden/samples", help="output folder")
    g.add_argument("-l", "--length", type=int, default=10, help="seconds to record (1..255)")
    g.add_argument("--device", default=None, help="input device (index or name)")
    g.add_argument("--sample-rate", type=int, default=None)
    g.set_defaults(func=_gather)


def _process(args: argparse.Namespace) -> int:
    from kord_engine.ml.process import ProcessOptions, process_midi_audio

    options = ProcessOptions(
        min_fraction=args.min_fraction,
        min_notes=args.min_notes,
        max_notes=args.max_notes,
        min_duration=args.min_duration,
        limit=args.limit,
        window=args.window,
        window_hop=args.window_hop,
        skip_rests=args.skip_rests,
    )
    bar = None
    if not getattr(args, "quiet", False):
        try:
            from tqdm import tqdm
        except ImportError:  # tqdm comes with the train extra; no bar without it
            tqdm = None
        if tqdm is not None:
            bar = tqdm(desc="measures", unit="measure", file=sys.stderr, leave=False)

    def advance(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        result = process_midi_audio(args.midi, args.audio, args.destination, options, advance)
    finally:
        if bar is not None:
            bar.close()
    print(
        f"wrote {len(result.measures)} measure samples and {len(result.windows)} window samples "
        f"to {args.destination}; skipped {len(result.skipped)} measures"
    )
    return 0


def _gather(args: argparse.Namespace) -> int:
    from kord_engine.ml.gather import gather

    gather(args.destination, args.length, args.device, args.sample_rate)
    return 0

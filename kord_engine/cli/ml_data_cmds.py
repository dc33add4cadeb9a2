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
        "gather",
        help="record from the microphone and save labelled .bin samples (one, or chord by chord)",
        description="Without --chords/--chord-set: record LENGTH s, type the notes, save one "
        "sample (kord's gather). With them: prompt chord by chord (the suggested voicing is "
        "shown; Enter accepts it, or type the notes that sounded), cut each chord after its "
        "onset and save it as a take (WAV + JSON label + .bin) of --instrument in the user's "
        "recordings folder, or in --destination.",
    )
    g.add_argument(
        "-d",
        "--destination",
        default=None,
        help="output folder (default: .hidden/samples; with --chords: the instrument's "
        "folder in the user's recordings)",
    )
    g.add_argument(
        "-l",
        "--length",
        type=float,
        default=None,
        help="seconds to record (1..255; default 10, with --chords 3 per chord)",
    )
    g.add_argument("--device", default=None, help="input device (index or name)")
    g.add_argument("--sample-rate", type=int, default=None)
    chords = g.add_mutually_exclusive_group()
    chords.add_argument("--chords", default=None, help='chords to record, e.g. "C Am7 F/A G7"')
    chords.add_argument(
        "--chord-set", default=None, help="a named set: default (40 chords), triads, sevenths"
    )
    g.add_argument("--count", type=int, default=None, help="chords of --chord-set to record")
    g.add_argument("--seed", type=int, default=0, help="which chords of --chord-set (seeded)")
    g.add_argument("--instrument", default="my instrument", help="the instrument's name")
    g.add_argument(
        "--take-seconds", type=float, default=1.5, help="seconds kept after each onset (1.5)"
    )
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
    if not getattr(args, "quiet", False) and sys.stderr.isatty():  # no bar in logs and pipes
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
    if args.chords is None and args.chord_set is None:
        from kord_engine.ml.gather import DEFAULT_DESTINATION, gather

        length = 10 if args.length is None else args.length
        if float(length) != int(length):
            from kord_engine.ml.gather import GatherError

            raise GatherError(f"length must be whole seconds (1..255), got {length}")
        gather(args.destination or DEFAULT_DESTINATION, int(length), args.device, args.sample_rate)
        return 0
    return _gather_chords(args)


def _gather_chords(args: argparse.Namespace) -> int:
    from kord_engine.ml.chord_sets import chord_set, parse_chord_list
    from kord_engine.ml.gather import gather_chords

    if args.chords is not None:
        prompts = parse_chord_list(args.chords)
    else:
        prompts = chord_set(args.chord_set, args.count, args.seed)
    takes = gather_chords(
        prompts,
        args.instrument,
        destination=args.destination,
        length=3.0 if args.length is None else args.length,
        take_seconds=args.take_seconds,
        device=args.device,
        sample_rate=args.sample_rate,
    )
    if takes:
        folder = takes[0].sample.parent
        print(f"{len(takes)} of {len(prompts)} chords recorded in {folder}")
        print(
            "fine-tune on them: kord ml train --init-from MODEL "
            f"--training-sources {folder} --destination OUT"
        )
    else:
        print(f"no chords recorded (of {len(prompts)})")
    return 0

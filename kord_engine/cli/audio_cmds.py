"""`kord analyze file|sample` (and `mic`, registered by mic_cmds): name the notes and chords of
audio files and of kord's stored `.bin` spectra.

`--names lead-sheet|kord`: lead-sheet symbols by default (C/E, Cø7, C5 for a power chord, C
for a single note); `--names kord` prints kord's exact strings and text (kord's users diff
against them).
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.smoothing import RELEASE_SECONDS
from kord_engine.errors import KordError

DETECTOR_CHOICES = ("hybrid", "default", "kord", "ml")
# longest units first: an alternation takes the first that matches ("250ms" is not 250 m)
_DURATION = re.compile(
    r"(?P<n>\d+(?:\.\d*)?|\.\d+)\s*(?P<u>hours?|hr|h|minutes?|min|ms|m|seconds?|sec|s)?"
)
_UNIT = {"h": 3600, "hr": 3600, "m": 60, "min": 60, "s": 1, "sec": 1, "ms": 0.001}


def parse_time(text: str) -> float:
    """Seconds from `90`, `1.5`, `90s`, `1m 30s`, `1min30s`, `250ms` (systemd.time-style)."""
    s = str(text).strip().lower()
    if not s:
        raise argparse.ArgumentTypeError("empty time")
    total, pos = 0.0, 0
    for m in _DURATION.finditer(s):
        if s[pos : m.start()].strip():
            break
        unit = m.group("u") or "s"
        key = unit.rstrip("s") if unit not in ("s", "ms") and unit.endswith("s") else unit
        total += float(m.group("n")) * _UNIT.get(key, _UNIT.get(unit[0], 1))
        pos = m.end()
    if pos == 0 or s[pos:].strip():
        raise argparse.ArgumentTypeError(f"invalid time {text!r} (use e.g. 90, 1.5, 1m 30s)")
    return total


def _positive(text: str) -> float:
    value = parse_time(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def tuning_arg(text: str) -> float | str:
    """--tuning: "auto" or A4 in Hz within ±50 cents of 440 (e.g. 432, 443)."""
    from kord_engine.audio.listen.tuning import check_reference

    if text.strip().lower() == "auto":
        return "auto"
    try:
        return check_reference(float(text.strip().lower().removesuffix("hz")))
    except (ValueError, KordError) as exc:
        raise argparse.ArgumentTypeError(
            f"expected auto or A4 in Hz (e.g. 432), got {text!r}: {exc}"
        ) from None


def add_tuning_option(parser: argparse.ArgumentParser, default: str = "auto") -> None:
    """The shared `--tuning auto|HZ` option."""
    parser.add_argument(
        "--tuning",
        type=tuning_arg,
        default=default,
        metavar="auto|HZ",
        help=f"the instrument's A4: auto (estimate it from the audio) or Hz (default {default})",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kord analyze` with `file` and `sample` (and audio-live's `mic`)."""
    analyze = subparsers.add_parser(
        "analyze", help="detect notes and chords in audio", description=__doc__
    )
    analyze_sub = analyze.add_subparsers(
        dest="analyze_command", metavar="SOURCE", parser_class=type(analyze)
    )
    analyze.set_defaults(func=_no_source(analyze))

    f = analyze_sub.add_parser(
        "file",
        help="analyze audio files (WAV, FLAC, OGG, MP3)",
        description="Detect the notes and chords of audio files.",
    )
    f.add_argument("paths", nargs="+", metavar="PATH", help="audio file(s)")
    f.add_argument("--json", action="store_true", help="one JSON object per file")
    f.add_argument("--timeline", action="store_true", help="chord segments over time")
    f.add_argument("--detector", choices=DETECTOR_CHOICES, default="hybrid")
    f.add_argument("-s", "--start", "--start-time", type=parse_time, default=None, metavar="T")
    f.add_argument("-e", "--end", "--end-time", type=parse_time, default=None, metavar="T")
    f.add_argument("--hop", type=_positive, default=0.2, help="--timeline: seconds between frames")
    f.add_argument(
        "--min-segment", type=parse_time, default=0.3, help="--timeline: shortest segment (s)"
    )
    f.add_argument(
        "--release",
        type=parse_time,
        default=RELEASE_SECONDS,
        help="--timeline: how far a chord is held into the silence after it (s; "
        f"default {RELEASE_SECONDS:g}, as live; 0: silence is no chord at once)",
    )
    add_tuning_option(f)
    add_heard_names_option(f)
    f.set_defaults(func=run_file)

    s = analyze_sub.add_parser(
        "sample",
        help="analyze kord .bin spectrum samples",
        description="Detect the notes of kord's stored 1 Hz spectra (.bin) and show their label.",
    )
    s.add_argument("paths", nargs="+", metavar="FILE.bin")
    s.add_argument("--json", action="store_true", help="one JSON object per file")
    s.add_argument("--detector", choices=DETECTOR_CHOICES, default="hybrid")
    # kord's 1 Hz spectra are too coarse (8–17 cents a bin below 200 Hz) to measure a tuning
    # to a few cents: A440 unless asked (auto estimates it anyway, from the peaks' shapes)
    add_tuning_option(s, default="440")
    add_heard_names_option(s)
    s.set_defaults(func=run_sample)

    from kord_engine.cli import mic_cmds

    mic_cmds.register_mic(analyze_sub)


def _no_source(parser: argparse.ArgumentParser):
    def handler(args: argparse.Namespace) -> int:
        raise KordError("analyze needs a source: file, sample or mic (see kord analyze --help)")

    return handler


def add_heard_names_option(parser: argparse.ArgumentParser) -> None:
    """`--names lead-sheet|kord` for a command that names what was heard (default lead-sheet)."""
    from kord_engine.cli.theory_cmds import add_names_option
    from kord_engine.theory.leadsheet import DEFAULT_NAMING_STYLE

    add_names_option(parser, DEFAULT_NAMING_STYLE)


def format_text(det: Detection, names: str = "kord") -> str:
    """kord's analyze output: `Notes: …`, then every candidate's verbose block ("kord"), or a
    compact block per lead-sheet name: the name, its description, its tones ("lead-sheet")."""
    notes = " ".join(det.note_names())
    lines = [f"Notes: {notes}" if notes else "Notes: (none)"]
    if names == "kord":
        candidates = det.extra.get("candidates") or []
        blocks = [c.format_verbose().rstrip("\n") + "\n" for c in candidates]
    else:
        from kord_engine.audio.listen.naming import lead_sheet_candidates

        blocks = [
            f"{c.name}\n   {c.description}\n   {', '.join(c.tones)}\n"
            for c in lead_sheet_candidates(det)
        ]
    if blocks:
        lines += blocks
    else:
        lines.append("No chord candidates found")
    if det.tuning_hz is not None:  # last, so kord's own lines come first, unchanged
        lines.append(f"Tuning: {tuning_line(det.tuning_hz)}")
    return "\n".join(lines)


def _emit(args: argparse.Namespace, path: str, payload: dict[str, Any], text: str) -> None:
    if args.json:
        print(json.dumps({"file": path, **payload}, ensure_ascii=False))
    else:
        if len(args.paths) > 1:
            print(f"== {path}")
        print(text)


def run_file(args: argparse.Namespace) -> int:
    from kord_engine.audio.input.decode import load_audio
    from kord_engine.audio.listen.analysis import analyze_clip, resolve_tuning, timeline_clip
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.listen.naming import name_segments

    detector = make_detector(args.detector)
    for path in args.paths:
        clip = load_audio(path, args.start, args.end)
        tuning_hz = resolve_tuning(clip.samples, clip.sample_rate, args.tuning)
        if args.timeline:
            segs = timeline_clip(
                clip,
                detector,
                hop=args.hop,
                min_segment=args.min_segment,
                offset=args.start or 0.0,
                tuning=tuning_hz,
                release=args.release,
            )
            rows = [seg.to_json() for seg in name_segments(segs, args.names)]
            text = "\n".join(
                f"{r['start']:8.2f}–{r['end']:<8.2f} {r['chord'] or ('—' if not r['pitch_classes'] else '?')}"
                for r in rows
            )
            _emit(
                args,
                path,
                {"tuning_hz": round(tuning_hz, 1), "segments": rows},
                f"Tuning: {tuning_line(tuning_hz)}\n" + (text or "(no audio)"),
            )
        else:
            det = analyze_clip(clip, detector, tuning_hz)
            _emit(args, path, det.to_json(args.names), format_text(det, args.names))
    return 0


def tuning_line(reference_hz: float | None) -> str:
    """ "A = 436.0 Hz (−15.8 cents)" for the text output."""
    from kord_engine.audio.listen.tuning import cents_of

    if reference_hz is None:
        return "A = 440 Hz"
    cents = cents_of(reference_hz)
    return f"A = {reference_hz:.1f} Hz ({cents:+.1f} cents)".replace("-", "−")


def run_sample(args: argparse.Namespace) -> int:
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.samples import note_id_name, read_sample

    detector = make_detector(args.detector)
    detect_spectrum = getattr(detector, "detect_spectrum", None)
    from dataclasses import replace

    from kord_engine.audio.listen.analysis import tuned
    from kord_engine.audio.listen.tuning import estimate_tuning_spectrum

    for path in args.paths:
        sample = read_sample(path)
        tuning_hz = args.tuning
        if tuning_hz == "auto":
            est = estimate_tuning_spectrum(sample.spectrum, 1.0)
            tuning_hz = est.reference_hz if est.known else 440.0
        with tuned(detector, tuning_hz):
            if detect_spectrum is not None:
                det = detect_spectrum(sample.spectrum)
            else:
                det = detector.detect_features(sample.spectrum)  # type: ignore[attr-defined]
        det = replace(det, tuning_hz=tuning_hz)
        label = [note_id_name(i) for i in sample.note_ids]
        payload = {**det.to_json(args.names), "label": label}
        text = format_text(det, args.names) + f"\nLabel: {' '.join(label) or '(rest)'}"
        _emit(args, path, payload, text)
    return 0

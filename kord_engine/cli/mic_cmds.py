"""`kord analyze mic`: name the chord heard through the microphone, once (record S seconds) or
live (a line per stable chord change until Ctrl-C), and list audio devices."""

from __future__ import annotations

import argparse
import json
import queue
import re
import sys
import time
from typing import Any

import numpy as np

from kord_engine.audio.listen.detection import Detection
from kord_engine.errors import DeviceError, KordError
from kord_engine.samples import note_id_name

DEFAULT_SECONDS = 10.0  # kord's default listen length
MAX_SECONDS = 255.0  # kord's u8 limit
STARTUP_SECONDS = 5.0  # how long a device may take to deliver its first audio


def pitch_class_name(pc: int) -> str:
    """C, D♭, … for a pitch class (0 = C)."""
    return re.sub(r"-?\d+$", "", note_id_name(48 + int(pc) % 12))


def format_change(t: float, stable: Detection | None, names: str | None = None) -> str:
    """One live line, e.g. `  1.23s  Cmaj7   (C E G B, bass C, 0.91)`; the chord in the
    naming style `names` (None: lead-sheet; see kord_engine.audio.listen.naming.chord_names)."""
    from kord_engine.audio.listen.naming import chord_name

    if stable is None:
        return f"{t:7.2f}s  (silence)"
    chord = chord_name(stable, names) or "?"
    notes = " ".join(pitch_class_name(pc) for pc in stable.pitch_classes)
    bass = pitch_class_name(stable.bass) if stable.bass is not None else "?"
    return f"{t:7.2f}s  {chord:<7} ({notes}, bass {bass}, {stable.confidence:.2f})"


def format_detection(detection: Detection, names: str | None = None) -> str:
    """kord's `analyze` text: the notes, then every chord candidate."""
    from kord_engine.audio.listen.naming import chord_names

    lines = [f"Notes: {' '.join(detection.note_names()) or '(none)'}"]
    if not detection.notes and detection.pitch_classes:
        lines[0] = "Notes: " + " ".join(pitch_class_name(pc) for pc in detection.pitch_classes)
    lines += list(chord_names(detection, names)) or ["No chord found."]
    return "\n".join(lines)


def register_mic(analyze_subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `mic` to the `kord analyze` group."""
    p = analyze_subparsers.add_parser(
        "mic",
        help="name the chord heard through the microphone",
        description="Record from an input device and name the chord (or follow it live).",
    )
    p.add_argument(
        "--seconds",
        "-l",
        "--length",
        type=float,
        default=None,
        help=f"seconds to record (default {DEFAULT_SECONDS:g}; with --live: run this long)",
    )
    p.add_argument("--device", "-d", default=None, help="input device: index or (part of) name")
    p.add_argument(
        "--detector",
        default="hybrid",
        choices=("hybrid", "default", "kord", "ml"),
        help="note detector",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--live", action="store_true", help="print each stable chord change until Ctrl-C"
    )
    p.add_argument("--hold", type=float, default=0.15, help="--live: seconds a chord must hold")
    p.add_argument("--hop", type=float, default=0.05, help="--live: seconds between analyses")
    p.add_argument(
        "--gate", type=float, default=-55.0, help="--live: noise gate in dBFS (sensitivity)"
    )
    p.add_argument("--list-devices", action="store_true", help="list audio devices and exit")
    from kord_engine.cli.audio_cmds import add_heard_names_option, add_tuning_option

    add_tuning_option(p)
    add_heard_names_option(p)
    p.set_defaults(func=run_mic)
    return p


def run_mic(args: argparse.Namespace) -> int:
    if args.list_devices:
        return _list_devices(args)
    seconds = args.seconds
    if seconds is not None and not 0 < seconds <= MAX_SECONDS:
        raise KordError(f"--seconds must be in (0, {MAX_SECONDS:g}], got {seconds:g}")
    from kord_engine.audio.listen.detect import make_detector

    detector = make_detector(args.detector)
    if args.live:
        return _live(args, detector, seconds)
    return _once(args, detector, DEFAULT_SECONDS if seconds is None else seconds)


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


def _list_devices(args: argparse.Namespace) -> int:
    from kord_engine.audio.input.devices import audio_available, list_devices

    found = list_devices()
    if not found:
        raise DeviceError(audio_available()[1] or "no audio devices")
    if args.json:
        print(json.dumps([d.__dict__ for d in found], ensure_ascii=False, indent=2))
    else:
        print("\n".join(d.label() for d in found))
        print("(< default input, > default output)")
    return 0


def _once(args: argparse.Namespace, detector: Any, seconds: float) -> int:
    from kord_engine.audio.input.capture import Capture

    capture = Capture(args.device, ring_seconds=seconds + 1.0)
    capture.start()
    try:
        assert capture.device is not None
        if not capture.wait_for_audio(STARTUP_SECONDS):
            raise DeviceError(
                capture.error or f"no audio from input {capture.device.name!r} after opening it"
            )
        _say(args, f"Listening for {seconds:g} s on {capture.device.name} …")
        deadline = time.monotonic() + seconds
        frames = int(round(seconds * capture.sample_rate))
        while capture.ring.total_written < frames:
            if capture.check():
                raise DeviceError(capture.error or "audio input failed")
            if time.monotonic() > deadline + 2.0:
                raise DeviceError(f"audio input {capture.device.name!r} delivered too little audio")
            time.sleep(0.02)
        audio = capture.ring.latest(frames)
    finally:
        capture.stop()
    from dataclasses import replace

    from kord_engine.audio.listen.analysis import resolve_tuning, tuned

    audio = np.ascontiguousarray(audio)
    tuning_hz = resolve_tuning(audio, capture.sample_rate, args.tuning)
    with tuned(detector, tuning_hz):
        detection = detector.detect(audio, capture.sample_rate)
    detection = replace(detection, tuning_hz=tuning_hz)
    if args.json:
        print(
            json.dumps(
                {"device": capture.device.name, **detection.to_json(args.names)},
                ensure_ascii=False,
            )
        )
    else:
        try:  # the same text as `kord analyze file`
            from kord_engine.cli.audio_cmds import format_text
        except ImportError:
            format_text = format_detection
        print(format_text(detection, args.names))
    return 0


def _live(args: argparse.Namespace, detector: Any, seconds: float | None) -> int:
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer

    config = AnalyzerConfig(
        device=args.device,
        hold_seconds=args.hold,
        hop_seconds=args.hop,
        gate_db=args.gate,
        tuning_hz=None if args.tuning == "auto" else float(args.tuning),
        spectrum_points=0,  # nothing here draws the spectrum: not computed at all
    )
    events: queue.Queue = queue.Queue()
    analyzer = LiveAnalyzer(detector, config, events.put)
    warned: set[str] = set()
    printed = None  # the last text line's label (no time, no provisional mark)
    try:
        analyzer.start()
        capture = analyzer.capture
        device = capture.device.name if capture and capture.device else "?"
        if not analyzer.wait_until_listening():
            raise DeviceError(
                analyzer.last_error or f"no audio from input {device!r} after opening it"
            )
        _say(args, f"Listening on {device} (Ctrl-C to stop) …")
        deadline = None if seconds is None else time.monotonic() + seconds
        while deadline is None or time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if event.fatal:
                raise DeviceError(event.error or "audio input stopped")
            if event.error and event.error not in warned:  # a failed hop: say it once
                warned.add(event.error)
                print(f"kord: warning: {event.error}", file=sys.stderr, flush=True)
            if not event.changed:
                continue
            provisional = bool(getattr(event, "stable_provisional", False))
            if args.json:
                stable = event.stable
                record = {"time": round(event.timestamp, 3), "device": device}
                record.update((stable or Detection()).to_json(args.names))
                record["tuning_hz"] = round(event.tuning_hz, 1)
                # provisional: shown fast after an onset, may still be refined; refines: this
                # line's label replaces the previous line's (one chord, not two)
                record["provisional"] = provisional
                record["refines"] = bool(getattr(event, "refined", False))
                print(json.dumps(record, ensure_ascii=False), flush=True)
            else:
                label = format_change(0.0, event.stable, args.names)
                if label == printed and not provisional:
                    continue  # a provisional label confirmed as it was: said already
                printed = label
                line = format_change(event.timestamp, event.stable, args.names)
                print(line + ("  (provisional)" if provisional else ""), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        analyzer.stop()
    return 0

"""`kord play` and `kord loop`: print a chord's description and sound it through the synth,
live on an output device or rendered offline to a WAV file."""

from __future__ import annotations

import argparse
import sys
import time

from kord_engine.cli.theory_cmds import add_names_option
from kord_engine.errors import KordError

TIMBRE_CHOICES = ("sine", "piano", "organ")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value >= 0.0 and value < 3600.0):
        raise argparse.ArgumentTypeError(f"seconds must be between 0 and 3600, got {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _add_sound_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timbre",
        choices=TIMBRE_CHOICES,
        default="sine",
        help="voice to play with (default: sine, like kord)",
    )
    parser.add_argument(
        "-f",
        "--fade-in",
        type=_seconds,
        default=None,
        help="fade-in (attack) in seconds (default: the timbre's; 0.1 for sine, like kord)",
    )
    parser.add_argument("-o", "--output", metavar="FILE.wav", help="render to a WAV file instead")
    parser.add_argument("--device", help="output device index or name (default: system default)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `play` and `loop` to the `kord` parser."""
    play = subparsers.add_parser(
        "play",
        help="describe a chord and play it",
        description="Print the chord's description, then play its tones: tone k starts "
        "k·delay seconds in, and all of them end at the total length.",
    )
    play.add_argument("symbol", metavar="CHORD", help="chord symbol, e.g. Cmaj7 or Em7b5@3^2")
    play.add_argument(
        "-d", "--delay", type=_seconds, default=0.2, help="seconds between tone starts (0.2)"
    )
    play.add_argument(
        "-l",
        "--length",
        "--duration",
        dest="length",
        type=_seconds,
        default=3.0,
        help="total length in seconds (3.0)",
    )
    _add_sound_options(play)
    add_names_option(play, "kord")
    play.set_defaults(func=_play)

    loop = subparsers.add_parser(
        "loop",
        help="loop a chord progression",
        description="Play chords in turn, each SYMBOL or SYMBOL|N (N = length in 32nd notes, "
        "default 32 = N·60/bpm/8 s). Loops until interrupted on a device; renders once "
        "with --output.",
    )
    loop.add_argument("chords", metavar="CHORD", nargs="+", help='e.g. "Em7b5@3^2" "A7b13@3!|16"')
    loop.add_argument("-b", "--bpm", type=float, default=60.0, help="tempo (60)")
    loop.add_argument(
        "-r",
        "--repeat",
        type=_positive_int,
        default=None,
        help="passes through the progression (default: forever live, 1 with --output)",
    )
    _add_sound_options(loop)
    add_names_option(loop, "kord")
    loop.set_defaults(func=_loop)


def _config(args: argparse.Namespace):
    from kord_engine.audio.sound.progression import with_fade_in
    from kord_engine.audio.sound.synth import SynthConfig

    return with_fade_in(SynthConfig(timbre=args.timbre), args.fade_in)


def _block(args: argparse.Namespace, chord) -> str:
    """The chord's describe block, its name in the --names style."""
    from kord_engine.theory.leadsheet import format_chord_block

    return format_chord_block(chord, getattr(args, "names", "kord"))


def _note(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


def _play(args: argparse.Namespace) -> int:
    from kord_engine.audio.sound.synth import Synth
    from kord_engine.audio.sound.wav import render_offline, write_wav
    from kord_engine.theory import Chord

    chord = Chord.parse(args.symbol)
    midis = [int(n.midi) for n in chord.notes()]
    length, delay = args.length, args.delay
    if length <= len(midis) * delay:
        raise KordError(
            f"The delay is too long for the length of play: {len(midis)} tones × {delay:g} s "
            f"delay ≥ {length:g} s length"
        )
    synth = Synth(_config(args))
    release = synth.config.envelope().release
    last_start = (len(midis) - 1) * delay
    note_off = length - release if length - release > last_start else (length + last_start) / 2
    print(_block(args, chord), flush=True)
    if args.output:
        synth.play_chord(midis, note_off, arpeggio=delay)
        audio = render_offline(synth, length)
        write_wav(args.output, audio, synth.sample_rate)
        _note(args, f"wrote {args.output} ({length:g} s, {synth.sample_rate} Hz)")
        return 0
    from kord_engine.audio.sound.player import Player

    with Player(synth, device=args.device) as player:
        synth.play_chord(midis, note_off, arpeggio=delay)
        _wait_until(player, length)
    return 0


def _wait_until(player, seconds: float) -> None:
    """Block until the synth has rendered `seconds` and the device has played it out."""
    from kord_engine.errors import DeviceError

    while player.synth.time < seconds:
        if player.error:
            raise DeviceError(player.error)
        time.sleep(0.01)
    time.sleep(player.latency or 0.0)


def _loop(args: argparse.Namespace) -> int:
    from kord_engine.audio.sound.progression import Looper, check_bpm, parse_loop_items
    from kord_engine.audio.sound.synth import Synth

    items = parse_loop_items(args.chords, check_bpm(args.bpm))
    config = _config(args)
    if args.output:
        from kord_engine.audio.sound.progression import progression_seconds, render_progression
        from kord_engine.audio.sound.wav import write_wav

        repeat = args.repeat or 1
        audio = render_progression(items, config, repeat=repeat)
        for _ in range(repeat):
            for item in items:
                print(_block(args, item.chord), flush=True)
        write_wav(args.output, audio, config.sample_rate)
        seconds = repeat * progression_seconds(items)
        _note(args, f"wrote {args.output} ({seconds:g} s, {config.sample_rate} Hz)")
        return 0
    from kord_engine.audio.sound.player import Player
    from kord_engine.errors import DeviceError

    synth = Synth(config)
    with Player(synth, device=args.device) as player:
        looper = Looper(synth, items, repeat=args.repeat)
        while not looper.finished:
            if player.error:
                raise DeviceError(player.error)
            for item in looper.poll():
                print(_block(args, item.chord), flush=True)
            time.sleep(0.01)
        time.sleep(player.latency or 0.0)
    return 0

"""Shared fixtures for the audio engine tests."""

import sys

import pytest


@pytest.fixture
def fake_sd(monkeypatch):
    """Installs a fake sounddevice module in kord_engine.audio.input.devices: fake_sd(sd) → sd."""
    from kord_engine.audio.input import devices

    def install(sd):
        monkeypatch.setattr(devices, "_sd_module", sd)
        monkeypatch.setattr(devices, "_sd_problem", None)
        return sd

    return install


def _run_mic_cli(argv: list[str]) -> int:
    """Run `kord analyze mic ARGV` through register_mic, with the CLI's KordError → exit 2."""
    from kord_engine.cli import EXIT_BAD_INPUT, _Parser
    from kord_engine.cli.mic_cmds import register_mic
    from kord_engine.errors import KordError

    parser = _Parser(prog="kord")
    parser.add_argument("-q", "--quiet", action="store_true")
    analyze = parser.add_subparsers(parser_class=_Parser).add_parser("analyze")
    register_mic(analyze.add_subparsers(parser_class=_Parser))
    args = parser.parse_args(["analyze", "mic", *argv])
    try:
        return args.func(args)
    except KordError as exc:
        print(f"kord: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


@pytest.fixture
def mic_cli():
    """`kord analyze mic` as a function of its arguments (no subprocess, fakes stay patched)."""
    return _run_mic_cli

import pytest

from kord_engine import __version__
from kord_engine.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_no_command_exits_2(capsys):
    assert main([]) == 2
    assert "no command" in capsys.readouterr().err


def test_quiet_and_verbose_conflict(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["-q", "-v", "describe", "C"])
    assert exc.value.code == 2

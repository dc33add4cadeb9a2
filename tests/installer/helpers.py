"""Helpers for the installer tests: clean environments and output checks for installed commands."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Any of these in a command's output means the bundle or install is broken.
BROKEN = (
    "ModuleNotFoundError",
    "ImportError",
    "cannot open shared object",
    "Could not load the Qt platform plugin",
    "Traceback (most recent call last)",
)


def clean_env(home: Path) -> dict[str, str]:
    """An environment like a fresh user's: own HOME/XDG dirs, no venv, no Kord overrides."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KORD_", "PYTHON", "VIRTUAL_ENV", "XDG_", "QT_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
        LC_ALL="C.UTF-8",
        PATH="/usr/local/bin:/usr/bin:/bin",
    )
    home.mkdir(parents=True, exist_ok=True)
    return env


def run_checked(
    cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a command; fail with its output on a non-zero exit or a sign of a broken bundle."""
    proc = subprocess.run(
        [str(c) for c in cmd],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{output[-4000:]}"
    found = [marker for marker in BROKEN if marker in output]
    assert not found, f"{cmd} printed {found}:\n{output[-4000:]}"
    return proc


def tree_snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under a folder, to prove a run wrote nothing there."""
    snapshot = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + dirnames:
            path = Path(dirpath) / name
            st = path.lstat()
            snapshot[str(path.relative_to(folder))] = (st.st_size, int(st.st_mtime_ns))
    return snapshot

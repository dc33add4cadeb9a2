"""Time a built Kord Desktop from exec to "main window up" (offscreen), and `kord --version`.

    .venv/bin/python installer/bench_startup.py [BUNDLE_DIR] [--runs N]

BUNDLE_DIR defaults to the player build (installer/build/player/dist/kord-desktop); pass
/opt/kord-desktop for an installed .deb. Runs as a fresh user (temporary HOME/XDG dirs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = "kord-desktop: main window up"


def fresh_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KORD_", "PYTHON", "XDG_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "c"), XDG_DATA_HOME=str(home / "d"))
    env.update(QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8")
    return env


def time_to_window(exe: Path, env: dict[str, str]) -> float:
    """Seconds from exec until the app prints its main-window line."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "--offscreen-smoke"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(SMOKE):
            elapsed = time.perf_counter() - started
            proc.wait(timeout=60)
            return elapsed
    proc.wait(timeout=60)
    raise SystemExit(f"{exe} exited {proc.returncode} without '{SMOKE}'")


def time_cli(exe: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(exe), "--version"], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "bundle", nargs="?", default=ROOT / "installer/build/player/dist/kord-desktop", type=Path
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = fresh_env(Path(home))
        gui = [time_to_window(args.bundle / "kord-desktop", env) for _ in range(args.runs)]
        cli = [time_cli(args.bundle / "kord", env) for _ in range(args.runs)]
    print(f"bundle: {args.bundle}")
    print(
        f"kord-desktop to main window: median {statistics.median(gui):.2f} s, runs {[round(x, 2) for x in gui]}"
    )
    print(
        f"kord --version:              median {statistics.median(cli):.2f} s, runs {[round(x, 2) for x in cli]}"
    )


if __name__ == "__main__":
    main()

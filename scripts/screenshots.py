#!/usr/bin/env python3
"""Drive Kord Desktop under Xvfb and save screenshots to docs/screenshots/.

A rendered chord progression is fed through the engine's LiveAnalyzer offline (process_block),
exactly the path live audio takes, so the spectrum, chord, keyboard and history are real.
Usage: .venv/bin/python scripts/screenshots.py [--out DIR] [--no-xvfb] [--cents C] [--main-only]
[--live-only] (--cents detunes the render, e.g. -25: the status bar then shows the estimated
A4; --live-only: the main shots and live-provisional.png, the live view just after an attack,
its label provisional, and once confirmed.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREEN = "1600x1000x24"
WINDOW_SIZE = (1560, 960)
PROGRESSION = [  # (MIDI notes, seconds): C Am F G C, close voicings around C4
    ((60, 64, 67), 1.5),
    ((57, 60, 64), 1.5),
    ((53, 57, 60), 1.5),
    ((55, 59, 62), 1.5),
    ((60, 64, 67), 1.5),  # held while the shot is taken
]


def start_xvfb() -> subprocess.Popen | None:
    """Start Xvfb on a free display and point DISPLAY at it (None if one is already set)."""
    if os.environ.get("DISPLAY"):
        return None
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
    for n in range(99, 140):
        if Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen(
            [xvfb, f":{n}", "-screen", "0", SCREEN, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                os.environ["DISPLAY"] = f":{n}"
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    raise SystemExit("could not start Xvfb")


@contextmanager
def display(use_xvfb: bool = True) -> Iterator[None]:
    """For the block: a private Xvfb (unless `use_xvfb` is False: the current DISPLAY), Qt on
    xcb and a throwaway config dir; Xvfb is stopped at the end. Shared with
    screenshots_training.py."""
    xvfb = start_xvfb() if use_xvfb else None
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    os.environ.setdefault("KORD_CONFIG_DIR", tempfile.mkdtemp(prefix="kord-shots-config-"))
    try:
        yield
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)


def make_app():
    """The QApplication as the app names it (organisation, name, icon)."""
    from PySide6.QtWidgets import QApplication

    from kord_desktop.app import APP_NAME, ORG_NAME, app_icon

    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationName(APP_NAME)
    app = QApplication.instance() or QApplication([APP_NAME])
    app.setWindowIcon(app_icon())
    return app


def make_window(theme: str = "dark"):
    """A MainWindow (not shown, no audio started) on fresh throwaway settings in `theme`."""
    from kord_desktop.context import AppContext
    from kord_desktop.main_window import MainWindow
    from kord_desktop.settings import Settings

    settings = Settings(Path(tempfile.mkdtemp(prefix="kord-shots-")) / "settings.ini")
    settings.set("view/theme", theme)
    return MainWindow(AppContext(settings, start_audio=False))


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def feed_progression(window, app, cents: float = 0.0) -> None:
    """Render the progression with fluidsynth (detuned by `cents`) and push it through a
    LiveAnalyzer offline."""
    import numpy as np

    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer
    from kord_engine.audio.sound.fluidsynth import render_chords

    audio, rate, spans = render_chords(PROGRESSION, cents=cents)
    audio = (0.5 * audio / np.max(np.abs(audio))).astype(np.float32)
    bridge = window.context.analyzer
    analyzer = LiveAnalyzer(make_detector("default"), AnalyzerConfig(), bridge.handle_event)
    bridge.attach(analyzer)
    hop = int(0.05 * rate)
    stop_at = int((spans[-1][0] + 0.6) * rate)  # still inside the held last chord
    for start in range(0, stop_at, hop):
        analyzer.process_block(audio[start : start + hop], rate)
        if start % (hop * 4) == 0:
            bridge.flush()
            app.processEvents()
    bridge.flush()
    settle(app, 0.4)


def shoot_live_provisional(window, app, out: Path) -> Path:
    """The live view twice, side by side: just after the last chord's attack (its label
    provisional: paler, italic, the history entry in italics) and 0.6 s later (confirmed,
    the same entry). The product's detector (hybrid) fed offline, as feed_progression."""
    import numpy as np
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer
    from kord_engine.audio.sound.fluidsynth import render_chords

    audio, rate, spans = render_chords(PROGRESSION)
    audio = (0.5 * audio / np.max(np.abs(audio))).astype(np.float32)
    window.timeline.clear()
    bridge = window.context.analyzer
    analyzer = LiveAnalyzer(make_detector("hybrid"), AnalyzerConfig(), bridge.handle_event)
    bridge.attach(analyzer)
    last = spans[-1][0]
    block = rate // 100
    shots = []
    pos = 0
    for label, until in (("provisional", last + 0.1), ("confirmed", last + 0.6)):
        while pos < int(until * rate) or (
            label == "provisional"
            and pos < int((last + 0.3) * rate)
            and not window.chord_display.provisional
        ):
            analyzer.process_block(audio[pos : pos + block], rate)
            pos += block
            if pos % (block * 5) == 0:
                bridge.flush()
                app.processEvents()
        bridge.flush()
        settle(app, 0.3)
        state = "provisional" if window.chord_display.provisional else "confirmed"
        print(f"live view at {pos / rate - last:+.2f} s after the last attack: {state}")
        shots.append((label, window.splitter.grab()))
    gap, head = 24, 44
    w = sum(p.width() for _, p in shots) + gap * (len(shots) + 1)
    h = max(p.height() for _, p in shots) + head + gap
    canvas = QPixmap(w, h)
    canvas.fill(QColor(window.colors.base))
    painter = QPainter(canvas)
    font = QFont(window.font())
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(window.colors.text))
    x = gap
    for label, pixmap in shots:
        caption = {
            "provisional": "0.1 s after the attack: provisional",
            "confirmed": "0.6 s after: confirmed, the same history entry",
        }[label]
        painter.drawText(QRect(x, 0, pixmap.width(), head), Qt.AlignmentFlag.AlignCenter, caption)
        painter.drawPixmap(QPoint(x, head), pixmap)
        x += pixmap.width() + gap
    painter.end()
    return shoot_pixmap(canvas, out / "live-provisional.png")


def shoot_pixmap(pixmap, path: Path) -> Path:
    if not pixmap.save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def shoot(widget, path: Path) -> Path:
    return shoot_pixmap(widget.grab(), path)


def raise_dock(window, module: str, app) -> None:
    dock = window.panel_docks[module]
    dock.show()
    dock.raise_()
    settle(app, 0.2)


def shoot_wizard(window, app, out: Path) -> None:
    """Train a tiny model (sim data, a few epochs) so the run page shows real curves."""
    from kord_desktop.panels.training_wizard import RUN

    window.open_training_wizard()
    wizard = getattr(window, "_wizard", None)
    if wizard is None:
        print("skipped the training wizard (it did not open)")
        return
    settle(app, 0.5)
    config = wizard.build_config()
    config.training_sources = ["sim"]
    config.simulation_size = 4  # 1,500 simulated chords
    config.epochs = 6
    config.threads = 1
    config.destination = str(Path(tempfile.mkdtemp(prefix="kord-shots-model-")) / "model")
    wizard.config = config
    wizard.run_page.reset()
    wizard.bridge.start(config)
    wizard.setStartId(RUN)
    wizard.restart()  # shows the run page; training is already running
    deadline = time.monotonic() + 240
    shot = False
    while wizard.bridge.running and time.monotonic() < deadline:
        settle(app, 1.0)
        if wizard.currentId() == RUN:
            shoot(wizard, out / "training-run.png")
            shot = True
    settle(app, 1.0)
    if not shot or wizard.currentId() == RUN:
        shoot(wizard, out / "training-run.png")
    else:
        shoot(wizard, out / "training-results.png")
    if wizard.bridge.running:
        wizard.cancel_training()
        settle(app, 2.0)
    wizard.hide()


def shoot_tuning_popup(window, app, out: Path) -> None:
    """The tuning popup the status bar's "A = … Hz" opens."""
    window.show_tuning_popup()
    settle(app, 0.3)
    shoot(window.tuning_popup, out / "tuning-popup.png")
    window.tuning_popup.hide()
    settle(app, 0.1)


def run(out: Path, cents: float = 0.0, main_only: bool = False, live_only: bool = False) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    window = make_window("dark")
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app, 0.5)

    feed_progression(window, app, cents)
    describe = getattr(window.panels.get("describe"), "describe", None)
    if callable(describe):
        describe(window.chord_display.chord_name or "C")  # as a click on the chord name does
    settle(app, 0.4)
    window.toolbar.set_listening(True)  # the shot shows the listening state
    window.context.status("Listening…", 0)
    shoot(window, out / "main-window.png")
    shoot(window.keyboard_dock, out / "keyboard.png")
    shoot_tuning_popup(window, app, out)
    if live_only or not main_only:
        shoot_live_provisional(window, app, out)
    if main_only or live_only:
        window.close()
        settle(app, 0.1)
        return 0

    # the theory panels, each with something in it
    panels = window.panels
    if hasattr(panels.get("describe"), "describe"):
        panels["describe"].describe("Cmaj7")
    raise_dock(window, "describe", app)
    shoot(window.panel_docks["describe"], out / "panel-describe.png")
    if hasattr(panels.get("guess"), "set_notes_text"):
        panels["guess"].set_notes_text("C E G Bb")
    raise_dock(window, "guess", app)
    settle(app, 0.5)
    shoot(window.panel_docks["guess"], out / "panel-guess.png")
    raise_dock(window, "loop", app)
    settle(app, 0.2)
    shoot(window.panel_docks["loop"], out / "panel-loop.png")
    raise_dock(window, "synth_controls", app)
    shoot(window.panel_docks["synth_controls"], out / "panel-synth.png")

    # light theme, with the Guess panel up
    window.set_theme("light")
    raise_dock(window, "guess", app)
    settle(app, 0.3)
    shoot(window, out / "main-window-light.png")
    window.set_theme("dark")

    # the training wizard: a small real run on simulated data (run page, then results)
    try:
        from kord_desktop.panels.training_wizard import RUN, TrainingWizard  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        print(f"skipped the training wizard ({exc})")
    else:
        shoot_wizard(window, app, out)

    window.close()
    settle(app, 0.1)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--no-xvfb", action="store_true", help="use the current DISPLAY")
    parser.add_argument(
        "--cents", type=float, default=0.0, help="detune the rendered progression (e.g. -25)"
    )
    parser.add_argument(
        "--main-only", action="store_true", help="only the main window, keyboard and tuning"
    )
    parser.add_argument(
        "--live-only",
        action="store_true",
        help="--main-only plus the provisional/confirmed live view (live-provisional.png)",
    )
    args = parser.parse_args()
    with display(use_xvfb=not args.no_xvfb):
        return run(args.out.resolve(), args.cents, args.main_only, args.live_only)


if __name__ == "__main__":
    sys.exit(main())

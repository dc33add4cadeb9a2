#!/usr/bin/env python3
"""Screenshots of "Teach it your instrument" (the training wizard's recording and fine-tune
pages) under Xvfb, saved to docs/screenshots/.

A fluidsynth vibraphone (GM program 11) plays the chords the recording page asks for; its
audio is fed offline to the window's LiveAnalyzer (so "what the model hears" is real) and to
the page's take recorder (the path the capture ring's blocks take), the takes are saved, a
short real fine-tune runs, and the compare page measures before / after.
Usage: .venv/bin/python scripts/screenshots_training.py [--out DIR] [--no-xvfb] [--light]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import display, make_app, make_window, settle, shoot  # noqa: E402

WIZARD_SIZE = (900, 720)
PROGRAM = 11  # GM vibraphone: the default model hears 75 % of its held-out takes exactly
INSTRUMENT = "my vibraphone"
CHORDS = 40  # the default mix: 8 held out for before / after
BLOCK = 1024


def render(notes, seconds: float = 2.0):
    """The chord from fluidsynth, peak 0.5, at 48 kHz."""
    import numpy as np

    from kord_engine.audio.sound.fluidsynth import render_chords

    audio, rate, _ = render_chords([(tuple(notes), seconds)], program=PROGRAM, sample_rate=48000)
    return (0.5 * audio / np.max(np.abs(audio))).astype(np.float32), rate


def play(window, wizard, app, audio, rate) -> None:
    """Feed audio to the live analyzer and the take recorder, as the microphone would."""
    bridge = window.context.analyzer
    for pos in range(0, audio.size, BLOCK):
        block = audio[pos : pos + BLOCK]
        bridge.process_block(block)
        wizard.takes.push(block, rate)
        if pos % (BLOCK * 4) == 0:
            app.processEvents()
    bridge.flush()


def quiet(rate: int, seconds: float = 0.4):
    import numpy as np

    rng = np.random.default_rng(0)
    return (3e-4 * rng.standard_normal(int(seconds * rate))).astype(np.float32)


def record_chord(window, wizard, app, notes) -> None:
    page = wizard.record_page
    index = page.index
    audio, rate = render(notes)
    play(window, wizard, app, quiet(rate), rate)
    play(window, wizard, app, audio, rate)
    deadline = time.monotonic() + 10
    while index not in page.recorded and time.monotonic() < deadline:
        settle(app, 0.05)


def run(out: Path, light: bool) -> int:
    from kord_desktop.panels import training_wizard as tw
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer

    out.mkdir(parents=True, exist_ok=True)
    suffix = "-light" if light else ""
    app = make_app()
    window = make_window("light" if light else "dark")
    window.show()
    settle(app, 0.3)
    bridge = window.context.analyzer
    bridge.attach(LiveAnalyzer(make_detector("hybrid"), AnalyzerConfig(), bridge.handle_event))
    window.context.set_listen_starter(lambda: False)  # keep the offline analyzer attached

    window.open_training_wizard()
    wizard = window._wizard
    wizard.resize(*WIZARD_SIZE)
    settle(app, 0.4)
    shoot(wizard, out / f"teach-start{suffix}.png")

    wizard.next()
    setup = wizard.record_setup_page
    setup.instrument.setCurrentText(INSTRUMENT)
    settle(app, 0.2)
    shoot(wizard, out / f"record-setup{suffix}.png")
    setup.count.setValue(CHORDS)
    settle(app, 0.1)

    wizard.next()
    page = wizard.record_page
    page.listen_box.hide()  # offline feeding stands in for a listening microphone
    settle(app, 0.2)
    for _ in range(3):
        record_chord(window, wizard, app, page.prompts[page.index].notes)
    # the fourth chord: the musician leaves out the top note and marks it so, mid-take
    prompt = page.prompts[page.index]
    page.keyboard.set_selection(prompt.notes[:-1])
    audio, rate = render(prompt.notes[:-1])
    play(window, wizard, app, quiet(rate), rate)
    cut = int(0.7 * rate)  # 0.7 s into the chord: recording, and the model has heard it
    play(window, wizard, app, audio[:cut], rate)
    settle(app, 0.3)
    shoot(wizard, out / f"record-page{suffix}.png")
    play(window, wizard, app, audio[cut:], rate)
    settle(app, 0.5)
    while not page.done:
        record_chord(window, wizard, app, page.prompts[page.index].notes)
    settle(app, 0.3)
    shoot(wizard, out / f"record-done{suffix}.png")

    wizard.next()
    settle(app, 0.3)
    shoot(wizard, out / f"finetune-page{suffix}.png")
    if light:
        wizard.shutdown()
        window.close()
        return 0
    wizard.next()  # the defaults, as a musician would
    shot = False
    deadline = time.monotonic() + 900
    while wizard.bridge.running and time.monotonic() < deadline:
        settle(app, 0.2)
        curves = wizard.run_page.curves
        if not shot and curves.accuracy.size >= 3 and wizard.currentId() == tw.RUN:
            settle(app, 0.3)
            shoot(wizard, out / "finetune-run.png")
            shot = True
    settle(app, 0.3)
    deadline = time.monotonic() + 120
    while len(wizard.compare_page.accuracy) < 2 and time.monotonic() < deadline:
        if wizard.compare_page.error.isVisible():
            break
        settle(app, 0.2)
    wizard.compare_page.use_button.click()
    settle(app, 0.3)
    shoot(wizard, out / "finetune-compare.png")
    wizard.shutdown()
    window.close()
    settle(app, 0.1)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--no-xvfb", action="store_true", help="use the current DISPLAY")
    parser.add_argument("--light", action="store_true", help="the light theme (no fine-tune)")
    args = parser.parse_args()
    os.environ.setdefault("KORD_DATA_DIR", tempfile.mkdtemp(prefix="kord-shots-data-"))
    with display(use_xvfb=not args.no_xvfb):  # Xvfb, xcb and a throwaway config dir
        return run(args.out.resolve(), args.light)


if __name__ == "__main__":
    sys.exit(main())

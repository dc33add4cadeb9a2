"""While listening the window repaints what changed, at most once per analyzer event: no timer
between events, the widgets that change every hop (spectrum, level meter, history strip) do
not repaint the window behind them, the keyboard only when its lit keys change, and a new
label or figure does not re-lay out the window (the spectrum keeps its height)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject

from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.live import AnalyzerEvent
from tests.gui.test_main_window import A_MINOR, C_MAJOR

pytestmark = pytest.mark.gui

FREQS = np.geomspace(27.5, 4186.0, 512).astype(np.float32)


class Counter(QObject):
    """Counts events of one type on the widgets it is installed on."""

    def __init__(self, kind: QEvent.Type = QEvent.Type.Paint):
        super().__init__()
        self.kind = kind
        self.count = 0

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == self.kind:
            self.count += 1
        return False


def count(widget, kind: QEvent.Type = QEvent.Type.Paint) -> Counter:
    counter = Counter(kind)
    widget.installEventFilter(counter)
    widget._test_counter = counter  # kept alive with the widget
    return counter


def hop(i: int, stable: Detection | None, changed: bool = False) -> AnalyzerEvent:
    """A live hop: a level and a spectrum that move every hop (as a sounding chord's do)."""
    rng = np.random.default_rng(i)
    db = (-80 + 4 * rng.standard_normal(FREQS.shape)).astype(np.float32)
    db[200 + i % 7] = -15.0
    t = 1.0 + 0.05 * i
    return AnalyzerEvent(
        timestamp=t,
        detection=dataclasses.replace(stable, timestamp=t) if stable else Detection(timestamp=t),
        stable=stable,
        changed=changed,
        level_db=-30.0 + 8.0 * (i % 3),
        peak=0.3,
        clipping=False,
        overflows=0,
        spectrum_db=db,
        spectrum_freqs=FREQS,
        processing_ms=1.0 + 0.7 * i,  # a new latency figure, of a new width, now and then
    )


@pytest.fixture
def window(make_window, fake_devices, qtbot):
    w = make_window()
    w.resize(1300, 850)
    bridge = w.context.analyzer
    bridge.handle_event(hop(0, C_MAJOR, changed=True))
    qtbot.wait(150)  # painted and laid out once
    return w


def feed(qtbot, window, hops) -> None:
    """One hop every 50 ms (the analyzer's hop), the event loop running in between."""
    for ev in hops:
        window.context.analyzer.handle_event(ev)
        qtbot.wait(50)
    qtbot.wait(60)


def test_one_window_repaint_per_event_and_none_between_events(window, qtbot):
    passes = count(window, QEvent.Type.UpdateRequest)
    spectrum = count(window.spectrum)
    feed(qtbot, window, [hop(i, C_MAJOR) for i in range(1, 11)])
    assert spectrum.count == 10  # every hop's new spectrum drawn, once
    # one repaint pass per event (a stray status-bar or list pass at most), none between:
    # the old 40 Hz display timer drew ~2 passes per hop
    assert passes.count <= 12
    drawn = window.spectrum.frames_drawn
    qtbot.wait(200)  # nothing new: nothing drawn
    assert window.spectrum.frames_drawn == drawn and spectrum.count == 10


def test_live_widgets_do_not_repaint_the_window_behind_them(window, qtbot):
    behind = [count(w) for w in (window, window.centralWidget(), window.splitter)]
    meter, strip = count(window.level_meter), count(window.timeline.strip)
    feed(qtbot, window, [hop(i, C_MAJOR) for i in range(1, 9)])
    assert meter.count >= 4 and strip.count >= 4  # they did repaint, hop after hop
    # opaque: only they repaint (was: the main window, its central widget and the
    # splitter under the level meter and the strip, on every hop)
    assert [c.count for c in behind] == [0, 0, 0]


def test_the_same_notes_again_do_not_repaint_the_keyboard(window, qtbot):
    keys = count(window.context.keyboard)
    dock = count(window.keyboard_dock.widget())
    # the same chord confirmed again and again (a changed label, the same lit keys)
    feed(qtbot, window, [hop(i, C_MAJOR, changed=True) for i in range(1, 6)])
    assert keys.count == 0 and dock.count == 0
    feed(qtbot, window, [hop(6, A_MINOR, changed=True)])  # new notes: one repaint
    assert keys.count == 1
    assert dock.count == 0  # the keyboard is opaque: the dock behind it stays


def test_new_labels_and_figures_keep_the_layout(window, qtbot):
    """Runner-ups and the provisional note come and go, the latency figure changes width:
    the spectrum keeps its size (no relayout, no redrawn grid) and the status bar's fields
    stay where they are."""
    spectrum_size = window.spectrum.size()
    model_x = window.status_bar.model.x()
    resized = count(window.spectrum, QEvent.Type.Resize)
    bare = Detection(notes=(48,), pitch_classes=(0,), bass=0, confidence=0.5, chords=())
    bridge = window.context.analyzer
    runner_ups = []
    for i, det in enumerate((A_MINOR, bare, C_MAJOR, bare), start=1):
        bridge.handle_event(hop(i * 20, det, changed=True))  # latency 15 … 57 ms
        qtbot.wait(60)
        runner_ups.append(len(window.chord_display.alternatives()))
    assert 0 in runner_ups and max(runner_ups) > 0  # the row came and went
    assert resized.count == 0 and window.spectrum.size() == spectrum_size
    assert window.status_bar.model.x() == model_x

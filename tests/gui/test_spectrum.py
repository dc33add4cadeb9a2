"""SpectrumWidget: rises show at once, falls decay over the analyzer frames, at most one repaint
per frame (no timer between frames), an unchanged picture means no repaint."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QTimer

from kord_desktop.theme import DARK
from kord_desktop.widgets.spectrum import DB_FLOOR, SpectrumWidget

FREQS = np.geomspace(27.5, 4186.0, 512).astype(np.float32)


def frame(peak_db: float) -> np.ndarray:
    """A flat -90 dB spectrum with one peak at ~440 Hz."""
    db = np.full(FREQS.shape, -90.0, np.float32)
    db[np.argmin(np.abs(FREQS - 440))] = peak_db
    return db


@pytest.fixture
def widget(qtbot):
    w = SpectrumWidget()
    qtbot.addWidget(w)
    w.resize(600, 250)
    w.show()
    qtbot.waitExposed(w)
    return w


def peak(w: SpectrumWidget) -> float:
    return float(w._smooth.max())


class PaintCount(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_rise_shows_at_once_and_a_fall_decays_over_frames(widget):
    widget.set_spectrum(FREQS, frame(-10.0))
    assert widget.frames_drawn == 1
    assert peak(widget) == pytest.approx(-10.0)
    seen = []
    for _ in range(12):  # the note stops: the same quiet frame, hop after hop
        widget.set_spectrum(FREQS, frame(-80.0))
        seen.append(peak(widget))
    # the release: halfway (smoothing 0.5) each frame, then settled on the quiet frame
    assert seen[0] == pytest.approx(-45.0) and seen[1] == pytest.approx(-62.5)
    assert seen == sorted(seen, reverse=True) and seen[-1] == pytest.approx(-80.0)
    drawn = widget.frames_drawn
    assert 1 + 5 <= drawn <= 1 + 10  # one frame per falling step, none once settled
    widget.set_spectrum(FREQS, frame(-80.0))
    assert widget.frames_drawn == drawn


def test_no_repaint_between_frames_and_at_most_one_per_frame(widget, qtbot):
    paints = PaintCount()
    widget.installEventFilter(paints)
    widget.set_spectrum(FREQS, frame(-20.0))
    widget.set_notes([57])  # a new marker with the same frame: still one repaint
    qtbot.waitUntil(lambda: paints.count >= 1, timeout=2000)
    widget.set_spectrum(FREQS, frame(-60.0))  # a fall: drawn on this frame only
    qtbot.wait(30)
    after = paints.count
    assert 2 <= after <= 3  # (a stray expose at most)
    qtbot.wait(250)  # no display timer decays the curve between analyzer frames
    assert paints.count == after
    assert widget.findChildren(QTimer) == []


def test_values_are_clipped_and_clear_resets(widget):
    db = frame(25.0)
    db[0] = -500.0
    widget.set_spectrum(FREQS, db)
    assert peak(widget) == 0.0 and widget._smooth.min() == DB_FLOOR
    widget.clear_spectrum()
    assert not len(widget._smooth)


def test_paints_curve_markers_and_theme(widget):
    widget.set_spectrum(FREQS, frame(-10.0))
    widget.set_notes([57])  # A4 (note id, C4 = 48): a triangle and a name over the peak
    image = widget.grab().toImage()
    assert image.width() == 600
    assert image.pixelColor(0, 0).name() == DARK.base  # the background at the corner
    # some pixels carry the curve colour and the marker colour
    colours = {image.pixelColor(x, y).name() for x in range(0, 600, 2) for y in range(0, 250, 2)}
    assert DARK.curve in colours and DARK.warn in colours
    widget.apply_theme(DARK)  # rebuilds the cached grid without error
    assert widget.grab().toImage().pixelColor(0, 0).name() == DARK.base


def test_an_unchanged_frame_is_not_redrawn(widget, qtbot):
    widget.set_spectrum(FREQS, frame(-30.0))
    drawn = widget.frames_drawn
    paints = PaintCount()
    qtbot.wait(30)
    widget.installEventFilter(paints)
    widget.set_spectrum(FREQS, frame(-30.0))
    qtbot.wait(30)
    assert widget.frames_drawn == drawn and paints.count == 0

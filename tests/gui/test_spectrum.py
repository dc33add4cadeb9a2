"""SpectrumWidget: rises show at once, falls decay over display ticks, idle means no repaint."""

import numpy as np
import pytest

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


def test_a_rise_shows_at_once_and_a_fall_decays_over_ticks(widget, qtbot):
    widget.set_spectrum(FREQS, frame(-10.0))
    assert widget.frames_drawn == 1
    assert peak(widget) == pytest.approx(-10.0)
    widget.set_spectrum(FREQS, frame(-80.0))  # the note stops
    assert peak(widget) == pytest.approx(-10.0)  # not yet: the next tick starts the decay
    seen = []
    qtbot.waitUntil(lambda: seen.append(peak(widget)) or peak(widget) <= -79.0, timeout=3000)
    # several intermediate display frames between the two analyzer frames
    between = [v for v in seen if -79.0 < v < -10.0]
    assert len(between) >= 3 and between == sorted(between, reverse=True)
    assert widget.frames_drawn >= 4


def test_idle_widget_stops_ticking_and_repainting(widget, qtbot):
    widget.set_spectrum(FREQS, frame(-20.0))
    widget.set_spectrum(FREQS, frame(-60.0))
    qtbot.waitUntil(lambda: not widget._tick.isActive(), timeout=3000)
    assert peak(widget) == pytest.approx(-60.0)
    drawn = widget.frames_drawn
    qtbot.wait(200)
    assert widget.frames_drawn == drawn


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
    qtbot.waitUntil(lambda: not widget._tick.isActive(), timeout=3000)
    drawn = widget.frames_drawn
    widget.set_spectrum(FREQS, frame(-30.0))
    assert widget.frames_drawn == drawn and not widget._tick.isActive()

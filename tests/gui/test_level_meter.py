"""LevelMeter repaints only when what it shows changes (it gets a level every display frame)."""

from PySide6.QtCore import QEvent, QObject

from kord_desktop.widgets.level_meter import LevelMeter


class PaintCount(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_same_level_does_not_repaint_but_a_change_does(qtbot):
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.resize(28, 200)
    meter.show()
    qtbot.waitExposed(meter)
    paints = PaintCount()
    meter.installEventFilter(paints)
    meter.set_level(-30.0, 0.1, False)
    qtbot.wait(50)
    after_first = paints.count
    assert after_first >= 1
    for _ in range(5):  # the same level again (the peak mark stays with it)
        meter.set_level(-30.0, 0.1, False)
        qtbot.wait(10)
    assert paints.count - after_first <= 1  # (a stray expose at most), not one per call
    meter.set_level(-6.0, 0.5, False)
    qtbot.wait(50)
    assert paints.count > after_first
    meter.set_level(-1.0, 1.0, True)  # the clip LED lights
    assert meter.clipping

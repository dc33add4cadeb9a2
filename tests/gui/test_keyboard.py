"""PianoKeyboard: geometry, highlight roles, mouse velocity and glissando, computer keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kord_desktop import keymap
from kord_desktop.widgets.keyboard import ROLES, PianoKeyboard
from tests.gui.fakes import make_context

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(qtbot, tmp_path):
    c = make_context(qtbot, tmp_path)
    c.keyboard.resize(1040, 120)
    c.keyboard.show()
    qtbot.waitExposed(c.keyboard)
    return c


def _centre(kb: PianoKeyboard, midi: int, depth: float = 0.5) -> QPoint:
    r = kb.key_rect(midi)
    return QPoint(int(r.center().x()), int(r.top() + depth * r.height()))


# ---------------------------------------------------------------- keymap (pure functions)
def test_keymap_rows_follow_octave():
    assert keymap.midi_for_char("a") == 60  # C4
    assert [keymap.midi_for_char(c) for c in "asdfghjk"] == [60, 62, 64, 65, 67, 69, 71, 72]
    assert [keymap.midi_for_char(c) for c in "wetyu"] == [61, 63, 66, 68, 70]
    assert keymap.midi_for_char("l") == 74 and keymap.midi_for_char(";") == 76
    assert keymap.midi_for_char("o") == 73 and keymap.midi_for_char("p") == 75
    assert keymap.midi_for_char("a", 3) == 48
    assert keymap.midi_for_char("q") is None and keymap.midi_for_char("") is None


def test_keymap_octave_clamped_and_range():
    assert keymap.clamp_octave(-3) == keymap.MIN_OCTAVE
    assert keymap.clamp_octave(20) == keymap.MAX_OCTAVE
    assert keymap.midi_for_char(";", 7) is None  # E8 is above C8
    assert keymap.octave_shift_for_char("z") == -1 and keymap.octave_shift_for_char("X") == 1


def test_piano_geometry_like_a_real_piano():
    keys = keymap.all_keys()
    assert len(keys) == 88 and keys[0] == 21 and keys[-1] == 108
    assert sum(not keymap.is_black(m) for m in keys) == 52
    # black keys overlap their neighbours and sit off-centre (C♯ left, D♯ right of the gap)
    cs_x, _, cs_w, cs_h = keymap.key_rect(61)
    ds_x, _, _, _ = keymap.key_rect(63)
    c_x = keymap.key_rect(60)[0]
    assert cs_h < 1 and cs_w < 1
    assert cs_x + cs_w / 2 < c_x + 1 and ds_x + cs_w / 2 > c_x + 2
    for m in keys:
        x, y, w, h = keymap.key_rect(m)
        assert keymap.key_at(x + w / 2, h * 0.5) == m
    assert keymap.key_at(c_x + 0.5, 0.95) == 60  # below the black keys is the white key


def test_velocity_grows_towards_the_near_edge():
    assert keymap.velocity_from_depth(0.0) < keymap.velocity_from_depth(0.5)
    assert keymap.velocity_from_depth(0.5) < keymap.velocity_from_depth(1.0) == 1.0


# ---------------------------------------------------------------- roles
def test_roles_are_independent_layers(ctx):
    kb = ctx.keyboard
    kb.set_notes("chord", [60, 64, 67])
    kb.set_notes("detected", [48, 60])
    assert kb.notes("chord") == {60, 64, 67}
    assert kb.notes("detected") == {48, 60}
    kb.clear("chord")
    assert kb.notes("chord") == set() and kb.notes("detected") == {48, 60}
    kb.set_notes("played", [5, 200, 108])  # outside the piano is ignored
    assert kb.notes("played") == {108}
    with pytest.raises(ValueError, match="unknown keyboard role"):
        kb.set_notes("bogus", [60])
    assert set(ROLES) == {"detected", "played", "selected", "chord", "pressed"}


def test_lit_key_is_painted_in_its_role_colour(ctx):
    kb = ctx.keyboard
    kb.set_notes("chord", [60])
    img = kb.grab().toImage()
    p = _centre(kb, 60, 0.85)
    assert img.pixelColor(p).name() == "#b36bff"
    p2 = _centre(kb, 62, 0.85)
    assert img.pixelColor(p2).name() == "#fafafa"


# ---------------------------------------------------------------- mouse
def test_click_plays_with_velocity_from_vertical_position(ctx, qtbot):
    kb, synth = ctx.keyboard, ctx.synth
    QTest.mousePress(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 60, 0.3)
    )
    assert kb.notes("pressed") == {60}
    QTest.mouseRelease(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 60, 0.3)
    )
    QTest.mousePress(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 60, 0.95)
    )
    QTest.mouseRelease(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 60, 0.95)
    )
    ons = synth.calls_to("note_on")
    assert [m for m, _ in ons] == [60, 60]
    assert ons[0][1] < ons[1][1]  # lower on the key = louder
    assert synth.calls_to("note_off") == [(60,), (60,)]
    assert kb.notes("pressed") == set()


def test_black_key_click(ctx):
    kb, synth = ctx.keyboard, ctx.synth
    QTest.mouseClick(kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 61))
    assert [m for m, _ in synth.calls_to("note_on")] == [61]


def test_drag_is_a_glissando(ctx):
    kb, synth = ctx.keyboard, ctx.synth
    QTest.mousePress(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 60, 0.9)
    )
    QTest.mouseMove(kb, _centre(kb, 62, 0.9))
    QTest.mouseMove(kb, _centre(kb, 64, 0.9))
    QTest.mouseRelease(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 64, 0.9)
    )
    names = [(n, a[0]) for n, a in synth.calls if n in ("note_on", "note_off")]
    assert names == [
        ("note_on", 60), ("note_off", 60), ("note_on", 62), ("note_off", 62),
        ("note_on", 64), ("note_off", 64),
    ]  # fmt: skip


def test_shift_click_toggles_selection_without_playing(ctx, qtbot):
    kb, synth = ctx.keyboard, ctx.synth
    with qtbot.waitSignal(kb.selection_changed) as sig:
        QTest.mouseClick(
            kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, _centre(kb, 60)
        )
    assert sig.args == [{60}]
    QTest.mouseClick(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, _centre(kb, 64)
    )
    QTest.mouseClick(
        kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, _centre(kb, 60)
    )
    assert kb.selection() == {64}
    assert synth.calls_to("note_on") == []
    kb.set_select_mode(True)
    QTest.mouseClick(kb, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(kb, 67))
    assert kb.selection() == {64, 67} and synth.calls_to("note_on") == []


# ---------------------------------------------------------------- computer keys
def test_letter_keys_play_and_release(ctx, qtbot):
    kb, synth = ctx.keyboard, ctx.synth
    kb.setFocus()
    QTest.keyPress(kb, Qt.Key.Key_A)
    assert [m for m, _ in synth.calls_to("note_on")] == [60]
    assert kb.notes("pressed") == {60}
    QTest.keyPress(kb, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)  # held: still one note
    QTest.keyPress(kb, Qt.Key.Key_W)
    QTest.keyRelease(kb, Qt.Key.Key_A)
    assert synth.calls_to("note_off") == [(60,)]
    assert kb.notes("pressed") == {61}
    QTest.keyRelease(kb, Qt.Key.Key_W)
    assert synth.calls_to("note_off") == [(60,), (61,)]


def test_z_x_shift_octave(ctx, qtbot):
    kb, synth = ctx.keyboard, ctx.synth
    with qtbot.waitSignal(kb.octave_changed) as sig:
        QTest.keyClick(kb, Qt.Key.Key_Z)
    assert sig.args == [3] and kb.octave() == 3
    QTest.keyClick(kb, Qt.Key.Key_A)
    QTest.keyClick(kb, Qt.Key.Key_X)
    QTest.keyClick(kb, Qt.Key.Key_X)
    QTest.keyClick(kb, Qt.Key.Key_A)
    assert [m for m, _ in synth.calls_to("note_on")] == [48, 72]


def test_octave_change_while_held_releases_the_right_note(ctx):
    kb, synth = ctx.keyboard, ctx.synth
    QTest.keyPress(kb, Qt.Key.Key_S)
    QTest.keyClick(kb, Qt.Key.Key_X)
    QTest.keyRelease(kb, Qt.Key.Key_S)
    assert synth.calls_to("note_off") == [(62,)]


def test_space_is_sustain(ctx, qtbot):
    kb, synth = ctx.keyboard, ctx.synth
    with qtbot.waitSignal(kb.sustain_changed) as sig:
        QTest.keyPress(kb, Qt.Key.Key_Space)
    assert sig.args == [True] and synth.sustain is True
    QTest.keyRelease(kb, Qt.Key.Key_Space)
    assert kb.sustain() is False and synth.calls_to("set_sustain") == [(True,), (False,)]


def test_sounding_notes_light_the_played_role(ctx):
    ctx.synth.note_on(64)
    assert ctx.keyboard.notes("played") == {64}
    ctx.synth.note_off(64)
    assert ctx.keyboard.notes("played") == set()


# ---------------------------------------------------------------- zoom / names
def test_zoom_scrolls_and_keeps_hit_testing(ctx, qtbot):
    kb = ctx.keyboard
    full = kb.key_rect(60).width()
    kb.zoom(3.0)
    assert kb.zoom_factor() == pytest.approx(3.0)
    assert kb.key_rect(60).width() == pytest.approx(full * 3, rel=0.01)
    kb.ensure_visible([21])
    assert kb.scroll_offset() == 0
    assert kb.key_at(kb.key_rect(21).center()) == 21
    kb.ensure_visible([108])
    assert kb.key_rect(108).right() <= kb.width() + 1
    assert kb.key_at(kb.key_rect(107).center()) == 107
    kb.zoom(0.01)
    assert kb.zoom_factor() == 1.0 and kb.scroll_offset() == 0


def test_note_name_modes(ctx):
    kb = ctx.keyboard
    for mode in ("none", "all", "c"):
        kb.set_note_names(mode)
        assert kb.note_names() == mode
        kb.grab()  # paints without error in each mode
    with pytest.raises(ValueError):
        kb.set_note_names("some")


def test_cached_background_follows_state(ctx):
    kb = ctx.keyboard
    p = _centre(kb, 62, 0.85)
    kb.set_notes("detected", [62])
    assert kb.grab().toImage().pixelColor(p).name() == "#2ecc71"
    kb.clear("detected")
    assert kb.grab().toImage().pixelColor(p).name() == "#fafafa"
    before = kb.grab().toImage()
    kb.zoom(2.0)
    assert kb.grab().toImage() != before  # the cached unlit piano was redrawn for the zoom


def test_auto_repeat_is_ignored(ctx):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    kb, synth = ctx.keyboard, ctx.synth
    QTest.keyPress(kb, Qt.Key.Key_D)
    for _ in range(3):  # the OS repeating a held key
        rep = QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_D, Qt.KeyboardModifier.NoModifier, "d", True
        )
        QApplication.sendEvent(kb, rep)
        rel = QKeyEvent(
            QEvent.Type.KeyRelease, Qt.Key.Key_D, Qt.KeyboardModifier.NoModifier, "d", True
        )
        QApplication.sendEvent(kb, rel)
    assert synth.calls_to("note_on") == [(64, 0.8)] and synth.calls_to("note_off") == []
    QTest.keyRelease(kb, Qt.Key.Key_D)
    assert synth.calls_to("note_off") == [(64,)]


def test_ctrl_wheel_zooms(ctx):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    kb = ctx.keyboard
    centre = QPointF(kb.width() / 2, 40)
    event = QWheelEvent(
        centre,
        kb.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(kb, event)
    assert kb.zoom_factor() > 1.0

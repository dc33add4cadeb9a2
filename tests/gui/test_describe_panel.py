"""DescribePanel: kord's description, the chord/scale lit on the piano, Play, inline errors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kord_desktop.panels.describe import DescribePanel

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, ctx):
    p = DescribePanel(ctx)
    qtbot.addWidget(p)
    return p


def test_half_diminished_lights_its_keys_and_plays(panel, ctx):
    panel.describe("Cm7b5")
    assert panel.error_text() == ""
    assert panel.card.title.text() == "Cm7(♭5)"
    assert panel.card.badge.text() == "Chord"
    assert ctx.keyboard.notes("chord") == {60, 63, 66, 70}  # C4 E♭4 G♭4 B♭4
    assert panel.text.toPlainText().startswith("Cm7(♭5)\n   half diminished")
    panel.card.play_button.click()
    panel.card.arpeggio_button.click()
    assert ctx.synth.calls_to("play_chord") == [([60, 63, 66, 70], False), ([60, 63, 66, 70], True)]


def test_slash_chord_with_alterations(panel, ctx):
    panel.describe("Bb7#9#11/D")
    assert panel.card.title.text() == "B♭7(♯9)(♯11)/D"
    # D4 bass under B♭4 D5 F5 A♭5 C♯6 E6
    assert ctx.keyboard.notes("chord") == {62, 70, 74, 77, 80, 85, 88}
    panel.card.play_button.click()
    assert ctx.synth.calls_to("play_chord")[-1] == ([62, 70, 74, 77, 80, 85, 88], False)


def test_dorian_mode_shows_kords_text_and_lights_its_notes(panel, ctx):
    from kord_engine import theory

    panel.describe("D dorian")
    assert panel.card.badge.text() == "Mode"
    assert panel.text.toPlainText() == theory.describe("D dorian").rstrip("\n")
    assert panel.text.toPlainText().splitlines()[:3] == [
        "D dorian",
        "   dorian, 2nd mode of major scale, minor with raised 6th",
        "   D, E, F, G, A, B, C",
    ]
    assert sorted(ctx.keyboard.notes("chord")) == [62, 64, 65, 67, 69, 71, 72]


def test_kind_selector_forces_the_parser(panel, ctx):
    panel.describe("C major")
    assert panel.card.badge.text() == "Scale"
    panel.describe("C major", kind="chord")
    assert "C major" not in panel.card.title.text() or panel.error_text()
    assert panel.error_text() != ""


def test_bad_input_is_an_inline_error_not_a_traceback(panel, ctx):
    panel.describe("Cm7")
    assert ctx.keyboard.notes("chord")
    panel.describe("H7")
    assert panel.error_text() != ""
    assert panel.view() is None
    assert not panel.error.isHidden()
    assert ctx.keyboard.notes("chord") == set()
    panel.describe("Cmaj7")
    assert panel.error_text() == "" and panel.error.isHidden()


def test_recommended_scales_light_and_play(panel, ctx):
    panel.describe("Cm7b5")
    names = [panel.card.recommended.item(i).text() for i in range(panel.card.recommended.count())]
    assert names and names[0].startswith("1. locrian")
    panel.card.select_candidate(0)
    locrian = [60, 61, 63, 65, 66, 68, 70]  # C D♭ E♭ F G♭ A♭ B♭
    assert sorted(ctx.keyboard.notes("chord")) == locrian
    assert panel.card.play_button.text() == "▶ Play locrian"
    panel.card.play_button.click()
    assert ctx.synth.calls_to("play_chord")[-1] == (locrian, False)
    panel.card.back_button.click()
    assert ctx.keyboard.notes("chord") == {60, 63, 66, 70}
    assert panel.card.play_button.text() == "▶ Play" and panel.card.back_button.isHidden()


def test_typing_is_debounced_then_described(qtbot, panel, ctx):
    qtbot.keyClicks(panel.input, "G7")
    assert panel.view() is None  # not yet: 300 ms debounce
    qtbot.waitUntil(lambda: panel.view() is not None, timeout=2000)
    assert panel.card.title.text() == "G7"
    assert ctx.keyboard.notes("chord") == {67, 71, 74, 77}


def test_enter_describes_at_once(qtbot, panel, ctx):
    qtbot.keyClicks(panel.input, "A harmonic minor")
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert panel.card.badge.text() == "Scale"
    assert sorted(ctx.keyboard.notes("chord")) == [69, 71, 72, 74, 76, 77, 80]  # A B C D E F G♯


@pytest.mark.parametrize("text", ["", "   ", "Cmaj", "C" * 10_000, "𝄪💥", "C@3/E", "Cb5"])
def test_garbage_never_raises(panel, ctx, text):
    panel.describe(text)
    assert panel.view() is None
    assert (panel.error_text() != "") == bool(text.strip())

"""GuessPanel: typed notes or selected keys → kord's ranked chords; clicking one plays it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kord_desktop.panels.guess import SHOWN, GuessPanel, split_notes

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, ctx):
    p = GuessPanel(ctx)
    qtbot.addWidget(p)
    return p


def test_split_like_kords_web_page():
    assert split_notes(" C, E;G | Bb\tD ") == ["C", "E", "G", "Bb", "D"]
    assert split_notes("") == []


def test_typed_notes_give_kords_answer(panel, ctx):
    from kord_engine import theory

    panel.set_notes_text("C E G Bb")
    assert panel.error_text() == ""
    assert panel.shown_names()[0] == "C7"
    expected = [c.precise_name for c in theory.guess(["C", "E", "G", "Bb"])]
    assert [c.precise_name for c in panel.candidates()] == expected
    assert panel.shown_names() == expected[:SHOWN]
    assert ctx.keyboard.selection() == {60, 64, 67, 70}


def test_selected_keys_guess_immediately(panel, ctx):
    ctx.keyboard.set_selection({60, 64, 67, 70})
    assert panel.shown_names()[0] == "C7"
    assert panel.input.text() == "C4 E4 G4 Bb4"


def test_shift_clicking_keys_on_the_piano(qtbot, panel, ctx):
    kb = ctx.keyboard
    kb.resize(1040, 120)
    kb.show()
    qtbot.waitExposed(kb)
    for midi in (57, 60, 64):  # A3 C4 E4
        r = kb.key_rect(midi)
        QTest.mouseClick(
            kb,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ShiftModifier,
            QPoint(int(r.center().x()), int(r.bottom() - 5)),
        )
    assert panel.shown_names()[0] == "Am@3"  # kord's precise name: root octave 3
    assert ctx.synth.calls_to("note_on") == []  # selecting does not play


def test_show_all(panel):
    panel.set_notes_text("C F# D# A")  # kord: Cdim and 9 more
    assert len(panel.candidates()) > SHOWN
    assert len(panel.shown_names()) == SHOWN
    panel.show_all.setChecked(True)
    assert len(panel.shown_names()) == len(panel.candidates())
    assert panel.shown_names()[0] == "Cdim"


def test_invalid_note_is_named(panel):
    panel.set_notes_text("C X G")
    assert "Invalid note 'X'" in panel.error_text()
    assert panel.shown_names() == []


def test_fewer_than_three_notes_give_no_candidates(panel):
    panel.set_notes_text("C E")
    assert panel.shown_names() == [] and panel.error_text() == ""
    assert "at least 3 notes" in panel.message.text()


def test_clicking_a_candidate_plays_and_lights_it(qtbot, panel, ctx):
    panel.set_notes_text("C E G")
    panel.show()
    qtbot.waitExposed(panel)
    rect = panel.results.visualItemRect(panel.results.item(0))
    QTest.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ctx.synth.calls_to("play_chord") == [([60, 64, 67], False)]
    assert ctx.keyboard.notes("chord") == {60, 64, 67}
    assert panel.card.title.text() == "C"


def test_typing_is_debounced(qtbot, panel):
    qtbot.keyClicks(panel.input, "D F# A")
    assert panel.shown_names() == []
    qtbot.waitUntil(lambda: panel.shown_names() != [], timeout=2000)
    assert panel.shown_names()[0] == "D"


def test_guess_what_i_play_follows_held_keys(panel, ctx):
    kb = ctx.keyboard
    panel.follow_playing.setChecked(True)
    for midi in (62, 65, 69):  # D4 F4 A4 held together (e.g. from a MIDI keyboard)
        kb.press_note(midi, 0.7)
    assert panel.shown_names()[0] == "Dm"
    for midi in (62, 65, 69):
        kb.release_note(midi)
    assert panel.shown_names()[0] == "Dm"  # the last chord stays after letting go
    assert [m for m, _ in ctx.synth.calls_to("note_on")] == [62, 65, 69]  # and it still sounds


def test_clicks_select_option(panel, ctx):
    panel.click_selects.setChecked(True)
    assert ctx.keyboard.select_mode() is True
    panel.click_selects.setChecked(False)
    assert ctx.keyboard.select_mode() is False

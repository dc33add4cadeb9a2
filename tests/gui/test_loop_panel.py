"""LoopPanel: steps through a progression in kord's loop syntax, loops, stops, reports errors."""

from __future__ import annotations

import pytest

from kord_desktop.panels.loop import LoopPanel, chord_seconds, split_progression

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, ctx):
    p = LoopPanel(ctx)
    qtbot.addWidget(p)
    yield p
    p.stop()


def test_split_and_timing():
    assert split_progression('"Em7b5@3^2" "A7b13@3!" C|16') == ["Em7b5@3^2", "A7b13@3!", "C|16"]
    assert chord_seconds(32, 60) == pytest.approx(4.0)  # kord's default: 4 s at 60 bpm
    assert chord_seconds(16, 120) == pytest.approx(1.0)


def test_loop_advances_and_wraps(qtbot, panel, ctx):
    seen: list[int] = []
    panel.current_changed.connect(seen.append)
    panel.set_progression("C|8 G|8 Am|8", bpm=1000)  # 8 × 60/1000/8 = 60 ms a chord
    assert panel.play()
    assert panel.current_index() == 0
    assert ctx.keyboard.notes("chord") == {60, 64, 67}
    qtbot.waitUntil(lambda: panel.current_index() == 2, timeout=3000)
    assert ctx.keyboard.notes("chord") == {69, 72, 76}  # A4 C5 E5
    qtbot.waitUntil(lambda: seen[-4:] == [0, 1, 2, 0], timeout=3000)  # looped back
    played = [args[0] for args in ctx.synth.calls_to("play_chord")]
    assert played[:4] == [[60, 64, 67], [67, 71, 74], [69, 72, 76], [60, 64, 67]]
    assert ctx.synth.chord_durations[0] == pytest.approx(0.06)
    assert panel.marked_row() == panel.current_index()


def test_stop_silences_and_unlights(qtbot, panel, ctx):
    panel.set_progression("C|4 F|4", bpm=1000)
    panel.play()
    panel.stop()
    assert not panel.is_playing() and panel.current_index() == -1 and panel.marked_row() == -1
    assert ctx.synth.calls_to("all_off")
    assert ctx.keyboard.notes("chord") == set()
    n = len(ctx.synth.calls_to("play_chord"))
    qtbot.wait(100)
    assert len(ctx.synth.calls_to("play_chord")) == n  # nothing more after Stop


def test_bad_chord_is_an_inline_error(panel, ctx):
    panel.set_progression("C H7 G")
    assert panel.play() is False
    assert "H7" in panel.error_text() or panel.error_text()
    assert not panel.is_playing()
    assert ctx.synth.calls_to("play_chord") == []
    panel.set_progression("C G|x")
    assert panel.play() is False and panel.error_text()
    panel.set_progression('"C G')
    assert panel.play() is False and "progression" in panel.error_text()
    panel.set_progression("C G")
    assert panel.play() is True and panel.error_text() == ""


def test_kords_example_progression_parses(panel):
    panel.set_progression('"Em7b5@3^2" "A7b13@3!" "D-maj7@3^2" "G7@3" "Cmaj7@3^2"', bpm=120)
    assert panel.play()
    assert [i.n32 for i in panel.items()] == [32] * 5
    assert panel.list.count() == 5


def test_progression_and_tempo_persist(qtbot, panel, ctx):
    panel.set_progression("Dm7 G7 Cmaj7", bpm=90)
    panel.play()
    panel.stop()
    again = LoopPanel(ctx)
    qtbot.addWidget(again)
    assert again.input.text() == "Dm7 G7 Cmaj7" and again.bpm.value() == 90

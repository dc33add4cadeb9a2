"""Provisional live labels in the app: the chord display draws them paler and in italics, the
history updates a provisional entry in place when it is refined or confirmed (one chord, one
entry), and the window routes the analyzer's provisional/refined events there."""

from __future__ import annotations

import dataclasses

import pytest

from kord_desktop.widgets.chord_display import ChordDisplay
from kord_desktop.widgets.timeline import ChordTimeline
from kord_engine.audio.listen.detection import Detection
from kord_engine.audio.listen.live import AnalyzerEvent

pytestmark = pytest.mark.gui

AM_OVER_C = Detection(
    notes=(48, 52, 57), pitch_classes=(0, 4, 9), bass=0, confidence=0.6, chords=("Am/C",)
)
AM = Detection(notes=(45, 48, 52), pitch_classes=(0, 4, 9), bass=9, confidence=0.9, chords=("Am",))
F = Detection(notes=(53, 57, 60), pitch_classes=(0, 5, 9), bass=5, confidence=0.9, chords=("F",))


def test_chord_display_marks_a_provisional_label(qtbot):
    d = ChordDisplay()
    qtbot.addWidget(d)
    d.show()
    d.set_detection(AM, provisional=True)
    assert d.chord_name == "Am" and d.provisional
    assert d.name_button.font().italic() and d._fade.isEnabled()
    assert d.provisional_label.isVisible()
    d.set_detection(AM)  # confirmed
    assert not d.provisional and not d.name_button.font().italic()
    assert not d._fade.isEnabled() and not d.provisional_label.isVisible()
    d.set_detection(None, provisional=True)  # no chord is never provisional
    assert not d.provisional and not d.provisional_label.isVisible()


def test_a_refined_provisional_entry_is_one_history_entry(qtbot):
    tl = ChordTimeline()
    qtbot.addWidget(tl)
    tl.add_chord(1.0, "Am/C", "C4 E4 A4", provisional=True)
    assert tl.entries[-1].provisional and tl.list.item(0).font().italic()
    tl.refine_chord("Am", "A3 C4 E4", provisional=True)  # the bass, refined
    tl.refine_chord("Am", "A3 C4 E4", provisional=False)  # confirmed
    assert tl.chords() == ["Am"] and tl.list.count() == 1
    entry = tl.entries[0]
    assert (entry.start, entry.notes, entry.provisional, entry.end) == (
        1.0,
        "A3 C4 E4",
        False,
        None,
    )
    assert not tl.list.item(0).font().italic() and "Am" in tl.list.item(0).text()
    # the next chord is a new entry that closes this one
    tl.add_chord(2.0, "F", provisional=True)
    assert tl.chords() == ["Am", "F"] and tl.entries[0].end == 2.0
    # a provisional entry refined back into the chord before it was a false start: merged
    tl.refine_chord("Am", provisional=False)
    assert tl.chords() == ["Am"] and tl.entries[0].end is None and tl.list.count() == 1
    # confirming through add_chord (the same name again) also updates in place
    tl.add_chord(3.0, "F", provisional=True)
    tl.add_chord(3.3, "F")
    assert tl.chords() == ["Am", "F"] and not tl.entries[-1].provisional
    assert tl.entries[-1].start == 3.0


def _event(stable, t, changed=True, provisional=False, refined=False) -> AnalyzerEvent:
    return AnalyzerEvent(
        timestamp=t,
        detection=dataclasses.replace(stable, timestamp=t),
        stable=dataclasses.replace(stable, timestamp=t),
        changed=changed,
        level_db=-20.0,
        peak=0.3,
        clipping=False,
        overflows=0,
        spectrum_db=None,
        spectrum_freqs=None,
        processing_ms=3.0,
        stable_provisional=provisional,
        refined=refined,
    )


def test_window_shows_provisional_labels_and_refines_the_history_in_place(
    make_window, fake_devices
):
    w = make_window()
    bridge = w.context.analyzer
    bridge.handle_event(_event(AM_OVER_C, 1.08, provisional=True))
    assert bridge.provisional and not bridge.refines
    assert w.chord_display.provisional and w.chord_display.chord_name == "Am/C"
    bridge.handle_event(_event(AM, 1.13, provisional=True, refined=True))
    assert w.chord_display.chord_name == "Am" and w.chord_display.provisional
    bridge.handle_event(_event(AM, 1.4, refined=True))  # confirmed
    assert not w.chord_display.provisional and not bridge.provisional
    assert w.timeline.chords() == ["Am"] and w.timeline.entries[0].start == pytest.approx(1.08)
    assert not w.timeline.entries[0].provisional
    bridge.handle_event(_event(F, 2.1, provisional=True))
    assert w.timeline.chords() == ["Am", "F"] and w.timeline.entries[-1].provisional
    # the names setting redraws the label without confirming it
    w.set_chord_names("kord")
    assert w.chord_display.provisional

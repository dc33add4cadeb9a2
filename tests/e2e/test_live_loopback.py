"""Live chord recognition through a real audio path: rendered piano chords are played on the
default output and the LiveAnalyzer (real default detector) listens on the default input."""

from __future__ import annotations

import queue
import time

import pytest

from kord_engine.audio.listen.detect import make_detector
from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

C = [60, 64, 67]  # C4 E4 G4
AM = [57, 60, 64]  # A3 C4 E4
F = [53, 57, 60]  # F3 A3 C4
G7 = [55, 59, 62, 65]  # G3 B3 D4 F4


DETECTORS = ["default", "hybrid"]  # ours alone, and the shipped model + ours (the app's default)


def listen(play, audio, rate, seconds_after=0.6, detector="default"):
    """Start the analyzer, play `audio`, keep listening a little longer; return all events."""
    events: queue.Queue = queue.Queue()
    analyzer = LiveAnalyzer(make_detector(detector), AnalyzerConfig(), events.put)
    analyzer.start()
    try:
        assert analyzer.wait_until_listening(10.0), analyzer.last_error
        time.sleep(0.2)  # let the input settle
        play(audio, rate).join()
        time.sleep(seconds_after)
    finally:
        analyzer.stop()
    out = []
    while not events.empty():
        out.append(events.get())
    return out


def stable_changes(events):
    """The labels a listener keeps: one per history entry, a provisional label's in-place
    refinements and its confirmation applied to its own entry (not new entries)."""
    out = []
    for e in events:
        if e.changed:
            if e.refined and out:
                out[-1] = e.stable
            else:
                out.append(e.stable)
    return out


def story(events):
    """The raw and stable sequence, for failure messages."""
    lines, last = [], None
    for e in events:
        raw = "settling" if e.settling else e.detection.pitch_classes
        if raw != last or e.changed:
            label = (e.stable.pitch_classes, e.stable.bass) if e.stable else None
            kind = " refined" if e.refined else ""
            kind += " provisional" if e.stable_provisional else ""
            mark = f" -> stable{kind} {label}" if e.changed else ""
            lines.append(f"{e.timestamp:6.2f} {e.level_db:5.0f} dB {raw}{mark}")
            last = raw
    return "\n".join(lines)


@pytest.mark.parametrize("detector", DETECTORS)
def test_names_a_played_chord(play, render, detector):
    audio, rate = render([(C, 2.0)])
    events = listen(play, audio, rate, detector=detector)
    assert events, "the analyzer produced no events"
    assert not [e.error for e in events if e.error]
    chords = [s for s in stable_changes(events) if s is not None]
    assert chords, "no stable chord was heard"
    assert [s.pitch_classes for s in chords] == [(0, 4, 7)], story(events)
    assert chords[0].chord == "C"
    assert max(e.level_db for e in events) > -40  # the sound really came through the input


@pytest.mark.parametrize("detector", DETECTORS)
def test_follows_a_progression_without_spurious_chords(play, render, detector):
    progression = [(C, 1.2), (AM, 1.2), (F, 1.2), (G7, 1.2)]
    audio, rate = render(progression)
    events = listen(play, audio, rate, detector=detector)
    assert not [e.error for e in events if e.error]
    changes = stable_changes(events)
    # the stream may end with "no chord" after the sound stops, nothing else is allowed
    if changes and changes[-1] is None:
        changes = changes[:-1]
    assert None not in changes, "the chord dropped out in the middle:\n" + story(events)
    want = [(0, 4, 7), (0, 4, 9), (0, 5, 9), (2, 5, 7, 11)]
    assert [s.pitch_classes for s in changes] == want, story(events)
    assert [s.chord for s in changes] == ["C", "Am", "F", "G7"]
    stamps = [s.timestamp for s in changes]
    assert stamps == sorted(stamps)

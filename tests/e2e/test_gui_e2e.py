"""End to end: a chord played to the default output is heard by the main window on the default
input (PulseAudio null sink: output loops back to input), named, and lit on the keyboard."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.gui]


@pytest.fixture
def c_major_audio():
    from kord_engine.audio.sound.fluidsynth import render_chords

    try:
        audio, rate, _ = render_chords([((60, 64, 67), 4.0)])  # C4 E4 G4
    except Exception as exc:  # noqa: BLE001 - fluidsynth/soundfont missing
        pytest.skip(f"cannot render test audio: {exc}")
    return (0.6 * audio / np.max(np.abs(audio))).astype(np.float32), rate


def test_window_names_and_lights_a_chord_played_through_the_speakers(
    null_sink, c_major_audio, qtbot, tmp_path
):
    import sounddevice as sd

    from kord_desktop.context import AppContext
    from kord_desktop.main_window import MainWindow
    from kord_desktop.settings import Settings

    settings = Settings(tmp_path / "settings.ini")
    settings.set("audio/detector", "default")
    window = MainWindow(AppContext(settings, start_audio=False))
    qtbot.addWidget(window)
    window.show()
    levels: list[float] = []
    window.context.analyzer.level.connect(lambda db, _peak, _clip: levels.append(db))
    heard: list[str] = []  # raw per-hop notes, for the failure message
    window.context.analyzer.raw.connect(
        lambda d: heard.append(f"{d.timestamp:.1f}s {' '.join(d.note_names()) or '-'}")
    )

    def heard_c_major() -> bool:
        lit = window.context.keyboard.notes("detected")
        return window.chord_display.chord_name == "C" and {m % 12 for m in lit} == {0, 4, 7}

    assert window.start_listening(), window.banner.label.text()
    try:
        audio, rate = c_major_audio
        sd.play(audio, rate)
        try:
            qtbot.waitUntil(heard_c_major, timeout=10_000)
        except Exception:
            raise AssertionError(
                f"history:\n{window.timeline.to_text()}loudest {max(levels, default=None)} dB;"
                f" every 5th hop: {heard[::5]}"
            ) from None
        assert "C" in window.timeline.chords()
        assert window.spectrum.frames_drawn > 0
        assert max(levels) > -50
    finally:
        sd.stop()
        window.stop_listening()
    assert not window.context.analyzer.running


def test_window_hears_its_own_synth_through_the_null_sink(null_sink, qtbot, tmp_path):
    """SynthBridge → real output stream → null sink → default input → analyzer → window."""
    from kord_desktop.context import AppContext
    from kord_desktop.main_window import MainWindow
    from kord_desktop.settings import Settings

    settings = Settings(tmp_path / "settings.ini")
    settings.set("audio/detector", "default")
    settings.set("synth/volume", 1.0)
    window = MainWindow(AppContext(settings, start_audio=True))
    qtbot.addWidget(window)
    window.show()
    synth = window.context.synth
    qtbot.waitUntil(lambda: synth.audible, timeout=10_000)

    def heard_c_major() -> bool:
        lit = window.context.keyboard.notes("detected")
        return window.chord_display.chord_name == "C" and {m % 12 for m in lit} == {0, 4, 7}

    assert window.start_listening(), window.banner.label.text()
    try:
        synth.play_chord([60, 64, 67], duration=4.0)
        assert window.context.keyboard.notes("played") == {60, 64, 67}
        try:
            qtbot.waitUntil(heard_c_major, timeout=10_000)
        except Exception:
            raise AssertionError(f"heard instead:\n{window.timeline.to_text()}") from None
    finally:
        synth.all_off()
        window.stop_listening()

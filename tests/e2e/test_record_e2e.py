"""End to end, teach it your instrument: fluidsynth is the musician. For every chord the
recording page asks for, it renders that chord and plays it into the PulseAudio null sink
(sounddevice play); the main window's analyzer captures it, the page's take recorder (fed from
that same capture) records it, a short fine-tune runs in the trainer thread, "Use this model"
switches the running detector, and the takes on disk carry the notes that sounded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.gui, pytest.mark.slow, pytest.mark.train]

SONG = "C Am F G7 Dm Em"
#: generous: PulseAudio, fluidsynth and a 2-core CI machine shared with other jobs
TAKE_TIMEOUT_MS = 20_000
RUN_TIMEOUT_MS = 300_000


@pytest.fixture
def musician():
    """musician(notes) -> audio: fluidsynth's piano playing `notes` for 1 s, then its release,
    2 s in all (peak 0.5). The sound is shorter than a take (1.5 s after the onset): when the
    page arms the next chord the room is quiet again (below -60 dB), so a glitch in the
    playback (an underrun on a busy machine: silence, then the tail again) cannot look like
    an onset and record the old chord's tail as the next chord."""
    from kord_engine.audio.sound import fluidsynth

    if not shutil.which("fluidsynth") or not fluidsynth.find_soundfonts():
        pytest.skip("fluidsynth or a GM soundfont is not installed")

    def render(notes) -> tuple[np.ndarray, int]:
        audio, rate, _ = fluidsynth.render_chords([(tuple(notes), 1.0)], sample_rate=48000)
        audio = audio[: 2 * rate]
        return (0.5 * audio / np.max(np.abs(audio))).astype(np.float32), rate

    return render


def test_the_page_records_what_fluidsynth_plays_then_finetunes_and_switches(
    null_sink, musician, qtbot, tmp_path, monkeypatch
):
    pytest.importorskip("torch")
    import sounddevice as sd

    from kord_desktop.bridge import trainer_bridge
    from kord_desktop.context import AppContext
    from kord_desktop.main_window import MainWindow
    from kord_desktop.panels import training_wizard as tw
    from kord_desktop.settings import Settings
    from kord_engine.ml.recordings import list_takes
    from kord_engine.samples import read_sample

    monkeypatch.setattr(trainer_bridge, "WARM_MODULES", ())  # only the precision probe
    settings = Settings(tmp_path / "settings.ini")
    window = MainWindow(AppContext(settings, start_audio=False))
    qtbot.addWidget(window)
    window.show()
    assert window.start_listening(), window.banner.label.text()
    window.teach_action.trigger()  # Model → Teach it your instrument…
    wizard = window._wizard
    takes = wizard.takes
    page = wizard.record_page
    try:
        assert wizard.currentId() == tw.RECORD_SETUP
        wizard.record_setup_page.instrument.setCurrentText("my piano")
        wizard.record_setup_page.song.setText(SONG)
        wizard.next()
        assert wizard.currentId() == tw.RECORD
        assert [p.symbol for p in page.prompts] == SONG.split()
        assert not page.listen_box.isVisible()  # the window is listening: the page uses it

        played: dict[str, tuple[int, ...]] = {}
        for i, prompt in enumerate(page.prompts):
            assert page.index == i
            notes = tuple(prompt.notes)
            if i == 2:  # this time the musician leaves the top note out, and says so
                notes = notes[:-1]
                page.keyboard.set_selection(notes)
                assert page.label() == notes

            def status(what: str, i=i, prompt=prompt) -> str:
                return (
                    f"chord {i} ({prompt.symbol}) {what}: state {takes.state}, "
                    f"fed {takes.seconds_fed():.2f} s, level {page.level_db:.0f} dB, "
                    f"listening {window.context.analyzer.running}, errors {page.errors}, "
                    f"banner {window.banner.label.text()!r}, page says {page.state.text()!r}"
                )

            # the recorder is armed and has heard the room (its noise floor) before playing
            try:
                qtbot.waitUntil(
                    lambda: takes.state == "WAITING" and takes.seconds_fed() > 0.3,
                    timeout=TAKE_TIMEOUT_MS,
                )
            except Exception:
                raise AssertionError(status("was not armed")) from None
            audio, rate = musician(notes)
            sd.play(audio, rate)
            try:
                qtbot.waitUntil(lambda i=i: i in page.recorded, timeout=TAKE_TIMEOUT_MS)
            except Exception:
                raise AssertionError(status("was not recorded")) from None
            qtbot.waitUntil(lambda: not sd.get_stream().active, timeout=TAKE_TIMEOUT_MS)
            played[prompt.symbol] = tuple(sorted(notes))
        assert page.done and page.total_takes == len(played)
        assert takes.frames_lost == 0

        # the samples on disk: one per chord, labelled with the notes that sounded
        on_disk = list_takes("my piano")
        assert {t.symbol: t.notes for t in on_disk} == played
        for take in on_disk:
            label = json.loads(take.label.read_text())
            assert tuple(label["notes"]) == take.notes
            assert read_sample(take.sample).note_ids == tuple(n - 12 for n in take.notes)
            assert 1.4 < label["seconds"] < 1.7  # the fixed window (plus its pre-roll)
        loud = [take for take in on_disk if _peak(take) > 0.1]
        assert len(loud) == len(on_disk)  # every take holds the chord, not the silence before

        # a short fine-tune from the current (default) model
        wizard.next()
        assert wizard.currentId() == tw.FINETUNE
        ft = wizard.finetune_page
        ft.epochs.setValue(1)
        ft.copies.setValue(1)
        ft.replay.setValue(20)
        destination = Path(ft.destination.text())
        with qtbot.waitSignal(wizard.bridge.stopped, timeout=RUN_TIMEOUT_MS):
            wizard.next()
        assert wizard.outcome is not None and not wizard.outcome.cancelled, (
            wizard.run_page.error.text()
        )
        assert wizard.currentId() == tw.COMPARE
        compare = wizard.compare_page
        qtbot.waitUntil(
            lambda: len(compare.accuracy) == 2 or compare.error.isVisible(),
            timeout=RUN_TIMEOUT_MS,
        )
        assert not compare.error.isVisible(), compare.error.text()

        # "Use this model": the running detector switches now, and the choice is kept
        compare.use_button.click()
        bridge = window.context.analyzer
        # the fine-tune starves two cores: an input that stalled meanwhile is listened to
        # again by the window itself (within a second or two)
        qtbot.waitUntil(lambda: bridge.running, timeout=TAKE_TIMEOUT_MS)
        assert bridge.model_dir == destination
        assert bridge.detector_name == "hybrid"
        assert settings.get("model/dir") == str(destination)
        heard: list[tuple[int, ...]] = []
        bridge.raw.connect(lambda d: heard.append(tuple(d.pitch_classes)))
        audio, rate = musician((48, 52, 55))
        sd.play(audio, rate)
        qtbot.waitUntil(lambda: (0, 4, 7) in heard, timeout=TAKE_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not sd.get_stream().active, timeout=TAKE_TIMEOUT_MS)
    finally:
        sd.stop()
        wizard.shutdown()
        window.stop_listening()


def _peak(take) -> float:
    from kord_engine.ml.recordings import load_take_audio

    audio, _ = load_take_audio(take)
    return float(np.max(np.abs(audio)))

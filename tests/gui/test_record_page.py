"""Teach it your instrument — the recording pages driven through the real wizard with a fake
audio feed (TakeBridge.push, the path the capture ring's blocks take): record → retake → skip
→ delete, labels on disk, clicking keys changes the label, a manual take, what the model hears."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from kord_desktop.panels import training_wizard as tw
from kord_desktop.panels.record_page import MIN_TAKES, note_names
from kord_engine.ml.recordings import list_takes
from kord_engine.samples import read_sample

pytestmark = pytest.mark.gui

RATE = 48000
BLOCK = 1024


def chord_audio(midis, seconds: float = 1.8, quiet: float = 0.3, seed: int = 0) -> np.ndarray:
    """`quiet` s of faint noise, then the notes (decaying partials) for `seconds`."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = np.zeros_like(t)
    for m in midis:
        f = 440.0 * 2 ** ((m - 69) / 12)
        for k in (1, 2, 3):
            tone += np.sin(2 * np.pi * f * k * t) / k
    tone *= np.exp(-t / 1.5) * 0.25 / max(1, len(midis))
    silence = np.zeros(int(quiet * RATE))
    audio = np.concatenate([silence, tone])
    return (audio + 1e-4 * rng.standard_normal(audio.size)).astype(np.float32)


def feed(wizard, audio: np.ndarray) -> None:
    """Push audio into the take recorder block by block, as the capture reader does."""
    for pos in range(0, audio.size, BLOCK):
        wizard.takes.push(audio[pos : pos + BLOCK], RATE)


def to_record_page(wizard, song: str = "C Am F G7", instrument: str = "my guitar"):
    assert wizard.currentId() == tw.START
    assert wizard.start_page.choice() == "teach"  # what a musician gets by default
    wizard.next()
    assert wizard.currentId() == tw.RECORD_SETUP
    setup = wizard.record_setup_page
    setup.instrument.setCurrentText(instrument)
    setup.song.setText(song)
    assert setup.chosen_set() == "song"  # typing chords picks "the chords of my song"
    wizard.next()
    assert wizard.currentId() == tw.RECORD
    return wizard.record_page


def record(qtbot, wizard, page, midis) -> object:
    """Play `midis` into the page; return the Take it saved for the current chord."""
    index = page.index
    assert wizard.takes.armed
    feed(wizard, chord_audio(midis, seed=index))
    qtbot.waitUntil(lambda: index in page.recorded, timeout=10000)
    return page.recorded[index]


def click_key(qtbot, keyboard, midi: int) -> None:
    rect = keyboard.key_rect(midi)
    point = QPoint(int(rect.center().x()), int(rect.bottom() - 6))  # below the black keys
    qtbot.mouseClick(keyboard, Qt.MouseButton.LeftButton, pos=point)


def labels_on_disk(instrument: str) -> list[tuple[str, tuple[int, ...]]]:
    """(symbol, notes) of every take on disk, checked three ways: Take, JSON, .bin mask."""
    out = []
    for take in list_takes(instrument):
        label = json.loads(take.label.read_text())
        assert tuple(label["notes"]) == take.notes
        assert read_sample(take.sample).note_ids == tuple(n - 12 for n in take.notes)
        assert take.wav.is_file()
        out.append((label["symbol"], take.notes))
    return out


def test_setup_page_checks_the_name_and_the_song_chords(wizard):
    wizard.next()
    setup = wizard.record_setup_page
    setup.instrument.setCurrentText("")
    assert not wizard.button(tw.QWizard.WizardButton.NextButton).isEnabled()
    assert "name" in setup.error.text()
    setup.instrument.setCurrentText("my guitar")
    setup.song.setText("C Am7 Hmaj9 G7")
    assert not wizard.button(tw.QWizard.WizardButton.NextButton).isEnabled()
    assert "Hmaj9" in setup.error.text()
    setup.song.setText("C Am7 F/A G7")
    assert wizard.button(tw.QWizard.WizardButton.NextButton).isEnabled()
    assert setup.preview.text().startswith("C, Am7, F/A, G7")
    setup.set_buttons["sevenths"].setChecked(True)
    setup.count.setValue(12)
    assert len(setup.prompts()) == 12
    assert all(any(q in p.symbol for q in ("7", "dim")) for p in setup.prompts())


def test_record_retake_skip_delete_and_the_labels_on_disk(qtbot, wizard):
    page = to_record_page(wizard)
    levels: list[float] = []
    wizard.takes.level.connect(levels.append)
    assert [p.symbol for p in page.prompts] == ["C", "Am", "F", "G7"]
    assert page.symbol.text() == "C"
    c = page.prompts[0].notes
    assert page.keyboard.notes("chord") == set(c)  # the suggested voicing is lit …
    assert page.keyboard.selection() == set(c)  # … and is the label until keys are clicked
    assert "Play C now" in page.state.text()

    first = record(qtbot, wizard, page, c)
    assert first.notes == c and first.symbol == "C"
    assert page.index == 1 and page.symbol.text() == "Am"  # on to the next chord at once
    assert max(levels) > -40 and min(levels) < -60  # the meter saw the quiet and the chord
    assert labels_on_disk("my guitar") == [("C", c)]

    # retake: the last take goes, the chord comes back; this time with other keys marked
    assert page.retake_button.text() == "Retake C"
    page.retake_button.click()
    assert page.index == 0 and page.symbol.text() == "C"
    assert page.wait_idle()
    qtbot.waitUntil(lambda: not page._pending, timeout=5000)
    assert labels_on_disk("my guitar") == []
    assert not first.sample.exists() and not first.wav.exists() and not first.label.exists()
    top = max(c)
    click_key(qtbot, page.keyboard, top)  # that note did not sound …
    click_key(qtbot, page.keyboard, top + 5)  # … this one did
    played = tuple(sorted({*c} - {top} | {top + 5}))
    assert page.label() == played
    assert note_names(played, "C") in page.voicing.text()
    assert "suggested" in page.voicing.text()
    second = record(qtbot, wizard, page, played)
    assert second.notes == played  # the label is the notes clicked, not the suggestion

    # skip Am, record F, then delete F's take from the list
    assert page.index == 1
    page.skip_button.click()
    assert page.index == 2 and page.skipped == {1}
    f = record(qtbot, wizard, page, page.prompts[2].notes)
    assert page.index == 3 and page.list.count() == 2
    page.list.item(1).setSelected(True)
    page.delete_button.click()
    assert page.wait_idle()
    qtbot.waitUntil(lambda: not page._pending, timeout=5000)
    assert not f.sample.exists()
    assert page.list.count() == 1
    assert labels_on_disk("my guitar") == [("C", played)]

    # G7, then the end of the list: Next needs MIN_TAKES takes of the instrument
    record(qtbot, wizard, page, page.prompts[3].notes)
    assert page.done and page.symbol.text() == "✓"
    assert not wizard.takes.armed
    assert page.total_takes == 2 < MIN_TAKES
    assert not wizard.button(tw.QWizard.WizardButton.NextButton).isEnabled()
    assert [s for s, _ in labels_on_disk("my guitar")] == ["C", "G7"]


def test_a_cancelled_or_skipped_take_writes_nothing(qtbot, wizard):
    page = to_record_page(wizard, song="C G")
    audio = chord_audio(page.prompts[0].notes)
    feed(wizard, audio[: int(0.8 * RATE)])  # the take has begun …
    assert wizard.takes.state == "RECORDING"
    page.skip_button.click()  # … and is thrown away
    feed(wizard, audio[int(0.8 * RATE) :])  # the rest of that chord: not the next chord's take
    assert page.wait_idle()
    qtbot.wait(50)
    assert page.recorded == {} and list_takes("my guitar") == []
    assert page.index == 1


def test_a_take_the_user_starts_and_stops(qtbot, wizard):
    page = to_record_page(wizard, song="Dm7 G7")
    quiet = (1e-4 * np.random.default_rng(1).standard_normal(RATE)).astype(np.float32)
    feed(wizard, quiet[: RATE // 5])
    page.manual_button.click()
    assert page.manual_button.text().startswith("■")
    feed(wizard, quiet)  # no onset at all: a manual take records anyway
    page.manual_button.click()
    qtbot.waitUntil(lambda: 0 in page.recorded, timeout=10000)
    take = page.recorded[0]
    assert take.symbol == "Dm7" and take.notes == page.prompts[0].notes
    assert page.manual_button.text().startswith("●")
    assert page.index == 1


def test_relabelling_a_recorded_take_keeps_one_take_with_the_new_notes(qtbot, wizard):
    page = to_record_page(wizard, song="C F")
    take = record(qtbot, wizard, page, page.prompts[0].notes)
    page.previous()
    assert page.index == 0 and not wizard.takes.armed  # a recorded chord waits for Retake
    assert not page.relabel_button.isVisible()
    click_key(qtbot, page.keyboard, max(take.notes))
    assert page.relabel_button.isVisible()
    page.relabel_button.click()
    qtbot.waitUntil(lambda: not page._pending, timeout=10000)
    new = page.recorded[0]
    assert new.notes == tuple(sorted(take.notes)[:-1])
    assert not take.sample.exists()
    assert labels_on_disk("my guitar") == [("C", new.notes)]


def test_the_page_shows_what_the_live_detector_hears(qtbot, wizard, app_context):
    from kord_engine.audio.listen.detection import Detection

    page = to_record_page(wizard)
    app_context.analyzer.detection.emit(
        Detection(notes=(36, 40, 43), pitch_classes=(0, 4, 7), chords=("C",)), True
    )
    assert page.hears.text().startswith("The model hears: C")
    assert page.keyboard.notes("detected") == {48, 52, 55}
    app_context.analyzer.detection.emit(Detection(), True)
    assert "nothing" in page.hears.text()
    assert page.listen_box.isVisible()  # not listening: the page offers to start


def test_enough_takes_unlock_the_fine_tune_page(qtbot, wizard):
    page = to_record_page(wizard, song="C Am F G")
    for _ in range(4):
        record(qtbot, wizard, page, page.prompts[page.index].notes)
    assert page.total_takes == 4
    assert wizard.button(tw.QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentId() == tw.FINETUNE
    assert not wizard.takes.armed  # leaving the page stops recording
    ft = wizard.finetune_page
    assert "4 takes of “my guitar”: 3 to learn from, 1 held out" in ft.recordings.text()
    assert "default model" in ft.start_from.text()
    assert wizard.button(tw.QWizard.WizardButton.CommitButton).text() == "Fine-tune"


def test_back_from_the_fine_tune_page_records_where_it_left_off(qtbot, wizard):
    page = to_record_page(wizard, song="C Am F G Dm")
    for _ in range(4):
        record(qtbot, wizard, page, page.prompts[page.index].notes)
    assert page.symbol.text() == "Dm"
    wizard.next()
    assert wizard.currentId() == tw.FINETUNE and not wizard.takes.armed
    wizard.back()
    assert wizard.currentId() == tw.RECORD
    assert page.symbol.text() == "Dm" and wizard.takes.armed  # the same session goes on
    record(qtbot, wizard, page, page.prompts[4].notes)
    assert page.done and len(list_takes("my guitar")) == 5


def test_without_torch_it_records_and_the_fine_tune_page_says_how_to_install(
    qtbot, app_context, monkeypatch
):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a, **k: None if name == "torch" else real(name, *a, **k),
    )
    wizard = tw.TrainingWizard(app_context, probe=False)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        page = to_record_page(wizard, song="C Am F G")
        for _ in range(4):  # recording needs no torch
            record(qtbot, wizard, page, page.prompts[page.index].notes)
        wizard.next()
        assert wizard.currentId() == tw.FINETUNE
        ft = wizard.finetune_page
        assert not wizard.button(tw.QWizard.WizardButton.CommitButton).isEnabled()
        assert "pip install 'kord-desktop[train]'" in ft.error.text()
        assert "takes are kept" in ft.error.text()
        assert len(list_takes("my guitar")) == 4
    finally:
        wizard.shutdown()

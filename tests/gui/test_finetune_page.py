"""Teach it your instrument — the fine-tune and compare pages: defaults from finetune_config,
a tiny real fine-tune in the trainer's QThread with the live curves, cancel, before / after on
the held-out takes (off the GUI thread), "Use this model" switching the live detector and
persisting across a restart of the window, and "Use the default model" one click away."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from kord_desktop.bridge import trainer_bridge
from kord_desktop.panels import training_wizard as tw
from kord_desktop.panels.finetune_page import current_model_dir
from kord_engine.ml.finetune import DEFAULTS
from kord_engine.ml.recordings import list_takes, save_take
from kord_engine.resources import default_model_dir
from tests.gui.test_record_page import RATE, chord_audio

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.train]

COMMIT = QWizard.WizardButton.CommitButton
CHORDS = [(48, 52, 55), (45, 48, 52), (41, 45, 48), (43, 47, 50, 53), (50, 53, 57), (52, 55, 59)]
TINY = {"epochs": 1, "augment_copies": 0, "replay_share": 0.0}


@pytest.fixture
def takes():
    """Six takes of "my guitar" already on disk (an earlier session)."""
    pytest.importorskip("torch")
    for i, notes in enumerate(CHORDS):
        save_take("my guitar", chord_audio(notes, seed=i), RATE, notes, symbol=f"c{i}")
    return list_takes("my guitar")


def to_finetune_page(wizard) -> None:
    """Start → teach → "my guitar" → record page (its old takes are enough) → fine-tune."""
    wizard.next()
    setup = wizard.record_setup_page
    setup.instrument.setCurrentText("my guitar")
    assert "6 takes of “my guitar” recorded before" in setup.instrument_hint.text()
    setup.song.setText("C G")
    wizard.next()
    assert wizard.currentId() == tw.RECORD
    assert wizard.record_page.isComplete()  # no new take needed: six are on disk
    wizard.next()
    assert wizard.currentId() == tw.FINETUNE


def tiny(page) -> None:
    page.epochs.setValue(TINY["epochs"])
    page.copies.setValue(TINY["augment_copies"])
    page.replay.setValue(0)


def run_finetune(qtbot, wizard) -> Path:
    """Commit the fine-tune page, wait for the run and the before/after figures."""
    with qtbot.waitSignal(wizard.bridge.stopped, timeout=180000):
        wizard.next()
    outcome = wizard.outcome
    assert outcome is not None and not outcome.cancelled, wizard.run_page.error.text()
    assert wizard.currentId() == tw.COMPARE
    page = wizard.compare_page
    qtbot.waitUntil(lambda: len(page.accuracy) == 2 or page.error.isVisible(), timeout=60000)
    assert not page.error.isVisible(), page.error.text()
    return outcome.destination


def test_finetune_page_shows_the_engines_defaults(wizard, takes):
    to_finetune_page(wizard)
    page = wizard.finetune_page
    assert page.epochs.value() == DEFAULTS.epochs
    assert page.lr.value() == pytest.approx(DEFAULTS.lr)
    assert page.replay.value() == round(100 * DEFAULTS.replay_share)
    assert page.copies.value() == DEFAULTS.augment_copies
    assert Path(page.destination.text()).name.startswith("my-guitar-")
    assert "6 takes of “my guitar”: 5 to learn from, 1 held out" in page.recordings.text()
    page.holdout.setValue(34)
    assert "4 to learn from, 2 held out" in page.recordings.text()
    plan = page.plan()
    try:
        config = plan.config
        assert config.init_from == str(default_model_dir())
        assert config.epochs == DEFAULTS.epochs and config.lr == pytest.approx(DEFAULTS.lr)
        assert "sim" in config.training_sources  # the replay share
        staged = sorted(p.name for p in plan.staging.rglob("*.bin"))
        assert staged == sorted(t.sample.name for t in plan.train)
        assert not {t.sample.name for t in plan.held_out} & set(staged)  # never trained on
    finally:
        plan.cleanup()
    assert plan.staging is None


def test_finetune_runs_in_the_thread_and_compares_before_and_after(qtbot, wizard, takes):
    to_finetune_page(wizard)
    tiny(wizard.finetune_page)
    destination = Path(wizard.finetune_page.destination.text())
    assert wizard.button(COMMIT).isEnabled()
    phases = []
    wizard.bridge.update.connect(lambda u: phases.append(u.progress.phase))
    assert run_finetune(qtbot, wizard) == destination
    assert (destination / "model.onnx").is_file()
    assert {"step", "epoch"} <= set(phases)
    assert wizard.run_page.curves.loss.size == wizard.outcome.report["steps"]  # live curves
    assert wizard.plan.staging is None  # the staged copy is gone, the takes stay
    assert len(list_takes("my guitar")) == 6
    page = wizard.compare_page
    assert set(page.accuracy) == {"before", "after"}
    assert page.before.text().endswith("%") and page.after.text().endswith("%")
    assert "1 held-out takes" in page.detail.text()
    assert "default model" in page.before_title.text()
    with qtbot.waitSignal(wizard.model_ready, timeout=5000) as ready:
        page.use_button.click()
    assert ready.args == [str(destination)]
    assert wizard.context.settings.get("model/dir") == str(destination)
    assert wizard.context.settings.get("audio/detector") in ("hybrid", "ml")
    assert wizard.isVisible()  # the default stays one click away on the same page
    with qtbot.waitSignal(wizard.default_model_requested, timeout=5000):
        page.default_button.click()
    assert wizard.context.settings.get("model/dir") == ""
    assert "default model" in page.state.text()


def test_cancelling_a_finetune_writes_no_model(qtbot, wizard, takes):
    to_finetune_page(wizard)
    page = wizard.finetune_page
    page.epochs.setValue(200)
    page.copies.setValue(0)
    page.replay.setValue(0)
    destination = Path(page.destination.text())
    first_step = []

    def on_update(update) -> None:
        if update.progress.phase == "step" and not first_step:
            first_step.append(update)
            wizard.cancel_training()

    wizard.bridge.update.connect(on_update)
    with qtbot.waitSignal(wizard.bridge.stopped, timeout=180000):
        wizard.next()
    assert first_step, "the run ended before its first step"
    assert wizard.outcome is not None and wizard.outcome.cancelled
    assert not destination.exists()
    assert wizard.plan.staging is None
    assert "nothing was written" in wizard.run_page.phase.text()
    assert wizard.currentId() == tw.RUN
    wizard.run_page.settings_button.click()  # back to the fine-tune options
    assert wizard.currentId() == tw.FINETUNE


class RunningAnalyzer:
    """Stands in for a LiveAnalyzer that is listening: records the detectors it is given."""

    running = True

    def __init__(self):
        self.detectors = []

    def set_detector(self, detector) -> None:
        self.detectors.append(detector)

    def stop(self) -> None:
        self.running = False


def test_use_this_model_switches_the_live_detector_and_survives_a_restart(
    make_window, qtbot, takes, monkeypatch
):
    monkeypatch.setattr(trainer_bridge, "WARM_MODULES", ())
    window = make_window()
    window.open_training_wizard("teach")
    wizard = window._wizard
    try:
        assert wizard.currentId() == tw.RECORD_SETUP  # the menu's "Teach it your instrument…"
        wizard.record_setup_page.instrument.setCurrentText("my guitar")
        wizard.record_setup_page.song.setText("C")
        wizard.next()
        wizard.next()
        assert wizard.currentId() == tw.FINETUNE
        tiny(wizard.finetune_page)
        destination = run_finetune(qtbot, wizard)
        live = RunningAnalyzer()
        window.context.analyzer.attach(live)
        assert window.context.analyzer.running
        wizard.compare_page.use_button.click()
        bridge = window.context.analyzer
        assert bridge.model_dir == destination  # the running detector switched at once …
        assert bridge.detector_name == "hybrid"
        assert live.detectors and type(live.detectors[-1]).__name__ == "HybridDetector"
        assert destination.name in window.status_bar.model.text()
        assert "uses" in wizard.compare_page.state.text()
    finally:
        wizard.shutdown()
    settings_path = window.settings.fileName()
    window.close()

    again = make_window(Path(settings_path))  # … and the choice outlives the window
    assert again.settings.get("model/dir") == str(destination)
    assert again.toolbar.detector == "hybrid"
    assert destination.name in again.status_bar.model.text()
    assert current_model_dir(again.settings) == destination  # the next fine-tune starts there
    again.use_default_model()  # the Model menu's "Use default model"
    assert again.settings.get("model/dir") == ""
    assert "default" in again.status_bar.model.text()
    assert current_model_dir(again.settings) == default_model_dir()


def test_a_model_that_cannot_be_finetuned_says_why_on_the_run_page(wizard, takes, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.onnx").write_bytes(b"not a model")
    (broken / "config.json").write_text("{}")
    wizard.context.settings.set("model/dir", str(broken))
    to_finetune_page(wizard)
    assert str(broken) in wizard.finetune_page.start_from.text()
    staged_before = set(Path(tempfile.gettempdir()).glob("kord-finetune-*"))
    wizard.next()
    page = wizard.run_page
    assert wizard.currentId() == tw.RUN and not wizard.bridge.running
    assert page.error.isVisible() and "Cannot fine-tune" in page.error.text()
    assert page.again_button.isVisible() and page.settings_button.isVisible()
    assert set(Path(tempfile.gettempdir()).glob("kord-finetune-*")) == staged_before
    assert not Path(wizard.finetune_page.destination.text()).exists()

"""The training wizard: page validation, the config it builds, the QThread run (fake and real
trainer), cancel leaving nothing behind, results and "Use this model", torch missing."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from kord_desktop.bridge import trainer_bridge
from kord_desktop.bridge.trainer_bridge import ProgressThrottle, TrainerUpdate, TrainOutcome
from kord_desktop.panels import training_wizard as tw
from kord_desktop.panels.wizard_pages import folder_problem, format_eta, kord_shape_problem
from kord_desktop.widgets.curves import Series, _nice_ceiling
from kord_engine.audio.listen.model.features import LOADERS, feature_width
from kord_engine.audio.listen.model.targets import TARGETS
from kord_engine.errors import KordError
from kord_engine.ml.config import ConfigError
from kord_engine.ml.progress import TrainProgress
from tests.gui.fakes import make_context

pytestmark = pytest.mark.gui

NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
CPU_PRECISIONS = {
    "cpu": {
        "fp32": (True, "full precision, always available"),
        "fp16": (True, "CPU fp16 autocast runs but is ~9× slower than fp32 here"),
        "bf16": (False, "this torch build cannot autocast to bf16 on CPU"),
    }
}


@pytest.fixture
def samples(tmp_path, shared_dir) -> Path:
    """A dozen captured samples copied into tmp (a folder named like kord's 'captured')."""
    src = sorted((shared_dir / "data" / "samples" / "captured").glob("*.bin"))
    assert src, "no captured samples in ../shared"
    dest = tmp_path / "samples_captured"
    dest.mkdir()
    for path in src[::11][:12]:
        shutil.copy(path, dest)
    return dest


@pytest.fixture
def make_wizard(qtbot, tmp_path):
    made = []

    def make(**kwargs) -> tw.TrainingWizard:
        ctx = make_context(qtbot, tmp_path)
        kwargs.setdefault("start", tw.SOURCES)  # the folder path; test_record_page: the other
        wizard = tw.TrainingWizard(ctx, probe=False, **kwargs)
        qtbot.addWidget(wizard)
        wizard.training_page.set_precisions(CPU_PRECISIONS)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.shutdown()


def next_enabled(wizard, which=NEXT) -> bool:
    button = wizard.button(which)
    return button.isVisible() and button.isEnabled()


def to_training_page(wizard, folder: Path | None = None, sim: int = 0) -> None:
    if folder is not None:
        assert wizard.sources_page.captured.add_folder(folder)
    wizard.sources_page.sim.setValue(sim)
    wizard.next()
    wizard.model_page.width.setValue(64)
    wizard.next()
    assert wizard.currentId() == tw.TRAINING


# ----------------------------------------------------------------------------- import / torch


def test_importing_the_wizard_does_not_import_torch():
    code = "import sys; import kord_desktop.panels.training_wizard; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_without_torch_first_page_says_how_to_install_and_next_stays_off(make_wizard, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a, **k: None if name == "torch" else real(name, *a, **k),
    )
    assert trainer_bridge.torch_available() is False
    wizard = make_wizard()
    page = wizard.sources_page
    page.sim.setValue(5)  # a valid source: torch is the only thing missing
    assert page.install_note.isVisible()
    text = page.install_note.text()
    assert "pip install 'kord-desktop[train]'" in text
    assert ".venv/bin/pip install -e '.[train]'" in text
    assert "torch" in text
    assert not next_enabled(wizard)
    assert wizard.probe is None  # nothing tries to import torch


def test_with_torch_installed_there_is_no_install_note(make_wizard):
    wizard = make_wizard()
    assert not wizard.sources_page.install_note.isVisible()


# ----------------------------------------------------------------------------- page 1


def test_sources_page_needs_some_data(make_wizard):
    wizard = make_wizard()
    page = wizard.sources_page
    page.sim.setValue(0)
    assert not next_enabled(wizard)
    assert "at least one sample folder" in page.error.text()
    page.sim.setValue(1)
    assert next_enabled(wizard)
    assert "375" in page.sim_items.text()


def test_folder_lists_accept_only_folders_with_bin_samples(make_wizard, tmp_path, samples):
    wizard = make_wizard()
    captured = wizard.sources_page.captured
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a sample")
    assert not captured.add_folder(empty)
    assert "no .bin sample files" in captured.error.text()
    assert not captured.add_folder(tmp_path / "missing")
    assert "does not exist" in captured.error.text()
    assert captured.add_folder(samples)
    assert not captured.error.isVisible()
    assert not captured.add_folder(samples)
    assert "already in the list" in captured.error.text()
    assert captured.folders() == [str(samples)]
    assert next_enabled(wizard)
    captured.list.item(0).setSelected(True)
    captured.remove_selected()
    assert captured.folders() == []


def test_noise_folder_and_validation_folders_are_checked(make_wizard, tmp_path, samples):
    wizard = make_wizard()
    page = wizard.sources_page
    page.sim.setValue(1)
    page.noise.setText(str(tmp_path / "nowhere"))
    assert not next_enabled(wizard)
    assert "does not exist" in page.noise_error.text()
    page.noise.setText(str(samples))
    assert next_enabled(wizard)
    page.folders_radio.setChecked(True)
    assert not next_enabled(wizard)
    assert "validation folder" in page.error.text()
    assert page.validation.add_folder(samples)
    assert next_enabled(wizard)


def test_folder_problem_names_what_is_wrong(tmp_path, samples):
    assert folder_problem(samples) is None
    file = samples / "x.txt"
    file.write_text("")
    assert "is not a folder" in folder_problem(file)


# ----------------------------------------------------------------------------- page 2


def test_model_page_offers_every_loader_and_exactly_one_target(make_wizard):
    wizard = make_wizard()
    wizard.sources_page.sim.setValue(1)
    wizard.next()
    page = wizard.model_page
    assert [page.loader.itemData(i) for i in range(page.loader.count())] == list(LOADERS)
    assert set(page.target_buttons) == set(TARGETS)
    assert page.targets.exclusive()
    page.target_buttons["full"].setChecked(True)
    assert [b.isChecked() for b in page.target_buttons.values()].count(True) == 1
    assert page.target() == "full"
    assert next_enabled(wizard)


def test_model_page_rejects_a_kord_head_count_that_does_not_split_the_features(make_wizard):
    wizard = make_wizard()
    wizard.sources_page.sim.setValue(1)
    wizard.next()
    page = wizard.model_page
    page.loader.setCurrentIndex(page.loader.findData("mel"))
    page.include_guess.setChecked(True)  # 640 features: 16 heads → tokens of 40, 40 % 16 ≠ 0
    page.heads.setValue(16)
    assert not next_enabled(wizard)
    assert "choose one of 1, 2, 4, 8" in page.error.text()
    page.heads.setValue(8)
    assert next_enabled(wizard)
    page.heads.setValue(16)
    page.model.setCurrentIndex(page.model.findData("ours"))  # no attention: any width works
    assert next_enabled(wizard)
    assert page.width_label.text() == "Hidden width"


def test_kord_shape_rule_matches_the_engines():
    try:  # the engine's rule (moving from models.py, which needs torch, to config.py)
        from kord_engine.ml.config import check_kord_shape
    except ImportError:
        pytest.importorskip("torch")
        from kord_engine.ml.models import check_kord_shape

    for loader in LOADERS:
        for guess in (False, True):
            width = feature_width(loader, guess)
            for heads in range(1, 33):
                try:
                    check_kord_shape(width, heads)
                    engine_ok = True
                except KordError:
                    engine_ok = False
                assert (kord_shape_problem(width, heads) is None) == engine_ok, (width, heads)


# ----------------------------------------------------------------------------- page 3


def test_training_page_marks_precisions_by_what_the_device_supports(make_wizard):
    wizard = make_wizard()
    to_training_page(wizard, sim=1)
    page = wizard.training_page
    model = page.precision.model()
    items = {page.precision.itemData(i): model.item(i) for i in range(page.precision.count())}
    assert items["fp32"].isEnabled()
    assert items["fp16"].isEnabled() and "slow here" in items["fp16"].text()
    assert "slower" in items["fp16"].toolTip()
    assert not items["bf16"].isEnabled()
    assert "cannot autocast" in items["bf16"].toolTip()
    cuda = page.device.model().item(page.device.findData("cuda"))
    assert not cuda.isEnabled()  # the probe saw no GPU
    page.precision.setCurrentIndex(page.precision.findData("fp16"))
    assert "slower" in page.precision_why.text()
    assert next_enabled(wizard, COMMIT)
    assert wizard.button(COMMIT).text() == "Train"


def test_training_page_refuses_an_existing_destination(make_wizard, tmp_path):
    wizard = make_wizard()
    to_training_page(wizard, sim=1)
    page = wizard.training_page
    assert Path(page.destination.text()).parent == tw.models_dir()
    taken = tmp_path / "taken"
    taken.mkdir()
    page.destination.setText(str(taken))
    assert not next_enabled(wizard, COMMIT)
    assert "already exists" in page.error.text()
    page.destination.setText("")
    assert not next_enabled(wizard, COMMIT)
    page.destination.setText(str(tmp_path / "new-model"))
    assert next_enabled(wizard, COMMIT)


def test_pages_build_the_train_config(make_wizard, samples, tmp_path):
    wizard = make_wizard()
    src = wizard.sources_page
    assert src.captured.add_folder(samples)
    src.sim.setValue(3)
    src.oversample.setValue(4)
    src.noise.setText(str(samples))
    src.folders_radio.setChecked(True)
    assert src.validation.add_folder(samples)
    wizard.next()
    model = wizard.model_page
    model.loader.setCurrentIndex(model.loader.findData("frequency_pooled"))
    model.target_buttons["folded_bass"].setChecked(True)
    model.model.setCurrentIndex(model.model.findData("ours"))
    model.width.setValue(128)
    model.dropout.setValue(0.3)
    wizard.next()
    page = wizard.training_page
    page.epochs.setValue(3)
    page.batch.setValue(50)
    page.lr.setValue(0.002)
    page.store.setCurrentIndex(page.store.findData("full"))
    page.destination.setText(str(tmp_path / "m"))
    config = wizard.build_config()
    assert config.training_sources == [str(samples), "sim"]
    assert config.simulation_size == 3
    assert config.captured_oversample_factor == 4
    assert config.noise_asset_root == str(samples)
    assert config.validation_sources == [str(samples)]
    assert (config.loader, config.target, config.model) == (
        "frequency_pooled",
        "folded_bass",
        "ours",
    )
    assert config.ours_hidden == 128 and config.dropout == pytest.approx(0.3)
    assert (config.epochs, config.batch_size, config.lr) == (3, 50, pytest.approx(0.002))
    assert config.store_precision == "full" and config.precision == "fp32"
    assert config.destination == str(tmp_path / "m")


def test_split_share_becomes_the_validation_fraction(make_wizard):
    wizard = make_wizard()
    wizard.sources_page.sim.setValue(1)
    wizard.sources_page.split.setValue(30)
    config = wizard.build_config()
    assert config.training_sources == ["sim"]
    assert config.validation_sources == []
    assert config.validation_fraction == pytest.approx(0.3)


# ----------------------------------------------------------------------------- bridge pieces


def test_throttle_batches_step_reports_and_passes_stages_at_once():
    now = [0.0]
    sent: list[TrainerUpdate] = []
    throttle = ProgressThrottle(sent.append, interval=0.05, clock=lambda: now[0])
    for step in range(1, 101):  # 100 steps in 0.1 s of fake time
        now[0] = step * 0.001
        throttle(TrainProgress("step", global_step=step, total_steps=200, loss=1.0 / step))
    assert 2 <= len(sent) <= 4
    throttle(TrainProgress("epoch", global_step=100, val={"val_loss": 0.5}))
    steps = [s for update in sent for s in update.steps]
    assert steps == list(range(1, 101))  # every step loss arrives, in order, once
    assert sent[-1].progress.phase == "epoch"
    throttle(TrainProgress("step", global_step=200, total_steps=200, loss=0.1))
    assert sent[-1].steps == [200]  # the last step is never held back


def test_series_grows_and_axis_top_is_calm():
    series = Series(capacity=2)
    series.extend([1, 2, 3], [0.5, 0.4, 0.3])
    series.extend([4], [0.2])
    assert series.x.tolist() == [1, 2, 3, 4]
    assert series.y.tolist() == pytest.approx([0.5, 0.4, 0.3, 0.2])
    with pytest.raises(ValueError):
        series.extend([1, 2], [1])
    assert _nice_ceiling(0.69) == pytest.approx(0.75)
    assert _nice_ceiling(1.2) == pytest.approx(1.5)


def test_eta_format():
    assert format_eta(75) == "1:15"
    assert format_eta(3725) == "1:02:05"
    assert format_eta(float("nan")) == "–"


# ----------------------------------------------------------------------------- fake trainer


@pytest.fixture
def start_fake_run(make_wizard, monkeypatch, qtbot):
    """Factory: a wizard whose kord_engine.ml.train.train is `behaviour`, started from the
    training page; returns once the bridge emits `until` ("update" or "stopped")."""

    def start(behaviour, until="update"):
        module = types.ModuleType("kord_engine.ml.train")
        module.train = behaviour
        monkeypatch.setitem(sys.modules, "kord_engine.ml.train", module)
        wizard = make_wizard()
        to_training_page(wizard, sim=1)
        with qtbot.waitSignal(getattr(wizard.bridge, until), timeout=10000):
            wizard.next()
        return wizard

    return start


def test_trainer_error_is_shown_on_the_run_page(start_fake_run):
    def failing(config, progress=None, should_stop=None):
        progress(TrainProgress("data", message="building datasets and features"))
        raise ConfigError("the training sources produced no samples")

    wizard = start_fake_run(failing, until="stopped")
    page = wizard.run_page
    assert wizard.currentId() == tw.RUN
    assert page.error.isVisible()
    assert "produced no samples" in page.error.text()
    assert page.again_button.isVisible() and page.settings_button.isVisible()
    assert not next_enabled(wizard)


def test_fake_run_streams_progress_then_cancel_stops_it(start_fake_run, qtbot, tmp_path):
    seen_stop = threading.Event()

    def endless(config, progress=None, should_stop=None):
        step = 0
        while not should_stop():
            step += 1
            progress(
                TrainProgress(
                    "step",
                    epoch=0,
                    epochs=1,
                    step=step,
                    steps=10**6,
                    global_step=step,
                    total_steps=10**6,
                    loss=1.0 / step,
                    lr=1e-3,
                )
            )
            time.sleep(0.002)
        seen_stop.set()
        return types.SimpleNamespace(cancelled=True, destination=None, report={})

    wizard = start_fake_run(endless)
    qtbot.waitUntil(lambda: wizard.run_page.curves.loss.size > 20, timeout=10000)
    assert wizard.run_page.values["loss"].text() != "–"
    with qtbot.waitSignal(wizard.bridge.stopped, timeout=5000):
        wizard.run_page.cancel_button.click()
    assert seen_stop.is_set()
    assert "nothing was written" in wizard.run_page.phase.text()
    assert wizard.outcome is not None and wizard.outcome.cancelled
    assert not next_enabled(wizard)


def test_cancel_while_loading_data_stops_at_the_next_data_report(start_fake_run, qtbot):
    chunks = []

    def loading(config, progress=None, should_stop=None):
        for chunk in range(10_000):  # like build_feature_datasets: no should_stop polling
            chunks.append(chunk)
            progress(TrainProgress("data", message=f"sim: {2048 * chunk} items"))
            time.sleep(0.005)
        raise AssertionError("data loading was not interrupted")

    wizard = start_fake_run(loading)
    with qtbot.waitSignal(wizard.bridge.stopped, timeout=5000):
        wizard.cancel_training()
    assert len(chunks) < 10_000
    assert wizard.outcome is not None and wizard.outcome.cancelled
    assert "nothing was written" in wizard.run_page.phase.text()


def test_closing_the_wizard_mid_run_cancels_first(start_fake_run, qtbot):
    def endless(config, progress=None, should_stop=None):
        while not should_stop():
            progress(TrainProgress("step", global_step=1, total_steps=10, loss=1.0))
            time.sleep(0.005)
        return types.SimpleNamespace(cancelled=True, destination=None, report={})

    wizard = start_fake_run(endless)
    with qtbot.waitSignal(wizard.rejected, timeout=5000):
        wizard.reject()
    assert not wizard.bridge.running


def test_use_this_model_persists_it_and_hands_it_over(make_wizard, qtbot, tmp_path):
    wizard = make_wizard()
    model_dir = tmp_path / "model-x"
    model_dir.mkdir()
    report = {
        "metrics": {
            "validation": {
                "count": 40,
                "exact_match": 0.625,
                "macro_f1": 0.5,
                "macro_pr_auc": 0.75,
                "sample_f1": 0.8,
            },
            "samples_captured (training source: train+val items)": {
                "count": 12,
                "exact_match": 0.25,
                "macro_f1": 0.125,
                "macro_pr_auc": 0.5,
                "sample_f1": 0.375,
            },
        },
        "steps": 10,
        "train_seconds": 1.5,
        "samples_per_s": 300.0,
        "parameters": 1234,
        "onnx_bytes": 4096,
    }
    wizard.outcome = TrainOutcome(False, model_dir, report)
    wizard.results_page.show_report(model_dir, report)
    table = wizard.results_page.table
    cells = [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]
    assert cells[0] == ["validation", "40", "62.5 %", "50.0 %", "75.0 %", "80.0 %"]
    assert cells[1][0].startswith("samples_captured") and cells[1][2] == "25.0 %"
    assert str(model_dir) in wizard.results_page.summary.text()
    with qtbot.waitSignal(wizard.model_ready, timeout=2000) as ready:
        wizard.results_page.use_button.click()
    assert ready.args == [str(model_dir)]
    assert wizard.context.settings.value("model/dir") == str(model_dir)
    assert wizard.context.settings.value("audio/detector") == "hybrid"
    assert wizard.result() == QWizard.DialogCode.Accepted


# ----------------------------------------------------------------------------- real training


def real_run_setup(wizard, samples: Path, tmp_path: Path, epochs: int, sim: int = 1) -> Path:
    src = wizard.sources_page
    assert src.captured.add_folder(samples)
    src.sim.setValue(sim)
    wizard.next()
    wizard.model_page.width.setValue(64)
    wizard.next()
    page = wizard.training_page
    page.epochs.setValue(epochs)
    page.batch.setValue(32)
    page.threads.setValue(1)
    destination = tmp_path / "models" / "tiny"
    page.destination.setText(str(destination))
    assert next_enabled(wizard, COMMIT)
    return destination


@pytest.mark.slow
@pytest.mark.train
def test_real_training_runs_in_the_thread_to_the_results(make_wizard, samples, tmp_path, qtbot):
    pytest.importorskip("torch")
    wizard = make_wizard()
    destination = real_run_setup(wizard, samples, tmp_path, epochs=1)
    phases = []
    wizard.bridge.update.connect(lambda u: phases.append(u.progress.phase))
    with qtbot.waitSignal(wizard.bridge.stopped, timeout=90000):
        wizard.next()
    assert wizard.outcome is not None and not wizard.outcome.cancelled, phases
    assert wizard.currentId() == tw.RESULTS
    assert {"data", "step", "epoch", "done"} <= set(phases)
    assert wizard.run_page.curves.loss.size == wizard.outcome.report["steps"]
    assert wizard.run_page.curves.accuracy.size == 1
    assert (destination / "model.onnx").is_file()
    report = wizard.outcome.report
    val = report["metrics"]["validation"]
    table = wizard.results_page.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert set(rows) == set(report["metrics"])
    r = rows["validation"]
    assert table.item(r, 1).text() == f"{val['count']:,}"
    assert table.item(r, 2).text() == f"{100 * val['exact_match']:.1f} %"
    assert table.item(r, 3).text() == f"{100 * val['macro_f1']:.1f} %"
    assert table.item(r, 4).text() == f"{100 * val['macro_pr_auc']:.1f} %"
    assert table.item(r, 5).text() == f"{100 * val['sample_f1']:.1f} %"
    with qtbot.waitSignal(wizard.model_ready, timeout=2000) as ready:
        wizard.results_page.use_button.click()
    assert ready.args == [str(destination)]
    assert wizard.context.settings.value("model/dir") == str(destination)


@pytest.mark.slow
@pytest.mark.train
def test_real_cancel_after_first_progress_leaves_no_model(make_wizard, samples, tmp_path, qtbot):
    pytest.importorskip("torch")
    wizard = make_wizard()
    destination = real_run_setup(wizard, samples, tmp_path, epochs=50)
    first_step = []

    def on_update(update) -> None:
        if update.progress.phase == "step" and not first_step:
            first_step.append(update)
            wizard.cancel_training()

    wizard.bridge.update.connect(on_update)
    wizard.next()
    qtbot.waitUntil(lambda: bool(first_step) or not wizard.bridge.running, timeout=90000)
    assert first_step, "the run ended before its first step"
    qtbot.waitUntil(lambda: not wizard.bridge.running, timeout=5000)  # stops within a step
    assert wizard.outcome is not None and wizard.outcome.cancelled
    assert not destination.exists()
    leftovers = list(destination.parent.iterdir()) if destination.parent.exists() else []
    assert leftovers == []  # no half-written or temporary model folder either
    assert "nothing was written" in wizard.run_page.phase.text()


# ----------------------------------------------------------------------------- main window


@pytest.mark.slow  # the wizard's probe imports torch (~5 s)
def test_main_window_opens_the_wizard_and_uses_the_model_it_made(
    make_window, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setattr(trainer_bridge, "WARM_MODULES", ())  # probe precisions only: quicker
    window = make_window()
    window.open_training_wizard()
    wizard = window._wizard
    assert isinstance(wizard, tw.TrainingWizard)
    try:
        qtbot.waitUntil(lambda: bool(wizard.training_page.precisions), timeout=60000)
        assert wizard.training_page.precisions["cpu"]["fp32"][0] is True
        model_dir = tmp_path / "made-model"
        model_dir.mkdir()
        (model_dir / "model.onnx").write_bytes(b"")
        wizard.outcome = TrainOutcome(False, model_dir, {"metrics": {}})
        wizard.use_model()
        assert window.settings.get("model/dir") == str(model_dir)
        assert window.toolbar.detector == "hybrid"  # the default detector runs the model
        assert window.settings.get("audio/detector") == "hybrid"
        assert not wizard.isVisible()
    finally:
        wizard.shutdown()


@pytest.mark.slow
@pytest.mark.train
def test_real_cancel_at_the_first_progress_signal_stops_data_loading(
    make_wizard, samples, tmp_path, qtbot
):
    pytest.importorskip("torch")
    wizard = make_wizard()
    # 40 × 375 = 15,000 simulated items: many seconds of data loading on a small CPU
    destination = real_run_setup(wizard, samples, tmp_path, epochs=1, sim=40)
    first, messages = [], []

    def on_update(update) -> None:
        messages.append(update.progress.message)
        if not first:
            first.append(update.progress.phase)
            wizard.cancel_training()

    wizard.bridge.update.connect(on_update)
    wizard.next()
    qtbot.waitUntil(lambda: bool(first), timeout=60000)
    assert first == ["data"]
    qtbot.waitUntil(lambda: not wizard.bridge.running, timeout=5000)
    assert wizard.outcome is not None and wizard.outcome.cancelled
    assert not destination.exists()
    assert "sim: 15000 items" not in messages  # stopped inside data loading, not after it

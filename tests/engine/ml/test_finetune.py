"""ml.finetune and `kord ml train --init-from`: start from a trained model's weights."""

import json

import numpy as np
import pytest
import torch

from kord_engine.audio.listen.model.artifact import read_artifact
from kord_engine.audio.listen.model.infer import load_model
from kord_engine.cli import main
from kord_engine.cli.ml_cmds import evaluate_sources
from kord_engine.errors import ModelError
from kord_engine.ml.config import ConfigError, TrainConfig
from kord_engine.ml.export import export_onnx, state_dict_from_onnx
from kord_engine.ml.finetune import (
    DEFAULTS,
    FinetuneError,
    apply_trainable,
    distill_sim_targets,
    exact_accuracy,
    finetune_config,
    init_train_config,
    load_init_weights,
    replay_simulation_size,
    split_holdout,
    stage_samples,
)
from kord_engine.ml.models import build_model
from kord_engine.ml.recordings import save_take
from kord_engine.ml.train import load_training_data, train
from kord_engine.resources import default_model_dir

RATE = 16000
CHORDS = [(48, 52, 55), (45, 48, 52), (41, 45, 48), (43, 47, 50), (50, 53, 57), (52, 55, 59)]


def chord_audio(midi, seconds=1.0):
    t = np.arange(int(seconds * RATE)) / RATE
    out = sum(
        0.2 / k * np.sin(2 * np.pi * 440 * 2 ** ((m + 12 - 69) / 12) * k * t)
        for m in midi
        for k in (1, 2, 3, 4)
    )
    return (out * np.exp(-2 * t)).astype(np.float32)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    """Six takes of a synthetic 'instrument' (MIDI notes as played)."""
    folder = tmp_path_factory.mktemp("mine")
    for notes in CHORDS:
        save_take("synth", chord_audio(notes), RATE, [n + 12 for n in notes], directory=folder)
    return folder


def bce(probs, targets):
    p = np.clip(probs.astype(np.float64), 1e-7, 1 - 1e-7)
    return float(-(targets * np.log(p) + (1 - targets) * np.log(1 - p)).mean())


def test_the_config_is_the_models_own_with_finetuning_defaults(recordings, tmp_path):
    config = finetune_config(default_model_dir(), [recordings], tmp_path / "out")
    own = init_train_config(default_model_dir())
    for name in ("loader", "target", "model", "ours_hidden", "ours_blocks", "window_seconds"):
        assert getattr(config, name) == getattr(own, name)
    assert config.init_from == str(default_model_dir())
    assert config.training_sources == [str(recordings), "sim"]
    assert config.epochs == DEFAULTS.epochs and config.lr == DEFAULTS.lr
    assert config.threshold_from == "init" and config.report_sources == []
    assert config.simulation_size == replay_simulation_size(
        6 * (1 + DEFAULTS.augment_copies) * (1 - DEFAULTS.validation_fraction),
        DEFAULTS.replay_share,
    )
    mine = finetune_config(
        default_model_dir(), [recordings], tmp_path / "o", replay=(), epochs=2, replay_share=0.0
    )
    assert mine.epochs == 2 and mine.training_sources == [str(recordings)]
    with pytest.raises(ConfigError, match="epoch"):
        finetune_config(default_model_dir(), [recordings], tmp_path / "o", epoch=2)
    with pytest.raises(FinetuneError, match="no recordings"):
        finetune_config(default_model_dir(), [tmp_path], tmp_path / "o")
    with pytest.raises(FinetuneError, match="not 'sim'"):
        finetune_config(default_model_dir(), ["sim"], tmp_path / "o")


def test_many_recordings_get_fewer_epochs_within_the_step_budget(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(80):
        notes = CHORDS[i % len(CHORDS)]
        save_take("x", chord_audio(notes, 0.3), RATE, [n + 12 for n in notes], directory=folder)
    few = tmp_path / "few"
    stage_samples(sorted(folder.glob("*.bin"))[:10], few)
    assert finetune_config(default_model_dir(), [few], tmp_path / "o").epochs == DEFAULTS.epochs
    many = finetune_config(default_model_dir(), [folder], tmp_path / "o")
    rows = 80 * (1 + DEFAULTS.augment_copies) * 0.9 + 2 * 375 * 1.25 * 0.9
    assert many.epochs == round(DEFAULTS.steps / np.ceil(rows / DEFAULTS.batch_size)) < 15
    exact = finetune_config(default_model_dir(), [folder], tmp_path / "o", steps=0, epochs=20)
    assert exact.epochs == 20


def test_replay_is_sized_to_its_share():
    assert replay_simulation_size(375, 0.5) == 1
    assert replay_simulation_size(376, 0.5) == 2
    assert replay_simulation_size(375, 0.75) == 3
    assert replay_simulation_size(1000, 0.0) == 0
    with pytest.raises(FinetuneError):
        replay_simulation_size(10, 1.0)


def test_training_starts_from_the_models_weights(recordings, tmp_path):
    """The loss of the first step is the shipped model's own loss on that batch."""
    config = finetune_config(
        default_model_dir(),
        [recordings],
        tmp_path / "out",
        replay=(),
        dropout=0.0,
        epochs=1,
        batch_size=10_000,  # one batch: every row
        augment_copies=1,
        validation_fraction=0.2,
    )
    data = load_training_data(config)
    expected = bce(load_model(None).predict(data.train_x), data.train_y)
    result = train(config, data=data)
    # the shipped model's weights are int8 and onnxruntime quantizes its activations per run
    # too; torch starts from the very same weights, computing in float32
    assert result.step_losses[0] == pytest.approx(expected, rel=2e-2)
    fresh = train(
        config.replace(
            init_from=None,
            threshold_from="tune",
            sim_targets="labels",
            destination=str(tmp_path / "f"),
        ),
        data=data,
    )
    assert abs(fresh.step_losses[0] - expected) > 0.05  # a fresh model starts elsewhere
    written = read_artifact(tmp_path / "out")
    assert np.allclose(written.thresholds, read_artifact(default_model_dir()).thresholds)
    assert written.config["train_config"]["init_from"] == str(default_model_dir())


def test_only_the_trainable_layers_move(recordings, tmp_path):
    config = finetune_config(
        default_model_dir(),
        [recordings],
        tmp_path / "out",
        replay=(),
        epochs=2,
        trainable="head",
        lr=1e-2,
    )
    result = train(config)
    start = build_model(config, 512, 12)
    load_init_weights(start, config)
    before, after = start.state_dict(), result.model.state_dict()
    moved = {k for k in before if not torch.equal(before[k], after[k])}
    assert moved == {"head.weight", "head.bias"}
    model = build_model(config, 512, 12)
    apply_trainable(model, "top")
    assert {n.split(".")[0] for n, p in model.named_parameters() if p.requires_grad} == {
        "blocks",
        "norm",
        "head",
    }
    assert not any(p.requires_grad for n, p in model.named_parameters() if n.startswith("blocks.0"))


def test_the_anchor_holds_the_weights_near_the_models(recordings, tmp_path):
    def distance(anchor):
        config = finetune_config(
            default_model_dir(),
            [recordings],
            tmp_path / f"a{anchor}",
            replay=(),
            epochs=2,
            lr=3e-3,
            dropout=0.0,
            anchor=anchor,
        )
        result = train(config)
        start = build_model(config, 512, 12)
        load_init_weights(start, config)
        before, after = start.state_dict(), result.model.state_dict()
        return sum(float((after[k] - before[k]).norm() ** 2) for k in before) ** 0.5

    free, held = distance(0.0), distance(1000.0)
    assert 0 < held < 0.75 * free
    with pytest.raises(ConfigError, match="anchor"):
        finetune_config(default_model_dir(), [recordings], tmp_path / "o", anchor=-1.0)


def test_simulated_rows_learn_what_the_model_said(recordings, tmp_path):
    config = finetune_config(
        default_model_dir(), [recordings], tmp_path / "o", epochs=1, augment_copies=1
    )
    assert config.sim_targets == "model" and "sim" in config.training_sources
    data = load_training_data(config)
    distilled = distill_sim_targets(data, config.init_from)
    sim = np.array([o.startswith("sim") for o in data.train_origin])
    assert sim.any() and (~sim).any()
    assert np.allclose(distilled.train_y[sim], load_model(None).predict(data.train_x[sim]))
    assert np.array_equal(distilled.train_y[~sim], data.train_y[~sim])  # recordings: labels
    assert set(np.unique(data.train_y)) <= {0.0, 1.0}  # the input is left as it was
    with pytest.raises(ConfigError, match="init_from"):
        TrainConfig(["sim"], sim_targets="model").validate()


def test_a_different_architecture_is_refused(recordings, tmp_path):
    config = finetune_config(default_model_dir(), [recordings], tmp_path / "o", ours_hidden=256)
    with pytest.raises(ConfigError, match="ours_hidden"):
        load_init_weights(build_model(config, 512, 12), config)


@pytest.mark.parametrize("model_kind", ["kord", "ours"])
@pytest.mark.parametrize("store", ["full", "half", "int8"])
def test_weights_come_back_from_the_onnx_file(model_kind, store):
    config = TrainConfig(["sim"], model=model_kind, trunk_hidden_size=64, ours_hidden=64)
    model = build_model(config, 512, 12)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))  # trained weights differ from each other
    back = state_dict_from_onnx(export_onnx(model, 512, "folded", None, store), model)
    tol = {"full": 0, "half": 1e-3}.get(store)
    for key, value in model.state_dict().items():
        if tol is None:  # int8: within half a quantization step of its column's range
            step = value.abs().max() / 127 if value.ndim < 2 else value.abs().amax(1) / 127
            err = (back[key] - value).abs()
            bound = step / 2 + 1e-7 if value.ndim < 2 else step[:, None] / 2 + 1e-7
            assert torch.all(err <= bound), key
        else:
            assert torch.allclose(back[key], value, atol=tol, rtol=tol), key
    other = build_model(config.replace(ours_hidden=32, trunk_hidden_size=32), 512, 12)
    with pytest.raises(ModelError, match="shape"):
        state_dict_from_onnx(export_onnx(model, 512, "folded", None, store), other)
    with pytest.raises(ModelError, match="cannot be read"):
        state_dict_from_onnx(b"not onnx", model)


def test_split_holdout_and_staging(recordings, tmp_path):
    paths = sorted(recordings.glob("*.bin"))
    train_part, held = split_holdout(recordings, share=0.34, seed=1)
    assert len(held) == 2 and len(train_part) == 4
    assert sorted(train_part + held) == paths
    assert split_holdout(paths, 0.34, 1) == (train_part, held)  # same seed, same split
    assert split_holdout(paths, 0.34, 2) != (train_part, held)
    assert split_holdout(paths[:1], 0.5) == (paths[:1], [])
    assert split_holdout(paths, 0.0) == (paths, [])
    assert len(split_holdout(paths, 0.01)[1]) == 1  # at least one held out
    folder = stage_samples(held, tmp_path / "held")
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in held)
    with pytest.raises(FinetuneError):
        split_holdout(paths, 1.0)


def test_exact_accuracy_is_evals_exact(recordings):
    got = exact_accuracy(None, recordings)
    assert got == pytest.approx(evaluate_sources(None, [str(recordings)])["exact"])
    paths = sorted(recordings.glob("*.bin"))
    assert exact_accuracy(default_model_dir(), paths) == got
    with pytest.raises(FinetuneError):
        exact_accuracy(None, [])


def test_the_cli_fine_tunes_from_a_model(recordings, tmp_path, capsys):
    out = tmp_path / "mine"
    code = main(
        [
            "ml",
            "train",
            "--init-from",
            str(default_model_dir()),
            "--training-sources",
            str(recordings),
            "--destination",
            str(out),
            "--epochs",
            "1",
            "--replay",
            "--no-progress",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["destination"] == str(out)
    config = read_artifact(out).config
    assert config["model"] == "ours" and config["loader"] == "mel"
    assert config["train_config"]["init_from"] == str(default_model_dir())
    assert config["train_config"]["training_sources"] == [str(recordings)]
    assert main(["ml", "train", "--init-from", str(default_model_dir())]) == 2
    assert "--training-sources" in capsys.readouterr().err


def test_eval_compares_models_side_by_side(recordings, tmp_path, capsys):
    other = tmp_path / "other"
    config = finetune_config(default_model_dir(), [recordings], other, replay=(), epochs=3, lr=3e-3)
    train(config)
    sources = [str(recordings)]
    assert main(["ml", "eval", "--source", *sources, "--model", str(default_model_dir())]) == 0
    single = capsys.readouterr().out
    assert single.startswith(f"model {default_model_dir()}\n")  # one model: as before
    argv = ["ml", "eval", "--source", *sources, "--model", str(default_model_dir()), str(other)]
    assert main(argv) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == f"model 1: {default_model_dir()}" and table[1] == f"model 2: {other}"
    first = evaluate_sources(str(default_model_dir()), sources)["exact"]
    second = evaluate_sources(str(other), sources)["exact"]
    row = next(line for line in table if line.startswith("all"))
    assert f"{first:.1%}" in row and f"{second:.1%} ({100 * (second - first):+.1f})" in row
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [m["model"] for m in data["models"]] == [str(default_model_dir()), str(other)]
    assert data["models"][1]["exact"] == pytest.approx(second)

"""`kord ml hpt`: a real (tiny) sweep that trains each trial and ranks them."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from kord_engine.cli import main  # noqa: E402
from kord_engine.ml.config import TrainConfig  # noqa: E402
from kord_engine.ml.hpt import SearchSpace, apply_params, format_table, run_hpt  # noqa: E402


def test_apply_params_maps_width_to_the_model():
    base = TrainConfig(training_sources=["sim"])
    params = {"lr": 0.01, "dropout": 0.1, "width": 64, "loader": "mel", "precision": "fp32"}
    assert apply_params(base, {**params, "model": "kord"}).trunk_hidden_size == 64
    assert apply_params(base, {**params, "model": "ours"}).ours_hidden == 64


def test_grid_is_the_product():
    space = SearchSpace(lr=[1e-3, 1e-2], dropout=[0.1], width=[8, 16], model=["kord", "ours"])
    assert len(space.grid()) == 8


def test_run_hpt_trains_and_ranks():
    base = TrainConfig(
        training_sources=["sim"], simulation_size=1, epochs=1, threads=1, store_precision="full"
    )
    space = SearchSpace(lr=[1e-3, 3e-3], dropout=[0.1], width=[16], model=["ours"])
    results = run_hpt(base, space, trials=2, seed=1)
    assert len(results) == 2
    assert all(r.error is None for r in results)
    assert results[0].val_exact >= results[1].val_exact
    assert "exact" in format_table(results)


def test_hpt_cli_writes_results(tmp_path, capsys):
    out = tmp_path / "hpt.json"
    code = main(
        ["ml", "hpt", "--trials", "2", "--epochs", "1", "--simulation-size", "1", "--width", "16",
         "--model", "ours", "kord", "--lr", "1e-3", "--dropout", "0.2", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    saved = json.loads(out.read_text())
    assert len(saved["results"]) == 2
    assert saved["best"]["params"]["width"] == 16
    assert "exact" in capsys.readouterr().out


def test_hpt_rejects_unknown_loader(tmp_path, capsys):
    assert main(["ml", "hpt", "--loader", "cqt", "--out", str(tmp_path / "x.json")]) == 2
    assert "cqt" in capsys.readouterr().err

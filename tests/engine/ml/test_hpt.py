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


def test_hpt_is_an_optuna_study_and_writes_a_best_config(tmp_path):
    optuna = pytest.importorskip("optuna")
    from kord_engine.ml.config import TrainConfig as Config

    best = tmp_path / "best.json"
    db = f"sqlite:///{tmp_path / 'study.db'}"
    code = main(
        ["ml", "hpt", "--trials", "2", "--epochs", "1", "--simulation-size", "1", "--width", "16",
         "--model", "ours", "--lr", "1e-3", "3e-3", "--dropout", "0.2", "--storage", db,
         "--study", "s", "--best-config", str(best), "--out", str(tmp_path / "h.json"), "--json"]
    )  # fmt: skip
    assert code == 0
    study = optuna.load_study(study_name="s", storage=db)
    assert len(study.trials) == 2
    config = Config.load(best)  # what `kord ml train --config` reads
    assert config.ours_hidden == 16 and config.model == "ours"
    assert config.lr == study.best_trial.params["lr"]


def test_a_bad_trial_is_pruned_after_an_epoch(monkeypatch):
    pytest.importorskip("optuna")
    import optuna

    monkeypatch.setattr(optuna.trial.Trial, "should_prune", lambda self: self.number >= 1)
    base = TrainConfig(
        training_sources=["sim"], simulation_size=1, epochs=2, threads=1, store_precision="full"
    )
    space = SearchSpace(lr=[1e-3], dropout=[0.1], width=[16], model=["ours"])
    results = run_hpt(base, space, trials=2, seed=0)
    assert [r.error for r in results] == [None, "pruned"]


def test_two_processes_share_one_sqlite_study(tmp_path):
    optuna = pytest.importorskip("optuna")
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    optuna.create_study(study_name="shared", storage=db, direction="maximize")
    code = "import sys; from kord_engine.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["ml", "hpt", "--trials", "2", "--epochs", "1", "--simulation-size", "1", "--width",
            "16", "--model", "ours", "--lr", "1e-3", "3e-3", "--dropout", "0.2", "--storage", db,
            "--study", "shared", "--json"]  # fmt: skip
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                code,
                *args,
                "--seed",
                str(i),
                "--out",
                str(tmp_path / f"{i}.json"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    study = optuna.load_study(study_name="shared", storage=db)
    assert len([t for t in study.trials if t.state.is_finished()]) == 4
    # each process saw the whole study in its results
    assert len(json.loads((tmp_path / "1.json").read_text())["results"]) >= 2


def test_hpt_without_optuna_says_how_to_install(monkeypatch):
    import sys

    from kord_engine.ml.progress import MissingExtraError

    monkeypatch.setitem(sys.modules, "optuna", None)  # as if not installed
    base = TrainConfig(training_sources=["sim"], simulation_size=1, epochs=1)
    with pytest.raises(MissingExtraError, match=r"optuna.*kord-desktop\[train\]"):
        run_hpt(base, SearchSpace(), trials=1)


def test_hpt_default_precisions_are_every_one_the_device_runs():
    from kord_engine.cli.ml_cmds import _hpt_precisions
    from kord_engine.ml.precision import supported_precisions

    usable = [name for name, (ok, _) in supported_precisions("cpu").items() if ok]
    assert _hpt_precisions(["supported"], "cpu") == usable and "fp32" in usable
    assert _hpt_precisions(["fp32"], "cpu") == ["fp32"]

"""`kord ml train|infer|eval` smoke tests with tiny configs, and clear errors for bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kord_engine.cli import main
from kord_engine.samples import Sample, write_sample


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    from kord_engine.ml.sim import simulate

    folder = tmp_path_factory.mktemp("samples") / "captured_tiny"
    folder.mkdir()
    spectra, masks = simulate(1, None, seed=4)
    for i in range(0, 150):
        write_sample(Sample(spectra[i], masks[i]), folder, prefix=f"s{i:03}_")
    return folder


@pytest.fixture(scope="module")
def model_dir(sample_dir, tmp_path_factory):
    pytest.importorskip("torch")
    dest = tmp_path_factory.mktemp("cli") / "model"
    code = main(
        [
            "ml", "train", "--training-sources", str(sample_dir), "--destination", str(dest),
            "--model", "ours", "--ours-hidden", "16", "--ours-blocks", "1", "--epochs", "1",
            "--batch-size", "50", "--captured-oversample-factor", "1", "--threads", "1",
            "--no-progress", "--json",
        ]
    )  # fmt: skip
    assert code == 0
    return dest


def test_train_json_report(model_dir, capsys):
    # the fixture's output was consumed; the artifact tells what the report said
    report = json.loads((model_dir / "report.json").read_text())
    assert report["config"]["model"] == "ours"
    assert "validation" in report["metrics"]


def test_infer_sample_json(model_dir, sample_dir, capsys):
    files = sorted(sample_dir.iterdir())[:2]
    assert (
        main(["ml", "infer", "sample", *map(str, files), "--model", str(model_dir), "--json"]) == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    keys = {"file", "notes", "pitch_classes", "bass", "chords", "confidence", "tuning_hz"}
    assert set(lines[0]) == keys
    assert lines[0]["file"] == str(files[0])
    assert lines[0]["tuning_hz"] == 440.0  # .bin spectra: A440 unless --tuning asks


def test_infer_file(model_dir, tmp_path, capsys):
    import soundfile as sf

    t = np.arange(22050) / 22050
    sf.write(tmp_path / "a.wav", 0.2 * np.sin(2 * np.pi * 220 * t), 22050)
    assert main(["ml", "infer", "file", str(tmp_path / "a.wav"), "--model", str(model_dir)]) == 0
    assert "a.wav" in capsys.readouterr().out


def test_eval_json(model_dir, sample_dir, capsys):
    assert (
        main(["ml", "eval", "--source", str(sample_dir), "--model", str(model_dir), "--json"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["count"] == 150
    assert 0.0 <= result["exact"] <= 1.0
    assert str(sample_dir) in result["sources"]


def test_wrong_size_sample_is_a_clear_error(model_dir, tmp_path, capsys):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00" * 100)
    assert main(["ml", "infer", "sample", str(bad), "--model", str(model_dir)]) == 2
    assert "32784" in capsys.readouterr().err.replace(",", "")


def test_missing_model_is_a_clear_error(sample_dir, tmp_path, capsys):
    sample = str(next(iter(sorted(sample_dir.iterdir()))))
    assert main(["ml", "infer", "sample", sample, "--model", str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_two_targets_rejected_before_any_work(tmp_path, capsys):
    code = main(
        ["ml", "train", "--training-sources", "sim", "--target", "folded", "--target", "full",
         "--destination", str(tmp_path / "m")]
    )  # fmt: skip
    assert code == 2
    assert "exactly one" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_bad_source_and_flags_are_clear_errors(tmp_path, capsys):
    assert main(["ml", "train", "--training-sources", str(tmp_path / "nope")]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["ml", "train", "--training-sources", "sim", "--loader", "cqt"]) == 2
    assert "cqt" in capsys.readouterr().err
    assert main(["ml", "eval", "--source", str(tmp_path / "nope")]) == 2


def test_ml_without_subcommand_exits_2(capsys):
    assert main(["ml"]) == 2


def test_terminal_bar_is_tqdm_and_draws_steps_and_epochs():
    import io

    from kord_engine.ml.progress import TerminalBar, TrainProgress

    out = io.StringIO()
    bar = TerminalBar(stream=out, width=120)
    for step in (1, 2):
        bar(TrainProgress("step", epochs=1, global_step=step, total_steps=2, loss=0.5,
                          lr=1e-3, loss_scale=65536.0, skipped_steps=1))  # fmt: skip
    assert type(bar.bar).__module__.startswith("tqdm")
    bar(TrainProgress("epoch", epochs=1, loss=0.25, val={"val_loss": 0.3}))
    bar(TrainProgress("done", message="model written"))
    text = out.getvalue()
    assert "2/2" in text and "scale=65536" in text and "skipped=1" in text
    assert "epoch 1/1: loss 0.2500 val_loss 0.3000" in text and "done: model written" in text


def test_missing_training_extra_says_how_to_install(monkeypatch):
    import sys

    from kord_engine.ml.progress import MissingExtraError, require

    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"kord-desktop\[train\]"):
        require("tqdm")

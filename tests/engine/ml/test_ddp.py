"""DDP: the same `kord ml train` under `torchrun --nproc_per_node=2` (gloo on CPU)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kord_engine.ml.ddp import DistInfo, env_info

ROOT = Path(__file__).resolve().parents[3]


def test_env_info_reads_torchrun_variables(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert env_info() == DistInfo()
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("LOCAL_RANK", "1")
    info = env_info()
    assert info.active and not info.is_main and info.world == 2


@pytest.mark.slow
def test_two_process_torchrun_trains_and_rank0_writes(tmp_path):
    pytest.importorskip("torch")
    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.exists() and shutil.which("torchrun") is None:
        pytest.skip("torchrun not installed")
    from kord_engine.ml.sim import simulate
    from kord_engine.samples import Sample, write_sample

    data = tmp_path / "samples"
    data.mkdir()
    spectra, masks = simulate(1, None, seed=2)
    for i in range(100):
        write_sample(Sample(spectra[i], masks[i]), data, prefix=f"s{i:03}_")
    dest = tmp_path / "model"
    cmd = [
        str(torchrun if torchrun.exists() else shutil.which("torchrun")),
        "--standalone", "--nproc_per_node=2", "-m", "kord_engine", "-q",
        "ml", "train", "--training-sources", str(data), "--destination", str(dest),
        "--model", "ours", "--ours-hidden", "16", "--ours-blocks", "1", "--epochs", "2",
        "--batch-size", "20", "--threads", "1", "--device", "cpu", "--no-progress", "--json",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads((dest / "report.json").read_text())
    # 80 train items split over 2 ranks: 40 each → 2 steps of 20 per epoch, 2 epochs
    assert report["steps"] == 4
    assert report["counts"]["train"] == 80
    assert (dest / "model.onnx").is_file()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]

"""Training device selection (auto|cpu|cuda|cuda:N) and pinned batches — the CUDA paths are
tested for their selection logic only (no GPU here)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from kord_engine.ml.config import ConfigError, TrainConfig, is_device_name  # noqa: E402
from kord_engine.ml.device import TrainDeviceError, pin_memory_for, resolve_device  # noqa: E402
from kord_engine.ml.loop import gather_batch  # noqa: E402


def _gpus(monkeypatch, count: int) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)


def test_device_names():
    for name in ("auto", "cpu", "cuda", "cuda:0", "cuda:12"):
        assert is_device_name(name)
    for name in ("gpu", "cuda:", "cuda:x", "cpu:0", "mps"):
        assert not is_device_name(name)
    TrainConfig(training_sources=["sim"], device="cuda:1").validate()
    with pytest.raises(ConfigError, match="cuda:N"):
        TrainConfig(training_sources=["sim"], device="gpu").validate()


def test_auto_picks_the_first_gpu_or_the_cpu(monkeypatch):
    _gpus(monkeypatch, 0)
    assert resolve_device("auto") == torch.device("cpu")
    _gpus(monkeypatch, 2)
    assert resolve_device("auto") == torch.device("cuda", 0)
    assert resolve_device("cuda") == torch.device("cuda", 0)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    assert resolve_device("cpu") == torch.device("cpu")


def test_missing_gpus_are_clear_errors(monkeypatch):
    _gpus(monkeypatch, 0)
    with pytest.raises(TrainDeviceError, match="no CUDA GPU"):
        resolve_device("cuda")
    _gpus(monkeypatch, 2)
    with pytest.raises(TrainDeviceError, match=r"2 CUDA GPU\(s\) \(cuda:0..1\)"):
        resolve_device("cuda:2")
    with pytest.raises(TrainDeviceError, match="unknown"):
        resolve_device("tpu")


def test_batches_are_pinned_only_for_cuda():
    assert pin_memory_for(torch.device("cuda", 0))
    assert not pin_memory_for(torch.device("cpu"))
    data = torch.arange(12.0).reshape(6, 2)
    idx = torch.tensor([4, 1])
    assert torch.equal(gather_batch(data, idx, torch.device("cpu")), data[idx])
    if torch.cuda.is_available():
        got = gather_batch(data, idx, torch.device("cuda"), pin=True)
        assert torch.equal(got.cpu(), data[idx])


def test_train_cli_rejects_an_unknown_device(capsys):
    from kord_engine.cli import main

    assert main(["ml", "train", "--training-sources", "sim", "--device", "gpu"]) == 2
    assert "cuda:N" in capsys.readouterr().err

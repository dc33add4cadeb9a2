"""Mixed precision: what the device supports and dynamic loss scaling (torch.amp.GradScaler)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from kord_engine.ml.precision import (  # noqa: E402
    LossScaler,
    PrecisionError,
    check_precision,
    supported_precisions,
)


def _params():
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 2)
    return layer, torch.optim.SGD(layer.parameters(), lr=0.1)


def _step(layer, opt, scaler, overflow=False):
    opt.zero_grad()
    loss = layer(torch.ones(1, 4)).sum()
    scaler.scale_loss(loss).backward()
    if overflow:
        layer.weight.grad[0, 0] = float("inf")
    scaler.unscale_(opt)
    return scaler.step(opt)


def test_overflow_skips_step_halves_scale_and_keeps_params():
    layer, opt = _params()
    scaler = LossScaler(scale=2.0**16, growth_interval=2000)
    before = [p.detach().clone() for p in layer.parameters()]
    assert _step(layer, opt, scaler, overflow=True) is False
    assert scaler.scale == 2.0**15
    assert scaler.skipped_steps == 1
    for old, new in zip(before, layer.parameters(), strict=True):
        assert torch.equal(old, new)


def test_good_steps_update_params_and_scale_doubles_after_interval():
    layer, opt = _params()
    scaler = LossScaler(scale=8.0, growth_interval=3)
    before = layer.weight.detach().clone()
    for _ in range(2):
        assert _step(layer, opt, scaler)
    assert scaler.scale == 8.0
    assert _step(layer, opt, scaler)
    assert scaler.scale == 16.0
    assert not torch.equal(before, layer.weight)


def test_unscaled_gradients_equal_unscaled_run():
    layer, opt = _params()
    scaler = LossScaler(scale=1024.0)
    loss = layer(torch.ones(1, 4)).sum()
    scaler.scale_loss(loss).backward()
    assert torch.allclose(layer.weight.grad, torch.full((2, 4), 1024.0))
    scaler.unscale_(opt)
    assert torch.allclose(layer.weight.grad, torch.ones(2, 4))


def test_scaler_is_torch_gradscaler():
    assert isinstance(LossScaler().amp, torch.amp.GradScaler)
    disabled = LossScaler(enabled=False)
    assert disabled.scale == 1.0 and not disabled.enabled


def test_scaler_state_round_trip():
    layer, opt = _params()
    scaler = LossScaler(scale=4.0, growth_interval=3)
    _step(layer, opt, scaler, overflow=True)
    _step(layer, opt, scaler)
    other = LossScaler()
    other.load_state_dict(scaler.state_dict())
    assert (other.scale, other.skipped_steps) == (2.0, 1)
    assert other.amp.get_growth_interval() == 3
    assert other.amp.state_dict()["_growth_tracker"] == 1


def test_scaler_loads_a_hand_written_scalers_checkpoint():
    other = LossScaler()
    other.load_state_dict({"scale": 4.0, "skipped_steps": 3, "good_steps": 7})
    assert (other.scale, other.skipped_steps) == (4.0, 3)
    assert other.amp.state_dict()["_growth_tracker"] == 7


def test_supported_precisions_on_cpu_is_honest():
    result = supported_precisions("cpu")
    assert set(result) == {"fp32", "fp16", "bf16"}
    assert result["fp32"][0] is True
    for ok, why in result.values():
        assert isinstance(ok, bool) and why
    # fp16 on a CPU without fp16 matmul units must say it is slow/emulated (or unsupported)
    from kord_engine.ml.precision import cpu_flags

    if not cpu_flags() & {"avx512_fp16", "amx_fp16"}:
        ok, why = result["fp16"]
        assert (not ok) or "slower" in why


def test_check_precision_rejects_unknown_and_warns_when_slow():
    with pytest.raises(PrecisionError, match="unknown"):
        check_precision("fp8", torch.device("cpu"))
    ok, why = supported_precisions("cpu")["fp16"]
    if ok and "slower" in why:
        with pytest.warns(RuntimeWarning, match="slower"):
            check_precision("fp16", torch.device("cpu"))


def test_cuda_precisions_without_gpu_say_so():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    result = supported_precisions("cuda")
    assert all(not ok and "CUDA" in why for ok, why in result.values())

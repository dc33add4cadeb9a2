"""Mixed precision: what the device supports, autocast contexts and our own dynamic loss scaler.

kord describes dynamic loss scaling but never implemented it (spec §3.7); the numbers here are
PyTorch GradScaler's: initial 2^16, ×2 after 2000 good steps, ×0.5 and skip on inf/NaN.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import torch

from kord_engine.errors import KordError

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class PrecisionError(KordError):
    """A training precision this device cannot run."""


@cache
def _cpu_autocast_works(dtype: torch.dtype) -> bool:
    try:
        with torch.autocast("cpu", dtype=dtype):
            y = torch.nn.functional.linear(torch.ones(2, 4), torch.ones(3, 4))
        return y.dtype == dtype and bool(torch.isfinite(y.float()).all())
    except Exception:  # noqa: BLE001 - any failure means "not supported"
        return False


@cache
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags Linux reports (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def _cpu_has_native(dtype: torch.dtype) -> bool:
    """True when the CPU has matmul instructions for `dtype` (else autocast emulates: slow)."""
    flags = cpu_flags()
    if dtype == torch.bfloat16:
        return bool(flags & {"avx512_bf16", "amx_bf16"})
    return bool(flags & {"avx512_fp16", "amx_fp16"})


def supported_precisions(device: str | torch.device = "cpu") -> dict[str, tuple[bool, str]]:
    """For each of fp32/fp16/bf16: (usable, why) on `device` ('cpu' or 'cuda')."""
    kind = torch.device(device).type
    result: dict[str, tuple[bool, str]] = {"fp32": (True, "full precision, always available")}
    if kind == "cuda":
        if not torch.cuda.is_available():
            return {name: (False, "no CUDA GPU visible to torch") for name in DTYPES}
        major, _minor = torch.cuda.get_device_capability()
        result["fp16"] = (
            (True, "CUDA fp16 autocast with dynamic loss scaling")
            if major >= 6
            else (False, f"compute capability {major}.x has no fast fp16")
        )
        bf16 = torch.cuda.is_bf16_supported()
        result["bf16"] = (bf16, "CUDA bf16 autocast" if bf16 else "this GPU lacks bf16")
        return result
    if _cpu_autocast_works(torch.bfloat16):
        if not _cpu_has_native(torch.bfloat16):
            result["bf16"] = (
                True,
                "CPU bf16 autocast runs but is emulated here (no avx512_bf16/amx_bf16): "
                "several times slower than fp32 (measured ~5× on this machine's kord model)",
            )
        else:
            result["bf16"] = (True, "CPU bf16 autocast (matmuls in bf16, fp32 master weights)")
    else:
        result["bf16"] = (False, "this torch build cannot autocast to bf16 on CPU")
    if _cpu_autocast_works(torch.float16):
        if not _cpu_has_native(torch.float16):
            result["fp16"] = (
                True,
                "CPU fp16 autocast runs (with loss scaling) but is emulated here (no "
                "avx512_fp16/amx_fp16): many times slower than fp32; use fp32",
            )
        else:
            result["fp16"] = (True, "CPU fp16 autocast with dynamic loss scaling")
    else:
        result["fp16"] = (False, "this torch build cannot autocast to fp16 on CPU")
    return result


def check_precision(precision: str, device: torch.device) -> None:
    """Raise PrecisionError if `precision` cannot run on `device`; warn if it runs but is slow."""
    if precision not in DTYPES:
        raise PrecisionError(f"precision {precision!r} is unknown; choose fp32, fp16 or bf16")
    if precision == "fp32":
        return
    ok, why = supported_precisions(device)[precision]
    if not ok:
        raise PrecisionError(f"precision {precision} is not supported on {device.type}: {why}")
    if "slower" in why:  # runs, but the user should know
        warnings.warn(why, RuntimeWarning, stacklevel=2)


def autocast(precision: str, device: torch.device):
    """The autocast context for `precision` (a no-op for fp32)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=DTYPES[precision])


@dataclass
class LossScaler:
    """Dynamic loss scaling: multiply the loss by `scale`, unscale gradients, skip steps whose
    gradients overflow (and halve the scale), double the scale after `growth_interval` good steps."""

    scale: float = 65536.0
    growth_factor: float = 2.0
    backoff_factor: float = 0.5
    growth_interval: int = 2000
    enabled: bool = True
    skipped_steps: int = 0
    good_steps: int = 0

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        return loss * self.scale if self.enabled else loss

    def unscale_(self, params: Iterable[torch.nn.Parameter]) -> bool:
        """Divide gradients by the scale in place; True when every gradient is finite."""
        grads = [p.grad for p in params if p.grad is not None]
        if not self.enabled:
            return True
        if not grads:
            return True
        inv = 1.0 / self.scale
        torch._foreach_mul_(grads, inv)
        finite = torch.stack([torch.isfinite(g).all() for g in grads]).all()
        return bool(finite)

    def update(self, finite: bool) -> bool:
        """Record one step's outcome; returns True when the optimizer step should be taken."""
        if not self.enabled:
            return True
        if not finite:
            self.scale *= self.backoff_factor
            self.skipped_steps += 1
            self.good_steps = 0
            return False
        self.good_steps += 1
        if self.good_steps >= self.growth_interval:
            self.scale *= self.growth_factor
            self.good_steps = 0
        return True

    def state_dict(self) -> dict:
        return {
            "scale": self.scale,
            "skipped_steps": self.skipped_steps,
            "good_steps": self.good_steps,
        }

    def load_state_dict(self, state: dict) -> None:
        self.scale = float(state["scale"])
        self.skipped_steps = int(state["skipped_steps"])
        self.good_steps = int(state["good_steps"])

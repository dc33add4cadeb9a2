"""Mixed precision: what the device supports, autocast contexts and dynamic loss scaling.

kord describes dynamic loss scaling but never implemented it (spec §3.7); here it is
`torch.amp.GradScaler` (on CPU and CUDA): initial 2^16, ×2 after 2000 good steps, ×0.5 and
skip on inf/NaN. `LossScaler` wraps it only to count the skipped steps the GUI shows.
"""

from __future__ import annotations

import contextlib
import warnings
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
    """For each of fp32/fp16/bf16: (usable, why) on `device` ('cpu', 'cuda' or 'cuda:N')."""
    kind = torch.device(device).type
    result: dict[str, tuple[bool, str]] = {"fp32": (True, "full precision, always available")}
    if kind == "cuda":
        if not torch.cuda.is_available():
            return {name: (False, "no CUDA GPU visible to torch") for name in DTYPES}
        major, _minor = torch.cuda.get_device_capability(torch.device(device))
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


class LossScaler:
    """`torch.amp.GradScaler` for fp16 (disabled otherwise) plus a count of skipped steps.

    Per step: `scale_loss(loss).backward()`, `unscale_(optimizer)` (then clip), and
    `step(optimizer)`, which steps unless a gradient overflowed (then the scale halves) and
    returns whether it stepped; the scale doubles after `growth_interval` good steps.
    """

    def __init__(
        self,
        scale: float = 65536.0,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
        device: str | torch.device = "cpu",
    ):
        kind = torch.device(device).type
        with warnings.catch_warnings():  # "CUDA not available" when asked for cuda on CPU
            warnings.simplefilter("ignore", UserWarning)
            self.amp = torch.amp.GradScaler(
                kind,
                init_scale=scale,
                growth_factor=growth_factor,
                backoff_factor=backoff_factor,
                growth_interval=growth_interval,
                enabled=enabled,
            )
        self.enabled = self.amp.is_enabled()
        self.skipped_steps = 0

    @property
    def scale(self) -> float:
        """The current loss scale (1.0 when disabled)."""
        return float(self.amp.get_scale()) if self.enabled else 1.0

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        return self.amp.scale(loss)

    def unscale_(self, optimizer: torch.optim.Optimizer) -> None:
        """Divide the optimizer's gradients by the scale in place (before clipping)."""
        self.amp.unscale_(optimizer)

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        """Step (unless a gradient is inf/NaN) and update the scale; True when it stepped."""
        if not self.enabled:
            optimizer.step()
            return True
        before = self.amp.get_scale()
        self.amp.step(optimizer)
        self.amp.update()
        stepped = self.amp.get_scale() >= before  # GradScaler only backs off on overflow
        if not stepped:
            self.skipped_steps += 1
        return stepped

    def state_dict(self) -> dict:
        return {"amp": self.amp.state_dict(), "skipped_steps": self.skipped_steps}

    def load_state_dict(self, state: dict) -> None:
        self.skipped_steps = int(state.get("skipped_steps", 0))
        if not self.enabled:
            return
        if "amp" in state:
            self.amp.load_state_dict(state["amp"])
            return
        # a checkpoint from the hand-written scaler: scale and good-step count
        self.amp.load_state_dict(
            {
                "scale": float(state["scale"]),
                "growth_factor": self.amp.get_growth_factor(),
                "backoff_factor": self.amp.get_backoff_factor(),
                "growth_interval": self.amp.get_growth_interval(),
                "_growth_tracker": int(state.get("good_steps", 0)),
            }
        )

"""The optimisation loop: losses per target, Adam with coupled L2, per-tensor clipping, one
cosine LR over the run, autocast + loss scaling, progress, cancellation and checkpoints."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812
from torch.utils.data import DistributedSampler

from kord_engine.ml.checkpoint import rng_state, save_checkpoint, set_rng_state
from kord_engine.ml.config import TrainConfig
from kord_engine.ml.precision import LossScaler, autocast
from kord_engine.ml.progress import ProgressCallback, TrainProgress
from kord_engine.ml.schedule import make_scheduler


def target_loss(logits: torch.Tensor, targets: torch.Tensor, target: str) -> torch.Tensor:
    """BCE-with-logits (mean); folded_bass: CE on the bass slot (rests masked out) + BCE on the rest."""
    logits = logits.float()
    if target != "folded_bass":
        return F.binary_cross_entropy_with_logits(logits, targets)
    bce = F.binary_cross_entropy_with_logits(logits[:, 12:], targets[:, 12:])
    valid = targets[:, :12].sum(dim=1) > 0
    if not bool(valid.any()):
        return bce + 0.0 * logits[:, :12].sum()
    ce = F.cross_entropy(logits[valid, :12], targets[valid, :12].argmax(dim=1))
    return bce + ce


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Adam:
    """Adam with coupled L2 weight decay (torch Adam(weight_decay)), as burn's Adam does."""
    return torch.optim.Adam(
        model.parameters(),
        lr=config.lr,
        betas=(config.beta1, config.beta2),
        eps=config.eps,
        weight_decay=config.weight_decay,
    )


def clip_per_tensor(params: list[nn.Parameter], max_norm: float) -> None:
    """burn's GradientClipping::Norm: each parameter tensor's gradient clipped on its own."""
    if max_norm <= 0:
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    norms = torch._foreach_norm(grads)
    factors = [torch.clamp(max_norm / (n + 1e-6), max=1.0) for n in norms]
    torch._foreach_mul_(grads, factors)


@dataclass
class LoopState:
    """Where a run is: position, the loss curve so far and per-epoch summaries."""

    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    step_losses: list[float] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    epoch_val: list[dict[str, float]] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0


@dataclass
class LoopContext:
    """Everything the loop needs besides the data."""

    config: TrainConfig
    model: nn.Module
    optimizer: torch.optim.Optimizer
    scaler: LossScaler
    device: torch.device
    rank: int = 0
    world: int = 1
    progress: ProgressCallback | None = None
    should_stop: Callable[[], bool] | None = None
    validate: Callable[[], dict[str, float]] | None = None
    checkpoint_path: str | None = None
    unwrapped: nn.Module | None = None
    #: gather batches into pinned host memory (CUDA: the copy overlaps compute)
    pin_memory: bool = False
    #: test hook: called with (state, model) after backward, before unscaling
    after_backward: Callable[[LoopState, nn.Module], None] | None = None


def gather_batch(
    data: torch.Tensor, idx: torch.Tensor, device: torch.device, pin: bool = False
) -> torch.Tensor:
    """Rows `idx` of `data` on `device`; with `pin` they are gathered straight into pinned
    host memory so the host→GPU copy is asynchronous."""
    if not pin:
        return data[idx].to(device, non_blocking=True)
    buf = torch.empty((len(idx), *data.shape[1:]), dtype=data.dtype, pin_memory=True)
    torch.index_select(data, 0, idx, out=buf)
    return buf.to(device, non_blocking=True)


def steps_per_epoch(n: int, batch_size: int, world: int = 1) -> int:
    per_rank = -(-n // world)
    return max(1, -(-per_rank // batch_size))


def run_loop(
    ctx: LoopContext, x: torch.Tensor, y: torch.Tensor, state: LoopState | None = None
) -> LoopState:
    """Train on (x, y) for config.epochs epochs from `state` (a fresh one, or a checkpoint's)."""
    cfg = ctx.config
    state = state or LoopState()
    sampler = DistributedSampler(
        range(len(x)), num_replicas=ctx.world, rank=ctx.rank, shuffle=True, seed=cfg.seed
    )
    per_epoch = steps_per_epoch(len(x), cfg.batch_size, ctx.world)
    total = per_epoch * cfg.epochs
    scheduler = make_scheduler(
        cfg.lr_schedule, ctx.optimizer, cfg.lr, total, cfg.epochs, start_step=state.global_step
    )
    params = [p for p in ctx.model.parameters() if p.requires_grad]
    started = time.perf_counter()
    samples_done = 0
    ctx.model.train()
    while state.epoch < cfg.epochs:
        sampler.set_epoch(state.epoch)
        order = torch.tensor(list(sampler), dtype=torch.long)
        running, count = 0.0, 0
        for step in range(state.step_in_epoch, per_epoch):
            if ctx.should_stop is not None and ctx.should_stop():
                state.cancelled = True
                state.seconds += time.perf_counter() - started
                return state
            idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            xb = gather_batch(x, idx, ctx.device, ctx.pin_memory)
            yb = gather_batch(y, idx, ctx.device, ctx.pin_memory)
            lr = float(ctx.optimizer.param_groups[0]["lr"])
            ctx.optimizer.zero_grad(set_to_none=True)
            with autocast(cfg.precision, ctx.device):
                logits = ctx.model(xb)
            loss = target_loss(logits, yb, cfg.target)
            ctx.scaler.scale_loss(loss).backward()
            if ctx.after_backward is not None:
                ctx.after_backward(state, ctx.model)
            ctx.scaler.unscale_(ctx.optimizer)
            clip_per_tensor(params, cfg.grad_clip)  # an overflowed step is skipped anyway
            stepped = ctx.scaler.step(ctx.optimizer)
            with warnings.catch_warnings():  # a skipped first step makes torch warn
                if not stepped:
                    warnings.simplefilter("ignore", UserWarning)
                scheduler.step()
            value = float(loss.detach())
            state.step_losses.append(value)
            state.lrs.append(lr)
            running += value
            count += 1
            state.global_step += 1
            state.step_in_epoch = step + 1
            samples_done += len(idx) * ctx.world
            elapsed = time.perf_counter() - started
            rate = samples_done / elapsed if elapsed > 0 else 0.0
            remaining = total - state.global_step
            if ctx.progress is not None and ctx.rank == 0:
                ctx.progress(
                    TrainProgress(
                        "step",
                        epoch=state.epoch,
                        epochs=cfg.epochs,
                        step=step + 1,
                        steps=per_epoch,
                        global_step=state.global_step,
                        total_steps=total,
                        loss=value,
                        lr=lr,
                        loss_scale=ctx.scaler.scale,
                        skipped_steps=ctx.scaler.skipped_steps,
                        samples_per_s=rate,
                        eta_s=remaining * cfg.batch_size * ctx.world / rate if rate else 0.0,
                    )
                )
            if (
                cfg.checkpoint_every
                and ctx.checkpoint_path
                and state.global_step % cfg.checkpoint_every == 0
            ):
                write_checkpoint(ctx, state)
        state.epoch_losses.append(running / max(count, 1))
        state.epoch += 1
        state.step_in_epoch = 0
        val = ctx.validate() if ctx.validate is not None else {}
        ctx.model.train()
        state.epoch_val.append(val)
        if ctx.progress is not None and ctx.rank == 0:
            ctx.progress(
                TrainProgress(
                    "epoch",
                    epoch=state.epoch - 1,
                    epochs=cfg.epochs,
                    step=per_epoch,
                    steps=per_epoch,
                    global_step=state.global_step,
                    total_steps=total,
                    loss=state.epoch_losses[-1],
                    lr=float(ctx.optimizer.param_groups[0]["lr"]),
                    loss_scale=ctx.scaler.scale,
                    skipped_steps=ctx.scaler.skipped_steps,
                    val=val,
                )
            )
    state.seconds += time.perf_counter() - started
    return state


def write_checkpoint(ctx: LoopContext, state: LoopState) -> None:
    """Rank 0 writes model/optimizer/scaler/RNG/position to ctx.checkpoint_path atomically."""
    if ctx.rank != 0 or not ctx.checkpoint_path:
        return
    model = ctx.unwrapped or ctx.model
    save_checkpoint(
        ctx.checkpoint_path,
        {
            "config": ctx.config.to_dict(),
            "model": model.state_dict(),
            "optimizer": ctx.optimizer.state_dict(),
            "scaler": ctx.scaler.state_dict(),
            "rng": rng_state(),
            "loop": {
                "epoch": state.epoch,
                "step_in_epoch": state.step_in_epoch,
                "global_step": state.global_step,
                "step_losses": list(state.step_losses),
                "epoch_losses": list(state.epoch_losses),
                "epoch_val": list(state.epoch_val),
                "lrs": list(state.lrs),
                "seconds": state.seconds,
            },
        },
    )


def restore_checkpoint(ctx: LoopContext, checkpoint: dict[str, Any]) -> LoopState:
    """Load a checkpoint's model/optimizer/scaler/RNG into ctx and return its LoopState."""
    model = ctx.unwrapped or ctx.model
    model.load_state_dict(checkpoint["model"])
    ctx.optimizer.load_state_dict(checkpoint["optimizer"])
    ctx.scaler.load_state_dict(checkpoint["scaler"])
    set_rng_state(checkpoint["rng"])
    loop = checkpoint["loop"]
    return LoopState(
        epoch=loop["epoch"],
        step_in_epoch=loop["step_in_epoch"],
        global_step=loop["global_step"],
        step_losses=list(loop["step_losses"]),
        epoch_losses=list(loop["epoch_losses"]),
        epoch_val=list(loop["epoch_val"]),
        lrs=list(loop["lrs"]),
        seconds=float(loop.get("seconds", 0.0)),
    )

"""train(config) → a model artifact: data, model, the loop, thresholds, report, ONNX export.

The GUI wizard and `kord ml train` both call `train`; progress goes to a callback, cancellation
is polled every step, and the artifact folder appears only when it is complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from kord_engine.ml.config import TrainConfig
from kord_engine.ml.progress import ProgressCallback, TrainProgress


@dataclass
class TrainData:
    """Precomputed features and targets: train, validation, and named extra report sets."""

    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    reports: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: per validation row, the source it came from ("sim" or a folder); optional
    val_origin: list[str] | None = None
    #: per training row, the same ("<source> (augmented)" for augmented rows); optional
    train_origin: list[str] | None = None


@dataclass
class TrainResult:
    """What a run produced. `cancelled` runs have no destination and wrote nothing."""

    cancelled: bool
    destination: Path | None = None
    report: dict[str, Any] = field(default_factory=dict)
    thresholds: np.ndarray | None = None
    step_losses: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    model: torch.nn.Module | None = None
    onnx_bytes: bytes = b""


def load_training_data(
    config: TrainConfig, progress: Callable[[str, int], None] | None = None
) -> TrainData:
    """Features + targets via ml-data's sources (split first, captured oversampled after), plus
    report sets: validation per origin, and each captured or `report_sources` folder."""
    from kord_engine.audio.listen.model.features import compute_features
    from kord_engine.audio.listen.model.targets import encode_targets
    from kord_engine.ml.sources import build_feature_datasets, is_captured, load_source

    built = build_feature_datasets(
        config.training_sources,
        config.validation_sources,
        loader=config.loader,
        include_guess=config.include_guess,
        target=config.target,
        captured_oversample_factor=config.captured_oversample_factor,
        seed=config.seed,
        val_fraction=config.validation_fraction,
        noise_root=config.noise_asset_root,
        simulation_size=config.simulation_size,
        sim=sim_config(config),
        progress=progress,
        augment=augment_config(config),
    )
    reports: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    origins = np.asarray(built.meta.get("val_origin", []))
    if len(set(origins.tolist())) > 1:
        for origin in sorted(set(origins.tolist())):
            rows = origins == origin
            reports[f"validation[{Path(origin).name}]"] = (built.x_val[rows], built.y_val[rows])
    extra = [s for s in config.training_sources if s != "sim" and is_captured(str(s))]
    for spec in [*extra, *config.report_sources]:
        data = load_source(spec)
        if not len(data.masks):
            continue
        name = Path(spec).name
        if spec in extra:
            name = f"{name} (training source: train+val items)"
        x = compute_features(data.spectra, config.loader, config.include_guess)
        reports[name] = (x, encode_targets(data.masks, config.target))
    return TrainData(
        built.x_train,
        built.y_train,
        built.x_val,
        built.y_val,
        reports,
        list(built.meta.get("val_origin", [])) or None,
        list(built.meta.get("train_origin", [])) or None,
    )


def augment_config(config: TrainConfig):
    """ml-data's AugmentConfig from the augment_* fields (None when augment_copies is 0)."""
    if config.augment_copies <= 0:
        return None
    from kord_engine.ml.augment import AugmentConfig

    return AugmentConfig(
        copies=config.augment_copies,
        max_transpose=config.augment_max_transpose,
        detune_cents=config.augment_detune_cents,
        tilt_db_per_octave=config.augment_tilt_db_per_octave,
        noise_level=config.augment_noise_level,
        world_share=config.augment_world_share,
        sim_share=config.augment_sim_share,
    )


def sim_config(config: TrainConfig):
    """ml-data's SimConfig from the TrainConfig knobs (+ their realism preset on request)."""
    import dataclasses

    from kord_engine.ml.sim import REALISTIC, SimConfig

    base = REALISTIC if config.simulation_preset == "realistic" else SimConfig()
    return dataclasses.replace(
        base,
        peak_radius=config.simulation_peak_radius,
        harmonic_decay=config.simulation_harmonic_decay,
        frequency_wobble=config.simulation_frequency_wobble,
    )


def _emit(progress: ProgressCallback | None, phase: str, message: str, rank: int = 0) -> None:
    if progress is not None and rank == 0:
        progress(TrainProgress(phase, message=message))


def _predict_torch(model: torch.nn.Module, x: torch.Tensor, target: str, batch: int = 2048):
    from kord_engine.ml.models import ProbabilityModel

    wrapped = ProbabilityModel(model, target).eval()
    with torch.no_grad():
        return torch.cat([wrapped(x[i : i + batch]) for i in range(0, len(x), batch)]).numpy()


def train(
    config: TrainConfig,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    data: TrainData | None = None,
    after_backward: Callable | None = None,
) -> TrainResult:
    """Train a model as `config` says and write its artifact to config.destination.

    `data` skips loading (tests, hpt reuse); `after_backward` is a test hook on the loop.
    Returns TrainResult(cancelled=True) without writing anything if `should_stop()` turns true.
    """
    from kord_engine.ml import ddp
    from kord_engine.ml.checkpoint import load_checkpoint
    from kord_engine.ml.device import configure_threads, pin_memory_for, resolve_device
    from kord_engine.ml.loop import (
        LoopContext,
        make_optimizer,
        restore_checkpoint,
        run_loop,
        target_loss,
    )
    from kord_engine.ml.models import build_model
    from kord_engine.ml.precision import LossScaler, check_precision

    config.validate()
    started = time.perf_counter()
    device = resolve_device(config.device)
    check_precision(config.precision, device)
    threads = configure_threads(config.threads)
    info, device = ddp.init_distributed(device)
    try:
        if data is None:
            _emit(progress, "data", "building datasets and features", info.rank)
            data = load_training_data(
                config, lambda src, n: _emit(progress, "data", f"{src}: {n} items", info.rank)
            )
        if len(data.train_x) == 0:
            from kord_engine.ml.config import ConfigError

            raise ConfigError("the training sources produced no samples")
        if config.init_from and config.sim_targets == "model":
            from kord_engine.ml.finetune import distill_sim_targets

            data = distill_sim_targets(data, config.init_from)
        x = torch.from_numpy(np.ascontiguousarray(data.train_x, dtype=np.float32))
        y = torch.from_numpy(np.ascontiguousarray(data.train_y, dtype=np.float32))
        vx = torch.from_numpy(np.ascontiguousarray(data.val_x, dtype=np.float32))
        vy = torch.from_numpy(np.ascontiguousarray(data.val_y, dtype=np.float32))
        width, classes = x.shape[1], y.shape[1]
        torch.manual_seed(config.seed)
        model = build_model(config, width, classes)
        if config.init_from:  # fine-tuning: the trained model's weights, some layers frozen
            from kord_engine.ml.finetune import apply_trainable, load_init_weights

            load_init_weights(model, config)
            apply_trainable(model, config.trainable)
        model = model.to(device)
        hook = after_backward
        wrapped = ddp.wrap_model(model, info, device)
        optimizer = make_optimizer(wrapped, config)
        scaler = LossScaler(
            scale=config.loss_scale_init,
            growth_interval=config.loss_scale_growth_interval,
            enabled=config.precision == "fp16",
            device=device,
        )
        if config.init_from and config.anchor > 0:
            from kord_engine.ml.finetune import anchor_hook

            hook = anchor_hook(model, config.anchor, scaler, after_backward)
        checkpoint_path = config.checkpoint_path
        if config.checkpoint_every and not checkpoint_path:
            checkpoint_path = str(Path(config.destination).with_suffix(".checkpoint.pt"))

        val_cap = min(len(vx), 5000)

        def validate() -> dict[str, float]:
            if val_cap == 0:
                return {}
            model.eval()
            with torch.no_grad():
                logits = model(vx[:val_cap].to(device)).float().cpu()
            loss = float(target_loss(logits, vy[:val_cap], config.target))
            from kord_engine.audio.listen.model.targets import predictions

            probs = _probs(logits, config.target)
            pred = predictions(probs, 0.5, config.target)
            exact = float((pred == (vy[:val_cap].numpy() > 0.5)).all(axis=1).mean())
            return {"val_loss": round(loss, 6), "val_exact@0.5": round(exact, 6)}

        ctx = LoopContext(
            config=config,
            model=wrapped,
            optimizer=optimizer,
            scaler=scaler,
            device=device,
            rank=info.rank,
            world=info.world,
            progress=progress,
            should_stop=should_stop,
            validate=validate,
            checkpoint_path=checkpoint_path,
            unwrapped=model,
            pin_memory=pin_memory_for(device),
            after_backward=hook,
        )
        state = None
        if config.resume_from:
            state = restore_checkpoint(ctx, load_checkpoint(config.resume_from))
        state = run_loop(ctx, x, y, state)
        if state.cancelled or (should_stop is not None and should_stop()):
            _emit(progress, "cancelled", "training cancelled; nothing written", info.rank)
            return TrainResult(True, step_losses=state.step_losses, steps=state.global_step)
        model = model.cpu().eval()
        result = TrainResult(
            False,
            step_losses=state.step_losses,
            lrs=state.lrs,
            steps=state.global_step,
            seconds=state.seconds,
            model=model,
        )
        if info.is_main:
            _finish(config, model, data, state, result, progress, should_stop, started, threads)
        ddp.barrier(info)
        return result
    finally:
        ddp.shutdown(info)


def _probs(logits: torch.Tensor, target: str) -> np.ndarray:
    if target == "folded_bass":
        return torch.cat(
            [torch.softmax(logits[:, :12], 1), torch.sigmoid(logits[:, 12:])], 1
        ).numpy()
    return torch.sigmoid(logits).numpy()


CLAMPS = ((0.05, 0.95), (0.1, 0.9), (0.2, 0.8), (0.3, 0.7), (0.5, 0.5))


def clamp_for_exact_match(thresholds: np.ndarray, probs: np.ndarray, targets: np.ndarray):
    """kord's per-class F1 thresholds clamped to the range (from CLAMPS) whose decisions get
    the most whole-chord (exact) matches on these validation rows: per-class F1 alone can pick
    a near-0 threshold that makes a class fire on weak evidence."""
    truth = np.asarray(targets) > 0.5
    best, best_score = thresholds, -1.0
    for lo, hi in CLAMPS:
        clamped = np.clip(thresholds, lo, hi)
        score = float(((probs > clamped) == truth).all(axis=1).mean())
        if score > best_score + 1e-9:
            best, best_score = clamped, score
    return best


def _finish(config, model, data, state, result, progress, should_stop, started, threads) -> None:
    """Rank 0: export, tune thresholds on validation, compute reports, write the artifact."""
    import onnxruntime as ort

    from kord_engine.audio.listen.model.artifact import (
        ModelArtifact,
        artifact_config,
        write_artifact,
    )
    from kord_engine.ml.export import export_onnx
    from kord_engine.ml.models import parameter_count
    from kord_engine.ml.report import build_report, metrics_dict
    from kord_engine.ml.thresholds import tune_thresholds

    width, classes = data.train_x.shape[1], data.train_y.shape[1]
    _emit(progress, "export", f"exporting ONNX ({config.store_precision} store)")
    onnx_bytes = export_onnx(model, width, config.target, None, config.store_precision)
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])

    def predict(features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros((0, classes), dtype=np.float32)
        return session.run(None, {"features": np.asarray(features, dtype=np.float32)})[0]

    _emit(
        progress,
        "thresholds",
        "thresholds: validation"
        if config.threshold_from == "tune"
        else "thresholds: the initial model's",
    )
    val_probs = predict(data.val_x)
    half_check: dict[str, Any] = {}
    if config.store_precision == "half":
        full_bytes = export_onnx(model, width, config.target, None, "full")
        full_session = ort.InferenceSession(full_bytes, providers=["CPUExecutionProvider"])
        half_check["onnx_bytes_full"] = len(full_bytes)
        if len(val_probs):
            full_probs = full_session.run(None, {"features": data.val_x.astype(np.float32)})[0]
            half_check["half_vs_full_max_abs_prob_diff"] = float(
                np.abs(full_probs - val_probs).max()
            )
    if config.threshold_from == "init":  # fine-tuning: the thresholds the model came with
        from kord_engine.ml.finetune import init_thresholds

        thresholds = init_thresholds(config.init_from, classes)
    elif len(val_probs):
        # kord tunes on the first 1,000 of a shuffled pool; ours is ordered by source, so
        # tune on a seeded random subset of `threshold_limit` items instead
        pick = np.random.default_rng(config.seed).permutation(len(val_probs))
        if config.threshold_on == "recorded" and data.val_origin is not None:
            recorded = np.array([o != "sim" for o in data.val_origin])
            if recorded.any():  # tune for real audio: only rows not from the simulator
                pick = pick[recorded[pick]]
        pick = pick[: config.threshold_limit]
        thresholds = tune_thresholds(val_probs[pick], data.val_y[pick], None)
        if config.threshold_clamp == "exact":
            thresholds = clamp_for_exact_match(thresholds, val_probs[pick], data.val_y[pick])
    else:
        thresholds = np.full(classes, 0.5)
    _emit(progress, "report", "computing metrics")
    metrics: dict[str, dict] = {}
    counts = {"train": int(len(data.train_x)), "validation": int(len(data.val_x))}
    if len(val_probs):
        metrics["validation"] = metrics_dict(val_probs, data.val_y, thresholds, config.target)
    for name, (fx, fy) in data.reports.items():
        counts[name] = int(len(fx))
        if len(fx):
            metrics[name] = metrics_dict(predict(fx), fy, thresholds, config.target)
    steps = max(state.global_step, 1)
    extra = {
        "steps": state.global_step,
        "epochs": config.epochs,
        "train_seconds": round(state.seconds, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        "samples_per_s": round(len(data.train_x) * config.epochs / max(state.seconds, 1e-9), 1)
        if state.global_step
        else 0.0,
        "threads": threads,
        "parameters": parameter_count(model),
        "onnx_bytes": len(onnx_bytes),
        "final_loss": float(np.mean(state.step_losses[-min(50, steps) :]))
        if state.step_losses
        else None,
        "thresholds": [round(float(t), 4) for t in thresholds],
        **half_check,
    }
    report = build_report(
        config.to_dict(),
        metrics,
        counts,
        state.step_losses,
        state.epoch_losses,
        state.epoch_val,
        state.lrs,
        extra,
    )
    if should_stop is not None and should_stop():
        result.cancelled = True
        return
    artifact = ModelArtifact(
        onnx_bytes, artifact_config(config.to_dict(), width, classes), thresholds, report
    )
    result.destination = write_artifact(config.destination, artifact)
    result.report = report
    result.thresholds = thresholds
    result.onnx_bytes = onnx_bytes
    _emit(progress, "done", f"model written to {result.destination}")

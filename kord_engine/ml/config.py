"""TrainConfig: every `kord ml train` flag in one dataclass, saved inside each model artifact.

kord chose loader/target/precision with Cargo features at build time; here they are run-time
fields, and the saved copy makes inference use exactly what training used.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kord_engine.errors import KordError

MODELS = ("kord", "ours")
PRECISIONS = ("fp32", "fp16", "bf16")
STORE_PRECISIONS = ("full", "half", "int8")
DEVICES = ("auto", "cpu", "cuda")
_FALLBACK_LOADERS = ("mel", "frequency_pooled", "frequency", "note_binned_convolution")
_FALLBACK_TARGETS = ("full", "folded", "folded_bass")


class ConfigError(KordError):
    """A training configuration with a missing, unknown or inconsistent value."""


class ModelShapeError(ConfigError):
    """A model whose sizes cannot work together (e.g. features not divisible by heads)."""


def check_kord_shape(width: int, heads: int) -> int:
    """kord's three asserts as clear errors: D % H == 0, chunk >= H, chunk % H == 0; → chunk."""
    if heads < 1:
        raise ModelShapeError(f"mha_heads must be at least 1, got {heads}")
    if width % heads:
        raise ModelShapeError(
            f"feature width {width} is not divisible by mha_heads {heads} "
            "(kord model needs D % H == 0)"
        )
    chunk = width // heads
    if chunk < heads:
        raise ModelShapeError(
            f"token width {chunk} (= {width}/{heads}) is smaller than mha_heads {heads}; "
            "use fewer heads or a wider loader"
        )
    if chunk % heads:
        raise ModelShapeError(
            f"token width {chunk} (= {width}/{heads}) is not divisible by mha_heads {heads}"
        )
    return chunk


def input_width(config: TrainConfig) -> int:
    """Feature width of `config`'s loader (ml-data's features.feature_width)."""
    from kord_engine.audio.listen.model.features import feature_width

    return int(feature_width(config.loader, config.include_guess))


def known_loaders() -> tuple[str, ...]:
    """Loader names from ml-data's features module (kord's four loaders if it is absent)."""
    try:
        from kord_engine.audio.listen.model.features import LOADERS
    except ImportError:  # pragma: no cover - only before ml-data lands
        return _FALLBACK_LOADERS
    return tuple(LOADERS)


def known_targets() -> tuple[str, ...]:
    """Target names from ml-data's targets module (kord's three if it is absent)."""
    try:
        from kord_engine.audio.listen.model.targets import TARGETS
    except ImportError:  # pragma: no cover - only before ml-data lands
        return _FALLBACK_TARGETS
    return tuple(TARGETS)


@dataclass
class TrainConfig:
    """Everything a training run needs; defaults are kord's CLI defaults (spec §3.4) plus ours."""

    # data
    training_sources: list[str] = field(default_factory=list)
    validation_sources: list[str] = field(default_factory=list)
    report_sources: list[str] = field(default_factory=list)
    noise_asset_root: str | None = None
    destination: str = "model"
    simulation_size: int = 40  # kord: 500 (187,500 items); 40 = 15,000 items fits a small CPU
    simulation_peak_radius: float = 2.0
    simulation_harmonic_decay: float = 0.1
    simulation_frequency_wobble: float = 0.2
    simulation_preset: str = "kord"  # "kord" = kord's sim; "realistic" = ml-data's REALISTIC
    captured_oversample_factor: int = 8
    # ours: augmented copies of recorded (non-sim) TRAIN items (ml-data's AugmentConfig)
    augment_copies: int = 0
    augment_max_transpose: int = 5
    augment_detune_cents: float = 15.0
    augment_tilt_db_per_octave: float = 3.0
    augment_noise_level: float = 0.0
    # the real world (ml.augment.world: reverb tail, room, mic, level, noise, per-note detune):
    # share of augmented copies that also get it, and of sim train items given one world row
    augment_world_share: float = 0.6
    augment_sim_share: float = 0.25
    validation_fraction: float = 0.2
    loader: str = "mel"
    include_guess: bool = False
    target: str = "folded"
    # model
    model: str = "kord"
    mha_heads: int = 16
    dropout: float = 0.2
    trunk_hidden_size: int = 1024
    ours_channels: int = 0  # > 0 adds a conv front end
    ours_hidden: int = 256
    ours_blocks: int = 2
    # optimisation
    epochs: int = 16
    batch_size: int = 100
    seed: int = 76980
    lr: float = 1e-3
    weight_decay: float = 1e-4
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1.1920929e-7
    grad_clip: float = 1.0
    lr_schedule: str = "cosine"  # "cosine" = one cosine over the run; "kord" = kord's SGDR quirk
    # precision / device
    precision: str = "fp32"
    store_precision: str = "half"
    device: str = "auto"
    threads: int = 0
    loss_scale_init: float = 65536.0
    loss_scale_growth_interval: int = 2000
    # bookkeeping
    checkpoint_every: int = 0
    checkpoint_path: str | None = None
    resume_from: str | None = None
    threshold_limit: int = 1000
    threshold_on: str = "all"  # "recorded" = tune on non-sim validation rows only
    threshold_clamp: str = "kord"  # "exact" = then clamp for best validation exact match
    window_seconds: float = 1.0
    # fine-tuning (ml.finetune): start from a trained model's weights (its folder), train
    # only some layers ("all"; "top" = the last block, final norm and head; "head"), and
    # keep its thresholds ("init") instead of tuning new ones on validation ("tune")
    init_from: str | None = None
    trainable: str = "all"
    threshold_from: str = "tune"
    # L2-SP: a pull of the weights back toward init_from's, anchor·(w − w₀) added to each
    # gradient, so a fine-tune moves only as far as the new data asks (0: none)
    anchor: float = 0.0
    # targets of the simulated rows: their labels, or ("model") init_from's probabilities —
    # distillation, so replayed chords keep what the model said about them
    sim_targets: str = "labels"

    def validate(self) -> TrainConfig:
        """Raise ConfigError naming the first bad field; returns self so calls can chain."""
        if not self.training_sources:
            raise ConfigError("training_sources: give at least one source directory or 'sim'")
        loaders = known_loaders()
        if self.loader not in loaders:
            raise ConfigError(f"loader {self.loader!r} is unknown; choose one of {list(loaders)}")
        validate_target(self.target)
        _choose("model", self.model, MODELS)
        _choose("precision", self.precision, PRECISIONS)
        _choose("store_precision", self.store_precision, STORE_PRECISIONS)
        if not is_device_name(self.device):
            raise ConfigError(
                f"device {self.device!r} is unknown; choose auto, cpu, cuda or cuda:N"
            )
        _choose("simulation_preset", self.simulation_preset, ("kord", "realistic"))
        _choose("threshold_on", self.threshold_on, ("all", "recorded"))
        _choose("threshold_clamp", self.threshold_clamp, ("kord", "exact"))
        _choose("lr_schedule", self.lr_schedule, ("cosine", "kord"))
        _choose("trainable", self.trainable, ("all", "top", "head"))
        _choose("threshold_from", self.threshold_from, ("tune", "init"))
        _choose("sim_targets", self.sim_targets, ("labels", "model"))
        if self.sim_targets == "model" and not self.init_from:
            raise ConfigError("sim_targets 'model' needs init_from (a model folder)")
        if self.anchor < 0:
            raise ConfigError(f"anchor must not be negative, got {self.anchor}")
        if self.threshold_from == "init" and not self.init_from:
            raise ConfigError("threshold_from 'init' needs init_from (a model folder)")
        for name in ("epochs", "batch_size", "captured_oversample_factor", "threshold_limit"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("simulation_size", "checkpoint_every", "threads", "augment_copies"):
            if int(getattr(self, name)) < 0:
                raise ConfigError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("augment_world_share", "augment_sim_share"):
            if not 0.0 <= float(getattr(self, name)) <= 1.0:
                raise ConfigError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ConfigError(
                f"validation_fraction must be in (0, 1), got {self.validation_fraction}"
            )
        if not self.lr > 0:
            raise ConfigError(f"lr must be positive, got {self.lr}")
        if self.weight_decay < 0 or self.grad_clip < 0 or self.eps <= 0:
            raise ConfigError("weight_decay and grad_clip must be >= 0 and eps > 0")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ConfigError(f"betas must be in [0, 1), got ({self.beta1}, {self.beta2})")
        if not 0.05 <= self.window_seconds <= 10:
            raise ConfigError(f"window_seconds must be in [0.05, 10], got {self.window_seconds}")
        if self.model == "kord":
            check_kord_shape(input_width(self), self.mha_heads)
        elif self.ours_channels < 0 or min(self.ours_hidden, self.ours_blocks) < 1:
            raise ConfigError("ours_channels must be >= 0, ours_hidden and ours_blocks >= 1")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from a dict; unknown keys are an error (a typo must not be silently ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"unknown training config field(s): {', '.join(unknown)}")
        return cls(**{k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()})

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"training config is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError("training config JSON must be an object")
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)


def validate_target(target: str | list[str] | tuple[str, ...]) -> str:
    """Exactly one target must be chosen (kord: a compile_error otherwise); returns it."""
    if isinstance(target, list | tuple):
        if len(target) != 1:
            raise ConfigError(
                f"choose exactly one target, got {len(target)}: {list(target)} "
                f"(one of {list(known_targets())})"
            )
        target = target[0]
    try:
        from kord_engine.audio.listen.model.targets import validate_target_choice
    except ImportError:  # pragma: no cover - only before ml-data lands
        validate_target_choice = None
    targets = known_targets()
    if target not in targets:
        raise ConfigError(f"target {target!r} is unknown; choose exactly one of {list(targets)}")
    if validate_target_choice is not None:
        try:
            validate_target_choice([target])
        except TypeError:
            validate_target_choice(target)
    return target


def is_device_name(name: str) -> bool:
    """auto, cpu, cuda or cuda:N (N a GPU index)."""
    return name in DEVICES or re.fullmatch(r"cuda:\d+", name) is not None


def _choose(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} {value!r} is unknown; choose one of {list(allowed)}")

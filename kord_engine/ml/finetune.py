"""Fine-tune a trained model on a musician's own recordings (issue 11).

`finetune_config(model_dir, [my_recordings], out)` is a TrainConfig that starts from the
model's weights (read back from its ONNX file, `export.state_dict_from_onnx`) with the model's
own loader, target and architecture, and fine-tuning defaults (`FinetuneDefaults`): a budget
of optimizer steps at a small learning rate, augmented copies of each recording (transposed,
detuned, in simulated rooms and microphones), a replay share of simulated chords taught the
initial model's own probabilities (learning without forgetting: it keeps what it knew), and
the model's own thresholds. Run it with `ml.train.train` (the GUI's
trainer bridge does, with its live curves and cancel; `kord ml train --init-from` too).

`split_holdout` keeps a share of the recordings out of training to measure before / after,
`exact_accuracy` is `kord ml eval`'s exact-match figure on a list of samples.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kord_engine.errors import KordError
from kord_engine.samples import list_samples

SIM = "sim"
#: TrainConfig fields that fix the network's shape: a fine-tune must keep the model's own
ARCHITECTURE_FIELDS = (
    "loader",
    "include_guess",
    "target",
    "model",
    "mha_heads",
    "trunk_hidden_size",
    "ours_channels",
    "ours_hidden",
    "ours_blocks",
)
TRAINABLE = ("all", "top", "head")


class FinetuneError(KordError):
    """A fine-tune that cannot start: no recordings, a model without usable weights, …"""


@dataclass(frozen=True)
class FinetuneDefaults:
    """What a fine-tune does unless told otherwise. Every field is a TrainConfig override
    except `replay_share` (the share of training rows that are replayed simulated chords) and
    `steps`: the run gets `epochs` epochs or as many as fit in about `steps` optimizer steps,
    whichever is fewer, so 80 recordings move the model no further than 40 do (more steps
    forget more of what it knew; bench_finetune.py)."""

    epochs: int = 15  # at most: `steps` makes it fewer for many recordings
    steps: int = 180  # optimizer-step budget: how far a fine-tune may move (0: no budget)
    lr: float = 3e-4
    batch_size: int = 64
    augment_copies: int = 8
    augment_world_share: float = 0.6
    replay_share: float = 0.5
    trainable: str = "all"
    validation_fraction: float = 0.1
    threshold_from: str = "init"
    sim_targets: str = "model"


DEFAULTS = FinetuneDefaults()


def init_train_config(model_dir: str | os.PathLike[str]):
    """The TrainConfig a model folder was trained with (fields this version lacks dropped)."""
    from kord_engine.audio.listen.model.artifact import read_artifact
    from kord_engine.ml.config import TrainConfig

    artifact = read_artifact(model_dir)
    saved = artifact.config.get("train_config")
    if not isinstance(saved, dict):
        raise FinetuneError(f"model {model_dir} has no train_config in its config.json")
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig.from_dict({k: v for k, v in saved.items() if k in names})


def count_samples(sources: Sequence[str | os.PathLike[str]]) -> int:
    """Number of .bin samples in the recording folders (FinetuneError for a bad folder)."""
    total = 0
    for spec in sources:
        if str(spec) == SIM:
            raise FinetuneError("fine-tune sources are your recordings' folders, not 'sim'")
        path = Path(spec)
        if not path.is_dir():
            raise FinetuneError(f"recordings folder {str(spec)!r} does not exist")
        total += len(list_samples(path))
    return total


def replay_simulation_size(user_rows: float, share: float) -> int:
    """Sim iterations (375 chords each) so that replayed rows are `share` of all rows."""
    from kord_engine.ml.sim import ITEMS_PER_ITERATION

    if not 0.0 <= share < 1.0:
        raise FinetuneError(f"replay share must be in [0, 1), got {share}")
    if share == 0:
        return 0
    wanted = user_rows * share / (1.0 - share)
    return max(1, math.ceil(wanted / ITEMS_PER_ITERATION))


def finetune_config(
    init_from: str | os.PathLike[str],
    sources: Sequence[str | os.PathLike[str]],
    destination: str | os.PathLike[str],
    replay: Sequence[str | os.PathLike[str]] = (SIM,),
    holdout: Sequence[str | os.PathLike[str]] = (),
    **overrides: Any,
):
    """A TrainConfig fine-tuning `init_from` on the recordings in `sources` (folders of .bin).

    The model's own TrainConfig gives loader, target, architecture, precision and seed;
    DEFAULTS (FinetuneDefaults) the fine-tuning values; `replay` is added to the training
    sources ("sim" by default, sized so replayed rows are `replay_share` of the rows; folders
    of captured recordings may be added), `holdout` folders become the validation sources
    (none: a `validation_fraction` split of the pool). `overrides` (any TrainConfig field,
    `replay_share` or `steps`) win over all of it; unknown names are a ConfigError. `epochs`
    is at most that many: the `steps` budget may make it fewer (`steps=0`: exactly `epochs`).
    """
    from kord_engine.ml.config import ConfigError, TrainConfig

    init_from = Path(init_from)
    base = init_train_config(init_from)
    sources = [str(s) for s in sources]
    if not sources:
        raise FinetuneError("give at least one folder of your recordings to fine-tune on")
    n_user = count_samples(sources)
    if n_user == 0:
        raise FinetuneError(f"no recordings (.bin samples) in {', '.join(sources)}")
    settings = {**dataclasses.asdict(DEFAULTS), **overrides}
    share = float(settings.pop("replay_share"))
    steps = int(settings.pop("steps"))
    if steps < 0:
        raise FinetuneError(f"steps must not be negative, got {steps}")
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(settings) - fields)
    if unknown:
        raise ConfigError(f"unknown training config field(s): {', '.join(unknown)}")
    copies = int(settings.get("augment_copies", 0))
    val_share = 0.0 if holdout else float(settings.get("validation_fraction", 0.1))
    user_rows = n_user * (1 + copies) * (1 - val_share)
    replay = [str(r) for r in replay]
    sim_size = replay_simulation_size(user_rows, share) if SIM in replay else 0
    if SIM in replay and sim_size == 0:
        replay = [r for r in replay if r != SIM]
    noise = base.noise_asset_root
    if noise and not Path(noise).is_dir():
        noise = None  # the folder of the machine it was trained on: sim runs without it
    fixed = {
        "training_sources": [*sources, *replay],
        "validation_sources": [str(h) for h in holdout],
        "report_sources": [],
        "destination": str(destination),
        "init_from": str(init_from),
        "noise_asset_root": noise,
        "simulation_size": sim_size or base.simulation_size,
        "checkpoint_every": 0,
        "checkpoint_path": None,
        "resume_from": None,
        "device": "auto",
        "threads": 0,
    }
    config = base.replace(**{**fixed, **settings})
    if steps:
        per_epoch = math.ceil(estimated_train_rows(config, n_user, replay) / config.batch_size)
        config = config.replace(epochs=max(1, min(config.epochs, round(steps / per_epoch))))
    return config.validate()


def estimated_train_rows(config, n_user: int, replay: Sequence[str]) -> float:
    """About how many training rows `config` makes: the recordings and replay folders with
    their augmented copies (captured folders oversampled), the simulated chords with their
    world rows, all less the validation share."""
    from kord_engine.ml.sim import ITEMS_PER_ITERATION
    from kord_engine.ml.sources import is_captured

    copies = config.augment_copies
    keep = 1.0 if config.validation_sources else 1.0 - config.validation_fraction
    rows = n_user * (1 + copies)
    for folder in (r for r in replay if r != SIM):
        factor = config.captured_oversample_factor if is_captured(folder) else 1
        rows += count_samples([folder]) * (factor + copies)
    if SIM in replay:
        sim = config.simulation_size * ITEMS_PER_ITERATION
        rows += sim * (1 + (config.augment_sim_share if copies else 0.0))
    return rows * keep


def _sample_path(item: Any) -> Path:
    sample = getattr(item, "sample", None)  # a recordings.Take
    return Path(sample if sample is not None else item)


def _expand(samples_or_paths: Any) -> list:
    if isinstance(samples_or_paths, str | os.PathLike) and Path(samples_or_paths).is_dir():
        return list(list_samples(samples_or_paths))
    return list(samples_or_paths)


def split_holdout(samples_or_paths: Any, share: float = 0.2, seed: int = 0) -> tuple[list, list]:
    """(train, held out): a seeded `share` of the items kept out of training, at least one
    when there are two or more and `share` > 0. Items are Takes, .bin paths, or a folder
    (its .bin files); each part keeps the input order and item type."""
    if not 0.0 <= share < 1.0:
        raise FinetuneError(f"held-out share must be in [0, 1), got {share}")
    items = _expand(samples_or_paths)
    n = len(items)
    k = 0 if share == 0 or n < 2 else min(n - 1, max(1, round(share * n)))
    picked = set(np.random.default_rng(seed).permutation(n)[:k].tolist())
    train = [it for i, it in enumerate(items) if i not in picked]
    held = [it for i, it in enumerate(items) if i in picked]
    return train, held


def stage_samples(items: Any, folder: str | os.PathLike[str]) -> Path:
    """Copy the .bin files of `items` (Takes, paths or a folder) into a fresh `folder`, a
    training or validation source of exactly those samples; returns it."""
    from kord_engine.atomic import atomic_directory

    paths = [_sample_path(it) for it in _expand(items)]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FinetuneError(f"samples not found: {', '.join(missing[:3])}")

    def fill(tmp: Path) -> None:
        tmp.chmod(0o755)
        for path in paths:
            shutil.copyfile(path, tmp / path.name)

    return atomic_directory(folder, fill)


def exact_accuracy(model_dir: str | os.PathLike[str] | None, sample_paths: Any) -> float:
    """Share of samples whose decided classes equal the label exactly (the pitch-class set
    for a `folded` model): `kord ml eval`'s "exact". Items are paths, Takes or a folder."""
    from kord_engine.audio.listen.model.infer import load_model
    from kord_engine.audio.listen.model.targets import encode_targets
    from kord_engine.ml.metrics import report
    from kord_engine.samples import read_sample

    paths = [_sample_path(it) for it in _expand(sample_paths)]
    if not paths:
        raise FinetuneError("no samples to score")
    model = load_model(model_dir)
    samples = [read_sample(p) for p in paths]
    probs = model.predict_spectra(np.stack([s.spectrum for s in samples]))
    targets = encode_targets([s.mask for s in samples], model.target)
    return float(report(probs, targets, model.thresholds, model.target).exact_match)


def load_init_weights(model, config) -> None:
    """Load `config.init_from`'s weights into `model` (built from `config`); a config whose
    architecture differs from the model's is a ConfigError naming the field."""
    import torch

    from kord_engine.audio.listen.model.artifact import read_artifact
    from kord_engine.audio.listen.model.infer import OnnxModel
    from kord_engine.errors import ModelError
    from kord_engine.ml.config import ConfigError
    from kord_engine.ml.export import state_dict_from_onnx
    from kord_engine.ml.models import ProbabilityModel

    init = init_train_config(config.init_from)
    for name in ARCHITECTURE_FIELDS:
        if getattr(config, name) != getattr(init, name):
            raise ConfigError(
                f"{name} is {getattr(config, name)!r} but the model in {config.init_from} "
                f"was trained with {getattr(init, name)!r}; a fine-tune keeps the architecture"
            )
    artifact = read_artifact(config.init_from)
    model.load_state_dict(state_dict_from_onnx(artifact.onnx_bytes, model))
    # the weights must compute what the ONNX file computes
    probe = np.random.default_rng(0).random((4, artifact.input_width)).astype(np.float32)
    expected = OnnxModel(artifact, Path(config.init_from)).predict(probe)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        got = ProbabilityModel(model, config.target)(torch.from_numpy(probe)).numpy()
    model.train(was_training)
    if float(np.abs(got - expected).max()) > 1e-3:
        raise ModelError(
            f"the weights read from {config.init_from}/model.onnx do not reproduce its outputs"
        )


def trainable_prefixes(model, trainable: str) -> tuple[str, ...] | None:
    """Parameter-name prefixes that train under `trainable` (None: all of them)."""
    if trainable == "all":
        return None
    if trainable == "head":
        return ("head.",)
    if hasattr(model, "blocks"):  # ours: the last residual block, the final norm, the head
        return (f"blocks.{len(model.blocks) - 1}.", "norm.", "head.")
    return ("norm2.", "head.")  # kord's: the last norm and the head


def apply_trainable(model, trainable: str) -> None:
    """Freeze every parameter outside `trainable` (ml.config: all | top | head)."""
    if trainable not in TRAINABLE:
        raise FinetuneError(f"trainable {trainable!r} is unknown; choose one of {list(TRAINABLE)}")
    prefixes = trainable_prefixes(model, trainable)
    for name, param in model.named_parameters():
        param.requires_grad_(prefixes is None or name.startswith(prefixes))


def init_thresholds(model_dir: str | os.PathLike[str], classes: int) -> np.ndarray:
    """The decision thresholds of the model a fine-tune started from."""
    from kord_engine.audio.listen.model.artifact import read_artifact

    thresholds = np.asarray(read_artifact(model_dir).thresholds, dtype=np.float64)
    if thresholds.size not in (classes, 12):  # folded_bass may keep 12 (pitch classes)
        raise FinetuneError(
            f"{model_dir} has {thresholds.size} thresholds, the fine-tuned model {classes} outputs"
        )
    return thresholds


def anchor_hook(model, strength: float, scaler, then=None):
    """A loop hook adding `strength`·(w − w₀) to each trainable weight's gradient (L2-SP:
    the gradient of strength/2·‖w − w₀‖², w₀ = the weights now), scaled like the loss when a
    GradScaler is on; `then` (another hook) runs after it."""
    import torch

    pairs = [(p, p.detach().clone()) for p in model.parameters() if p.requires_grad]

    def hook(state, wrapped) -> None:
        factor = float(strength) * float(scaler.scale)  # scale: 1.0 without a GradScaler
        with torch.no_grad():
            for param, start in pairs:
                if param.grad is not None:
                    param.grad.add_(param - start, alpha=factor)
        if then is not None:
            then(state, wrapped)

    return hook


def distill_sim_targets(data, model_dir: str | os.PathLike[str]):
    """`data` with the simulated training rows' targets replaced by `model_dir`'s
    probabilities (learning without forgetting: on replayed chords the fine-tuned model is
    taught what the model said, not the simulator's label); recorded rows keep their labels.
    Needs `data.train_origin`; returns a new TrainData."""
    from kord_engine.audio.listen.model.infer import load_model

    if data.train_origin is None:
        raise FinetuneError("sim_targets 'model' needs to know which training rows are sim")
    names = (SIM, f"{SIM} (augmented)")
    sim = np.array([str(o) in names for o in data.train_origin], dtype=bool)
    y = np.array(data.train_y, dtype=np.float32, copy=True)
    if sim.any():
        y[sim] = load_model(model_dir).predict(np.asarray(data.train_x)[sim])
    return dataclasses.replace(data, train_y=y)

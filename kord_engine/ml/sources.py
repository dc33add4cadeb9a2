"""Training data sources (directories of .bin samples, or "sim") and leak-free train/val splits.

kord oversampled "captured" folders ×8 *before* its 80/20 split, so copies of every captured
recording landed in both train and validation. Here the split comes first (seeded, by
recording group), and oversampling only repeats items of the train split.

A "group" is one recording: a file name up to `_measure_NNNN` for `ml process` output (all
windows of one measure share it), else the file name itself; groups never straddle the split.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kord_engine.audio.listen.model.features import compute_features, feature_width
from kord_engine.errors import KordError
from kord_engine.ml.augment import AugmentConfig, augment, world_copy
from kord_engine.ml.sim import ITEMS_PER_ITERATION, SimConfig, load_noise, simulate_chunks
from kord_engine.samples import SPECTRUM_BINS, list_samples, read_sample

SIM = "sim"
KORD_SIMULATION_SIZE = 500  # kord's: 187,500 sim items (6 GB of spectra) per run
CPU_SIMULATION_SIZE = 40  # 15,000 items: a sensible default on a small CPU
DEFAULT_OVERSAMPLE = 8
DEFAULT_SEED = 76980
_GROUP = re.compile(r"^(.*_measure_\d+)")


class SourceError(KordError):
    """A training source that is neither 'sim' nor a directory of .bin samples."""


def is_captured(origin: str) -> bool:
    """A source folder whose *name* contains 'captured' (any case) is oversampled.

    kord tests the whole path; only the last component is tested here, so a parent folder
    (e.g. a temp dir called "captured_runs") does not oversample every source below it.
    """
    return "captured" in Path(str(origin)).name.lower()


def group_key(origin: str, name: str) -> str:
    """Recording identity of one item: windows of one processed measure share a group."""
    match = _GROUP.match(name)
    return f"{origin}::{match.group(1) if match else name}"


@dataclass
class Dataset:
    """Labelled spectra: `spectra` (N, 8192) float32, note `masks`, source `origin`, file `names`."""

    spectra: np.ndarray
    masks: list[int]
    origin: list[str]
    names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spectra = np.asarray(self.spectra, dtype=np.float32).reshape(-1, SPECTRUM_BINS)
        if not self.names:
            self.names = [f"item_{i:06}" for i in range(len(self.masks))]
        n = len(self.spectra)
        if not len(self.masks) == len(self.origin) == len(self.names) == n:
            raise SourceError(
                f"dataset parts differ in length: spectra {n}, masks {len(self.masks)}, "
                f"origin {len(self.origin)}, names {len(self.names)}"
            )

    def __len__(self) -> int:
        return len(self.masks)

    def subset(self, indices: Sequence[int] | np.ndarray) -> Dataset:
        idx = np.asarray(indices, dtype=np.int64)
        return Dataset(
            self.spectra[idx],
            [self.masks[i] for i in idx],
            [self.origin[i] for i in idx],
            [self.names[i] for i in idx],
        )

    @staticmethod
    def concat(parts: Sequence[Dataset]) -> Dataset:
        parts = list(parts)
        if not parts:
            return Dataset(np.zeros((0, SPECTRUM_BINS), np.float32), [], [], [])
        return Dataset(
            np.concatenate([p.spectra for p in parts]),
            [m for p in parts for m in p.masks],
            [o for p in parts for o in p.origin],
            [n for p in parts for n in p.names],
        )

    @property
    def groups(self) -> list[str]:
        return [group_key(o, n) for o, n in zip(self.origin, self.names, strict=True)]


@dataclass
class SourceOptions:
    """How 'sim' is generated and where its noise comes from (kord's TrainConfig fields)."""

    noise_root: str | os.PathLike[str] | None = None
    simulation_size: int = CPU_SIMULATION_SIZE
    sim: SimConfig = field(default_factory=SimConfig)
    seed: int = DEFAULT_SEED


def _check_spec(spec: str | os.PathLike[str]) -> Path | None:
    if str(spec) == SIM:
        return None
    path = Path(spec)
    if not path.is_dir():
        raise SourceError(f"training source {str(spec)!r} is neither 'sim' nor a directory")
    return path


def iter_source(
    spec: str | os.PathLike[str], options: SourceOptions | None = None, chunk: int = 2048
) -> Iterator[tuple[np.ndarray, list[int], list[str]]]:
    """Yield (spectra, masks, names) chunks of one source without holding it all in memory."""
    options = options or SourceOptions()
    path = _check_spec(spec)
    if path is None:
        per_chunk = max(1, chunk // ITEMS_PER_ITERATION)
        start = 0
        for spectra, masks in simulate_chunks(
            options.simulation_size, options.noise_root, options.sim, options.seed, per_chunk
        ):
            names = [f"sim_{start + i:07}" for i in range(len(masks))]
            start += len(masks)
            yield spectra, masks, names
        return
    files = list_samples(path)
    for first in range(0, len(files), chunk):
        samples = [read_sample(p) for p in files[first : first + chunk]]
        yield (
            np.stack([s.spectrum for s in samples]).astype(np.float32),
            [s.mask for s in samples],
            [p.name for p in files[first : first + chunk]],
        )


def load_source(
    spec: str | os.PathLike[str],
    noise_root: str | os.PathLike[str] | None = None,
    simulation_size: int = CPU_SIMULATION_SIZE,
    sim: SimConfig | None = None,
    seed: int = DEFAULT_SEED,
) -> Dataset:
    """One source: a directory of .bin (non-recursive; `ml process` output too) or 'sim'."""
    options = SourceOptions(noise_root, simulation_size, sim or SimConfig(), seed)
    parts = [
        Dataset(spectra, masks, [str(spec)] * len(masks), names)
        for spectra, masks, names in iter_source(spec, options)
    ]
    return Dataset.concat(parts)


def split_indices(
    groups: Sequence[str], seed: int = DEFAULT_SEED, val_fraction: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded shuffle, then about `val_fraction` of items to validation, whole groups only."""
    if not 0 <= val_fraction < 1:
        raise SourceError(f"validation fraction must be in [0, 1), got {val_fraction}")
    n = len(groups)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rng = np.random.default_rng(seed)
    unique, inverse = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    rank = rng.permutation(len(unique))[inverse]
    order = np.lexsort((rng.permutation(n), rank))  # shuffled groups, shuffled inside
    cut = int(np.floor((1 - val_fraction) * n))
    ranks = rank[order]
    while 0 < cut < n and ranks[cut] == ranks[cut - 1]:
        cut += 1  # never cut through a group
    return np.sort(order[:cut]), np.sort(order[cut:])


def oversample_indices(
    indices: np.ndarray, origins: Sequence[str], factor: int, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Repeat the captured items among `indices` `factor` times in all, then shuffle (seeded)."""
    if factor < 1:
        raise SourceError(f"captured oversample factor must be ≥ 1, got {factor}")
    indices = np.asarray(indices, dtype=np.int64)
    captured = np.array([is_captured(origins[i]) for i in indices], dtype=bool)
    repeated = np.concatenate([indices, np.repeat(indices[captured], factor - 1)])
    return np.random.default_rng([seed, 1]).permutation(repeated)


def _split_and_oversample(
    groups_train: Sequence[str],
    origins_train: Sequence[str],
    n_val_pool: int,
    factor: int,
    seed: int,
    val_fraction: float,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """(train indices, val indices, val_from_train) — val indices into the training pool
    when there are no validation sources, else into the validation pool."""
    if n_val_pool:
        train = np.arange(len(groups_train))
        val = np.arange(n_val_pool)
        split_from_train = False
    else:
        train, val = split_indices(groups_train, seed, val_fraction)
        split_from_train = True
    return oversample_indices(train, origins_train, factor, seed), val, split_from_train


def build_datasets(
    training_sources: Sequence[str | os.PathLike[str]],
    validation_sources: Sequence[str | os.PathLike[str]] = (),
    captured_oversample_factor: int = DEFAULT_OVERSAMPLE,
    seed: int = DEFAULT_SEED,
    val_fraction: float = 0.2,
    noise_root: str | os.PathLike[str] | None = None,
    simulation_size: int = CPU_SIMULATION_SIZE,
    sim: SimConfig | None = None,
) -> tuple[Dataset, Dataset]:
    """(train, val) spectra datasets: split first, then oversample captured in train only.

    Holds every spectrum in memory (32 KiB each): fine for folders, use
    `build_feature_datasets` for large simulations.
    """
    if not training_sources:
        raise SourceError("at least one training source is needed (a folder or 'sim')")
    load = lambda spec: load_source(spec, noise_root, simulation_size, sim, seed)  # noqa: E731
    pool = Dataset.concat([load(s) for s in training_sources])
    val_pool = Dataset.concat([load(s) for s in validation_sources])
    train_idx, val_idx, from_train = _split_and_oversample(
        pool.groups, pool.origin, len(val_pool), captured_oversample_factor, seed, val_fraction
    )
    val = pool.subset(val_idx) if from_train else val_pool
    return pool.subset(train_idx), val


class FeatureDatasets(NamedTuple):
    """Features and targets ready for training, plus what each row came from (`meta`)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    meta: dict


@dataclass
class _FeaturePool:
    """Features of every item of some sources, plus augmented rows tied to their item."""

    x: np.ndarray
    masks: list[int]
    origins: list[str]
    names: list[str]
    aug_x: np.ndarray
    aug_masks: list[int]
    aug_item: np.ndarray  # index into the pool of the item each augmented row came from


def _source_names(spec: str | os.PathLike[str], options: SourceOptions) -> list[str]:
    """The item names `iter_source` will give, without reading a spectrum (for the split)."""
    path = _check_spec(spec)
    if path is None:
        return [f"sim_{i:07}" for i in range(options.simulation_size * ITEMS_PER_ITERATION)]
    return [p.name for p in list_samples(path)]


def _load_features(
    sources: Sequence[str | os.PathLike[str]],
    loader: str,
    include_guess: bool,
    options: SourceOptions,
    chunk: int,
    progress: Callable[[str, int], None] | None,
    augment_config: AugmentConfig | None = None,
    train_items: np.ndarray | None = None,
) -> _FeaturePool:
    """Features of every item; with `augment_config`, augmented rows of the items that
    `train_items` (bool per pool item; None: all) marks: `copies` per recorded item, one world
    row for `sim_share` of sim items. Tails are borrowed from train items of the same chunk
    only, so nothing of a validation item reaches training."""
    width = feature_width(loader, include_guess)
    xs, masks, origins, names = [], [], [], []
    aug_xs, aug_masks, aug_items = [], [], []
    noise = None
    if augment_config is not None and options.noise_root and augment_config.wants_noise:
        noise = load_noise(options.noise_root)
    start = 0
    for s_index, spec in enumerate(sources):
        done = 0
        for c_index, (spectra, chunk_masks, chunk_names) in enumerate(
            iter_source(spec, options, chunk)
        ):
            xs.append(compute_features(spectra, loader, include_guess))
            count = len(chunk_masks)
            if augment_config is not None:
                rows = np.arange(count)
                if train_items is not None:
                    rows = rows[train_items[start : start + count]]
                donors = spectra[rows]
                row_masks = [chunk_masks[i] for i in rows]
                if str(spec) != SIM:
                    for copy in range(augment_config.copies if len(rows) else 0):
                        rng = np.random.default_rng([options.seed, 2, s_index, c_index, copy])
                        a_spec, a_masks = augment(donors, row_masks, rng, augment_config, noise)
                        aug_xs.append(compute_features(a_spec, loader, include_guess))
                        aug_masks.extend(a_masks)
                        aug_items.append(start + rows)
                elif augment_config.sim_share > 0 and len(rows):
                    rng = np.random.default_rng([options.seed, 4, s_index, c_index])
                    picked = np.nonzero(rng.random(len(rows)) < augment_config.sim_share)[0]
                    if len(picked):
                        a_spec, a_masks = world_copy(
                            donors[picked],
                            [row_masks[i] for i in picked],
                            rng,
                            augment_config,
                            noise,
                            donors,
                            own_rows=picked,
                        )
                        aug_xs.append(compute_features(a_spec, loader, include_guess))
                        aug_masks.extend(a_masks)
                        aug_items.append(start + rows[picked])
            masks.extend(chunk_masks)
            origins.extend([str(spec)] * count)
            names.extend(chunk_names)
            start += count
            done += count
            if progress is not None:
                progress(str(spec), done)
    empty = np.zeros((0, width), np.float32)
    return _FeaturePool(
        np.concatenate(xs) if xs else empty,
        masks,
        origins,
        names,
        np.concatenate(aug_xs) if aug_xs else empty,
        aug_masks,
        np.concatenate(aug_items) if aug_items else np.zeros(0, np.int64),
    )


def build_feature_datasets(
    training_sources: Sequence[str | os.PathLike[str]],
    validation_sources: Sequence[str | os.PathLike[str]] = (),
    loader: str = "mel",
    include_guess: bool = False,
    target: str = "folded",
    captured_oversample_factor: int = DEFAULT_OVERSAMPLE,
    seed: int = DEFAULT_SEED,
    val_fraction: float = 0.2,
    noise_root: str | os.PathLike[str] | None = None,
    simulation_size: int = CPU_SIMULATION_SIZE,
    sim: SimConfig | None = None,
    chunk: int = 2048,
    progress: Callable[[str, int], None] | None = None,
    augment: AugmentConfig | None = None,
) -> FeatureDatasets:
    """Like `build_datasets`, but computes features chunk-wise and keeps no spectra.

    Returns float32 X (N, F) and Y (N, C) for train and val; `meta` holds per-row origin,
    names and masks of both splits, per-source counts and the settings used.
    `augment` adds `copies` transposed/detuned/tilted rows (`world_share` of them also in a
    simulated room, microphone, noise…) per recorded (non-sim) item, and one world row for
    `sim_share` of sim items, of the TRAIN split only (origin "<source> (augmented)"); with
    no validation sources the split is known from the item names before loading, so only
    train items are augmented and lend reverb tails. `progress(source, items_done)` is
    called after each chunk.
    """
    from kord_engine.audio.listen.model.targets import encode_targets

    if not training_sources:
        raise SourceError("at least one training source is needed (a folder or 'sim')")
    if augment is not None:
        augment.validate()
    options = SourceOptions(noise_root, simulation_size, sim or SimConfig(), seed)
    train_items = None
    if augment is not None and not any(_source_names(v, options) for v in validation_sources):
        # the split of the training pool, known from the item names before any spectrum is
        # read (the same split _split_and_oversample makes below): augment train items only
        names = [(str(s), n) for s in training_sources for n in _source_names(s, options)]
        train_idx, _ = split_indices([group_key(o, n) for o, n in names], seed, val_fraction)
        train_items = np.zeros(len(names), dtype=bool)
        train_items[train_idx] = True
    pool = _load_features(
        training_sources, loader, include_guess, options, chunk, progress, augment, train_items
    )
    vpool = _load_features(validation_sources, loader, include_guess, options, chunk, progress)
    groups = [group_key(o, n) for o, n in zip(pool.origins, pool.names, strict=True)]
    train_idx, val_idx, from_train = _split_and_oversample(
        groups, pool.origins, len(vpool.masks), captured_oversample_factor, seed, val_fraction
    )
    if from_train:
        x_val = pool.x[val_idx]
        m_val = [pool.masks[i] for i in val_idx]
        o_val = [pool.origins[i] for i in val_idx]
        n_val = [pool.names[i] for i in val_idx]
    else:
        x_val, m_val, o_val, n_val = vpool.x, vpool.masks, vpool.origins, vpool.names
    x_train = pool.x[train_idx]
    m_train = [pool.masks[i] for i in train_idx]
    o_train = [pool.origins[i] for i in train_idx]
    n_train = [pool.names[i] for i in train_idx]
    if len(pool.aug_item):
        in_train = np.zeros(len(pool.masks), dtype=bool)
        in_train[train_idx] = True
        rows = np.nonzero(in_train[pool.aug_item])[0]
        items = pool.aug_item[rows]
        x_train = np.concatenate([x_train, pool.aug_x[rows]])
        m_train += [pool.aug_masks[r] for r in rows]
        o_train += [f"{pool.origins[i]} (augmented)" for i in items]
        n_train += [pool.names[i] for i in items]
        order = np.random.default_rng([seed, 3]).permutation(len(m_train))
        x_train = x_train[order]
        m_train = [m_train[i] for i in order]
        o_train = [o_train[i] for i in order]
        n_train = [n_train[i] for i in order]
    meta = {
        "loader": loader,
        "include_guess": include_guess,
        "target": target,
        "seed": seed,
        "captured_oversample_factor": captured_oversample_factor,
        "simulation_size": simulation_size,
        "augment": dataclasses.asdict(augment) if augment is not None else None,
        "val_from_training_sources": from_train,
        "train_counts": dict(Counter(o_train)),
        "val_counts": dict(Counter(o_val)),
        "train_origin": o_train,
        "train_names": n_train,
        "train_masks": m_train,
        "val_origin": list(o_val),
        "val_names": list(n_val),
        "val_masks": list(m_val),
    }
    return FeatureDatasets(
        x_train,
        encode_targets(m_train, target),
        np.asarray(x_val, dtype=np.float32),
        encode_targets(m_val, target),
        meta,
    )


build_dataset = build_datasets  # the name docs/interfaces.md uses

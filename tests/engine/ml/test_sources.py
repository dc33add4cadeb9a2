import numpy as np
import pytest

from kord_engine.errors import KordError
from kord_engine.ml.sources import (
    Dataset,
    build_datasets,
    build_feature_datasets,
    group_key,
    load_source,
    split_indices,
)
from kord_engine.samples import Sample, ids_to_mask, write_sample


@pytest.fixture()
def captured(shared_dir):
    return shared_dir / "data/samples/captured"


def test_load_directory(captured):
    ds = load_source(captured)
    assert len(ds) == 132 and ds.spectra.shape == (132, 8192)
    assert set(ds.origin) == {str(captured)}
    assert all(name.endswith(".bin") for name in ds.names)


def test_load_sim():
    ds = load_source("sim", simulation_size=1, seed=1)
    assert len(ds) == 375 and ds.origin[0] == "sim"


def test_bad_source_is_a_clear_error(tmp_path):
    with pytest.raises(KordError, match="neither 'sim' nor a directory"):
        load_source(tmp_path / "missing")


def test_no_captured_recording_in_both_splits(captured):
    train, val = build_datasets([captured], captured_oversample_factor=8, seed=11)
    train_names, val_names = set(train.names), set(val.names)
    assert train_names and val_names
    assert not train_names & val_names  # kord's split-after-oversample leaked every one
    assert len(train_names) + len(val_names) == 132
    assert len(val) == len(val_names)  # validation is never oversampled
    assert len(train) == 8 * len(train_names)
    assert len(val) == pytest.approx(0.2 * 132, abs=2)


def test_only_captured_folders_are_oversampled(captured, tmp_path):
    other = tmp_path / "other"
    for i in range(10):
        spec = np.full(8192, float(i), np.float32)
        write_sample(Sample(spec, ids_to_mask([40 + i])), other)
    train, val = build_datasets([captured, other], captured_oversample_factor=3, seed=2)
    origins, names = np.array(train.origin), np.array(train.names)
    other_rows, captured_rows = origins == str(other), origins == str(captured)
    assert other_rows.sum() == len(set(names[other_rows]))  # "other" not repeated
    assert captured_rows.sum() == 3 * len(set(names[captured_rows]))


def test_split_is_seeded():
    groups = [f"g{i}" for i in range(50)]
    a = split_indices(groups, seed=1)
    b = split_indices(groups, seed=1)
    c = split_indices(groups, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])
    assert len(a[0]) == 40 and len(a[1]) == 10


def test_windows_of_one_measure_stay_on_one_side():
    names = [f"song_measure_{m:04}_w{w:02}_500ms_C4_1.bin" for m in range(20) for w in range(4)]
    groups = [group_key("rendered", n) for n in names]
    assert len(set(groups)) == 20
    train, val = split_indices(groups, seed=5)
    train_groups = {groups[i] for i in train}
    assert train_groups and not train_groups & {groups[i] for i in val}


def test_validation_sources_replace_the_split(captured):
    ds_val = load_source("sim", simulation_size=1, seed=3)
    train, val = build_datasets(
        [captured], ["sim"], captured_oversample_factor=2, simulation_size=1, seed=3
    )
    assert len(train) == 2 * 132 and len(val) == len(ds_val)


def test_feature_datasets(captured):
    fd = build_feature_datasets(
        [captured, "sim"],
        loader="mel",
        target="folded_bass",
        simulation_size=1,
        seed=4,
        captured_oversample_factor=8,
    )
    assert fd.x_train.shape[1] == 512 and fd.y_train.shape[1] == 24
    assert len(fd.x_train) == len(fd.y_train) == len(fd.meta["train_masks"])
    assert len(fd.x_val) == len(fd.y_val) == len(fd.meta["val_names"])
    meta = fd.meta
    val_pairs = zip(meta["val_names"], meta["val_origin"], strict=True)
    train_pairs = zip(meta["train_names"], meta["train_origin"], strict=True)
    val_captured = {n for n, o in val_pairs if "captured" in o}
    train_captured = {n for n, o in train_pairs if "captured" in o}
    assert val_captured and not val_captured & train_captured
    assert fd.meta["train_counts"][str(captured)] == 8 * len(train_captured)


def test_dataset_length_mismatch_is_an_error():
    with pytest.raises(KordError, match="differ in length"):
        Dataset(np.zeros((2, 8192)), [1], ["a"], ["x"])

import numpy as np
import pytest

from kord_engine.errors import KordError
from kord_engine.ml.augment import AugmentConfig, augment, shift_spectra, transpose_masks
from kord_engine.ml.sources import build_feature_datasets
from kord_engine.samples import ids_to_mask, mask_to_ids


def peak_spectrum(freqs):
    s = np.zeros(8192, np.float32)
    for f in freqs:
        s[int(round(f))] = 1000.0
    return s


def test_shift_moves_peaks_by_the_ratio():
    out = shift_spectra(peak_spectrum([440]), 2.0)
    assert int(np.argmax(out[0])) == 880


def test_transpose_masks_and_range_check():
    masks, ok = transpose_masks(
        [ids_to_mask([48, 52]), ids_to_mask([125]), ids_to_mask([1])], np.array([3, 5, -2])
    )
    assert mask_to_ids(masks[0]) == (51, 55) and ok[0]
    assert not ok[1] and not ok[2]


def test_augmented_copy_moves_spectrum_and_label_together():
    config = AugmentConfig(copies=1, max_transpose=5, detune_cents=0, tilt_db_per_octave=0)
    spectra = np.stack([peak_spectrum([261.6])] * 20)
    out, masks = augment(spectra, [ids_to_mask([48])] * 20, np.random.default_rng(0), config)
    for row, mask in zip(out, masks, strict=True):
        (note,) = mask_to_ids(mask)
        want = 261.6 * 2 ** ((note - 48) / 12)
        assert abs(int(np.argmax(row)) - want) <= 1.5
    assert len({m for m in masks}) > 3  # several transpositions drawn


def test_bad_config():
    with pytest.raises(KordError):
        AugmentConfig(detune_cents=60).validate()


def test_feature_datasets_augment_train_split_only(shared_dir):
    captured = shared_dir / "data/samples/captured"
    plain = build_feature_datasets([captured], captured_oversample_factor=1, seed=4)
    aug = build_feature_datasets(
        [captured], captured_oversample_factor=1, seed=4, augment=AugmentConfig(copies=2)
    )
    np.testing.assert_array_equal(plain.x_val, aug.x_val)
    assert len(aug.x_train) == 3 * len(plain.x_train)
    assert set(aug.meta["train_names"]) == set(plain.meta["train_names"])
    assert not set(aug.meta["val_names"]) & set(aug.meta["train_names"])
    assert aug.meta["train_counts"][f"{captured} (augmented)"] == 2 * len(plain.x_train)

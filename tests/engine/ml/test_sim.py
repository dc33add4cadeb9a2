import numpy as np
import pytest

from kord_engine.errors import KordError
from kord_engine.ml.sim import REALISTIC, SimConfig, simulate, simulate_chunks
from kord_engine.samples import list_samples, mask_to_ids, read_sample

A4_ALONE = (57 - 9) * 5  # item index of root A4, shape 0


def test_shapes_and_labels_follow_kords_batch():
    spectra, masks = simulate(2, None, seed=3)
    assert spectra.shape == (750, 8192) and spectra.dtype == np.float32
    assert len(masks) == 750
    for root_index in range(75):
        ids = [mask_to_ids(masks[root_index * 5 + k]) for k in range(5)]
        root = 9 + root_index
        assert ids[0] == ids[1] == (root,)
        assert len(ids[2]) == 2 and ids[2][1] - root in {1, 2, 3, 4, 5}
        assert ids[3][:2] == ids[2] and ids[3][2] - root in {6, 7, 8, 9}
        assert ids[4][:3] == ids[3]
        assert ids[4][3] - root in {10, 11, 13, 14, 15, 16, 17, 18, 20, 21, 22}


def test_peak_shape_strength_and_decay_without_wobble():
    spectra, _ = simulate(1, None, frequency_wobble=0.0, seed=0)
    s = spectra[A4_ALONE]
    assert 3200 <= s[440] <= 4000  # 4000·U(0.8, 1), weight 1 at the centre
    assert s[439] == pytest.approx(s[440] * (1 - np.tanh(1.0)), rel=1e-5)
    assert s[438] == pytest.approx(s[440] * (1 - np.tanh(2.0)), rel=1e-5)
    assert s[442] == 0 and s[437] == 0  # [round(f−2), round(f+2)) only
    assert 0.9 * 3200 <= s[880] <= 0.9 * 4000  # second harmonic: ×(1 − decay)
    assert 0.9**12 * 3200 <= s[440 * 13] <= 0.9**12 * 4000
    assert s[440 * 14] == 0  # 13 harmonics only


def test_seeded_and_independent_of_chunking():
    a, ma = simulate(3, None, seed=7)
    b, mb = simulate(3, None, seed=7)
    np.testing.assert_array_equal(a, b)
    assert ma == mb
    chunks = list(simulate_chunks(3, None, SimConfig(), seed=7, iterations_per_chunk=1))
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), a)
    c, _ = simulate(3, None, seed=8)
    assert not np.array_equal(a, c)


def test_noise_base_is_one_of_the_noise_files(shared_dir):
    root = shared_dir / "data/samples/noise"
    noise = np.stack([read_sample(p).spectrum for p in list_samples(root)])
    spectra, _ = simulate(1, root, seed=1)
    a0 = spectra[0]  # A0 alone: harmonics end below 400 Hz
    assert any(np.array_equal(a0[1000:], n[1000:]) for n in noise)
    used = {
        int(np.argmin([np.abs(s[5000:] - n[5000:]).sum() for n in noise])) for s in spectra[::5]
    }
    assert len(used) == 4  # all four bases occur in 75 draws


def test_realistic_options_still_label_the_same_notes():
    spectra, masks = simulate(1, None, seed=2, config=REALISTIC)
    plain_spectra, plain_masks = simulate(1, None, seed=2)
    assert masks == plain_masks
    assert np.all(np.isfinite(spectra)) and spectra.shape == plain_spectra.shape
    assert not np.array_equal(spectra, plain_spectra)
    wide = SimConfig(blur_fraction=1.0, blur_window_seconds=(0.2, 0.2), frequency_wobble=0.0)
    s = simulate(1, None, seed=0, config=wide)[0][A4_ALONE]
    assert np.count_nonzero(s[420:460]) >= 19  # radius 2/0.2 = 10 bins each side


@pytest.mark.parametrize(
    "config",
    [SimConfig(peak_radius=0), SimConfig(harmonic_decay=1.5), SimConfig(blur_fraction=2)],
)
def test_bad_config_is_a_clear_error(config):
    with pytest.raises(KordError):
        simulate(1, None, config=config)


def test_missing_noise_folder_is_a_clear_error(tmp_path):
    with pytest.raises(KordError, match="noise folder"):
        simulate(1, tmp_path / "nope")

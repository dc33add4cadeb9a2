import sys
import types

import numpy as np
import pytest

from kord_engine.audio.listen.model import features as F
from kord_engine.errors import KordError
from kord_engine.samples import list_samples, read_sample


def test_widths():
    assert [F.feature_width(name) for name in F.LOADERS] == [128, 512, 8192, 512]
    assert [F.feature_width(name, True) for name in F.LOADERS] == [256, 640, 8320, 640]
    with pytest.raises(KordError, match="unknown loader 'cqt'"):
        F.feature_width("cqt")


def test_mel_edges_and_matrix_pin_kords_bank():
    edges = F.mel_edges()
    assert edges.shape == (514,)
    assert float(F.hz_to_mel(8192)) == pytest.approx(2864.62, abs=0.01)
    assert edges[0] == 0 and edges[-1] == 8192
    assert list(edges[:4]) == [0, 3, 6, 10]  # filter 0 spans bins 0..5, peak at bin 3
    assert np.all(np.diff(edges) >= 0)
    assert np.diff(edges)[:5].mean() == pytest.approx(3.5, abs=0.5)
    assert np.diff(edges)[-5:].mean() == pytest.approx(44, abs=1)
    m = F.mel_matrix()
    assert m.shape == (512, 8192)
    dense = m.toarray()[:3]
    np.testing.assert_allclose(dense[0, :7], [0, 1 / 3, 2 / 3, 1, 2 / 3, 1 / 3, 0])
    assert m.toarray().max() == 1.0  # peak weight 1, no area normalisation


def test_note_binned_sums_kords_quarter_semitone_band_into_the_bit():
    spec = np.zeros((1, 8192), np.float32)
    spec[0, 260:264] = 1.0  # C4 = 261.6 Hz: bins round(259.73)..round(263.54) exclusive
    raw = F.raw_loader_output(spec, "note_binned_convolution")
    assert raw.shape == (1, 128)
    assert raw[0, 48] == 4.0
    assert np.count_nonzero(raw) == 1
    spec[0, 264] = 5.0  # outside C4's band and below C♯4's (277.2 Hz)
    assert F.raw_loader_output(spec, "note_binned_convolution")[0, 48] == 4.0


def test_pooled_is_mean_of_16():
    spec = np.zeros((1, 8192), np.float32)
    spec[0, 16:32] = np.arange(16)
    raw = F.raw_loader_output(spec, "frequency_pooled")
    assert raw[0, 1] == pytest.approx(7.5) and raw[0, 0] == 0


@pytest.mark.parametrize("loader", F.LOADERS)
def test_normalisation_is_scale_free_and_zscored(loader):
    rng = np.random.default_rng(1)
    spec = rng.random((3, 8192)).astype(np.float32)
    a = F.compute_features(spec, loader)
    b = F.compute_features(spec * 37.0, loader)
    assert a.shape == (3, F.feature_width(loader)) and a.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=1e-4)
    np.testing.assert_allclose(a.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(a.std(axis=1), 1, atol=1e-4)


def test_frequency_loader_is_zscore_of_spectrum_over_max():
    spec = np.zeros((1, 8192), np.float32)
    spec[0, [100, 200]] = [2.0, 4.0]
    x = spec[0] / 4.0
    want = (x - x.mean()) / x.std()
    np.testing.assert_allclose(F.compute_features(spec, "frequency")[0], want, rtol=1e-5)


def test_silence_gives_zeros_not_nan():
    out = F.compute_features(np.zeros((2, 8192), np.float32), "mel")
    assert np.all(out == 0)


def test_bad_shapes_are_clear_errors():
    with pytest.raises(KordError, match="8192"):
        F.compute_features(np.zeros((2, 100), np.float32), "mel")
    with pytest.raises(KordError, match="NaN"):
        F.compute_features(np.full((1, 8192), np.nan, np.float32), "mel")


def test_guess_is_prepended_msb_first_before_zscore(monkeypatch):
    fake = types.ModuleType("kord_engine.audio.listen.detect.kord")
    fake.kord_notes = lambda spectrum: [48, 52]
    monkeypatch.setitem(sys.modules, "kord_engine.audio.listen.detect.kord", fake)
    spec = np.zeros((1, 8192), np.float32)
    spec[0, 262] = 1.0
    out = F.compute_features(spec, "mel", include_guess=True)
    assert out.shape == (1, 640)
    ones = np.nonzero(out[0, :128] > 0)[0]
    assert list(ones) == [127 - 52, 127 - 48]


def test_mel_on_a_captured_sample_peaks_near_its_notes(shared_dir):
    path = next(
        p for p in list_samples(shared_dir / "data/samples/captured") if p.name.startswith("A4_")
    )
    out = F.compute_features(read_sample(path).spectrum, "mel")
    centres = F.mel_edges()[1:-1]
    assert abs(centres[int(np.argmax(out[0]))] - 440) < 10


def test_features_from_audio_matches_sample_space():
    pytest.importorskip("kord_engine.audio.listen.spectrum")
    sr = 16000
    t = np.arange(sr // 2) / sr
    window = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = F.features_from_audio(window, sr, "mel")
    assert out.shape == (1, 512)
    centres = F.mel_edges()[1:-1]
    assert abs(centres[int(np.argmax(out[0]))] - 440) < 10


def test_real_guess_on_captured_samples_marks_their_notes(shared_dir):
    pytest.importorskip("kord_engine.audio.listen.detect.kord")
    paths = list_samples(shared_dir / "data/samples/captured")[:6]
    samples = [read_sample(p) for p in paths]
    out = F.compute_features(np.stack([s.spectrum for s in samples]), "mel", include_guess=True)
    assert out.shape == (6, 640)
    for row, sample in zip(out, samples, strict=True):
        # kord's detector reproduces every captured label; ones stand above the zeros after z-score
        marked = {127 - i for i in np.nonzero(row[:128] > row[:128].min())[0]}
        assert marked == set(sample.note_ids)

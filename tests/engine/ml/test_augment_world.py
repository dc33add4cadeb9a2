"""The real-world spectrum augmentation (augment.world and its parts) and how sources.py applies
it: labels kept, seeded, band-pass really band-passes, tails never come from validation."""

import importlib.util
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from kord_engine.errors import KordError
from kord_engine.ml.augment import (
    AugmentConfig,
    add_noise_snr,
    add_tail,
    augment,
    bandpass_gain,
    cents_curves,
    microphone_gain,
    noise_spectra,
    room_gain,
    world,
    world_copy,
)
from kord_engine.ml.sources import build_feature_datasets
from kord_engine.samples import Sample, ids_to_mask, write_sample

ROOT = Path(__file__).resolve().parents[3]
OFF = dict(  # every world effect off: switch on one at a time
    detune_cents=0.0,
    warp_cents=0.0,
    tail_prob=0.0,
    room_prob=0.0,
    mic_prob=0.0,
    noise_prob=0.0,
    level_db=0.0,
    tilt_db_per_octave=0.0,
)


def peaks(freqs, height=1000.0):
    s = np.zeros(8192, np.float32)
    for f in freqs:
        s[int(round(f))] = height
    return s


def chord_spectra(n=12, seed=0):
    """n harmonic 'chords' (3 notes × 8 partials), with a weak noise floor."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        s = rng.uniform(0, 1, 8192).astype(np.float32)
        for f0 in 110 * 2 ** (rng.integers(0, 24, 3) / 12):
            for h in range(1, 9):
                if h * f0 < 8000:
                    s[int(round(h * f0))] += 1000.0 / h
        rows.append(s)
    return np.stack(rows)


def energy(x):
    return float(np.sqrt(np.sum(np.asarray(x, np.float64) ** 2)))


def test_bandpass_attenuates_low_and_high_bins_and_passes_the_middle():
    g = bandpass_gain(150.0, 6000.0, 2, 2)
    assert g.shape == (8192,)
    assert g[0] == 0.0
    assert g[40] < 0.08  # −22 dB at 40 Hz: a laptop mic has no low E fundamental
    assert g[75] < 0.25
    assert g[150] == pytest.approx(1 / math.sqrt(2), abs=0.01)  # −3 dB at the corner
    assert g[1000] > 0.97
    assert g[6000] == pytest.approx(1 / math.sqrt(2), abs=0.01)
    assert g[8000] < 0.55
    first = bandpass_gain(150.0, 6000.0, 1, 1)
    assert first[40] > g[40] and first[8000] > g[8000]  # 1st order rolls off more gently


def test_microphone_gains_are_random_band_passes_in_range():
    cfg = AugmentConfig()
    gains = microphone_gain(50, np.random.default_rng(1), cfg)
    assert gains.shape == (50, 8192) and gains.dtype == np.float32
    assert np.all(gains <= 1.0 + 1e-6) and np.all(gains >= 0)
    assert np.all(gains[:, 40] < 0.45)  # high-pass corner ≥ 80 Hz: 40 Hz always cut
    assert np.all(gains[:, 1500] > 0.9)  # the middle passes
    assert np.all(gains[:, 8000] < gains[:, 2000])  # low-pass corner ≤ 8 kHz
    assert len({round(float(v), 4) for v in gains[:, 100]}) > 10  # corners really vary


def test_room_gain_is_smooth_colouring_with_ripple():
    cfg = AugmentConfig(room_db=4.0, ripple_db=3.0)
    g = room_gain(20, np.random.default_rng(2), cfg)
    assert g.shape == (20, 8192) and np.all(g > 0)
    db = 20 * np.log10(g)
    assert np.all(db.std(axis=1) < 9)  # colouring, not destruction
    assert db.std(axis=1).max() > 1  # but real
    flat = room_gain(3, np.random.default_rng(2), AugmentConfig(room_db=0.0, ripple_db=0.0))
    np.testing.assert_allclose(flat, 1.0, atol=1e-6)


def test_tail_is_another_items_spectrum_15_to_35_db_down():
    a, b = peaks([440.0]), peaks([660.0], 3000.0)
    rng = np.random.default_rng(3)
    out = add_tail(np.stack([a] * 40), b[None, :], rng, (15.0, 35.0))
    tail_db = 20 * np.log10(out[:, 660] / out[:, 440])
    assert np.all(out[:, 440] == 1000.0)  # the item itself untouched
    assert np.all((tail_db <= -15 + 1e-3) & (tail_db >= -35 - 1e-3))
    assert tail_db.max() - tail_db.min() > 10  # the level is drawn


def test_world_tail_never_borrows_the_rows_own_spectrum():
    rows = np.stack([peaks([200.0 + 50 * i]) for i in range(5)])
    cfg = AugmentConfig(**{**OFF, "tail_prob": 1.0})
    out = world(rows, np.random.default_rng(4), cfg)
    for i, row in enumerate(out):
        support = set(np.nonzero(row > 1e-3)[0].tolist())
        assert 200 + 50 * i in support and len(support) == 2  # itself + one OTHER row


def test_noise_at_the_drawn_snr():
    rows = chord_spectra(30)
    rng = np.random.default_rng(5)
    out = add_noise_snr(rows, rng, (20.0, 20.0))
    added = out - rows
    assert np.all(added >= 0)
    snr = [20 * np.log10(energy(r) / energy(n)) for r, n in zip(rows, added, strict=True)]
    np.testing.assert_allclose(snr, 20.0, atol=0.01)
    unit = noise_spectra(4, np.random.default_rng(6))
    np.testing.assert_allclose(np.sqrt((unit.astype(np.float64) ** 2).sum(axis=1)), 1.0, rtol=1e-5)


def test_recorded_noise_colour_is_kept(shared_dir):
    from kord_engine.ml.sim import load_noise

    noise = load_noise(shared_dir / "data/samples/noise")
    brown = noise[[3]]  # NOISE_FILES order: no, pink, white, brown
    fresh = noise_spectra(200, np.random.default_rng(7), brown).mean(axis=0)
    # brown noise falls with frequency: its fresh draws do too
    assert fresh[50:300].mean() > 3 * fresh[4000:6000].mean()


def test_detune_and_per_note_curve_cover_residual_tuning():
    curves = cents_curves(400, np.random.default_rng(8), 10.0)
    assert np.abs(curves).max() <= 10.0 + 1e-9
    assert np.abs(curves).max(axis=1).max() > 9.0
    a4 = peaks([440.0])
    cfg = AugmentConfig(**{**OFF, "detune_cents": 15.0, "warp_cents": 10.0})
    out = world(np.stack([a4] * 300), np.random.default_rng(9), cfg)
    bins = np.arange(8192)
    centroid = (out[:, 400:480] * bins[400:480]).sum(axis=1) / out[:, 400:480].sum(axis=1)
    cents = 1200 * np.log2(centroid / 440.0)
    assert np.abs(cents).max() <= 25.5  # 15 + 10 cents at most
    assert np.mean(np.abs(cents) > 10) > 0.2  # ±10–15 cents is well covered
    assert cents.min() < -12 and cents.max() > 12


def test_world_keeps_shape_labels_and_is_seeded():
    rows = chord_spectra(16)
    masks = [ids_to_mask([40 + i]) for i in range(16)]
    cfg = AugmentConfig()
    a, ma = world_copy(rows, masks, np.random.default_rng(10), cfg)
    b, mb = world_copy(rows, masks, np.random.default_rng(10), cfg)
    c, _ = world_copy(rows, masks, np.random.default_rng(11), cfg)
    assert a.shape == rows.shape and a.dtype == np.float32
    assert ma == masks and mb == masks
    assert np.all(np.isfinite(a)) and np.all(a >= 0)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert not np.allclose(a, rows)


def test_augment_with_world_keeps_the_label_when_not_transposing():
    rows = chord_spectra(20)
    masks = [ids_to_mask([30 + i, 34 + i]) for i in range(20)]
    cfg = AugmentConfig(max_transpose=0, world_share=1.0)
    out, new = augment(rows, masks, np.random.default_rng(12), cfg)
    assert new == masks and out.shape == rows.shape
    again, _ = augment(rows, masks, np.random.default_rng(12), cfg)
    np.testing.assert_array_equal(out, again)


def test_world_rows_are_transposed_with_their_label():
    c4 = np.stack([peaks([261.6 * h for h in (1, 2, 3)])] * 30)
    cfg = AugmentConfig(**{**OFF, "world_share": 1.0, "max_transpose": 5, "room_prob": 1.0})
    out, masks = augment(c4, [ids_to_mask([48])] * 30, np.random.default_rng(13), cfg)
    for row, mask in zip(out, masks, strict=True):
        note = int(mask).bit_length() - 1
        want = 261.6 * 2 ** ((note - 48) / 12)
        near = sum(row[int(want * h * 0.98) : int(want * h * 1.02) + 2].sum() for h in (1, 2, 3))
        assert near > 0.99 * row.sum()  # the partials moved with the label


def test_bad_world_config():
    with pytest.raises(KordError):
        AugmentConfig(world_share=1.5).validate()
    with pytest.raises(KordError):
        AugmentConfig(tail_db=(35.0, 15.0)).validate()
    with pytest.raises(KordError):
        AugmentConfig(mic_high_pass_hz=(0.0, 100.0)).validate()
    with pytest.raises(KordError):
        AugmentConfig(warp_cents=40).validate()


def _distinct_folder(path, n=40):
    """n samples, item i a lone peak at 300 + 20·i Hz (so any borrowed tail is traceable)."""
    for i in range(n):
        write_sample(Sample(peaks([300.0 + 20 * i]), ids_to_mask([40 + i % 40])), path)
    return path


def test_sources_borrow_tails_from_train_items_only(tmp_path):
    folder = _distinct_folder(tmp_path / "rendered_x")
    cfg = AugmentConfig(
        copies=3, max_transpose=0, **{**OFF, "tail_prob": 1.0}, world_share=1.0, sim_share=0.0
    )
    built = build_feature_datasets([folder], loader="frequency", seed=5, augment=cfg)
    plain = build_feature_datasets([folder], loader="frequency", seed=5)
    np.testing.assert_array_equal(built.x_val, plain.x_val)  # validation untouched
    val_bins = set()
    for x in plain.x_val:
        val_bins |= set(np.nonzero(x > x.min() + 1e-3)[0].tolist())
    assert val_bins
    origins = built.meta["train_origin"]
    aug = [x for x, o in zip(built.x_train, origins, strict=True) if o.endswith("(augmented)")]
    assert len(aug) == 3 * len(plain.x_train)
    for x in aug:
        support = set(np.nonzero(x > x.min() + 1e-3)[0].tolist())
        assert len(support) == 2  # itself + a tail
        assert not support & val_bins  # no validation item ever lends its spectrum


def test_sources_give_sim_a_share_of_world_rows_and_stay_seeded():
    cfg = AugmentConfig(copies=0, sim_share=0.25)
    a = build_feature_datasets(["sim"], simulation_size=2, seed=3, augment=cfg)
    b = build_feature_datasets(["sim"], simulation_size=2, seed=3, augment=cfg)
    plain = build_feature_datasets(["sim"], simulation_size=2, seed=3)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.x_val, plain.x_val)
    extra = a.meta["train_counts"].get("sim (augmented)", 0)
    assert extra == pytest.approx(0.25 * len(plain.x_train), rel=0.25)
    assert len(a.x_train) == len(plain.x_train) + extra
    assert set(a.meta["train_names"]) == set(plain.meta["train_names"])


def _render_script():
    spec = importlib.util.spec_from_file_location(
        "render_training_data", ROOT / "scripts/render_training_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("render_training_data", module)
    spec.loader.exec_module(module)
    return module


def test_render_script_conditions_are_seeded_and_keep_the_audio_sane():
    render = _render_script()
    c1 = render.random_condition(np.random.default_rng([1, 2]), 50.0)
    c2 = render.random_condition(np.random.default_rng([1, 2]), 50.0)
    assert c1 == c2 and abs(c1["cents"]) <= 50
    cents = [render.random_condition(np.random.default_rng(i), 50.0)["cents"] for i in range(60)]
    assert min(cents) < -30 and max(cents) > 30
    sr = 22050
    t = np.arange(sr) / sr
    tone = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    everything = {
        "cents": 0.0,
        "room": {"rt60": 0.5, "direct_db": 0.0},
        "mic": {"low_hz": 150.0, "high_hz": 6000.0, "order": 2, "presence_db": 3.0},
        "noise": {"snr_db": 20.0, "color": "pink"},
        "clip_db": 6.0,
    }
    x = render.apply_world(tone, sr, everything, np.random.default_rng(0))
    assert x.shape == tone.shape and np.all(np.isfinite(x)) and np.abs(x).max() <= 0.9 + 1e-6
    held = render.condition_dict(render.HOLDOUT_CONDITIONS["detuned"], np.random.default_rng(0))
    assert 15 <= abs(held["cents"]) <= 45 and set(held) == {"cents"}


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth not installed")
def test_render_script_world_batch_is_tuned_back_to_a440(tmp_path):
    render = _render_script()
    from kord_engine.audio.listen.tuning import estimate_tuning_spectrum
    from kord_engine.audio.sound.fluidsynth import find_soundfonts
    from kord_engine.samples import list_samples, read_sample

    fonts = [f for f in find_soundfonts() if "timgm6mb" in f.name.lower()]
    if not fonts:
        pytest.skip("TimGM6mb not installed")
    args = render.argparse.Namespace(sample_rate=22050, keep_audio=False)
    options = render.ProcessOptions(window=None, skip_rests=True, min_duration=1.0)
    chords = [[48, 52, 55], [45, 48, 52]]
    dest = tmp_path / "out"
    result, est = render.render_world_batch(
        fonts[0],
        0,
        chords,
        {"cents": -35.0},
        90,
        "b",
        tmp_path,
        dest,
        options,
        args,
        np.random.default_rng(0),
    )
    assert len(result.measures) == 2 and len(est) == 2
    assert all(-45 < e < -25 for e in est)  # the bend was heard …
    for path in list_samples(dest):
        left = estimate_tuning_spectrum(read_sample(path).spectrum).cents
        assert abs(left) < 8  # … and the stored spectra sit on the A440 grid again


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth not installed")
def test_render_script_moves_the_label_when_the_estimate_wraps(tmp_path):
    """Bent +49 cents (plus the soundfont's own offset) a note may read as −49: after the
    warp it sits a semitone up, and its stored label must say so."""
    render = _render_script()
    from kord_engine.audio.listen.model.features import note_table_frequency
    from kord_engine.audio.sound.fluidsynth import find_soundfonts
    from kord_engine.samples import list_samples, mask_to_ids, read_sample

    fonts = [f for f in find_soundfonts() if "timgm6mb" in f.name.lower()]
    if not fonts:
        pytest.skip("TimGM6mb not installed")
    args = render.argparse.Namespace(sample_rate=22050, keep_audio=False)
    options = render.ProcessOptions(window=None, skip_rests=True, min_duration=1.0)
    dest = tmp_path / "out"
    _, est = render.render_world_batch(
        fonts[0],
        0,
        [[57]] * 3,
        {"cents": 49.0},
        90,
        "w",
        tmp_path,
        dest,
        options,
        args,
        np.random.default_rng(0),
    )
    for path in list_samples(dest):
        sample = read_sample(path)
        (note,) = mask_to_ids(sample.mask)
        assert note == (46 if est[0] < 0 else 45)  # A3 (MIDI 57) or, wrapped, B♭3
        f0 = float(note_table_frequency(note))
        lo, hi = int(f0 * 0.985), int(f0 * 1.015) + 2
        spectrum = sample.spectrum
        assert spectrum[lo:hi].max() > 5 * spectrum[int(f0 * 0.94) : int(f0 * 0.96)].max()


def test_train_config_world_shares_reach_the_augmentation():
    from kord_engine.ml.config import ConfigError, TrainConfig
    from kord_engine.ml.train import augment_config

    cfg = TrainConfig(augment_copies=2, augment_world_share=0.3, augment_sim_share=0.0)
    aug = augment_config(cfg)
    assert aug.world_share == 0.3 and aug.sim_share == 0.0
    with pytest.raises(ConfigError, match="augment_world_share"):
        TrainConfig(training_sources=["sim"], augment_world_share=1.5).validate()

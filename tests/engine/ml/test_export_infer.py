"""ONNX export and onnxruntime inference: agreement with torch, half storage, clear errors for
broken model folders, the MlDetector, and no torch on the inference path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from kord_engine.audio.listen.detection import Detection, Detector
from kord_engine.audio.listen.model.infer import (
    MlDetector,
    OnnxModel,
    confidence_from_margins,
    load_model,
)
from kord_engine.errors import ModelError
from kord_engine.resources import default_model_dir


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny model trained for a few steps on simulated chords, saved full, half and int8."""
    pytest.importorskip("torch")
    from kord_engine.audio.listen.model.features import compute_features
    from kord_engine.audio.listen.model.targets import encode_targets
    from kord_engine.ml.config import TrainConfig
    from kord_engine.ml.sim import simulate
    from kord_engine.ml.train import TrainData, train

    spectra, masks = simulate(1, None, seed=9)
    x, y = compute_features(spectra[:200]), encode_targets(masks[:200], "folded")
    data = TrainData(x[:150], y[:150], x[150:], y[150:])
    root = tmp_path_factory.mktemp("models")
    results = {}
    for store in ("full", "half", "int8"):
        config = TrainConfig(
            training_sources=["sim"],
            destination=str(root / store),
            model="kord",
            trunk_hidden_size=256,
            epochs=1,
            batch_size=50,
            threads=1,
            store_precision=store,
        )
        results[store] = train(config, data=data)
    return root, results, x


def test_onnx_matches_torch(trained):
    import torch

    root, results, x = trained
    model = load_model(root / "full")
    torch_probs = torch.sigmoid(results["full"].model(torch.from_numpy(x[:32]))).detach().numpy()
    assert np.allclose(model.predict(x[:32]), torch_probs, atol=1e-5)


def test_half_storage_is_half_the_size_and_predicts_the_same(trained):
    root, _, x = trained
    full, half = load_model(root / "full"), load_model(root / "half")
    size_full = (root / "full" / "model.onnx").stat().st_size
    size_half = (root / "half" / "model.onnx").stat().st_size
    assert size_half < 0.6 * size_full
    p_full, p_half = full.predict(x), half.predict(x)
    assert np.abs(p_full - p_half).max() < 5e-3
    assert (p_full > 0.5).sum() > 0
    agree = ((p_full > full.thresholds) == (p_half > full.thresholds)).mean()
    assert agree > 0.995


def test_int8_weights_are_a_quarter_of_the_size_and_decide_the_same(trained):
    import onnx

    root, _, x = trained
    full, small = load_model(root / "full"), load_model(root / "int8")
    size_full = (root / "full" / "model.onnx").stat().st_size
    size_int8 = (root / "int8" / "model.onnx").stat().st_size
    assert size_int8 < 0.35 * size_full
    ops = {n.op_type for n in onnx.load(root / "int8" / "model.onnx").graph.node}
    assert "MatMulInteger" in ops and "Gemm" not in ops
    p_full, p_int8 = full.predict(x), small.predict(x)
    assert np.abs(p_full - p_int8).max() < 0.05
    agree = ((p_full > full.thresholds) == (p_int8 > full.thresholds)).mean()
    assert agree > 0.99
    config = json.loads((root / "int8" / "config.json").read_text())
    assert config["store_precision"] == "int8"


def test_predict_rejects_wrong_widths(trained):
    root, _, _ = trained
    with pytest.raises(ModelError, match="512"):
        load_model(root / "full").predict(np.zeros((1, 100), np.float32))


def test_inference_module_never_imports_torch():
    code = (
        "import sys; import kord_engine.audio.listen.model.infer, kord_engine.audio.listen.model.artifact; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _broken_copy(trained, tmp_path, name):
    root, _, _ = trained
    target = tmp_path / name
    shutil.copytree(root / "full", target)
    return target


def test_missing_folder_and_files_are_clear_errors(trained, tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nowhere")
    for missing in ("model.onnx", "config.json", "thresholds.json"):
        folder = _broken_copy(trained, tmp_path, f"no_{missing}")
        (folder / missing).unlink()
        with pytest.raises(ModelError, match=missing.replace(".", r"\.")):
            load_model(folder)


def test_corrupt_files_are_clear_errors(trained, tmp_path):
    folder = _broken_copy(trained, tmp_path, "corrupt_onnx")
    (folder / "model.onnx").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ModelError, match="not a loadable ONNX"):
        load_model(folder)
    folder = _broken_copy(trained, tmp_path, "corrupt_config")
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(folder)


def test_mismatched_files_are_clear_errors(trained, tmp_path):
    folder = _broken_copy(trained, tmp_path, "bad_thresholds")
    (folder / "thresholds.json").write_text(json.dumps([0.5] * 11))
    with pytest.raises(ModelError, match="11 thresholds"):
        load_model(folder)
    folder = _broken_copy(trained, tmp_path, "bad_loader")
    config = json.loads((folder / "config.json").read_text())
    config["loader"] = "note_binned_convolution"  # 128 features, but the ONNX takes 512
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="512"):
        load_model(folder)


def test_detector_protocol_and_silence(trained):
    root, _, _ = trained
    detector = MlDetector(root / "full")
    assert isinstance(detector, Detector)
    assert detector.detect(np.zeros(22050, np.float32), 22050).is_empty
    t = np.arange(11025) / 22050
    tone = sum(np.sin(2 * np.pi * 261.63 * h * t) / h for h in range(1, 6)).astype(np.float32)
    detection = detector.detect(0.2 * tone, 22050)
    assert isinstance(detection, Detection)
    assert 0.0 <= detection.confidence <= 1.0
    assert len(detection.extra["probs"]) == 12


def test_confidence_from_margins():
    thr = np.array([0.5, 0.5])
    assert confidence_from_margins(np.array([1.0, 0.0]), thr) == pytest.approx(1.0)
    assert confidence_from_margins(np.array([0.5, 0.0]), thr) == pytest.approx(0.0)
    assert confidence_from_margins(np.array([0.75, 0.0]), thr) == pytest.approx(0.5)


# ---- the shipped default model


def _default_or_skip() -> OnnxModel:
    if not (default_model_dir() / "model.onnx").is_file():
        pytest.skip("no default model shipped yet")
    return load_model()


def test_default_model_is_small_and_loads():
    model = _default_or_skip()
    assert (default_model_dir() / "model.onnx").stat().st_size < 5_000_000
    assert model.loader in {"mel", "frequency_pooled", "note_binned_convolution", "frequency"}
    report = json.loads((default_model_dir() / "report.json").read_text())
    assert "metrics" in report


def test_default_model_names_synthesised_c_major():
    _default_or_skip()
    sr = 22050
    t = np.arange(sr) / sr
    audio = np.zeros(sr)
    for f0 in (261.63, 329.63, 392.0):  # C4 E4 G4, piano-ish decaying harmonics
        for h in range(1, 8):
            audio += 0.8**h * np.sin(2 * np.pi * f0 * h * t) * np.exp(-2 * t)
    detection = MlDetector().detect((0.1 * audio).astype(np.float32), sr)
    assert detection.pitch_classes == (0, 4, 7)
    assert detection.chord is not None and detection.chord.startswith("C")


def test_default_model_on_captured_samples(shared_dir):
    from kord_engine.samples import list_samples, read_sample

    _default_or_skip()
    detector = MlDetector()
    files = list_samples(shared_dir / "data" / "samples" / "captured")[:20]
    right = 0
    for path in files:
        sample = read_sample(path)
        right += detector.detect_spectrum(sample.spectrum).pitch_classes == sample.pitch_classes
    assert right >= 18  # includes training recordings: a fit check, not a generalisation one


def test_ml_convert_rewrites_the_weights_and_keeps_the_folder(trained, tmp_path, capsys):
    from kord_engine.cli import main

    root, _, x = trained
    source = tmp_path / "half"
    shutil.copytree(root / "half", source)
    (source / "README.md").write_text("my model\n")
    assert main(["ml", "convert", str(source), "--store-precision", "int8"]) == 0  # in place
    assert "int8" in capsys.readouterr().out
    assert (source / "README.md").read_text() == "my model\n"  # other files kept
    config = json.loads((source / "config.json").read_text())
    assert config["store_precision"] == "int8"
    converted, half = load_model(source), load_model(root / "half")
    assert np.abs(converted.predict(x) - half.predict(x)).max() < 0.05
    before = (source / "model.onnx").read_bytes()
    # int8 is lossy: refused as a source, and the folder stays as it was
    assert main(["ml", "convert", str(source), "--store-precision", "full"]) == 2
    assert "int8 already" in capsys.readouterr().err
    assert (source / "model.onnx").read_bytes() == before
    assert main(["ml", "convert", str(tmp_path / "none"), "--store-precision", "int8"]) == 2
    assert "does not exist" in capsys.readouterr().err

"""The chord models: kord's exact architecture and sizes, shape validation, our model."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from kord_engine.ml.config import ConfigError, TrainConfig  # noqa: E402
from kord_engine.ml.models import (  # noqa: E402
    KordModel,
    ModelShapeError,
    OursModel,
    ProbabilityModel,
    build_model,
    check_kord_shape,
    parameter_count,
)


def test_kord_model_has_kords_parameter_count():
    # spec §3.3: mel + folded = 1,062,540 parameters (verified from state.json.bin)
    assert parameter_count(KordModel(512, 12, heads=16, trunk=1024)) == 1_062_540


def test_kord_model_output_shape_and_tokens():
    model = KordModel(512, 24).eval()
    assert model.chunk == 32
    assert model(torch.randn(3, 512)).shape == (3, 24)


@pytest.mark.parametrize(
    ("width", "heads", "words"),
    [
        (500, 16, "not divisible"),  # D % H
        (128, 16, "smaller than"),  # note-binned alone: chunk 8 < 16
        (640, 16, "not divisible by mha_heads"),  # mel + guess: chunk 40 % 16
    ],
)
def test_kord_shape_errors_are_clear(width, heads, words):
    with pytest.raises(ModelShapeError, match=words):
        KordModel(width, 12, heads=heads)


def test_kord_shape_valid_cases():
    assert check_kord_shape(512, 16) == 32
    assert check_kord_shape(8192, 16) == 512
    assert check_kord_shape(256, 16) == 16  # note-binned + guess


def test_config_rejects_kord_model_on_note_binned():
    config = TrainConfig(training_sources=["sim"], loader="note_binned_convolution")
    with pytest.raises(ModelShapeError):
        config.validate()
    config.replace(model="ours").validate()  # ours has no such constraint


def test_ours_is_small_and_shaped():
    model = OursModel(512, 12).eval()
    assert 200_000 < parameter_count(model) < 1_500_000
    assert model(torch.randn(2, 512)).shape == (2, 12)
    conv = OursModel(128, 24, channels=4).eval()
    assert conv(torch.randn(2, 128)).shape == (2, 24)


def test_build_model_uses_loader_and_target_widths():
    config = TrainConfig(training_sources=["sim"], model="ours", target="folded_bass")
    model = build_model(config)
    assert model(torch.zeros(1, 512)).shape == (1, 24)
    kord = build_model(TrainConfig(training_sources=["sim"], target="full", trunk_hidden_size=64))
    assert kord(torch.zeros(1, 512)).shape == (1, 128)


def test_probability_model_softmaxes_the_bass_slot():
    torch.manual_seed(0)
    probs = ProbabilityModel(OursModel(512, 24), "folded_bass").eval()(torch.randn(4, 512))
    assert torch.allclose(probs[:, :12].sum(dim=1), torch.ones(4), atol=1e-5)
    assert bool(((probs >= 0) & (probs <= 1)).all())


def test_exactly_one_target_is_enforced():
    from kord_engine.ml.config import validate_target

    assert validate_target(["folded"]) == "folded"
    with pytest.raises(Exception, match="exactly one"):
        validate_target(["folded", "full"])
    with pytest.raises(ConfigError, match="unknown"):
        TrainConfig(training_sources=["sim"], target="folded_treble").validate()


def test_config_json_round_trip_and_unknown_field():
    config = TrainConfig(training_sources=["sim", "x/captured"], model="ours", dropout=0.3)
    assert TrainConfig.from_json(config.to_json()) == config
    with pytest.raises(ConfigError, match="model_epochz"):
        TrainConfig.from_dict({"model_epochz": 3})


def test_config_validation_never_imports_torch():
    import subprocess
    import sys

    code = (
        "import sys; from kord_engine.ml.config import TrainConfig; "
        "TrainConfig(training_sources=['sim']).validate(); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

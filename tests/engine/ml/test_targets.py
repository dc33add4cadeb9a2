import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kord_engine.audio.listen.model.targets import (
    TARGETS,
    bass_valid,
    decode,
    encode_targets,
    predictions,
    target_width,
    validate_target_choice,
)
from kord_engine.errors import KordError
from kord_engine.samples import ids_to_mask

C_MAJOR_FIRST_INVERSION = ids_to_mask([52, 55, 60])  # E4 G4 C5


def test_widths():
    assert [target_width(t) for t in TARGETS] == [128, 12, 24]


def test_full_is_msb_first():
    y = encode_targets([ids_to_mask([0, 127, 48])], "full")
    assert y.shape == (1, 128)
    assert list(np.nonzero(y[0])[0]) == [0, 127 - 48, 127]


def test_folded_and_bass():
    y = encode_targets([C_MAJOR_FIRST_INVERSION, ids_to_mask([33, 60])], "folded")
    assert list(np.nonzero(y[0])[0]) == [0, 4, 7]
    assert list(np.nonzero(y[1])[0]) == [0, 9]
    yb = encode_targets([C_MAJOR_FIRST_INVERSION], "folded_bass")
    assert list(np.nonzero(yb[0, :12])[0]) == [4]  # lowest note E4 → bass E
    np.testing.assert_array_equal(yb[0, 12:], y[0])


def test_high_bits_fold_too():
    y = encode_targets([ids_to_mask([127, 120])], "folded")
    assert list(np.nonzero(y[0])[0]) == [0, 7]


def test_rest_never_trains_as_bass_c():
    y = encode_targets([0, ids_to_mask([48])], "folded_bass")
    assert not y[0].any()
    assert list(bass_valid(y)) == [False, True]


def test_decode_strict_threshold_and_bass_argmax():
    probs = np.zeros(24)
    probs[4] = 0.9  # bass E
    probs[12 + 0] = 0.6
    probs[12 + 4] = 0.5  # equal to the threshold: off (strict >)
    probs[12 + 7] = 0.51
    d = decode(probs, np.full(24, 0.5), "folded_bass")
    assert d.pitch_classes == (0, 7) and d.bass == 4
    assert decode(np.zeros(24), 0.5, "folded_bass").bass is None
    full = np.zeros(128)
    full[[127 - 52, 127 - 60]] = 0.9
    d = decode(full, 0.5, "full")
    assert d.note_ids == (52, 60) and d.pitch_classes == (0, 4) and d.bass == 4
    assert decode(np.eye(12)[3], np.full(12, 0.5), "folded").pitch_classes == (3,)


def test_decode_wrong_width_is_an_error():
    with pytest.raises(KordError, match="12 outputs"):
        decode(np.zeros(24), 0.5, "folded")


def test_predictions_match_decode():
    rng = np.random.default_rng(0)
    probs = rng.random((20, 24))
    thr = np.full(24, 0.7)
    pred = predictions(probs, thr, "folded_bass")
    for row, p in zip(pred, probs, strict=True):
        d = decode(p, thr, "folded_bass")
        assert tuple(np.nonzero(row[12:])[0]) == d.pitch_classes
        assert (d.bass is None and not row[:12].any()) or list(np.nonzero(row[:12])[0]) == [d.bass]


def test_validate_target_choice():
    assert validate_target_choice(["folded_bass"]) == "folded_bass"
    with pytest.raises(KordError, match="no target"):
        validate_target_choice([])
    with pytest.raises(KordError, match="exactly one target, got 2"):
        validate_target_choice(["full", "folded"])
    with pytest.raises(KordError, match="unknown target"):
        validate_target_choice(["bass"])


@given(st.sets(st.integers(0, 127), max_size=8))
def test_encode_then_decode_gives_back_the_notes(ids):
    mask = ids_to_mask(sorted(ids))
    pcs = tuple(sorted({i % 12 for i in ids}))
    for target in TARGETS:
        d = decode(encode_targets([mask], target)[0], 0.5, target)
        assert d.pitch_classes == pcs
        if target != "folded":
            assert d.bass == (min(ids) % 12 if ids else None)
    assert decode(encode_targets([mask], "full")[0], 0.5, "full").note_ids == tuple(sorted(ids))

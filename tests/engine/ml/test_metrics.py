import numpy as np
import pytest

from kord_engine.ml.metrics import average_precision, report


def test_hand_computed_report_for_folded():
    truth = np.zeros((4, 12))
    truth[0, [0, 4, 7]] = 1
    truth[1, [0, 4, 7]] = 1
    truth[2, [2]] = 1
    truth[3, [9]] = 1
    probs = truth * 0.9
    probs[1, 7] = 0.1  # a missed G
    probs[3, 11] = 0.8  # a false B
    r = report(probs, truth, np.full(12, 0.5), "folded")
    assert r.count == 4
    assert r.exact_match == pytest.approx(0.5)
    # per class: C 1/1, D 1/1, E 1/1, G P=1 R=.5, A 1/1, B P=0 (no support); others 0
    assert r.per_class_precision[7] == 1 and r.per_class_recall[7] == 0.5
    assert r.zero_support == [1, 3, 5, 6, 8, 10, 11]
    f1_g = 2 * 0.5 / 1.5
    assert r.macro_f1 == pytest.approx((4 + f1_g) / 12)  # kord: zero-support classes averaged in
    assert r.supported_macro_f1 == pytest.approx((4 + f1_g) / 5)
    assert r.macro_precision == pytest.approx(5 / 12)
    assert r.macro_accuracy == pytest.approx((48 - 2) / 48)
    sample = [1.0, 2 * 2 / 5, 1.0, 2 * 1 / 3]
    assert r.sample_f1 == pytest.approx(np.mean(sample))
    assert r.lowest_recall[0].name == "G"
    assert [c.index for c in r.lowest_precision][-1] in {0, 2, 4, 7, 9}
    assert "exact 50.0%" in r.summary()
    assert r.to_dict()["count"] == 4


def test_empty_prediction_and_empty_truth_is_a_perfect_sample():
    r = report(np.zeros((1, 12)), np.zeros((1, 12)), 0.5, "folded")
    assert r.sample_f1 == 1.0 and r.exact_match == 1.0


def test_step_average_precision():
    probs = np.array([[0.9], [0.8], [0.7], [0.6]])
    truth = np.array([[1], [0], [1], [0]])
    # ranks: hit at 1 (P=1), hit at 3 (P=2/3): AP = (1 + 2/3) / 2
    assert average_precision(probs, truth)[0] == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(probs, np.zeros((4, 1)))[0] == 0.0


def test_folded_bass_exact_match_includes_the_bass():
    truth = np.zeros((2, 24))
    truth[:, [4, 12, 16, 19]] = 1  # bass E, C E G
    probs = truth * 0.9
    probs[1, :12] = 0
    probs[1, 0] = 0.95  # predicts bass C
    r = report(probs, truth, np.full(24, 0.5), "folded_bass")
    assert r.exact_match == pytest.approx(0.5)
    assert r.lowest_precision and r.lowest_precision[0].name.startswith("bass")


def test_full_target_names_classes_msb_first():
    truth = np.zeros((1, 128))
    truth[0, 127 - 48] = 1
    r = report(truth * 0.9, truth, 0.5, "full")
    assert r.macro_f1 == pytest.approx(1 / 128)
    assert r.supported_macro_f1 == 1.0
    assert r.lowest_recall[0].name == "C4"

import numpy as np
import pytest

from kord_engine.ml.thresholds import tune_thresholds


def test_picks_the_lowest_t_of_the_best_f1():
    probs = np.array([[0.9], [0.8], [0.3], [0.2]])
    truth = np.array([[1], [1], [0], [0]])
    # every t in [0.30, 0.80) separates perfectly; the first (0.30) wins
    assert tune_thresholds(probs, truth)[0] == pytest.approx(0.30)


def test_no_positives_gets_half_and_results_are_clamped():
    probs = np.array([[0.995, 0.1, 0.01], [0.975, 0.2, 0.02]])
    truth = np.array([[1, 0, 1], [0, 0, 1]])
    thr = tune_thresholds(probs, truth)
    assert thr[1] == 0.5  # no positives
    assert thr[0] == 0.95  # best t = 0.98 (drops the 0.975 negative), clamped to 0.95
    assert thr[2] == 0.05  # best t = 0.00, clamped to 0.05


def test_only_the_first_limit_rows_count():
    probs = np.array([[0.9], [0.1], [0.6], [0.6]])
    truth = np.array([[1], [0], [0], [0]])
    assert tune_thresholds(probs, truth, limit=2)[0] == pytest.approx(0.10)
    assert tune_thresholds(probs, truth)[0] == pytest.approx(0.60)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        tune_thresholds(np.zeros((3, 2)), np.zeros((3, 3)))

"""The confidence model: its fit, its threshold, evidence that was not read, and a missing calibration."""

import numpy as np
import pytest

from alsoask.confidence import RIGHT_ANSWERS_WITHHELD, Evidence, calibration, fit
from alsoask.errors import AlsoaskError


def _evidence(rng: np.random.Generator, right: bool) -> Evidence:
    reader = rng.uniform(0.5, 1.0) if right else rng.uniform(0.0, 0.6)
    return Evidence(rng.uniform(1, 3), rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.3, 0.9), reader)


def test_fit_learns_the_reader_and_keeps_the_right_answers():
    rng = np.random.default_rng(0)
    right = [bool(x) for x in rng.integers(0, 2, 400)]
    evidence = [_evidence(rng, r) for r in right]
    model = fit(evidence, right, right)
    sure = np.array([model.confidence(e) for e in evidence])
    assert sure[np.array(right)].mean() > sure[~np.array(right)].mean() + 0.3
    assert model.weights[4] > 0  # the reader's judgement raises confidence
    withheld = (sure[np.array(right)] < model.threshold).mean()
    assert withheld <= RIGHT_ANSWERS_WITHHELD + 0.01


def test_evidence_not_read_counts_as_the_average_reading():
    model = calibration("static-minilm")
    unread = Evidence(2.0, 0.5, 0.5, 0.6, None)
    average = Evidence(2.0, 0.5, 0.5, 0.6, model.mean[4])
    assert model.confidence(unread) == model.confidence(average)
    assert model.confidence(Evidence(2.0, 0.5, 0.5, 0.6, 0.95)) > model.confidence(Evidence(2.0, 0.5, 0.5, 0.6, 0.05))


def test_every_embedder_is_calibrated_with_the_reader():
    for name in ("static-minilm", "e5", "minilm"):
        assert len(calibration(name).weights) == len(Evidence.__dataclass_fields__), name


def test_the_threshold_withholds_the_set_share_of_right_answers_and_no_more():
    rng = np.random.default_rng(1)
    right = [bool(x) for x in rng.integers(0, 2, 400)]
    evidence = [_evidence(rng, r) for r in right]
    model = fit(evidence, right, right)
    sure = np.array([model.confidence(e) for e in evidence])[np.array(right)]
    withheld = (sure < model.threshold).mean()
    assert RIGHT_ANSWERS_WITHHELD - 0.01 <= withheld <= RIGHT_ANSWERS_WITHHELD + 0.01  # a threshold of 0 cuts none


def test_the_threshold_follows_the_right_answers_not_the_answerable_ones():
    rng = np.random.default_rng(2)
    answerable = [bool(x) for x in rng.integers(0, 2, 400)]
    evidence = [_evidence(rng, a) for a in answerable]
    # answerable, but the engine's answer was right only where the reader was sure
    right = [a and (e.reader or 0) > 0.8 for a, e in zip(answerable, evidence, strict=True)]
    assert fit(evidence, answerable, right).threshold > fit(evidence, answerable, answerable).threshold


def test_the_fit_standardises_each_feature_on_the_data():
    rng = np.random.default_rng(3)
    right = [bool(x) for x in rng.integers(0, 2, 200)]
    evidence = [_evidence(rng, r) for r in right]
    model = fit(evidence, right, right)
    columns = np.array([[e.score, e.passage_coverage, e.sentence_coverage, e.dense_max, e.reader] for e in evidence])
    assert np.allclose(model.mean, columns.mean(axis=0)) and np.allclose(model.std, columns.std(axis=0), atol=1e-6)
    assert model.confidence(Evidence(*model.mean)) == pytest.approx(1 / (1 + np.exp(-model.bias)))


def test_an_embedder_without_a_calibration_is_a_clear_error():
    with pytest.raises(AlsoaskError, match="no answer calibration for the embedder 'nope'"):
        calibration("nope")

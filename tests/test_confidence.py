"""The confidence model: its fit, its threshold, and evidence that was not read."""

import numpy as np

from alsoask.confidence import RIGHT_ANSWERS_WITHHELD, Evidence, calibration, fit


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

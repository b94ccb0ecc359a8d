"""How sure the engine is of its top answer, and the threshold below which it says "no answer".

A logistic model over five pieces of evidence for the answer sentence and its passage, the reader's
judgement among them. It is fitted per embedder by `bench/calibrate.py` on tuning splits only (see its
docstring) and stored in `calibration.json` beside this module. The threshold is the confidence below
which at most `RIGHT_ANSWERS_WITHHELD` of the right answers fall.
"""

import json
from dataclasses import astuple, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from alsoask.errors import AlsoaskError

CALIBRATION_FILE = Path(__file__).parent / "calibration.json"
RIGHT_ANSWERS_WITHHELD = 0.05


@dataclass(frozen=True)
class Evidence:
    score: float  # the reranking score of the top passage
    passage_coverage: float  # share of the question's IDF mass in the top passage and its title
    sentence_coverage: float  # ... in its best sentence
    dense_max: float  # best cosine over the whole index
    reader: float | None = None  # the reader's probability that the sentence answers; None: not read
    # (the bank's round trips skip the reader for speed; the feature then counts as its mean)
    # No raw BM25 score: it scales with the corpus's IDF, so a model fitted on one corpus would
    # misjudge a corpus of another size. Coverage shares and cosines do not.


@dataclass(frozen=True)
class Calibration:
    mean: list[float]
    std: list[float]
    weights: list[float]
    bias: float
    threshold: float

    def confidence(self, evidence: Evidence) -> float:
        """Estimated probability that the corpus answers the question, in [0, 1]."""
        x = (_features(evidence, self.mean) - self.mean) / self.std
        return float(1 / (1 + np.exp(-(x @ np.asarray(self.weights) + self.bias))))


def fit(evidence: list[Evidence], answerable: list[bool], right: list[bool], steps: int = 5000) -> Calibration:
    """Logistic regression (gradient descent on standardised features) of `answerable` on the evidence;
    the threshold withholds at most `RIGHT_ANSWERS_WITHHELD` of the answers that were `right`."""
    x = np.array([astuple(e) for e in evidence], dtype=np.float64)  # every fitted evidence has been read
    y = np.asarray(answerable, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.c_[(x - mean) / std, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= 0.5 * z.T @ (p - y) / len(y)
    calibration = Calibration(mean.tolist(), std.tolist(), w[:-1].tolist(), float(w[-1]), 0.0)
    sure = np.array([calibration.confidence(e) for e in evidence])
    threshold = float(np.quantile(sure[np.asarray(right)], RIGHT_ANSWERS_WITHHELD))
    return Calibration(mean.tolist(), std.tolist(), w[:-1].tolist(), float(w[-1]), threshold)


def _features(evidence: Evidence, mean: list[float]) -> np.ndarray:
    values = astuple(evidence)
    return np.array([mean[i] if v is None else v for i, v in enumerate(values)], dtype=np.float64)


@cache
def calibration(embedder: str) -> Calibration:
    """The fitted model for an embedder, from `calibration.json`."""
    stored = json.loads(CALIBRATION_FILE.read_text())
    if embedder not in stored:
        raise AlsoaskError(f"no answer calibration for the embedder {embedder!r}; run bench/calibrate.py")
    entry = stored[embedder]
    return Calibration(**{k: entry[k] for k in ("mean", "std", "weights", "bias", "threshold")})

"""Fit the related-question model: how likely a reader of an answer asks a candidate next.

    python bench/fit_related.py     # prints FOLLOWS for src/alsoask/related.py and its cross-validated figures

`bench/data/related-labels.jsonl`: 560 candidates (the 6 best of the earlier ranking and 2 at random
from the rest, per query) for 70 answered queries of the EfficientQA tune split (lines 1-245 of
`realq/efficientqa-dev.jsonl`) on the demo index, each with its signals (`related.Signals`) and a
judgement by hand: on topic or not (would a person who typed the query, having read the answer, ask
it next?). Two judges, one per half of the queries (`judge`), made the labels from the query, the
answer and the candidate only, without the signals.

Logistic regression (scikit-learn, C=1); the cross-validation folds hold whole queries, so that no
query is both fitted and scored. Prints, for each probability threshold, how many candidates pass
and the share of them judged on topic; then the box as shown (the best four that pass, per query)
against the earlier ranking's best four, over the same judged candidates.
"""

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from alsoask.related import SIGNALS

LABELS = Path(__file__).resolve().parent / "data" / "related-labels.jsonl"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
EARLIER_TIERS = {"topic_page": 1.0, "question_page": 0.8, "names_entity": 0.7, "answer_page": 0.5}


def earlier_ranking(signals: dict[str, float]) -> float:
    """The hand-set score the model replaced: cosine to the question, 0.3 times the best graded topic
    reason (a top passage counts 0.4), 0.3 times the cosine to the answer, 0.3 / (1 + passage rank);
    a candidate with no topic reason was never shown."""
    tier = max([w * signals[name] for name, w in EARLIER_TIERS.items()] + [0.4 * (signals["top_passage"] > 0)])
    score = signals["cosine_question"] + 0.3 * (tier + signals["cosine_answer"] + signals["top_passage"])
    return score if tier else score - 10


def main() -> None:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    x = np.array([[row["signals"][name] for name in SIGNALS] for row in rows])
    y = np.array([row["on_topic"] for row in rows])
    queries = [row["line"] for row in rows]
    model = LogisticRegression(C=1.0, max_iter=5000)
    held_out = cross_val_predict(model, x, y, groups=queries, cv=GroupKFold(5), method="predict_proba")[:, 1]
    print(f"{len(rows)} candidates of {len(set(queries))} queries, {y.mean():.3f} on topic")
    print(f"held-out AUC {roc_auc_score(y, held_out):.3f}")
    print("threshold  passing  per query  on topic among them  share of all on-topic kept")
    for t in THRESHOLDS:
        passing = held_out >= t
        precision = y[passing].mean() if passing.any() else float("nan")
        print(
            f"{t:9.2f}  {passing.sum():7d}  {passing.sum() / len(set(queries)):9.2f}"
            f"  {precision:19.2f}  {(passing & y).sum() / y.sum():26.2f}"
        )
    by_query = defaultdict(list)
    for i, query in enumerate(queries):
        by_query[query].append(i)
    print("the box (best four per query)      shown per query  on topic per query  on topic among shown  empty")
    boxes = {
        "earlier ranking": [
            sorted(ix, key=lambda i: -earlier_ranking(rows[i]["signals"]))[:4] for ix in by_query.values()
        ]
    }
    for t in THRESHOLDS[:5]:
        boxes[f"model, threshold {t}"] = [
            [i for i in sorted(ix, key=lambda i: -held_out[i]) if held_out[i] >= t][:4] for ix in by_query.values()
        ]
    for name, shown in boxes.items():
        count, right = sum(map(len, shown)), sum(int(y[b].sum()) for b in shown)
        print(
            f"{name:34s} {count / len(shown):15.2f}  {right / len(shown):18.2f}  {right / count:20.2f}"
            f"  {sum(not b for b in shown) / len(shown):5.2f}"
        )
    model.fit(x, y)
    weights = {name: round(float(w), 2) for name, w in zip(SIGNALS, model.coef_[0], strict=True)}
    print("FOLLOWS =", weights | {"intercept": round(float(model.intercept_[0]), 2)})


if __name__ == "__main__":
    main()

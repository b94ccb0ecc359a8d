"""Calibrate the "no answer" threshold (`AnswerSettings.min_score`) on SQuAD v1.1 dev.

    python bench/calibrate.py

Indexes the paragraphs of the even-numbered articles only. Questions about those articles are
answerable; questions about the odd-numbered articles are not (their article is not in the index).
Every question is asked with no threshold, and the script picks the score threshold that best tells
the two apart (balanced accuracy: showing an answer to an answerable question and withholding one
for an unanswerable question are right, both halves weighted equally). It also reports what the
threshold costs: the share of right answers (snippet holds a gold answer) it withholds. Writes
bench/results/calibration-<embedder>.json.
"""

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from squad import DEFAULT_DATA, HERE, contains_answer, load_squad

from alsoask import Engine, build_index
from alsoask.answer import AnswerSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--every", type=int, default=2, help="ask every Nth question (default 2)")
    args = parser.parse_args()

    docs, questions = load_squad(args.data)
    questions = questions[:: args.every]
    settings = replace(AnswerSettings(), min_score=float("-inf"))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "half.jsonl"
        kept = [d for d in docs if d["article"] % 2 == 0]
        corpus.write_text("".join(json.dumps({k: d[k] for k in ("id", "title", "url", "text")}) + "\n" for d in kept))
        build_index([corpus], Path(tmp) / "index", embedder=args.embedder)
        with Engine(Path(tmp) / "index", settings=settings) as engine:
            rows = []
            for q in questions:
                answer = engine.ask(q["question"]).answer
                answerable = q["article"] % 2 == 0
                right = answerable and contains_answer(answer.text if answer else None, q["answers"])
                rows.append((answer.score if answer else float("-inf"), answerable, right))

    scores = np.array([r[0] for r in rows])
    answerable = np.array([r[1] for r in rows])
    right = np.array([r[2] for r in rows])
    best = None
    for threshold in np.unique(np.round(scores[np.isfinite(scores)], 3)):
        shown = scores >= threshold
        good = shown == answerable
        balanced = (good[answerable].mean() + good[~answerable].mean()) / 2
        if best is None or balanced > best["balanced_accuracy"]:
            best = {
                "threshold": float(threshold),
                "balanced_accuracy": float(balanced),
                "answerable_shown": float(shown[answerable].mean()),
                "answerable_right_shown": float((shown & right)[answerable].mean()),
                "answerable_right_without_threshold": float(right[answerable].mean()),
                "unanswerable_withheld": float((~shown)[~answerable].mean()),
                "wrong_answers_withheld": float((~shown)[answerable & ~right].mean()),
                "right_answers_withheld": float((~shown)[right].mean()),
            }
    best.update(embedder=args.embedder, questions=len(rows), answerable=int(answerable.sum()))
    out = HERE / "results" / f"calibration-{args.embedder}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(best, indent=2))
    json.dump(best, sys.stdout, indent=2)


if __name__ == "__main__":
    main()

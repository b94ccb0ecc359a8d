"""Fit the answer confidence and its "no answer" threshold on SQuAD v1.1 dev, per embedder.

    python bench/calibrate.py                    # static-minilm (the default embedder)
    python bench/calibrate.py --embedder e5

Indexes the paragraphs of the even-numbered articles only. Questions about those articles are
answerable; questions about the odd-numbered articles are not (their article is not in the index).
Fits `alsoask.confidence` on the questions with an odd position in the file (answerable vs. not),
writes the model into src/alsoask/calibration.json, and reports on the questions with an even
position, which the fit never saw: the share of unanswerable questions withheld, and the share of
right answers (snippet holds a gold answer) and wrong answers withheld. Also writes
bench/results/calibration-<embedder>.json.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from squad import DEFAULT_DATA, HERE, contains_answer, load_squad, write_corpus

from alsoask import Engine, build_index
from alsoask.answer import build_answer
from alsoask.confidence import CALIBRATION_FILE, RIGHT_ANSWERS_WITHHELD, fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--embedder", default="static-minilm")
    args = parser.parse_args()

    docs, questions = load_squad(args.data)
    rows = []  # (evidence or None, answerable, right)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus([d for d in docs if d["article"] % 2 == 0], Path(tmp) / "half.jsonl")
        build_index([corpus], Path(tmp) / "index", embedder=args.embedder)
        with Engine(Path(tmp) / "index") as engine:
            for q in questions:
                ranked, evidence = engine.answerer.search(q["question"])
                answerable = q["article"] % 2 == 0
                focus = set(engine.answerer.query(q["question"]).terms)
                answer = build_answer(ranked[0], focus, 0.0) if ranked else None
                right = answerable and contains_answer(answer.text if answer else None, q["answers"])
                rows.append((evidence, answerable, right))

    train = [r for i, r in enumerate(rows) if i % 2 == 1 and r[0] is not None]
    model = fit([r[0] for r in train], [r[1] for r in train], [r[2] for r in train])
    test = [r for i, r in enumerate(rows) if i % 2 == 0]
    shown = np.array([e is not None and model.confidence(e) >= model.threshold for e, _, _ in test])
    answerable = np.array([r[1] for r in test])
    right = np.array([r[2] for r in test])
    report = {
        "embedder": args.embedder,
        "threshold": model.threshold,
        "policy": f"withhold at most {RIGHT_ANSWERS_WITHHELD:.0%} of right answers on the fitting half",
        "test_questions": len(test),
        "unanswerable_withheld": float((~shown)[~answerable].mean()),
        "right_answers_withheld": float((~shown)[right].mean()),
        "wrong_answers_withheld": float((~shown)[answerable & ~right].mean()),
        "answerable_right_shown": float((shown & right)[answerable].mean()),
        "answerable_right_without_threshold": float(right[answerable].mean()),
    }
    stored = json.loads(CALIBRATION_FILE.read_text()) if CALIBRATION_FILE.exists() else {}
    stored[args.embedder] = {**model.__dict__, "fitted_on": "SQuAD v1.1 dev, bench/calibrate.py"}
    CALIBRATION_FILE.write_text(json.dumps(stored, indent=2) + "\n")
    out = HERE / "results" / f"calibration-{args.embedder}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    json.dump(report, sys.stdout, indent=2)


if __name__ == "__main__":
    main()

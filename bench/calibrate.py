"""Fit the answer confidence and its "no answer" threshold for an embedder, on tuning splits only.

    python bench/calibrate.py                                  # static-minilm, every set
    python bench/calibrate.py --embedder e5 --sets squad,adversarial

The sets, each a tuning half (the reports use the other halves):
- `squad`: SQuAD v1.1 dev. Articles numbered 0 mod 4 are indexed; their questions can be answered, and
  the questions of articles numbered 2 mod 4 cannot (their article is not in the index). Odd-numbered
  articles are the report half and are never read here.
- `adversarial`: the tuning half of `bench/data/adversarial-squad.jsonl` whose article is indexed
  above: questions changed so that their paragraph no longer answers them.
- `realq`: real Google queries, `realq/efficientqa-dev.jsonl` lines 1-900, on the demo index.
- `wikiqa`: WikiQA train (real Bing queries; two in three have no answer sentence on their page).

Every question is asked with no threshold; its evidence and whether the answer shown was right (a gold
answer in the title and snippet on whole words; for WikiQA, the shown span overlaps a sentence labelled
as an answer) are kept. `alsoask.confidence.fit` learns P(right | evidence) over all sets together; the
threshold withholds at most `RIGHT_ANSWERS_WITHHELD` of the right answers. Writes the model into
src/alsoask/calibration.json and the figures, per set and for a range of thresholds, to
bench/results/calibration-<embedder>.json.
"""

import argparse
import json
import sys
import tempfile
from dataclasses import fields
from pathlib import Path

import numpy as np
from adversarial import read_set
from metrics import holds_answer
from realq import DEFAULT_DATA as REALQ_DATA
from realq import load_questions
from squad import DEFAULT_DATA as SQUAD_DATA
from squad import HERE, load_squad, write_corpus
from wikiqa import DATA as WIKIQA_DIR
from wikiqa import is_right as wikiqa_right
from wikiqa import load_wikiqa
from wikiqa import write_corpus as write_pages

from alsoask import Engine, build_index
from alsoask.answer import AnswerSettings
from alsoask.confidence import CALIBRATION_FILE, RIGHT_ANSWERS_WITHHELD, Calibration, Evidence, calibration, fit
from alsoask.demo import demo_index_dir

SETS = ("squad", "adversarial", "realq", "wikiqa")
NO_THRESHOLD = AnswerSettings(min_confidence=0.0)


def ask_all(index: Path, embedder: str, questions: list[dict], is_right) -> list[dict]:
    """Each question's evidence (None when nothing matched) and whether its unthresholded answer was right."""
    rows = []
    with Engine(index, embedder, settings=NO_THRESHOLD) as engine:
        for q in questions:
            response = engine.answerer.respond(q["question"])
            rows.append(
                {"evidence": response.evidence, "right": bool(response.answer and is_right(q, response.answer))}
            )
    return rows


def squad_rows(tmp: Path, embedder: str) -> dict[str, list[dict]]:
    docs, questions = load_squad(SQUAD_DATA)
    corpus = write_corpus([d for d in docs if d["article"] % 4 == 0], tmp / "squad.jsonl")
    build_index([corpus], tmp / "squad", embedder=embedder, generator="none")
    asked = [q for q in questions if q["article"] % 4 in (0, 2)]
    right = lambda q, a: q["article"] % 4 == 0 and holds_answer(a.text, q["answers"], a.title)  # noqa: E731
    rows = {"squad": ask_all(tmp / "squad", embedder, asked, right)}
    adversarial = [r for r in read_set() if r["split"] == "tune" and r["article"] % 4 == 0]
    rows["adversarial"] = ask_all(tmp / "squad", embedder, adversarial, lambda q, a: False)
    return rows


def realq_rows(index: Path, embedder: str) -> list[dict]:
    questions = load_questions(REALQ_DATA, "tune")[0]
    return ask_all(index, embedder, questions, lambda q, a: holds_answer(a.text, q["answer"], a.title))


def wikiqa_rows(tmp: Path, embedder: str) -> list[dict]:
    pages, questions = load_wikiqa(WIKIQA_DIR / "WikiQA-train.tsv")
    build_index([write_pages(pages, tmp / "wikiqa.jsonl")], tmp / "wikiqa", embedder=embedder, generator="none")
    right = lambda q, a: wikiqa_right(q, a.doc_id, a.start, a.end)  # noqa: E731
    return ask_all(tmp / "wikiqa", embedder, questions, right)


def store(embedder: str, model: Calibration, fitted_on: str) -> None:
    """Write the model for `embedder` into calibration.json, keeping the other embedders' models."""
    stored = json.loads(CALIBRATION_FILE.read_text()) if CALIBRATION_FILE.exists() else {}
    stored[embedder] = {**model.__dict__, "fitted_on": fitted_on}
    CALIBRATION_FILE.write_text(json.dumps(stored, indent=2) + "\n")
    calibration.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--demo-index", type=Path, default=demo_index_dir(), help="for realq: built by `alsoask demo`")
    args = parser.parse_args()
    sets = args.sets.split(",")

    # The engine computes a confidence on every answer: until the fit below, a neutral model stands in.
    features = len(fields(Evidence))
    store(args.embedder, Calibration([0.0] * features, [1.0] * features, [0.0] * features, 0.0, 0.0), "provisional")
    rows: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "squad" in sets or "adversarial" in sets:
            rows |= {k: v for k, v in squad_rows(Path(tmp), args.embedder).items() if k in sets}
        if "realq" in sets:
            rows["realq"] = realq_rows(args.demo_index, args.embedder)
        if "wikiqa" in sets:
            rows["wikiqa"] = wikiqa_rows(Path(tmp), args.embedder)

    fitted = [r for set_rows in rows.values() for r in set_rows if r["evidence"] is not None]
    model = fit([r["evidence"] for r in fitted], [r["right"] for r in fitted], [r["right"] for r in fitted])

    def shown_at(threshold: float, set_rows: list[dict]) -> np.ndarray:
        return np.array([r["evidence"] is not None and model.confidence(r["evidence"]) >= threshold for r in set_rows])

    def figures(threshold: float) -> dict:
        out = {}
        for name, set_rows in rows.items():
            shown, right = shown_at(threshold, set_rows), np.array([r["right"] for r in set_rows])
            out[name] = {
                "questions": len(set_rows),
                "right_without_threshold": round(float(right.mean()), 3),
                "shown": round(float(shown.mean()), 3),
                "right_answers_kept": round(float(shown[right].mean()), 3) if right.any() else None,
                "wrong_answers_withheld": round(float((~shown)[~right].mean()), 3) if (~right).any() else None,
                "precision": round(float(right[shown].mean()), 3) if shown.any() else None,
            }
        return out

    report = {
        "embedder": args.embedder,
        "sets": sets,
        "policy": f"withhold at most {RIGHT_ANSWERS_WITHHELD:.0%} of the right answers, all tuning sets together",
        "threshold": model.threshold,
        "at_threshold": figures(model.threshold),
        "sweep": {f"{t:.2f}": figures(t) for t in np.arange(0.05, 0.9, 0.05)},
    }
    store(args.embedder, model, f"tuning splits of {', '.join(sets)}; bench/calibrate.py --embedder {args.embedder}")
    out = HERE / "results" / f"calibration-{args.embedder}.json"
    out.write_text(json.dumps(report, indent=2))
    json.dump({k: report[k] for k in ("embedder", "threshold", "at_threshold")}, sys.stdout, indent=2)


if __name__ == "__main__":
    main()

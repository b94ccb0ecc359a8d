"""BoolQ dev: real yes/no questions. Does the answer cite the question's passage, and does it lead with the
right Yes or No?

    python bench/boolq.py                       # the report split (lines 1,636-3,270)
    python bench/boolq.py --split tune          # the tuning split (lines 1-1,635)
    python bench/boolq.py --label NAME          # results file suffix

The split is by line of boolq-dev.jsonl: tune = lines 1-1,635, report = lines 1,636-3,270. Indexes the
passages of the split as documents (title = the page title, text = the passage, id = the line number;
generator none) and asks every question as it was typed (lower case, no question mark). Reports the share of
questions answered, the share whose answer cites its own passage, the share whose answer carries a verdict
(`answer.verdict`, the answer leads with Yes/No), and among those the share whose verdict matches the gold
answer (true = "yes"), next to the share of "yes" in the split (what always saying Yes would score). With the
calibrated threshold and with none (min_confidence 0). Writes bench/results/boolq-<split>[-label].json and
prints a Markdown table. An engine without `verdict` reads as one that never gives one.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from metrics import write_results

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "boolq" / "boolq-dev.jsonl"
SPLITS = {"tune": (1, 1635), "report": (1636, 3270)}  # line numbers, first and last, inclusive


def load_boolq(path: Path, split: str) -> list[dict]:
    """The split's questions, each {"id" (its line number), "question", "title", "passage", "answer"}."""
    first, last = SPLITS[split]
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if first <= n <= last:
                out.append({"id": str(n), **json.loads(line)})
    return out


def verdict_of(gold: bool) -> str:
    return "yes" if gold else "no"


def score(questions: list[dict], answers: list[dict | None]) -> dict:
    """`answers[i]` ({"doc_id", "verdict"} or None) for `questions[i]`."""
    n = len(questions)
    pairs = list(zip(questions, answers, strict=False))
    with_verdict = [(q, a) for q, a in pairs if a is not None and a.get("verdict") is not None]
    right = sum(a["verdict"] == verdict_of(q["answer"]) for q, a in with_verdict)
    return {
        "questions": n,
        "gold_yes_share": sum(q["answer"] for q in questions) / n if n else 0.0,
        "answered": sum(a is not None for a in answers) / n if n else 0.0,
        "cites_own_passage": sum(a is not None and a["doc_id"] == q["id"] for q, a in pairs) / n if n else 0.0,
        "with_verdict": len(with_verdict) / n if n else 0.0,
        "verdict_right_when_given": right / len(with_verdict) if with_verdict else None,
        "verdict_right_of_all": right / n if n else 0.0,
        "verdicts_given": {v: sum(a["verdict"] == v for _, a in with_verdict) for v in ("yes", "no")},
        "with_verdict_own_passage": sum(a["doc_id"] == q["id"] for q, a in with_verdict) / len(with_verdict)
        if with_verdict
        else None,
    }


def run(split: str, label: str | None, data: Path) -> dict:
    import alsoask
    from alsoask import Engine, build_index
    from alsoask.answer import AnswerSettings

    print(f"alsoask from {alsoask.__file__}", file=sys.stderr)
    questions = load_boolq(data, split)
    results: dict = {"split": split, "lines": list(SPLITS[split]), "label": label}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "boolq.jsonl"
        corpus.write_text(
            "".join(
                json.dumps({"id": q["id"], "title": q["title"], "url": None, "text": q["passage"]}, ensure_ascii=False)
                + "\n"
                for q in questions
            )
        )
        report = build_index([corpus], Path(tmp) / "index", generator="none")
        results["index_seconds"] = report.seconds
        print(f"indexed {len(questions)} passages in {report.seconds:.1f} s", file=sys.stderr)
        for name, settings in (("threshold", AnswerSettings()), ("no_threshold", AnswerSettings(min_confidence=0.0))):
            started = time.perf_counter()
            answers = []
            with Engine(Path(tmp) / "index", settings=settings) as engine:
                for q in questions:
                    a = engine.ask(q["question"]).answer
                    answers.append(None if a is None else {"doc_id": a.doc_id, "verdict": getattr(a, "verdict", None)})
            results[name] = {**score(questions, answers), "seconds": time.perf_counter() - started}
    return results


def _share(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def markdown(results: dict) -> str:
    t, b = results["threshold"], results["no_threshold"]
    name = f"BoolQ {results['split']}" + (f" ({results['label']})" if results["label"] else "")
    return "\n".join(
        [
            f"| {name} (n={t['questions']}) | threshold | no threshold |",
            "|---|---|---|",
            f"| answered | {t['answered']:.3f} | {b['answered']:.3f} |",
            f"| answer cites its own passage | {t['cites_own_passage']:.3f} | {b['cites_own_passage']:.3f} |",
            f"| leads with Yes/No (verdict set) | {t['with_verdict']:.3f} | {b['with_verdict']:.3f} |",
            f"| ... verdict right | {_share(t['verdict_right_when_given'])} "
            f"| {_share(b['verdict_right_when_given'])} |",
            f'| always "Yes" would be right | {t["gold_yes_share"]:.3f} | {b["gold_yes_share"]:.3f} |',
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=tuple(SPLITS), default="report")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--label", default=None, help="suffix of the results file")
    args = parser.parse_args()
    results = run(args.split, args.label, args.data)
    write_results("boolq", args.split, args.label, results)
    print(markdown(results))


if __name__ == "__main__":
    main()

"""WikiQA: the answer sentence, or "no answer", for real Bing queries.

    python bench/wikiqa.py                      # the dev split (report)
    python bench/wikiqa.py --split train        # the train split (tuning)
    python bench/wikiqa.py --label NAME         # results file suffix

Rebuilds each page (DocumentID) from its sentences in SentenceID order, joined with single spaces, keeping
each sentence's character offsets; title = DocumentTitle. Indexes all pages of the split into one index
(generator none) and asks every question:
- answerable questions (some sentence labelled 1): right when the shown span [start, end) overlaps a
  label-1 sentence of THAT question's page (same doc_id); reports the share of answerable questions shown a
  right answer sentence, and the share shown anything;
- unanswerable questions (no sentence labelled 1): the share withheld ("no answer").
Both with the calibrated threshold and with none (min_confidence 0). Writes
bench/results/wikiqa-<split>[-label].json and prints a Markdown table.

WikiQA is under the Microsoft Research Data License Agreement: use it to evaluate and tune only; nothing
from it (data or weights fitted on it) goes into the package.
"""

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from metrics import write_results

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "wikiqa"


def _sentence_number(sentence_id: str) -> int:
    return int(sentence_id.rsplit("-", 1)[1])


def load_wikiqa(path: Path) -> tuple[list[dict], list[dict]]:
    """Pages ({"id", "title", "url", "text", "sentences": [(start, end)]}) and questions
    ({"id", "question", "doc_id", "right": [(start, end)] of its label-1 sentences})."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    sentences: dict[str, dict[int, str]] = {}
    titles: dict[str, str] = {}
    for r in rows:
        sentences.setdefault(r["DocumentID"], {})[_sentence_number(r["SentenceID"])] = r["Sentence"].strip()
        titles[r["DocumentID"]] = r["DocumentTitle"]
    pages, spans = [], {}
    for doc_id, by_number in sentences.items():
        text, offsets = "", {}
        for n in sorted(by_number):
            if text:
                text += " "
            offsets[n] = (len(text), len(text) + len(by_number[n]))
            text += by_number[n]
        spans[doc_id] = offsets
        pages.append({"id": doc_id, "title": titles[doc_id], "url": None, "text": text, "sentences": offsets})
    questions: dict[str, dict] = {}
    for r in rows:
        q = questions.setdefault(
            r["QuestionID"], {"id": r["QuestionID"], "question": r["Question"], "doc_id": r["DocumentID"], "right": []}
        )
        if r["Label"] == "1":
            q["right"].append(spans[r["DocumentID"]][_sentence_number(r["SentenceID"])])
    return pages, list(questions.values())


def is_right(question: dict, doc_id: str | None, start: int | None, end: int | None) -> bool:
    """The shown span [start, end) lies on the question's own page and overlaps one of its label-1 sentences."""
    if doc_id != question["doc_id"] or start is None or end is None:
        return False
    return any(start < b and a < end for a, b in question["right"])


def score(questions: list[dict], answers: list[dict]) -> dict:
    """`answers[i]` ({"doc_id", "start", "end"} or None) for `questions[i]`."""
    answerable = [(q, a) for q, a in zip(questions, answers, strict=False) if q["right"]]
    unanswerable = [a for q, a in zip(questions, answers, strict=False) if not q["right"]]
    right = sum(a is not None and is_right(q, a["doc_id"], a["start"], a["end"]) for q, a in answerable)
    shown = sum(a is not None for _, a in answerable)
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answerable_right": right / len(answerable) if answerable else 0.0,
        "answerable_shown": shown / len(answerable) if answerable else 0.0,
        "answerable_right_when_shown": right / shown if shown else 0.0,
        "answerable_other_page": sum(a is not None and a["doc_id"] != q["doc_id"] for q, a in answerable)
        / max(len(answerable), 1),
        "unanswerable_withheld": sum(a is None for a in unanswerable) / len(unanswerable) if unanswerable else 0.0,
    }


def write_corpus(pages: list[dict], path: Path) -> Path:
    path.write_text(
        "".join(json.dumps({k: p[k] for k in ("id", "title", "url", "text")}, ensure_ascii=False) + "\n" for p in pages)
    )
    return path


def run(split: str, label: str | None, data: Path) -> dict:
    import alsoask
    from alsoask import Engine, build_index
    from alsoask.answer import AnswerSettings

    print(f"alsoask from {alsoask.__file__}", file=sys.stderr)
    pages, questions = load_wikiqa(data / f"WikiQA-{split}.tsv")
    results: dict = {"split": split, "label": label, "pages": len(pages)}
    with tempfile.TemporaryDirectory() as tmp:
        report = build_index([write_corpus(pages, Path(tmp) / "wikiqa.jsonl")], Path(tmp) / "index", generator="none")
        results["index_seconds"] = report.seconds
        print(f"indexed {len(pages)} pages ({report.passages} passages) in {report.seconds:.1f} s", file=sys.stderr)
        text_of = {p["id"]: p["text"] for p in pages}
        for name, settings in (("threshold", AnswerSettings()), ("no_threshold", AnswerSettings(min_confidence=0.0))):
            started = time.perf_counter()
            answers, reasons, offsets_ok = [], Counter(), 0
            with Engine(Path(tmp) / "index", settings=settings) as engine:
                for q in questions:
                    r = engine.ask(q["question"])
                    a = r.answer
                    if a is None:
                        answers.append(None)
                        reasons[getattr(r, "no_answer_reason", None) or "(none given)"] += 1
                        continue
                    answers.append({"doc_id": a.doc_id, "start": a.start, "end": a.end})
                    # the offsets point into the page as written: the shown words are there
                    shown = a.text.replace("…", " ").split()
                    offsets_ok += bool(shown) and shown[len(shown) // 2] in text_of[a.doc_id][a.start : a.end]
            results[name] = {
                **score(questions, answers),
                "offsets_check": offsets_ok / max(sum(a is not None for a in answers), 1),
                "no_answer_reasons": dict(reasons),
                "seconds": time.perf_counter() - started,
            }
    return results


def markdown(results: dict) -> str:
    t, b = results["threshold"], results["no_threshold"]
    name = f"WikiQA {results['split']}" + (f" ({results['label']})" if results["label"] else "")
    return "\n".join(
        [
            f"| {name} | threshold | no threshold |",
            "|---|---|---|",
            f"| answerable (n={t['answerable']}): a right answer sentence shown "
            f"| {t['answerable_right']:.3f} | {b['answerable_right']:.3f} |",
            f"| answerable: anything shown | {t['answerable_shown']:.3f} | {b['answerable_shown']:.3f} |",
            f"| answerable: right when shown | {t['answerable_right_when_shown']:.3f} "
            f"| {b['answerable_right_when_shown']:.3f} |",
            f"| answerable: answered from another page | {t['answerable_other_page']:.3f} "
            f"| {b['answerable_other_page']:.3f} |",
            f"| unanswerable (n={t['unanswerable']}): withheld | {t['unanswerable_withheld']:.3f} "
            f"| {b['unanswerable_withheld']:.3f} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--label", default=None, help="suffix of the results file")
    args = parser.parse_args()
    results = run(args.split, args.label, args.data)
    write_results("wikiqa", args.split, args.label, results)
    print(markdown(results))


if __name__ == "__main__":
    main()

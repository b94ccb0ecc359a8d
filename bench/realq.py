"""Real Google queries (EfficientQA dev) on the demo index: answers, "no answer", baselines, related questions.

    python bench/realq.py                          # the report split: lines 901-1,800
    python bench/realq.py --split tune             # the tuning split: lines 1-900
    python bench/realq.py --label landed           # a suffix for the result files
    python bench/realq.py --index DIR              # another demo index (default: alsoask demo's)

The index is the demo corpus (10,033 Wikipedia lead summaries), built as `alsoask demo --index DIR`
builds it when DIR does not exist. Every question is asked once, and reported:
- engine: answered share; gold in snippet over ALL questions (`metrics.holds_answer` on the title and
  the answer text; "no answer" is a miss); precision (among the answers shown, the share holding a gold
  answer); the reasons given for "no answer" when the engine gives them (`AskResult.no_answer_reason`);
- corpus holds gold: whether a gold answer occurs anywhere in the demo corpus (titles and texts,
  normalised, whole words), an upper bound on any system; the "no answer" rate where it does not
  (there "no answer" is right);
- the same engine without a threshold (`AnswerSettings(min_confidence=0.0)`): its gold in snippet,
  and the share of its right answers the thresholded engine keeps (shows, and right);
- two baselines with the engine's budget (title + at most MAX_CHARS characters of whole sentences),
  always answering: the lead of the engine's top hybrid passage, and the best BM25 window among the
  top 30 BM25 passages of the index (`metrics.py`);
- related questions: per answered ask, the mean number shown and the share showing 4 and showing 0;
  each related question shown (on any ask) opened once with `Engine.expand(id, shown, asked=question)`, `shown` being
  what the web page passes: the ids on the page so far and the bank questions equivalent to the asked
  one; and the mean number of children it reveals; the forms of the related questions shown (by first
  word) and the share of answered asks showing the most frequent one;
- latency: ask p50/p90 (`took_ms`, warm: 20 questions of the other split are asked first), expand p50/p90.
Writes bench/results/realq-<split>[-<label>].json (the figures) and ....rows.json (each question), and
prints a Markdown table.
"""

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from metrics import TOP_BM25, CorpusGold, best_bm25_window, holds_answer, lead_of_top_passage

import alsoask
from alsoask import Engine
from alsoask.answer import AnswerSettings
from alsoask.demo import demo_documents, demo_index_dir
from alsoask.index import index_documents

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "realq" / "efficientqa-dev.jsonl"
DEFAULT_INDEX = demo_index_dir()  # where `alsoask demo` builds it
SPLITS = {"tune": (0, 900), "report": (900, 1800)}  # line ranges, 0-based and end-exclusive
WARM_UP = 20


def load_questions(path: Path, split: str) -> tuple[list[dict], list[dict]]:
    """The questions of `split` and those of the other split (for warming up)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    a, b = SPLITS[split]
    return lines[a:b], lines[:a] + lines[b:]


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def run(engine: Engine, free: Engine, corpus: CorpusGold, questions: list[dict]) -> list[dict]:
    rows = []
    for n, q in enumerate(questions, 1):
        text, answers = q["question"], q["answer"]
        result, equivalent = engine.ask_with_equivalents(text)  # the page passes these on as shown
        unthresholded = free.ask(text).answer
        lead = lead_of_top_passage(engine, text)
        window = best_bm25_window(engine, text)
        answer = result.answer
        shown = [r.id for r in result.related]
        children, expand_ms = [], []
        for r in result.related:
            started = time.perf_counter()
            revealed = engine.expand(r.id, set(shown) | equivalent, asked=text)
            expand_ms.append((time.perf_counter() - started) * 1000)
            children.append(len(revealed))
            shown += [c.id for c in revealed]
        rows.append(
            {
                "question": text,
                "answers": answers,
                "corpus_holds_gold": corpus.holds(answers),
                "answer": answer.text if answer else None,
                "title": answer.title if answer else None,
                "score": answer.score if answer else None,
                "right": holds_answer(answer.text if answer else None, answers, answer.title if answer else None),
                "no_answer_reason": getattr(result, "no_answer_reason", None),
                "took_ms": result.took_ms,
                "free_answer": unthresholded.text if unthresholded else None,
                "free_title": unthresholded.title if unthresholded else None,
                "free_score": unthresholded.score if unthresholded else None,
                "free_right": holds_answer(
                    unthresholded.text if unthresholded else None,
                    answers,
                    unthresholded.title if unthresholded else None,
                ),
                "lead": lead.text if lead else None,
                "lead_title": lead.title if lead else None,
                "lead_right": holds_answer(lead.text if lead else None, answers, lead.title if lead else None),
                "bm25": window.text if window else None,
                "bm25_title": window.title if window else None,
                "bm25_right": holds_answer(window.text if window else None, answers, window.title if window else None),
                "related": [r.question for r in result.related],
                "children": children,
                "expand_ms": expand_ms,
            }
        )
        if n % 100 == 0:
            print(f"{n}/{len(questions)} asked", file=sys.stderr)
    return rows


def figures(rows: list[dict]) -> dict:
    answered = [r for r in rows if r["answer"] is not None]
    no_gold = [r for r in rows if not r["corpus_holds_gold"]]
    with_gold = [r for r in rows if r["corpus_holds_gold"]]
    free_right = [r for r in rows if r["free_right"]]

    def chars(key: str) -> float | None:
        shown = [len(r[key]) for r in rows if r[key]]
        return statistics.mean(shown) if shown else None

    openings = [c for r in rows for c in r["children"]]
    related_answered = [len(r["related"]) for r in answered]
    return {
        "questions": len(rows),
        "engine": {
            "answered": share([r["answer"] is not None for r in rows]),
            "gold_in_snippet": share([r["right"] for r in rows]),
            "precision": share([r["right"] for r in answered]),
            "mean_snippet_chars": chars("answer"),
            "gold_in_snippet_where_corpus_holds_gold": share([r["right"] for r in with_gold]),
            "no_answer_reasons": dict(Counter(reason_kind(r) for r in rows if r["answer"] is None)),
        },
        "corpus": {
            "holds_gold": share([r["corpus_holds_gold"] for r in rows]),
            "no_answer_where_corpus_lacks_gold": share([r["answer"] is None for r in no_gold]),
            "no_answer_where_corpus_holds_gold": share([r["answer"] is None for r in with_gold]),
        },
        "no_threshold": {
            "answered": share([r["free_answer"] is not None for r in rows]),
            "gold_in_snippet": share([r["free_right"] for r in rows]),
            "precision": share([r["free_right"] for r in rows if r["free_answer"] is not None]),
            "mean_snippet_chars": chars("free_answer"),
            "right_answers_kept_by_threshold": share([r["right"] for r in free_right]),
        },
        "lead": {
            "answered": share([r["lead"] is not None for r in rows]),
            "gold_in_snippet": share([r["lead_right"] for r in rows]),
            "mean_snippet_chars": chars("lead"),
        },
        "bm25_window": {
            "answered": share([r["bm25"] is not None for r in rows]),
            "gold_in_snippet": share([r["bm25_right"] for r in rows]),
            "mean_snippet_chars": chars("bm25"),
        },
        "related": {
            "mean_per_answered_ask": statistics.mean(related_answered) if related_answered else None,
            "answered_showing_4": share([n == 4 for n in related_answered]),
            "answered_showing_0": share([n == 0 for n in related_answered]),
            "mean_per_unanswered_ask": statistics.mean(len(r["related"]) for r in rows if r["answer"] is None)
            if len(answered) < len(rows)
            else None,
            "openings": len(openings),
            "mean_children_per_opening": statistics.mean(openings) if openings else None,
            "openings_revealing_0": share([c == 0 for c in openings]),
            "forms_shown": forms([q for r in answered for q in r["related"]]),
            "most_frequent_share": most_frequent_share([r["related"] for r in answered]),
        },
        "latency_ms": {
            "ask_p50": percentile([r["took_ms"] for r in rows], 50),
            "ask_p90": percentile([r["took_ms"] for r in rows], 90),
            "expand_p50": percentile([m for r in rows for m in r["expand_ms"]], 50),
            "expand_p90": percentile([m for r in rows for m in r["expand_ms"]], 90),
        },
    }


def reason_kind(row: dict) -> str:
    """The reason for "no answer" without its figures, so that equal reasons count together."""
    return re.sub(r" \(.*\)", "", row["no_answer_reason"] or "none given")


FORMS = {  # a question's form, read from its first word as a user sees it
    "how": re.compile(r"how\b", re.I),
    "why": re.compile(r"why\b", re.I),
    "who": re.compile(r"(who|whom|whose)\b", re.I),
    "what": re.compile(r"(what|which)\b", re.I),
    "when": re.compile(r"when\b", re.I),
    "where": re.compile(r"where\b", re.I),
    "yes/no": re.compile(r"(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", re.I),
}


def forms(questions: list[str]) -> dict[str, float]:
    """Share of the questions in each form (the first matching; "other" for the rest)."""
    counted = Counter(next((f for f, rule in FORMS.items() if rule.match(q)), "other") for q in questions)
    return {form: counted[form] / len(questions) for form in [*FORMS, "other"]} if questions else {}


def most_frequent_share(boxes: list[list[str]]) -> dict:
    """The related question shown most often, and the share of boxes (answered asks) it appears in."""
    counted = Counter(q for box in boxes for q in set(box))
    if not counted:
        return {"question": None, "share": None}
    question, times = counted.most_common(1)[0]
    return {"question": question, "share": times / len(boxes)}


def fmt(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown(results: dict) -> str:
    f = results["figures"]
    e, c, t, lead, b = f["engine"], f["corpus"], f["no_threshold"], f["lead"], f["bm25_window"]
    r, lat = f["related"], f["latency_ms"]
    label = f" ({results['label']})" if results["label"] else ""
    lines = [
        f"EfficientQA dev, split `{results['split']}` (lines {results['lines']}), {f['questions']} questions, "
        f"demo index{label}",
        "",
        "| system | answered | gold in snippet (all questions) | precision (shown answers) | mean snippet chars |",
        "|---|---|---|---|---|",
        f"| alsoask | {fmt(e['answered'])} | {fmt(e['gold_in_snippet'])} | {fmt(e['precision'])} "
        f"| {fmt(e['mean_snippet_chars'], 0)} |",
        f"| alsoask, no threshold | {fmt(t['answered'])} | {fmt(t['gold_in_snippet'])} | {fmt(t['precision'])} "
        f"| {fmt(t['mean_snippet_chars'], 0)} |",
        f"| lead of top hybrid passage | {fmt(lead['answered'])} | {fmt(lead['gold_in_snippet'])} "
        f"| {fmt(lead['gold_in_snippet'])} | {fmt(lead['mean_snippet_chars'], 0)} |",
        f"| best BM25 window (top {results['top_bm25']}) | {fmt(b['answered'])} | {fmt(b['gold_in_snippet'])} "
        f"| {fmt(b['gold_in_snippet'])} | {fmt(b['mean_snippet_chars'], 0)} |",
        "",
        "| figure | value |",
        "|---|---|",
        f"| corpus holds a gold answer | {fmt(c['holds_gold'])} |",
        f"| 'no answer' where the corpus holds no gold | {fmt(c['no_answer_where_corpus_lacks_gold'])} |",
        f"| 'no answer' where the corpus holds gold | {fmt(c['no_answer_where_corpus_holds_gold'])} |",
        f"| gold in snippet where the corpus holds gold | {fmt(e['gold_in_snippet_where_corpus_holds_gold'])} |",
        f"| right answers (no threshold) the threshold keeps | {fmt(t['right_answers_kept_by_threshold'])} |",
        f"| related per answered ask | {fmt(r['mean_per_answered_ask'], 2)} |",
        f"| answered asks showing 4 / 0 related | {fmt(r['answered_showing_4'])} / {fmt(r['answered_showing_0'])} |",
        f"| children per opened related question ({r['openings']} openings) | "
        f"{fmt(r['mean_children_per_opening'], 2)} |",
        f"| openings revealing 0 | {fmt(r['openings_revealing_0'])} |",
        "| forms of related shown (answered asks): "
        + ", ".join(f"{k} {fmt(v, 2)}" for k, v in r["forms_shown"].items())
        + " | |",
        f"| most frequent related question: share of answered asks | {fmt(r['most_frequent_share']['share'])} "
        f"({r['most_frequent_share']['question']}) |",
        f"| ask p50 / p90 (ms, took_ms) | {fmt(lat['ask_p50'], 1)} / {fmt(lat['ask_p90'], 1)} |",
        f"| expand p50 / p90 (ms) | {fmt(lat['expand_p50'], 1)} / {fmt(lat['expand_p90'], 1)} |",
        f"| wall time of the run (s) | {results['wall_seconds']:.0f} |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=list(SPLITS), default="report", help="tune: lines 1-900; report: 901-1800")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="the demo index (built when missing)")
    parser.add_argument("--label", default="", help="a suffix for the result file names")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (a smoke test)")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"alsoask from {alsoask.__file__}", file=sys.stderr)

    questions, others = load_questions(args.data, args.split)
    questions = questions[: args.limit] if args.limit else questions
    if not args.index.exists():
        print(f"building the demo index in {args.index}", file=sys.stderr)
        index_documents(demo_documents(), args.index)
    corpus = CorpusGold.of_documents(demo_documents())

    with Engine(args.index) as engine, Engine(args.index, settings=AnswerSettings(min_confidence=0.0)) as free:
        for q in others[:WARM_UP]:
            engine.ask(q["question"])
            free.ask(q["question"])
        health = engine.health()
        rows = run(engine, free, corpus, questions)

    a, b = SPLITS[args.split]
    results = {
        "split": args.split,
        "lines": f"{a + 1}-{b}" + (f" (first {args.limit} only)" if args.limit else ""),
        "label": args.label or None,
        "alsoask_module": str(Path(alsoask.__file__).parent),
        "index": str(args.index),
        "index_documents": health.documents,
        "index_questions": health.questions,
        "top_bm25": TOP_BM25,
        "match": "metrics.holds_answer: SQuAD-normalised gold on whole words in the snippet or its title",
        "figures": figures(rows),
        "wall_seconds": time.perf_counter() - started,
    }
    name = f"realq-{args.split}" + (f"-limit{args.limit}" if args.limit else "")
    name += f"-{args.label}" if args.label else ""
    out = HERE / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    out.with_suffix(".rows.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    print(markdown(results))


if __name__ == "__main__":
    main()

"""SQuAD v1.1 dev benchmark: alsoask against two snippet baselines with the same budget, in one process.

    python bench/squad.py                       # default embedder, the report split (odd articles)
    python bench/squad.py --split tune          # the tuning split (even articles); --split all for both
    python bench/squad.py --embedder e5         # another embedder
    python bench/squad.py --every 4             # every 4th question, for a quicker comparison
    python bench/squad.py --label landed        # a suffix for the result files

Indexes all 2,067 paragraphs as documents (title = article title); asks the questions of the chosen
split only: `tune` = even-numbered articles (article % 2 == 0), `report` = odd-numbered ones (the
default). Reports passage top-1/5/20, answer-in-snippet@1, mean snippet length, answered share, index
time, ask latency p50/p95 (warm) and peak memory.

Every system is scored by `metrics.holds_answer(snippet, answers, title)`: a SQuAD-normalised gold
answer on whole words in the snippet or its title. Every system shows its title plus at most
`alsoask.answer.MAX_CHARS` characters; the baselines always answer:
- lead: the lead sentences of the engine's own top hybrid-retrieved passage;
- best BM25 window: bm25s over the same paragraphs; among the top 30, the window of consecutive whole
  sentences with the highest sum of IDF of the question terms it holds. Its paragraph ranking gives the
  bm25s passage top-k.
`answer_in_snippet_substring` is the engine's figure under the old rule (substring, no title), to bridge
to earlier results.
Writes bench/results/squad-<embedder>-<split>[-everyN][-<label>].json (the figures) and ....scores.json
(each question's confidence and whether its snippet was right), and prints a Markdown table.
"""

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from metrics import TOP_BM25, Candidate, best_window, holds_answer, lead_of_top_passage, substring_answer
from metrics import normalize_answer as normalize_answer  # re-exported: the match lives in metrics.py

from alsoask import Engine, build_index
from alsoask.answer import AnswerSettings
from alsoask.lexical import LexicalIndex, tokenize
from alsoask.split import split_sentences

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "squad" / "squad-dev-v1.1.json"


def load_squad(path: Path) -> tuple[list[dict], list[dict]]:
    """Documents (one per paragraph) and questions (with gold doc id and answers)."""
    data = json.loads(path.read_text())["data"]
    docs, questions = [], []
    for a, article in enumerate(data):
        title = article["title"].replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            doc_id = f"{a}-{p}"
            docs.append({"id": doc_id, "title": title, "url": None, "text": paragraph["context"], "article": a})
            for qa in paragraph["qas"]:
                questions.append(
                    {
                        "question": qa["question"],
                        "doc_id": doc_id,
                        "article": a,
                        "answers": [x["text"] for x in qa["answers"]],
                    }
                )
    return docs, questions


def write_corpus(docs: list[dict], path: Path) -> Path:
    """The paragraphs as a JSON lines corpus for `alsoask index`."""
    path.write_text("".join(json.dumps({k: d[k] for k in ("id", "title", "url", "text")}) + "\n" for d in docs))
    return path


contains_answer = holds_answer  # the old name, kept importable
SPLITS = {"tune": lambda article: article % 2 == 0, "report": lambda article: article % 2 == 1, "all": lambda _: True}


class Baseline:
    """bm25s over the paragraphs; the snippet is the best window of whole sentences among the top 30."""

    def __init__(self, docs: list[dict]):
        self.docs = docs
        self.paragraphs = LexicalIndex.build(tokenize([d["text"] for d in docs]))
        self.candidates = []
        for d in docs:
            spans = split_sentences(d["text"])
            sentences = [d["text"][a:b] for a, b in spans]
            self.candidates.append(Candidate(d["title"], d["text"], spans, tokenize(sentences) if sentences else []))

    def ask(self, question: str) -> tuple[list[str], str | None, str | None]:
        """The top-20 paragraph ids, the snippet and its title."""
        tokens = tokenize([question])[0]
        scores = self.paragraphs.scores(tokens)
        order = np.argsort(-scores, kind="stable")
        ranked = [self.docs[i]["id"] for i in order[:20]]
        top = [self.candidates[i] for i in order[:TOP_BM25] if scores[i] > 0]
        shown = best_window(top, self.paragraphs.term_weight, tokens)
        return ranked, shown.text if shown else None, shown.title if shown else None


def score_run(rows: list[dict], prefix: str = "") -> dict:
    """The figures of one system; `prefix` picks its snippet fields in the rows ("" for the engine)."""
    n = len(rows)
    snippets = [r[f"{prefix}snippet"] for r in rows if r[f"{prefix}snippet"]]
    out = {"questions": n}
    if "ranked" in rows[0]:
        out.update({f"top{k}": sum(r["gold"] in r["ranked"][:k] for r in rows) / n for k in (1, 5, 20)})
    out.update(
        {
            "answer_in_snippet": sum(
                holds_answer(r[f"{prefix}snippet"], r["answers"], r[f"{prefix}title"]) for r in rows
            )
            / n,
            "answered": len(snippets) / n,
            "mean_snippet_chars": statistics.mean(len(s) for s in snippets) if snippets else 0.0,
        }
    )
    latencies = [r["ms"] for r in rows if "ms" in r] if not prefix else []  # `ms` is the engine's
    if latencies:
        out["ask_p50_ms"] = float(np.percentile(latencies, 50))
        out["ask_p95_ms"] = float(np.percentile(latencies, 95))
    return out


def parse_setting(text: str) -> tuple[str, object]:
    """'rerank=20' -> ('rerank', 20), typed like the AnswerSettings default (float where it is None)."""
    name, value = text.split("=", 1)
    default = getattr(AnswerSettings(), name)
    return name, float(value) if default is None else type(default)(value)


def run_engine(engine: Engine, questions: list[dict], settings: AnswerSettings, lead: bool = True) -> list[dict]:
    engine.answerer.settings = settings
    doc_of = dict(engine.reader.store.db.execute("SELECT id, doc_id FROM passages"))
    rows = []
    for q in questions:
        started = time.perf_counter()
        result = engine.ask(q["question"])
        ms = (time.perf_counter() - started) * 1000
        reranked = [r.passage.doc_id for r in engine.answerer.search(q["question"])[0]]
        fused = [doc_of[h.passage_id] for h in engine.answerer.retrieve(engine.answerer.query(q["question"]), 40).hits]
        ranked = list(dict.fromkeys(reranked + fused))[:20]
        shown = lead_of_top_passage(engine, q["question"]) if lead else None
        rows.append(
            {
                "gold": q["doc_id"],
                "answers": q["answers"],
                "ranked": ranked,
                "ms": ms,
                "snippet": result.answer.text if result.answer else None,
                "title": result.answer.title if result.answer else None,
                "score": result.answer.score if result.answer else None,
                "lead_snippet": shown.text if shown else None,
                "lead_title": shown.title if shown else None,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--split", choices=list(SPLITS), default="report", help="questions asked (default: report)")
    parser.add_argument("--every", type=int, default=1, help="ask every Nth question (default: all)")
    parser.add_argument("--label", default="", help="a suffix for the result file names")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override an AnswerSettings field"
    )
    args = parser.parse_args()

    docs, questions = load_squad(args.data)
    questions = [q for q in questions if SPLITS[args.split](q["article"])][:: args.every]
    settings = replace(AnswerSettings(), **dict(parse_setting(s) for s in args.set))
    started_run = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(docs, Path(tmp) / "squad.jsonl")
        report = build_index([corpus], Path(tmp) / "index", embedder=args.embedder)
        print(f"indexed {report.passages} passages in {report.seconds:.1f} s", file=sys.stderr)

        with Engine(Path(tmp) / "index") as engine:  # the engine first: its snippets set the budget
            run_engine(engine, questions[:50], settings, lead=False)  # warm-up
            rows = run_engine(engine, questions, settings)

        started = time.perf_counter()
        baseline = Baseline(docs)
        baseline_index_s = time.perf_counter() - started
        for row, q in zip(rows, questions, strict=True):
            t0 = time.perf_counter()
            ranked, snippet, title = baseline.ask(q["question"])
            row.update(
                {"bm25_ranked": ranked, "bm25_snippet": snippet, "bm25_title": title},
                bm25_ms=(time.perf_counter() - t0) * 1000,
            )

    bm25_rows = [
        {"gold": r["gold"], "answers": r["answers"], "ranked": r["bm25_ranked"], "ms": r["bm25_ms"]}
        | {"snippet": r["bm25_snippet"], "title": r["bm25_title"]}
        for r in rows
    ]
    engine_figures = score_run(rows)
    engine_figures["answer_in_snippet_substring"] = statistics.mean(
        substring_answer(r["snippet"], r["answers"]) for r in rows
    )
    results = {
        "embedder": args.embedder,
        "split": args.split,
        "every": args.every,
        "label": args.label or None,
        "alsoask_module": str(Path(sys.modules["alsoask"].__file__).parent),
        "settings": settings.__dict__,
        "match": "metrics.holds_answer: SQuAD-normalised gold on whole words in the snippet or its title",
        "alsoask": {
            **engine_figures,
            "index_seconds": report.seconds,
            "passages": report.passages,
            "passages_per_second": report.passages_per_second,
        },
        "lead": {k: v for k, v in score_run(rows, "lead_").items() if not k.startswith("top")},
        "bm25_window": {**score_run(bm25_rows), "index_seconds": baseline_index_s},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "wall_seconds": time.perf_counter() - started_run,
    }
    name = f"squad-{args.embedder}-{args.split}"
    name += (f"-every{args.every}" if args.every > 1 else "") + (f"-{args.label}" if args.label else "")
    out = HERE / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    (out.with_suffix(".scores.json")).write_text(
        json.dumps([[r["score"], holds_answer(r["snippet"], r["answers"], r["title"])] for r in rows])
    )
    print(markdown(results))


def markdown(results: dict) -> str:
    a, lead, b = results["alsoask"], results["lead"], results["bm25_window"]
    lines = [
        f"SQuAD v1.1 dev, split `{results['split']}`, {a['questions']} questions",
        "",
        f"| metric | alsoask ({results['embedder']}) | lead of top hybrid passage | best BM25 window (bm25s) |",
        "|---|---|---|---|",
        *(f"| passage top-{k} | {a[f'top{k}']:.3f} | | {b[f'top{k}']:.3f} |" for k in (1, 5, 20)),
        f"| answer-in-snippet@1 (title + snippet, whole words) | {a['answer_in_snippet']:.3f} "
        f"| {lead['answer_in_snippet']:.3f} | {b['answer_in_snippet']:.3f} |",
        f"| answer-in-snippet@1, old rule (substring, no title) | {a['answer_in_snippet_substring']:.3f} | | |",
        f"| answered (not 'no answer') | {a['answered']:.3f} | {lead['answered']:.3f} | {b['answered']:.3f} |",
        f"| mean snippet chars | {a['mean_snippet_chars']:.0f} | {lead['mean_snippet_chars']:.0f} "
        f"| {b['mean_snippet_chars']:.0f} |",
        f"| index time (s) | {a['index_seconds']:.1f} ({a['passages_per_second']:.0f} passages/s) "
        f"| (the engine's index) | {b['index_seconds']:.1f} |",
        f"| ask p50 / p95 (ms, warm) | {a['ask_p50_ms']:.1f} / {a['ask_p95_ms']:.1f} | "
        f"| {b['ask_p50_ms']:.1f} / {b['ask_p95_ms']:.1f} |",
        f"| peak RSS of the run (MB) | {results['peak_rss_mb']:.0f} | (same process) | (same process) |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

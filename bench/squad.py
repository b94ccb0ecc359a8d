"""SQuAD v1.1 dev benchmark: alsoask against a plain bm25s baseline, in one process.

    python bench/squad.py                       # default embedder, all 10,570 questions
    python bench/squad.py --embedder e5         # another embedder
    python bench/squad.py --every 4             # every 4th question, for a quicker comparison

Indexes the 2,067 paragraphs as documents (title = article title), asks every question and reports
passage top-1/5/20, answer-in-snippet@1 (SQuAD-normalised gold answer inside the shown snippet), mean
snippet length, index time, ask latency p50/p95 (warm) and peak memory. The baseline is bm25s over the
same paragraphs, answering with the best BM25-scored sentence of the best paragraph.
Writes bench/results/squad-<embedder>[-everyN].json (the figures) and ....scores.json (each question's
confidence and whether its snippet was right), and prints a Markdown table.
"""

import argparse
import json
import re
import resource
import statistics
import string
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

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


def normalize_answer(text: str) -> str:
    """SQuAD's official normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def contains_answer(snippet: str | None, answers: list[str]) -> bool:
    if not snippet:
        return False
    shown = normalize_answer(snippet.replace("…", " "))
    return any(normalize_answer(a) and normalize_answer(a) in shown for a in answers)


class Baseline:
    """bm25s over paragraphs; the answer is the best sentence of the best paragraph by sentence-level BM25."""

    def __init__(self, docs: list[dict]):
        self.docs = docs
        self.paragraphs = LexicalIndex.build(tokenize([d["text"] for d in docs]))
        self.sentences, self.owner = [], []
        for i, d in enumerate(docs):
            for a, b in split_sentences(d["text"]):
                self.sentences.append(d["text"][a:b])
                self.owner.append(i)
        self.owner = np.asarray(self.owner)
        self.sentence_index = LexicalIndex.build(tokenize(self.sentences))

    def ask(self, question: str) -> tuple[list[str], str | None]:
        tokens = tokenize([question])[0]
        scores = self.paragraphs.scores(tokens)
        ranked = [self.docs[i]["id"] for i in np.argsort(-scores)[:20]]
        best = int(np.argmax(scores))
        mine = np.flatnonzero(self.owner == best)
        sentence_scores = self.sentence_index.scores(tokens)[mine]
        return ranked, self.sentences[mine[int(np.argmax(sentence_scores))]]


def score_run(rows: list[dict]) -> dict:
    n = len(rows)
    snippets = [r["snippet"] for r in rows if r["snippet"]]
    out = {
        "questions": n,
        "top1": sum(r["gold"] in r["ranked"][:1] for r in rows) / n,
        "top5": sum(r["gold"] in r["ranked"][:5] for r in rows) / n,
        "top20": sum(r["gold"] in r["ranked"][:20] for r in rows) / n,
        "answer_in_snippet": sum(contains_answer(r["snippet"], r["answers"]) for r in rows) / n,
        "answered": len(snippets) / n,
        "mean_snippet_chars": statistics.mean(len(s) for s in snippets) if snippets else 0.0,
    }
    latencies = [r["ms"] for r in rows if "ms" in r]
    if latencies:
        out["ask_p50_ms"] = float(np.percentile(latencies, 50))
        out["ask_p95_ms"] = float(np.percentile(latencies, 95))
    return out


def parse_setting(text: str) -> tuple[str, object]:
    """'rerank=20' -> ('rerank', 20), typed like the AnswerSettings default (float where it is None)."""
    name, value = text.split("=", 1)
    default = getattr(AnswerSettings(), name)
    return name, float(value) if default is None else type(default)(value)


def run_engine(engine: Engine, questions: list[dict], settings: AnswerSettings) -> list[dict]:
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
        rows.append(
            {
                "gold": q["doc_id"],
                "answers": q["answers"],
                "ranked": ranked,
                "ms": ms,
                "snippet": result.answer.text if result.answer else None,
                "score": result.answer.score if result.answer else None,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--every", type=int, default=1, help="ask every Nth question (default: all)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override an AnswerSettings field"
    )
    args = parser.parse_args()

    docs, questions = load_squad(args.data)
    questions = questions[:: args.every]
    settings = replace(AnswerSettings(), **dict(parse_setting(s) for s in args.set))

    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(docs, Path(tmp) / "squad.jsonl")
        report = build_index([corpus], Path(tmp) / "index", embedder=args.embedder)
        print(f"indexed {report.passages} passages in {report.seconds:.1f} s", file=sys.stderr)

        started = time.perf_counter()
        baseline = Baseline(docs)
        baseline_index_s = time.perf_counter() - started
        base_rows = []
        for q in questions:
            t0 = time.perf_counter()
            ranked, snippet = baseline.ask(q["question"])
            base_rows.append(
                {
                    "gold": q["doc_id"],
                    "answers": q["answers"],
                    "ranked": ranked,
                    "snippet": snippet,
                    "ms": (time.perf_counter() - t0) * 1000,
                }
            )

        with Engine(Path(tmp) / "index") as engine:
            run_engine(engine, questions[:50], settings)  # warm-up
            rows = run_engine(engine, questions, settings)

    results = {
        "embedder": args.embedder,
        "settings": settings.__dict__,
        "alsoask": {
            **score_run(rows),
            "index_seconds": report.seconds,
            "passages": report.passages,
            "passages_per_second": report.passages_per_second,
        },
        "baseline": {**score_run(base_rows), "index_seconds": baseline_index_s},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    out = HERE / "results" / f"squad-{args.embedder}{f'-every{args.every}' if args.every > 1 else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    (out.with_suffix(".scores.json")).write_text(
        json.dumps([[r["score"], contains_answer(r["snippet"], r["answers"])] for r in rows])
    )
    print(markdown(results))


def markdown(results: dict) -> str:
    a, b = results["alsoask"], results["baseline"]
    lines = [
        f"| metric | alsoask ({results['embedder']}) | bm25s baseline |",
        "|---|---|---|",
        *(f"| passage top-{k} | {a[f'top{k}']:.3f} | {b[f'top{k}']:.3f} |" for k in (1, 5, 20)),
        f"| answer-in-snippet@1 | {a['answer_in_snippet']:.3f} | {b['answer_in_snippet']:.3f} |",
        f"| answered (not 'no answer') | {a['answered']:.3f} | {b['answered']:.3f} |",
        f"| mean snippet chars | {a['mean_snippet_chars']:.0f} | {b['mean_snippet_chars']:.0f} |",
        f"| index time (s) | {a['index_seconds']:.1f} ({a['passages_per_second']:.0f} passages/s) "
        f"| {b['index_seconds']:.1f} |",
        f"| ask p50 / p95 (ms, warm) | {a['ask_p50_ms']:.1f} / {a['ask_p95_ms']:.1f} "
        f"| {b['ask_p50_ms']:.1f} / {b['ask_p95_ms']:.1f} |",
        f"| peak RSS of the run (MB) | {results['peak_rss_mb']:.0f} | (same process) |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

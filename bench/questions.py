"""Question bank and related questions on SQuAD v1.1 dev (issue 3, benchmarks 1, 2 and 4).

    python bench/questions.py                                  # spaCy generator, all 2,067 paragraphs
    python bench/questions.py --generator llm --paragraphs 150 # the LLM generator on the first 150
    python bench/questions.py --related 0                      # skip the related-questions part

1. Generation. Every paragraph is indexed as a document (the default bank is built with it). The chosen
   generator then writes questions for the paragraphs' passages, timed (passages/s), and each question,
   as written, is checked:
   - well formed: `alsoask.generate.is_well_formed` (starts with a question word or auxiliary, ends
     with one "?", 3-18 words, balanced brackets and quotes, no pronoun, "this", "such", "the
     country"... that would need context);
   - round trip: `ask` on the full index answers it from its source passage;
   - human-question recall: the share of human questions (of those paragraphs) with a generated
     question from the same paragraph at cosine >= 0.8 (static-minilm, the engine's question space).
2. Related questions. For `--related` sampled human questions (seed 0), the four related questions
   shown: on-topic (same article), duplicate pairs among the five shown (asked + 4) at cosine >= 0.9,
   answerable (the stored answer cites a real span of its document; and, stricter, a fresh `ask` of the
   related question cites the same document), mean pairwise cosine among the four, and ask latency
   (with related) p50/p95 and expand p50, warm.

Writes bench/results/questions-<generator>[-N].json and prints a Markdown table.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from squad import DEFAULT_DATA, load_squad, write_corpus

from alsoask import Engine, build_index
from alsoask.embed import load_embedder
from alsoask.generate import QuestionGenerator, is_well_formed

HERE = Path(__file__).resolve().parent
RECALL_COSINE = 0.8
DUPLICATE_COSINE = 0.9


def make_generator(name: str):
    if name == "llm":
        from alsoask.llm_questions import LLMQuestionGenerator

        return LLMQuestionGenerator()
    return QuestionGenerator()


def generation(engine: Engine, docs: list[dict], questions: list[dict], generator_name: str) -> dict:
    store = engine.reader.store
    passages = store.passages(store.passage_ids([d["id"] for d in docs]))
    generator = make_generator(generator_name)
    if hasattr(generator, "warm_up"):
        generator.warm_up()
    started = time.perf_counter()
    written = list(generator.generate((p.title, [p.span_text(*s) for s in p.sentences]) for p in passages))
    seconds = time.perf_counter() - started
    rows = [(p, g.question) for p, found in zip(passages, written, strict=True) for g in found]
    well_formed = [is_well_formed(q) for _, q in rows]
    round_trip = [engine.answerer.respond(q).passage_id == p.id for p, q in rows]
    static = load_embedder("static-minilm")
    generated_by_doc: dict[str, list[str]] = {}
    for p, q in rows:
        generated_by_doc.setdefault(p.doc_id, []).append(q)
    wanted = {d["id"] for d in docs}
    humans = [q for q in questions if q["doc_id"] in wanted]
    recalled = []
    for doc_id in wanted:
        asked = [q["question"] for q in humans if q["doc_id"] == doc_id]
        mine = generated_by_doc.get(doc_id, [])
        if not asked:
            continue
        if not mine:
            recalled += [False] * len(asked)
            continue
        similarity = static.encode_queries(asked) @ static.encode_queries(mine).T
        recalled += list(similarity.max(axis=1) >= RECALL_COSINE)
    kept = [rt for rt, ok in zip(round_trip, well_formed, strict=True) if ok]
    return {
        "paragraphs": len(docs),
        "passages": len(passages),
        "generated": len(rows),
        "generation_seconds": seconds,
        "generation_passages_per_second": len(passages) / seconds,
        "well_formed": float(np.mean(well_formed)) if rows else 0.0,
        "round_trip": float(np.mean(round_trip)) if rows else 0.0,
        "round_trip_well_formed": float(np.mean(kept)) if kept else 0.0,
        "human_questions": len(humans),
        "human_recall": float(np.mean(recalled)) if recalled else 0.0,
        "examples": [q for _, q in rows[:: max(1, len(rows) // 25)]][:25],
    }


def related(engine: Engine, docs: list[dict], questions: list[dict], sample: int) -> dict:
    article = {d["id"]: d["article"] for d in docs}
    static = load_embedder("static-minilm")
    picked = random.Random(0).sample(questions, min(sample, len(questions)))
    for q in picked[:20]:  # warm-up
        engine.ask(q["question"])
    on_topic, duplicates, pairs, answerable, reasked, diversity, shown, latencies, expands = ([] for _ in range(9))
    for q in picked:
        started = time.perf_counter()
        result = engine.ask(q["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        shown.append(len(result.related))
        texts = [q["question"]] + [r.question for r in result.related]
        vectors = static.encode_queries(texts)
        for i, j in combinations(range(len(texts)), 2):
            duplicates.append(float(vectors[i] @ vectors[j]) >= DUPLICATE_COSINE)
        pairs += [float(vectors[i] @ vectors[j]) for i, j in combinations(range(1, len(texts)), 2)]
        if len(result.related) >= 2:
            diversity.append(
                float(np.mean([vectors[i] @ vectors[j] for i, j in combinations(range(1, len(texts)), 2)]))
            )
        for r in result.related:
            on_topic.append(article[r.answer.doc_id] == q["article"])
            document = engine.document(r.answer.doc_id)
            answerable.append(document is not None and 0 <= r.answer.start < r.answer.end <= len(document.text))
        if result.related:
            first = result.related[0]
            again = engine.ask(first.question).answer
            reasked.append(again is not None and again.doc_id == first.answer.doc_id)
            started = time.perf_counter()
            engine.expand(first.id, {r.id for r in result.related})
            expands.append((time.perf_counter() - started) * 1000)
    return {
        "asked": len(picked),
        "related_shown_mean": statistics.mean(shown),
        "share_with_four": float(np.mean([s == 4 for s in shown])),
        "on_topic": float(np.mean(on_topic)),
        "duplicate_pairs": int(np.sum(duplicates)),
        "duplicate_rate": float(np.mean(duplicates)),
        "answerable": float(np.mean(answerable)),
        "reask_same_document": float(np.mean(reasked)),
        "mean_pairwise_cosine": float(np.mean(diversity)),
        "ask_with_related_p50_ms": float(np.percentile(latencies, 50)),
        "ask_with_related_p95_ms": float(np.percentile(latencies, 95)),
        "expand_p50_ms": float(np.percentile(expands, 50)),
        "expand_p95_ms": float(np.percentile(expands, 95)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--generator", choices=["spacy", "llm"], default="spacy")
    parser.add_argument("--paragraphs", type=int, default=0, help="generate for the first N paragraphs only")
    parser.add_argument("--related", type=int, default=1000, help="human questions sampled for related (0: skip)")
    args = parser.parse_args()
    docs, questions = load_squad(args.data)
    results: dict = {"generator": args.generator}
    with tempfile.TemporaryDirectory() as tmp:
        stage_started: dict[str, float] = {}
        report = build_index(
            [write_corpus(docs, Path(tmp) / "squad.jsonl")],
            Path(tmp) / "index",
            on_progress=lambda stage, *_: stage_started.setdefault(stage, time.perf_counter()),
        )
        bank_seconds = time.perf_counter() - stage_started["generating questions"]
        results["index"] = {
            "passages": report.total_passages,
            "bank_questions": report.total_questions,
            "index_seconds": report.seconds,
            "bank_seconds": bank_seconds,
            "bank_passages_per_second": report.total_passages / bank_seconds,
        }
        with Engine(Path(tmp) / "index") as engine:
            subset = docs[: args.paragraphs] if args.paragraphs else docs
            results["generation"] = generation(engine, subset, questions, args.generator)
            if args.related:
                results["related"] = related(engine, docs, questions, args.related)
    name = f"questions-{args.generator}" + (f"-{args.paragraphs}" if args.paragraphs else "")
    out = HERE / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=float))
    print(json.dumps({k: v for k, v in results.items()}, indent=2, default=float))


if __name__ == "__main__":
    main()

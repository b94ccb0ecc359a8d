"""Indexing speed and warm `ask` cost on the Kosovo corpus (articles.jsonl + background.jsonl.gz).

    python bench/kosovo.py                    # index into a temporary folder, then measure ask
    python bench/kosovo.py --index DIR        # keep the index in DIR (rebuilt from scratch)
    python bench/kosovo.py --label NAME       # write bench/results/kosovo-NAME.json

Reports index time, passages/s, the time spent building the question bank, size on disk and peak
memory of the indexing process, and the longest time another writer waited for SQLite's write lock
during the build (a second process takes it every 0.2 s, as `alsoask questions add` would). Then
starts a fresh process that opens the index and asks QUESTIONS (5 rounds after a warm-up round;
every ask includes its four related questions) and reports ask latency p50/p95, the latency of
opening one related question (expand) and resident memory. Writes bench/results/kosovo.json.
"""

import argparse
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "kosovo"
QUESTIONS = [
    "Does Serbia recognize Kosovo?",
    "Who was Slobodan Milosevic?",
    "Who won the Kosovo war?",
    "What was Operation Allied Force?",
    "Is Kosovo a member of the United Nations?",
    "How did Serbia react to Kosovo's declaration of independence?",
    "When did Kosovo declare independence?",
    "Does Russia recognize Kosovo?",
    "What happened at the Battle of Kosovo in 1389?",
    "What is the capital of Kosovo?",
    "Which countries recognize Kosovo?",
    "What was the Rambouillet Agreement?",
    "How many people died in the Kosovo War?",
    "What is KFOR?",
    "Who is the president of Serbia?",
    "What did the International Court of Justice say about Kosovo?",
    "Why did NATO bomb Yugoslavia?",
    "What is the population of Russia?",
    "When did Yugoslavia break up?",
    "What is UNMIK?",
]


def ask_phase(index: Path) -> None:
    """Run in a fresh process: open the index, ask, print latency and memory as JSON."""
    from alsoask import Engine

    opened = time.perf_counter()
    with Engine(index) as engine:
        open_s = time.perf_counter() - opened
        for q in QUESTIONS:  # warm-up
            engine.ask(q)
        latencies, expand_latencies, related_counts = [], [], []
        for _ in range(5):
            for q in QUESTIONS:
                started = time.perf_counter()
                result = engine.ask(q)
                latencies.append((time.perf_counter() - started) * 1000)
                related_counts.append(len(result.related))
                shown = {r.id for r in result.related}
                for related in result.related[:1]:
                    started = time.perf_counter()
                    engine.expand(related.id, shown)
                    expand_latencies.append((time.perf_counter() - started) * 1000)
        rss_now = status_mb("VmRSS")
    print(
        json.dumps(
            {
                "open_seconds": open_s,
                "ask_p50_ms": float(np.percentile(latencies, 50)),
                "ask_p95_ms": float(np.percentile(latencies, 95)),
                "ask_mean_ms": statistics.mean(latencies),
                "related_shown_mean": statistics.mean(related_counts),
                "expand_p50_ms": float(np.percentile(expand_latencies, 50)),
                "expand_p95_ms": float(np.percentile(expand_latencies, 95)),
                "ask_rss_mb": rss_now,
                "ask_peak_rss_mb": status_mb("VmHWM"),  # not ru_maxrss: Linux carries it across exec
            }
        )
    )


def probe_writes(database: Path) -> None:
    """Run in a second process during the build: once the index database exists, take its write lock
    every 0.2 s and print how long each take waited, until killed."""
    while not database.exists():
        time.sleep(0.05)
    db = sqlite3.connect(database, timeout=3600, isolation_level=None)
    while True:
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("COMMIT")
        print(time.perf_counter() - started, flush=True)
        time.sleep(0.2)


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="index folder to (re)build and keep")
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--label", default="", help="a suffix for the result file: kosovo-LABEL.json")
    parser.add_argument("--ask-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--probe-writes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ask_only:
        ask_phase(args.index)
        return
    if args.probe_writes:
        probe_writes(args.index / "alsoask.sqlite")
        return

    from alsoask import build_index

    tmp = None
    if args.index is None:
        tmp = tempfile.mkdtemp(prefix="alsoask-kosovo-")
        args.index = Path(tmp) / "index"
    shutil.rmtree(args.index, ignore_errors=True)
    paths = [DATA / "articles.jsonl", DATA / "background.jsonl.gz"]
    stage_started: dict[str, float] = {}
    stage_last: dict[str, float] = {}

    def note_stage(stage: str, *_) -> None:
        stage_started.setdefault(stage, time.perf_counter())
        stage_last[stage] = time.perf_counter()

    with tempfile.TemporaryFile("w+") as probed:  # a file, not a pipe: a full pipe would stop the probe
        probe = subprocess.Popen(
            [sys.executable, __file__, "--probe-writes", "--index", str(args.index)], stdout=probed
        )
        report = build_index(paths, args.index, embedder=args.embedder, on_progress=note_stage)
        finished = time.perf_counter()
        probe.terminate()
        probe.wait()
        probed.seek(0)
        waits = [float(line) for line in probed.read().split()]
    bank_seconds = finished - stage_started.get("generating questions", finished)
    size = sum(p.stat().st_size for p in args.index.rglob("*") if p.is_file())
    indexing = {
        "documents": report.total_documents,
        "passages": report.total_passages,
        "index_seconds": report.seconds,
        "passages_per_second": report.passages_per_second,
        "bank_questions": report.total_questions,
        "bank_seconds": bank_seconds,  # generation, round-trip answers and dedup (to the end of the run)
        "bank_passages_per_second": report.total_passages / bank_seconds if bank_seconds else 0.0,
        # of which the round trips: from the last passage parsed to the commit
        "answering_seconds": stage_started.get("committing", finished)
        - stage_last.get("generating questions", finished),
        "size_on_disk_mb": size / 2**20,
        "indexing_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "commit_seconds": finished
        - stage_started.get("committing", finished),  # the run's one write transaction, and its merge
        "writer_probes": len(waits),
        "longest_writer_wait_seconds": max(waits, default=float("nan")),
    }
    print(json.dumps(indexing), file=sys.stderr)
    run = subprocess.run(
        [sys.executable, __file__, "--ask-only", "--index", str(args.index)], capture_output=True, text=True, check=True
    )
    results = {"embedder": args.embedder, **indexing, **json.loads(run.stdout)}
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    out = HERE / "results" / f"kosovo{'-' + args.label if args.label else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Cost against corpus size: index time, memory, disk, a small update, ask latency, serve workers.

    python bench/scale.py --sizes 50000 200000              # search-index builds (generator none)
    python bench/scale.py --sizes 50000 --bank-sample 5000  # and the bank's cost on 5,000 passages

Builds corpora of about N passages from the Kosovo corpus and the demo summaries: every document takes
real sentences of one source page, in a random order and with one sentence of another page, so no two
documents are equal (checked). For each size, in fresh processes:
- builds the index with `--generator none` (split, embed, store, BM25 term counts; no bank): seconds,
  seconds per stage, passages/s, the build's peak RSS, the folder's size;
- adds the 20 documents of `bench/soak.py` with the default generator (bank questions for them):
  seconds of the command and inside `index_documents`;
- asks the Kosovo questions of `bench/kosovo.py` (3 rounds after a warm-up): p50/p99 and RSS;
- starts `alsoask serve` with 1, then 2 workers, asks 40 questions through each, and sums the
  proportional (PSS) and private memory of all the server's processes.
The bank is measured apart (`--bank-sample`): building it costs the same per passage at any corpus
size except for its answering step, so it is timed on a sample with 1 and 2 jobs.
Writes bench/results/scale.json (a size measured again replaces its entry; the others stay) and
bench/results/scale.png.
"""

import argparse
import gzip
import hashlib
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from kosovo import QUESTIONS, status_mb
from load import children, free_port, memory_mb, start_server
from soak import writer_documents

HERE = Path(__file__).resolve().parent
KOSOVO = HERE.parent.parent / "shared" / "data" / "kosovo"
ALSOASK = [sys.executable, "-m", "alsoask"]


def source_pages() -> list[tuple[str, list[str]]]:
    """(title, sentences) of every Kosovo page and demo summary."""
    from alsoask.demo import demo_documents
    from alsoask.split import split_sentences

    pages = []
    lines = (KOSOVO / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    with gzip.open(KOSOVO / "background.jsonl.gz", "rt", encoding="utf-8") as background:
        lines += background.read().splitlines()
    docs = [(d["title"], d["text"]) for d in map(json.loads, lines)]
    docs += [(d.title, d.text) for d in demo_documents()]
    for title, text in docs:
        sentences = [text[a:b] for a, b in split_sentences(text)]
        if len(sentences) >= 3:
            pages.append((title, sentences))
    return pages


def write_corpus(path: Path, passages: int, seed: int = 0) -> int:
    """About `passages` passages of recombined real sentences; returns the document count."""
    from alsoask.split import split_passages

    rng = random.Random(seed)
    pages = source_pages()
    seen: set[str] = set()
    made = count = 0
    with path.open("w", encoding="utf-8") as out:
        while made < passages:
            title, sentences = rng.choice(pages)
            picked = rng.sample(sentences, min(len(sentences), rng.randint(6, 40)))
            picked.insert(rng.randrange(len(picked) + 1), rng.choice(rng.choice(pages)[1]))
            paragraphs = [" ".join(picked[i : i + 6]) for i in range(0, len(picked), 6)]
            text = "\n\n".join(paragraphs)
            digest = hashlib.sha1(text.encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            out.write(json.dumps({"id": f"doc-{count}", "title": title, "text": text}) + "\n")
            made += len(split_passages(text))
            count += 1
    return count


def build_phase(corpus: Path, index: Path, generator: str, jobs: int) -> None:
    """Run in a fresh process: build, print seconds, stages, passages and peak RSS as JSON."""
    from alsoask import build_index

    stage_started: dict[str, float] = {}

    def note_stage(stage: str, *_: object) -> None:
        stage_started.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    report = build_index([corpus], index, generator=generator, jobs=jobs, on_progress=note_stage)
    ended = time.perf_counter()
    marks = sorted([*stage_started.items(), ("end", ended)], key=lambda kv: kv[1])
    stages = {name: later - at for (name, at), (_, later) in itertools.pairwise(marks)}
    stages = {"reading": marks[0][1] - started, **stages}
    print(
        json.dumps(
            {
                "seconds": report.seconds,
                "stages": stages,
                "passages": report.total_passages,
                "bank_questions": report.total_questions,
                "passages_per_second": report.total_passages / report.seconds,
                "peak_rss_mb": status_mb("VmHWM"),
            }
        )
    )


def ask_phase(index: Path) -> None:
    """Run in a fresh process: open the index, ask, print p50/p99 and RSS as JSON."""
    from alsoask import Engine

    with Engine(index) as engine:
        for q in QUESTIONS:
            engine.ask(q)
        latencies = []
        for _ in range(3):
            for q in QUESTIONS:
                started = time.perf_counter()
                engine.ask(q)
                latencies.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "ask_p50_ms": float(np.percentile(latencies, 50)),
                "ask_p99_ms": float(np.percentile(latencies, 99)),
                "ask_rss_mb": status_mb("VmRSS"),
            }
        )
    )


def serve_memory(index: Path, workers: int, log: Path) -> dict[str, float]:
    """Memory of `alsoask serve --workers N` after 40 asks, summed over its processes."""
    port = free_port()
    server = start_server(str(index), port, workers, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for q in QUESTIONS * 2:
                http.get("/api/ask", params={"q": q}).raise_for_status()
        pids = [server.pid, *children(server.pid)]
        per_process = [memory_mb(pid) for pid in pids]
    finally:
        server.terminate()
        server.wait(30)
    return {key: sum(p[key] for p in per_process) for key in ("rss", "pss", "private")} | {"processes": len(pids)}


def run_json(command: list[str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_size(passages: int, work: Path) -> dict:
    corpus, index = work / f"corpus-{passages}.jsonl", work / f"index-{passages}"
    documents = write_corpus(corpus, passages)
    me = [sys.executable, __file__]
    build = run_json([*me, "--build-only", str(corpus), str(index), "none", "1"])
    disk = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    update = writer_documents(work)
    started = time.perf_counter()
    done = subprocess.run([*ALSOASK, "index", str(update), "--index", str(index)], capture_output=True, text=True)
    add_seconds = time.perf_counter() - started
    inside = re.search(r"passages\) in ([0-9.]+) s", done.stderr)
    ask = run_json([*me, "--ask-only", str(index)])
    serve = {f"workers_{n}": serve_memory(index, n, work / f"serve-{n}.log") for n in (1, 2)}
    result = {
        "target_passages": passages,
        "documents": documents,
        "build": build,
        "disk_mb": disk / 2**20,
        "corpus_mb": corpus.stat().st_size / 2**20,
        "add_20_seconds": add_seconds,
        "add_20_inside_seconds": float(inside.group(1)) if inside else None,
        **ask,
        "serve": serve,
        "added_worker_pss_mb": serve["workers_2"]["pss"] - serve["workers_1"]["pss"],
        "added_worker_private_mb": serve["workers_2"]["private"] - serve["workers_1"]["private"],
    }
    print(json.dumps(result), file=sys.stderr)
    shutil.rmtree(index, ignore_errors=True)
    corpus.unlink()
    return result


def measure_bank(passages: int, work: Path) -> dict:
    corpus = work / "bank.jsonl"
    write_corpus(corpus, passages, seed=1)
    runs = {}
    for jobs in (1, 2):
        index = work / f"bank-{jobs}"
        command = [sys.executable, __file__, "--build-only", str(corpus), str(index), "spacy", str(jobs)]
        runs[f"jobs_{jobs}"] = run_json(command)
        shutil.rmtree(index, ignore_errors=True)
    return runs


def plot(results: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["build"]["passages"] for r in results]
    panels = [
        ("index seconds (no bank)", [r["build"]["seconds"] for r in results]),
        ("build peak RSS, MB", [r["build"]["peak_rss_mb"] for r in results]),
        ("disk, MB", [r["disk_mb"] for r in results]),
        ("ask p50 / p99, ms", [r["ask_p50_ms"] for r in results]),
        ("add 20 documents, s", [r["add_20_seconds"] for r in results]),
        ("added serve worker PSS, MB", [r["added_worker_pss_mb"] for r in results]),
    ]
    figure, axes = plt.subplots(2, 3, figsize=(13, 7))
    for axis, (title, values) in zip(axes.flat, panels, strict=True):
        axis.plot(sizes, values, "o-")
        if title.startswith("ask"):
            axis.plot(sizes, [r["ask_p99_ms"] for r in results], "s--", label="p99")
            axis.legend()
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(title)
        axis.set_xlabel("passages")
        axis.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[50_000, 200_000])
    parser.add_argument("--bank-sample", type=int, default=0, help="passages of the bank timing (0: skip)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--build-only", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--ask-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        corpus, index, generator, jobs = args.build_only
        build_phase(Path(corpus), Path(index), generator, int(jobs))
        return
    if args.ask_only:
        ask_phase(args.ask_only)
        return

    work = Path(args.work or tempfile.mkdtemp(prefix="alsoask-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    out = HERE / "results" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    results = json.loads(out.read_text()) if out.exists() else {"sizes": []}  # sizes measured earlier stay
    for n in args.sizes:
        measured = measure_size(n, work)
        kept = [r for r in results["sizes"] if r["target_passages"] != n]
        results["sizes"] = sorted([*kept, measured], key=lambda r: r["target_passages"])
        out.write_text(json.dumps(results, indent=2))
    if args.bank_sample:
        results["bank"] = {"passages": args.bank_sample, **measure_bank(args.bank_sample, work)}
        out.write_text(json.dumps(results, indent=2))
    if results["sizes"]:
        plot(results["sizes"], HERE / "results" / "scale.png")
    print(json.dumps(results, indent=2))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

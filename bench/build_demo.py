"""Build the demo index and time each stage: the cost figure of the "demo index build time" target.

    python bench/build_demo.py DIR             # builds DIR from the demo corpus (DIR must not exist)
    python bench/build_demo.py DIR --label X   # bench/results/build-demo-X.json

Prints and writes the wall time of each progress stage (reading, splitting and embedding, search
index, generating questions, answering questions), the bank's size and its questions by form.
"""

import argparse
import json
import sqlite3
import time
from collections import Counter
from pathlib import Path

from alsoask.demo import demo_documents
from alsoask.index import index_documents

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    if args.folder.exists():
        parser.error(f"{args.folder} exists; give a new folder")
    stages: dict[str, float] = {}
    last = [time.perf_counter(), None]

    def progress(stage, done, total, *_):
        now = time.perf_counter()
        if last[1] is not None:
            stages[last[1]] = stages.get(last[1], 0.0) + now - last[0]
        last[0], last[1] = now, stage

    started = time.perf_counter()
    report = index_documents(demo_documents(), args.folder, on_progress=progress)
    total = time.perf_counter() - started
    progress("done", 0, 0)
    with sqlite3.connect(args.folder / "alsoask.sqlite") as db:
        kinds = Counter(dict(db.execute("SELECT kind, count(*) FROM questions GROUP BY kind").fetchall()))
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    result = {
        "command": f"python bench/build_demo.py DIR{' --label ' + args.label if args.label else ''}",
        "documents": report.added + report.replaced,
        "passages": passages,
        "seconds": round(total, 1),
        "stages_seconds": {k: round(v, 1) for k, v in stages.items()},
        "questions": sum(kinds.values()),
        "questions_by_kind": dict(kinds.most_common()),
    }
    print(json.dumps(result, indent=1))
    RESULTS.mkdir(exist_ok=True)
    name = f"build-demo{'-' + args.label if args.label else ''}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()

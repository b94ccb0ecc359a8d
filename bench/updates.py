"""Small updates to a large index: adding and removing 20 documents, a merge, and a reader's reload.

    python bench/kosovo.py --index DIR        # once: the Kosovo corpus index
    python bench/updates.py --index DIR       # works on a copy of DIR

On a copy of the index it runs `--rounds` rounds of: add the 20 documents of `bench/soak.py` with
`alsoask index` (a subprocess, as a user runs it), with the default generator (bank questions for
them) and with `--generator none`, each followed by removing them with `alsoask remove`. It reports
the wall time of each command and, from `alsoask index`'s own report, the time inside
`index_documents` (without starting Python and loading models). Then, in one process: the time an
open `Engine` takes to switch to a new commit (the first `ask` after an add, minus a steady `ask`),
and the time of `alsoask optimize`. Writes bench/results/updates[-LABEL].json.
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from soak import writer_documents

HERE = Path(__file__).resolve().parent
ALSOASK = [sys.executable, "-m", "alsoask"]
QUESTION = "When did Kosovo declare independence?"


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stderr


def segments(index: Path) -> int:
    return len(list(index.glob("seg-*")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="", help="a suffix for the result file: updates-LABEL.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="alsoask-updates-") as tmp:
        index = Path(tmp) / "index"
        shutil.copytree(args.index, index)
        documents = writer_documents(Path(tmp))
        ids = [json.loads(line)["id"] for line in documents.read_text().splitlines()]
        adds: dict[str, list[float]] = {"spacy": [], "none": []}
        add_inside: dict[str, list[float]] = {"spacy": [], "none": []}
        removes, segment_counts = [], []
        for _ in range(args.rounds):
            for generator in adds:
                command = [*ALSOASK, "index", str(documents), "--index", str(index), "--generator", generator]
                seconds, report = timed(command)
                adds[generator].append(seconds)
                add_inside[generator].append(float(re.search(r"passages\) in ([0-9.]+) s", report).group(1)))  # type: ignore[union-attr]
                segment_counts.append(segments(index))
                seconds, _ = timed([*ALSOASK, "remove", *ids, "--index", str(index)])
                removes.append(seconds)

        from alsoask import Engine, build_index

        with Engine(index) as engine:
            steady = []
            for _ in range(5):
                started = time.perf_counter()
                engine.ask(QUESTION)
                steady.append(time.perf_counter() - started)
            build_index([documents], index, generator="none")
            started = time.perf_counter()
            engine.ask(QUESTION)
            first_after_commit = time.perf_counter() - started
        before_optimize = segments(index)
        optimize_seconds, _ = timed([*ALSOASK, "optimize", "--index", str(index)])

    results = {
        "index": str(args.index),
        "rounds": args.rounds,
        "add_20_seconds_median": {g: statistics.median(v) for g, v in adds.items()},
        "add_20_inside_index_documents_seconds_median": {g: statistics.median(v) for g, v in add_inside.items()},
        "remove_20_seconds_median": statistics.median(removes),
        "segments_after_each_add": segment_counts,
        "steady_ask_ms_median": statistics.median(steady) * 1000,
        "first_ask_after_a_commit_ms": first_after_commit * 1000,
        "segments_before_optimize": before_optimize,
        "optimize_seconds": optimize_seconds,
        "add_20_seconds": adds,
        "remove_20_seconds": removes,
    }
    out = HERE / "results" / f"updates{'-' + args.label if args.label else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

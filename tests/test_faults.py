"""Faults during indexing: a run killed with SIGKILL at any point leaves the previous index whole.

An index run is one SQLite transaction with the generation number committed last, so a killed run
leaves nothing of itself, and running the command again redoes all of its work."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from alsoask import Engine, build_index

from .conftest import CORE, segments_of_index, write

BASE = [
    {"id": "pristina", "title": "Pristina", "text": "Pristina is the capital and largest city of Kosovo."},
    {"id": "mitrovica", "title": "Mitrovica", "text": "Mitrovica is a city in northern Kosovo on the Ibar river."},
]
CORE_IDS = {json.loads(line)["id"] for line in CORE.read_text(encoding="utf-8").splitlines()}


def check_whole(folder) -> int:
    """The index opens, answers, and holds either the old documents or the old and all the new: never a
    part. Every part agrees: BM25 and vector rows are the stored passages, the bank has no duplicate."""
    with Engine(folder) as engine:
        store = engine.reader.store
        ids = {r[0] for r in store.db.execute("SELECT id FROM documents")}
        assert ids in ({d["id"] for d in BASE}, {d["id"] for d in BASE} | CORE_IDS)
        assert len(engine.reader.rows) == store.count("passages") == engine.reader.vectors.shape[0]
        assert set(engine.reader.question_ids.tolist()) == {q.id for q in store.all_questions()}
        texts = [q.text for q in store.all_questions()]
        assert len(texts) == len(set(texts))
        assert engine.ask("What is the capital of Kosovo?").answer.doc_id in ids
        return len(ids)


def test_a_killed_index_run_leaves_the_old_index_and_a_rerun_finishes(tmp_path):
    folder = tmp_path / "index"
    build_index([write(tmp_path / "base.jsonl", "\n".join(json.dumps(d) for d in BASE))], folder, generator="none")
    command = [sys.executable, "-m", "alsoask", "index", str(CORE), "--index"]
    reference = tmp_path / "reference"  # the same run left whole, to time its stages on this machine
    shutil.copytree(folder, reference)
    started = time.monotonic()
    subprocess.run([*command, str(reference)], check=True, capture_output=True)
    took = time.monotonic() - started
    seed = int(os.environ.get("ALSOASK_KILL_SEED", time.time()))
    # reading and embedding, generating and answering bank questions, the commit: at shares of the whole
    # run (not fixed seconds: a faster machine or parse once finished a run before its last kill)
    points = [took * share for share in (0.05, 0.3, 0.55, 0.8, random.Random(seed).uniform(0.02, 0.8))]
    command.append(str(folder))
    for delay in points:
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        assert run.wait() == -signal.SIGKILL, f"the run ended before {delay:.1f} s (seed {seed})"
        assert check_whole(folder) == len(BASE), f"killed at {delay:.1f} s (seed {seed})"
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert check_whole(folder) == len(BASE) + len(CORE_IDS), f"seed {seed}"
    assert sorted(p.name for p in folder.glob("seg-*")) == segments_of_index(folder)  # no partial or stale one
    assert not list(folder.glob(".stage-*"))  # the killed runs' stages went with the next run

"""Updates while an engine is open: `alsoask remove` and `alsoask index` from another process."""

import fcntl
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from alsoask import Engine, build_index
from alsoask import index as alsoask_index
from alsoask.errors import AlsoaskError, NotFoundError
from alsoask.index import add_questions, remove_documents

from .conftest import CORE, alsoask, segments_of_index, write

REMOVED = "Serbia"


@pytest.fixture
def index_copy(core_index, tmp_path):
    """A private copy of the core index, free to change."""
    folder = tmp_path / "index"
    shutil.copytree(core_index, folder)
    return folder


def cited_docs(engine: Engine, question: str) -> set[str]:
    result = engine.ask(question)
    return {r.answer.doc_id for r in result.related} | ({result.answer.doc_id} if result.answer else set())


def test_remove_takes_every_part_of_a_document_with_it(index_copy):
    with Engine(index_copy) as engine:
        assert REMOVED in cited_docs(engine, "What is the capital of Serbia?")
        bank_before = engine.reader.store.count("questions")
    run = alsoask("remove", REMOVED, "--index", index_copy)
    assert run.returncode == 0, run.stderr
    assert "now holds 32" in run.stderr
    with Engine(index_copy) as engine:
        store = engine.reader.store
        assert engine.health().documents == 32
        assert not store.db.execute("SELECT 1 FROM passages WHERE doc_id = ?", (REMOVED,)).fetchone()
        assert all(q.answer.doc_id != REMOVED for q in store.all_questions())
        assert 0 < store.count("questions") < bank_before
        assert len(engine.reader.rows) == store.count("passages") == engine.reader.vectors.shape[0]
        assert set(engine.reader.question_ids.tolist()) == {q.id for q in store.all_questions()}
        for question in ["What is the capital of Serbia?", "Does Serbia recognize Kosovo?", "Who was Tito?"]:
            assert REMOVED not in cited_docs(engine, question)
            tree = engine.tree(question, depth=2)
            assert all(n.answer.doc_id != REMOVED for n in tree.nodes)
        with pytest.raises(NotFoundError):
            engine.document(REMOVED)


def test_removing_an_unknown_id_removes_nothing(index_copy):
    with pytest.raises(NotFoundError, match="'no-such-doc'"):
        remove_documents([REMOVED, "no-such-doc"], index_copy)
    with Engine(index_copy) as engine:
        assert engine.health().documents == 33
    with pytest.raises(AlsoaskError, match="empty"):
        remove_documents([json.loads(line)["id"] for line in CORE.read_text().splitlines()], index_copy)


def test_an_open_engine_follows_updates_from_another_process(index_copy, tmp_path):
    new = write(
        tmp_path / "new.jsonl",
        json.dumps({"id": "zorblax", "title": "Zorblax", "text": "Zorblax is a green mineral mined near Prizren."}),
    )
    with Engine(index_copy) as engine:
        assert "zorblax" not in cited_docs(engine, "What is Zorblax?")
        added = alsoask("index", new, "--index", index_copy, "--generator", "none")
        assert added.returncode == 0, added.stderr
        answer = engine.ask("What is Zorblax?").answer  # no restart
        assert answer and answer.doc_id == "zorblax"
        removed = alsoask("remove", "zorblax", "--index", index_copy)
        assert removed.returncode == 0, removed.stderr
        assert "zorblax" not in cited_docs(engine, "What is Zorblax?")
        assert engine.health().documents == 33


def test_build_index_then_remove_from_python(tmp_path):
    docs = [{"id": f"d{i}", "title": f"Doc {i}", "text": f"Item {i} is stored in room {i}."} for i in range(3)]
    corpus = write(tmp_path / "c.jsonl", "\n".join(json.dumps(d) for d in docs))
    build_index([corpus], tmp_path / "i", generator="none")
    assert remove_documents(["d1"], tmp_path / "i") == 2


def test_other_writers_do_not_wait_for_an_index_run_and_its_commit_keeps_their_changes(tmp_path, monkeypatch):
    """A large index run is prepared in a private copy and applied in one short transaction, so
    `questions add` and `remove` go through while it runs (they used to fail on a locked database after
    5 s), and its commit keeps what they did: the removed page stays removed, the imported questions are
    answered against the new pages too, and every bank question's vector in the segments is its own."""
    monkeypatch.setattr("alsoask.index.IN_PLACE_CHARACTERS", 0)  # these three pages are a small run
    base = [
        {"id": "pristina", "title": "Pristina", "text": "Pristina is the capital and largest city of Kosovo."},
        {"id": "mitrovica", "title": "Mitrovica", "text": "Mitrovica is a city in northern Kosovo on the Ibar river."},
    ]
    folder = tmp_path / "index"
    build_index([write(tmp_path / "base.jsonl", "\n".join(json.dumps(d) for d in base))], folder, generator="none")
    summaries = [
        line
        for line in CORE.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["id"] in ("summary:Montenegro", "summary:Serbia", "summary:Vladimir Putin")
    ]
    imported = write(tmp_path / "questions.txt", "What is the capital of Montenegro?\nWhat is the capital of Kosovo?\n")
    during: list[str] = []

    def other_writers(stage: str, done: int, total: int | None, passages: int) -> None:
        if stage == "generating questions" and not during:
            during.append("started")
            add_questions(imported, folder)  # a locked database would raise IndexFolderError here
            assert remove_documents(["mitrovica"], folder) == 1
            with Engine(folder) as engine:  # both committed, the run's documents not yet
                assert engine.health().documents == 1

    report = build_index([write(tmp_path / "new.jsonl", "\n".join(summaries))], folder, on_progress=other_writers)
    assert during and report.added == 3 and report.questions > 0
    with Engine(folder) as engine:
        store = engine.reader.store
        assert {r[0] for r in store.db.execute("SELECT id FROM documents")} == {
            "pristina",
            "summary:Montenegro",
            "summary:Serbia",
            "summary:Vladimir Putin",
        }
        answered = {q.text: q.answer.doc_id for q in store.imported_questions()}
        assert answered == {
            "What is the capital of Montenegro?": "summary:Montenegro",
            "What is the capital of Kosovo?": "pristina",
        }
        bank = {q.id: q for q in store.all_questions()}
        assert any(q.source == "generated" for q in bank.values())
        texts = [q.text for q in bank.values()]
        assert len(texts) == len(set(texts))
        assert sorted(engine.reader.question_ids.tolist()) == sorted(bank)
        for row, question_id in enumerate(engine.reader.question_ids.tolist()):
            assert np.allclose(engine.reader.question_vectors[row], bank[question_id].vector)
        assert len(engine.reader.rows) == store.count("passages") == engine.reader.vectors.shape[0]
        assert engine.ask("What is the capital of Montenegro?").answer.doc_id == "summary:Montenegro"
    assert not list(folder.glob(".stage-*")) and not list(folder.glob("seg-*.partial"))
    assert sorted(p.name for p in folder.glob("seg-*")) == segments_of_index(folder)


def test_index_runs_on_one_folder_take_turns(tmp_path):
    """A second index run waits for the first (it would take passage ids the first one is about to
    commit), says so, and then adds its own documents to the first one's."""
    folder = tmp_path / "index"
    command = [sys.executable, "-m", "alsoask", "index", str(CORE), "--index", str(folder), "--generator", "none"]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while not list(folder.glob(".stage-*")):  # the first run holds the turn while it prepares its stage
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        time.sleep(0.05)
    stages: list[str] = []
    new = write(
        tmp_path / "new.jsonl",
        json.dumps({"id": "zorblax", "title": "Zorblax", "text": "Zorblax is a green mineral mined near Prizren."}),
    )
    build_index([new], folder, generator="none", on_progress=lambda stage, *_: stages.append(stage))
    assert first.wait() == 0
    assert stages[0] == "waiting for another index run"
    with Engine(folder) as engine:
        assert engine.health().documents == 34
        assert engine.ask("What is Zorblax?").answer.doc_id == "zorblax"


def staged_run_adding_prizren(folder, tmp_path, on_progress, generator="none"):
    """A staged run (any size is staged when the in-place limit is 0) adding one page."""
    page = {"id": "prizren", "title": "Prizren", "text": "Prizren is a city in southern Kosovo."}
    return build_index(
        [write(tmp_path / "prizren.jsonl", json.dumps(page))], folder, generator=generator, on_progress=on_progress
    )


def test_the_commit_of_a_prepared_run_waits_for_a_busy_writer(tmp_path, monkeypatch):
    """Giving up at SQLite's default 5 s would throw away a whole prepared run."""
    monkeypatch.setattr("alsoask.index.IN_PLACE_CHARACTERS", 0)
    folder = tmp_path / "index"
    page = {"id": "pristina", "title": "Pristina", "text": "Pristina is the capital of Kosovo."}
    build_index([write(tmp_path / "base.jsonl", json.dumps(page))], folder, generator="none")
    held: list[float] = []

    def hold_the_lock(stage: str, *_) -> None:
        if stage == "committing":
            other = sqlite3.connect(folder / "alsoask.sqlite", isolation_level=None, check_same_thread=False)
            other.execute("BEGIN IMMEDIATE")
            held.append(time.perf_counter())
            threading.Timer(6.0, lambda: (other.execute("COMMIT"), other.close())).start()

    staged_run_adding_prizren(folder, tmp_path, hold_the_lock)
    assert held and time.perf_counter() - held[0] >= 6.0  # it did wait for the other writer
    with Engine(folder) as engine:
        assert engine.health().documents == 2


def test_a_merge_alone_during_a_run_answers_no_question_again(tmp_path, monkeypatch):
    """A merge changes no answer, so the commit stays short: the imported questions are not answered
    again inside it (they are when another writer changed documents or imports: the test of other
    writers above)."""
    monkeypatch.setattr("alsoask.index.IN_PLACE_CHARACTERS", 0)
    folder = tmp_path / "index"
    base = [
        {"id": "pristina", "title": "Pristina", "text": "Pristina is the capital and largest city of Kosovo."},
        {"id": "mitrovica", "title": "Mitrovica", "text": "Mitrovica is a city in northern Kosovo."},
        {"id": "peja", "title": "Peja", "text": "Peja is a city in western Kosovo."},
    ]
    build_index([write(tmp_path / "base.jsonl", "\n".join(json.dumps(d) for d in base))], folder, generator="none")
    add_questions(write(tmp_path / "q.txt", "What is the capital of Kosovo?\n"), folder)  # a small second segment
    assert len(segments_of_index(folder)) == 2
    commits = []
    real_commit = alsoask_index._commit_segment
    monkeypatch.setattr(alsoask_index, "_commit_segment", lambda *a: commits.append(a[2]) or real_commit(*a))
    merged = []

    def merge(stage: str, *_) -> None:
        if stage == "generating questions" and not merged:
            merged.append(alsoask_index.merge_segments(folder, everything=True))
            assert len(segments_of_index(folder)) == 1  # the merge committed

    staged_run_adding_prizren(folder, tmp_path, merge)
    assert merged and [out.name.startswith(".stage-") for out in commits] == [True]
    with Engine(folder) as engine:
        assert [q.text for q in engine.reader.store.imported_questions()] == ["What is the capital of Kosovo?"]
        assert sorted(engine.reader.question_ids.tolist()) == [q.id for q in engine.reader.store.all_questions()]


def test_any_writer_removes_the_copy_a_killed_run_left_unless_a_run_holds_it(index_copy):
    """A killed staged run leaves a copy of the store behind (335 MB for Kosovo); the next change of any
    kind removes it, but never the stage of a run that is preparing one now (it holds the run lock)."""
    left = index_copy / ".stage-killedrun01"
    left.mkdir()
    write(left / "alsoask.sqlite", b"a copy of the store")
    with open(index_copy / ".index-run.lock", "a") as lock:  # a run preparing its stage holds this
        fcntl.flock(lock, fcntl.LOCK_EX)
        remove_documents(["Pristina_railway_station"], index_copy)
        assert left.exists()
    add_questions(write(index_copy.parent / "q.txt", "What is the capital of Kosovo?\n"), index_copy)
    assert not left.exists()

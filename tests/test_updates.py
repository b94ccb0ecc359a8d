"""Updates while an engine is open: `alsoask remove` and `alsoask index` from another process."""

import json
import shutil

import pytest

from alsoask import Engine, build_index
from alsoask.errors import AlsoaskError, NotFoundError
from alsoask.index import remove_documents

from .conftest import CORE, alsoask, write

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

"""Bulk indexing on a local Ray runtime equals a local build: same passages, bank and answers."""

import json
import sqlite3

import pytest

from alsoask import Engine, build_index
from alsoask.errors import AlsoaskError

from .conftest import CORE, alsoask, write

pytestmark = pytest.mark.ray

QUESTIONS = ["When did Kosovo declare independence?", "Does Russia recognize Kosovo?", "Who was Slobodan Milošević?"]


def contents(folder) -> tuple[list, list]:
    """Every passage (document, span, vector) and every bank question (text, passage span, answer)."""
    db = sqlite3.connect(folder / "alsoask.sqlite")
    passages = db.execute("SELECT doc_id, start, end, sentences, tokens, vector FROM passages ORDER BY id").fetchall()
    questions = db.execute(
        "SELECT q.text, q.kind, p.doc_id, p.start, q.answer, q.span_start, q.span_end, q.vector "
        "FROM questions q JOIN passages p ON p.id = q.passage_id ORDER BY q.id"
    ).fetchall()
    db.close()
    return passages, questions


def test_a_ray_build_equals_a_local_build(tmp_path):
    docs = [json.loads(line) for line in CORE.read_text(encoding="utf-8").splitlines()][:12]
    corpus = write(tmp_path / "docs.jsonl", "".join(json.dumps(d) + "\n" for d in docs))
    build_index([corpus], tmp_path / "local", jobs=1)
    done = alsoask("index", corpus, "--index", tmp_path / "ray", "--ray", "local")
    assert done.returncode == 0, done.stderr
    local_passages, local_bank = contents(tmp_path / "local")
    ray_passages, ray_bank = contents(tmp_path / "ray")
    assert len(local_passages) > 100 and len(local_bank) > 50
    assert ray_passages == local_passages
    assert ray_bank == local_bank
    with Engine(tmp_path / "local") as local, Engine(tmp_path / "ray") as ray:
        for question in QUESTIONS:
            assert ray.ask(question).model_dump(exclude={"took_ms"}) == local.ask(question).model_dump(
                exclude={"took_ms"}
            )


def test_an_unreachable_cluster_is_a_clear_error_and_writes_nothing(tmp_path):
    corpus = write(tmp_path / "docs.jsonl", json.dumps({"id": "a", "text": "Kosovo is in the Balkans."}) + "\n")
    with pytest.raises(AlsoaskError, match="cannot connect to the Ray cluster"):
        build_index([corpus], tmp_path / "index", ray="ray://127.0.0.1:1")
    assert not (tmp_path / "index").exists()

"""The store's named queries, and id lists longer than SQLite allows in one statement."""

import sqlite3
from pathlib import Path

import pytest

from alsoask import build_index
from alsoask.index import add_questions
from alsoask.store import Store

from .conftest import write

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "helpdesk"
MANY = 100_000


@pytest.fixture
def store(core_index):
    """The core index's store, its variable limit lowered to 999: SQLite builds differ (Debian's allows
    250,000 '?' a statement, the default build 32,766, builds before 3.32 only 999), and a query must
    work on the strictest."""
    store = Store.open(core_index)
    store.db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield store
    store.close()


def test_a_hundred_thousand_question_ids_are_looked_up(store):
    bank = store.all_questions()
    assert 0 < len(bank) < MANY
    assert [q.id for q in store.questions_by_id(list(range(1, MANY + 1)))] == [q.id for q in bank]


def test_a_hundred_thousand_passage_ids_are_looked_up(store):
    passages = [r[0] for r in store.db.execute("SELECT id FROM passages ORDER BY id")]
    ids = passages + list(range(passages[-1] + 1, passages[-1] + MANY))  # the unknown ones find nothing
    assert [p.id for p in store.passages(ids)] == passages
    assert {q.id for q in store.questions_of_passages(ids)} == {q.id for q in store.all_questions()}
    words = store.passage_words(ids)  # what a name's bonus reads: the title and tokens alone
    assert sorted(words) == passages
    assert all(words[p.id] == (p.title, " ".join(" ".join(s) for s in p.tokens)) for p in store.passages(passages))
    escaped = store.db.execute("SELECT count(*) FROM passages WHERE instr(tokens, '\\')").fetchone()[0]
    assert 0 < escaped < len(passages)  # both ways of reading the stored tokens were checked


def test_a_hundred_thousand_document_ids_are_looked_up(store):
    doc_ids = [r[0] for r in store.db.execute("SELECT id FROM documents")]
    assert store.passage_ids(doc_ids + [f"missing-{i}" for i in range(MANY)]) == sorted(
        r[0] for r in store.db.execute("SELECT id FROM passages")
    )


def test_ids_come_back_once_in_id_order_whatever_the_order_asked(store):
    bank = [q.id for q in store.all_questions()]
    asked = bank[::-1] * 2  # reversed and repeated, so the repeats fall in different batches
    assert [q.id for q in store.questions_by_id(asked)] == bank


def test_imported_questions_are_those_of_the_users_list(tmp_path):
    folder = tmp_path / "index"
    build_index([EXAMPLES], folder)
    log = write(tmp_path / "log.csv", "question,count\nhow do i reset my password,50\n")
    add_questions(log, folder)
    store = Store.open(folder)
    try:
        imported = store.imported_questions()
        assert [(q.text, q.source, q.count) for q in imported] == [("how do i reset my password", "imported", 50)]
        assert [q.id for q in store.all_questions() if q.source == "imported"] == [q.id for q in imported]
        assert {q.source for q in store.all_questions()} > {"imported"}  # found questions too, left out above
        assert "how do i reset my password" in store.question_texts()
    finally:
        store.close()

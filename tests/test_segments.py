"""Segments: an update writes only a new segment, removals are dead rows, merges drop them, and search
over any split of the same live passages ranks exactly as one index built from them at once."""

import json

import pytest

from alsoask import Engine, build_index
from alsoask.index import _merge_plan, merge_segments, remove_documents
from alsoask.index_reader import IndexReader

from .conftest import CORE, write

QUESTIONS = [
    "When did Kosovo declare independence?",
    "Does Russia recognize Kosovo?",
    "What was Operation Allied Force?",
    "Who was Slobodan Milošević?",
    "How many countries recognise Kosovo?",
    "What is the capital of Kosovo?",
    "When did the Kosovo War end?",
    "What did the International Court of Justice say about Kosovo's declaration?",
    "Which languages are spoken in Kosovo?",
    "What is KFOR?",
    "Why did NATO bomb Yugoslavia?",
    "What happened at Račak?",
]


def top_passages(folder, k: int = 10) -> list[list[tuple[str, int, int]]]:
    """The top-k retrieved passages of each question, as (document, start, end)."""
    with Engine(folder) as engine:
        answerer, store = engine.answerer, engine.reader.store
        tops = []
        for question in QUESTIONS:
            hits = answerer.retrieve(answerer.query(question), k).hits
            passages = {p.id: p for p in store.passages([h.passage_id for h in hits])}
            tops.append(
                [
                    (passages[h.passage_id].doc_id, passages[h.passage_id].start, passages[h.passage_id].end)
                    for h in hits
                ]
            )
        return tops


def segment_names(folder) -> list[str]:
    reader = IndexReader.open(folder)
    try:
        return [s.name for s in reader.segments]
    finally:
        reader.store.close()


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return [json.loads(line) for line in CORE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, documents):
    """The whole core set indexed in one run (no bank: these tests are about search)."""
    folder = tmp_path_factory.mktemp("rebuilt") / "index"
    corpus = write(folder.parent / "all.jsonl", "".join(json.dumps(d) + "\n" for d in documents))
    build_index([corpus], folder, generator="none")
    return folder


def test_adds_and_a_merge_rank_exactly_as_a_full_rebuild(tmp_path, documents, rebuilt):
    folder = tmp_path / "index"
    batches = [documents[:20], documents[20:26], documents[26:30], documents[30:]]
    for n, batch in enumerate(batches):
        corpus = write(tmp_path / f"batch{n}.jsonl", "".join(json.dumps(d) + "\n" for d in batch))
        build_index([corpus], folder, generator="none")
    assert len(segment_names(folder)) > 1
    expected = top_passages(rebuilt)
    assert top_passages(folder) == expected  # BM25 statistics span the segments
    assert merge_segments(folder, everything=True) == 1
    assert top_passages(folder) == expected
    assert len(list(folder.glob("seg-*"))) == 1  # merged-away segments are deleted


def test_an_add_writes_one_new_segment_and_leaves_the_others_untouched(tmp_path, documents):
    folder = tmp_path / "index"
    build_index(
        [write(tmp_path / "a.jsonl", "".join(json.dumps(d) + "\n" for d in documents[:10]))], folder, generator="none"
    )
    (first,) = segment_names(folder)
    files = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (folder / first).iterdir()}
    build_index([write(tmp_path / "b.jsonl", json.dumps(documents[10]) + "\n")], folder, generator="none")
    names = segment_names(folder)
    assert names[0] == first and len(names) == 2
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (folder / first).iterdir()} == files


def test_replaced_and_removed_passages_are_dead_rows_until_a_merge_drops_them(tmp_path, documents, rebuilt):
    folder = tmp_path / "index"
    corpus = write(tmp_path / "all.jsonl", "".join(json.dumps(d) + "\n" for d in documents))
    build_index([corpus], folder, generator="none")
    extra = {"id": "extra", "title": "Račak massacre", "text": "The Račak massacre happened in January 1999. " * 3}
    build_index([write(tmp_path / "extra.jsonl", json.dumps(extra) + "\n")], folder, generator="none")
    replaced = {**documents[0], "text": "Nothing here about the old text."}
    build_index([write(tmp_path / "replaced.jsonl", json.dumps(replaced) + "\n")], folder, generator="none")
    remove_documents(["extra"], folder)
    with Engine(folder) as engine:
        hits = engine.answerer.retrieve(engine.answerer.query("Račak massacre January 1999"), 50).hits
        docs = {p.doc_id for p in engine.reader.store.passages([h.passage_id for h in hits])}
        assert "extra" not in docs
        rows_before = sum(len(s.rows) for s in engine.reader.segments)
        assert rows_before > len(engine.reader.rows)  # the dead rows are still in the files
    merge_segments(folder, everything=True)
    with Engine(folder) as engine:
        assert sum(len(s.rows) for s in engine.reader.segments) == len(engine.reader.rows)
    # put the first document back: the index then holds what `rebuilt` holds, and ranks as it does
    build_index([write(tmp_path / "first.jsonl", json.dumps(documents[0]) + "\n")], folder, generator="none")
    merge_segments(folder, everything=True)
    assert [sorted(t) for t in top_passages(folder)] == [sorted(t) for t in top_passages(rebuilt)]


def test_an_open_engine_loads_only_the_new_segment(tmp_path, documents):
    folder = tmp_path / "index"
    build_index(
        [write(tmp_path / "a.jsonl", "".join(json.dumps(d) + "\n" for d in documents[:10]))], folder, generator="none"
    )
    with Engine(folder) as engine:
        (old,) = engine.reader.segments
        build_index([write(tmp_path / "b.jsonl", json.dumps(documents[10]) + "\n")], folder, generator="none")
        engine.ask("When did Kosovo declare independence?")
        assert len(engine.reader.segments) == 2
        assert engine.reader.segments[0] is old  # kept, not read again


@pytest.mark.parametrize(
    ("sizes", "run"),
    [([1000, 10], 0), ([1000, 10, 10], 2), ([8, 4, 2, 1, 1], 5), ([8, 4, 2, 1], 0), ([5], 0), ([0, 0], 2)],
)
def test_the_merge_plan_folds_the_newest_segments_once_they_outweigh_the_one_before(sizes, run):
    assert _merge_plan(sizes) == run


def test_many_small_adds_leave_segments_each_larger_than_all_newer_ones(tmp_path, documents):
    """The merge policy ran after each add; so there are at most log2(rows) + 1 segments."""
    folder = tmp_path / "index"
    for n, doc in enumerate(documents[:9]):
        build_index([write(tmp_path / f"{n}.jsonl", json.dumps(doc) + "\n")], folder, generator="none")
    reader = IndexReader.open(folder)
    sizes = [len(s.rows) for s in reader.segments]
    reader.store.close()
    assert all(size > sum(sizes[i + 1 :]) for i, size in enumerate(sizes))
    assert len(sizes) < 9

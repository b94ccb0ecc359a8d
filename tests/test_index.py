import json
import sqlite3

import pytest

from alsoask import Engine, build_index
from alsoask.errors import AlsoaskError, CorpusError, IndexFolderError
from alsoask.store import DB_NAME

from .conftest import segments_of_index, write


def _jsonl(path, docs):
    return write(path, "".join(json.dumps(d) + "\n" for d in docs))


def test_reindexing_adds_documents_and_replaces_same_id(tmp_path):
    folder = tmp_path / "index"
    first = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "pristina", "title": "Pristina", "text": "Pristina is the capital of Kosovo."},
            {"id": "belgrade", "title": "Belgrade", "text": "Belgrade is the capital of Serbia."},
        ],
    )
    report = build_index([first], folder)
    assert (report.added, report.replaced, report.total_documents) == (2, 0, 2)

    second = _jsonl(
        tmp_path / "b.jsonl",
        [
            {
                "id": "pristina",
                "title": "Pristina",
                "text": "Pristina is the largest city of Kosovo, with 200,000 people.",
            },
            {"id": "skopje", "title": "Skopje", "text": "Skopje is the capital of North Macedonia."},
        ],
    )
    report = build_index([second], folder)
    assert (report.added, report.replaced, report.total_documents, report.total_passages) == (1, 1, 3, 3)

    with Engine(folder) as engine:
        answer = engine.ask("What is the largest city of Kosovo?").answer
        assert answer.doc_id == "pristina" and "200,000" in answer.text
        assert "capital of Kosovo" not in engine.document("pristina").text
        assert engine.ask("What is the capital of North Macedonia?").answer.doc_id == "skopje"
    assert sorted(p.name for p in folder.glob("seg-*")) == segments_of_index(folder)  # merged-away ones go


def test_embedder_is_recorded_and_a_different_one_refused(tmp_path):
    folder = tmp_path / "index"
    corpus = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "Kosovo declared independence in 2008."}])
    build_index([corpus], folder, embedder="static-minilm")
    with pytest.raises(IndexFolderError, match=r"built with the embedder 'static-minilm'.*'e5'"):
        Engine(folder, embedder="e5")
    with pytest.raises(IndexFolderError, match="built with the embedder 'static-minilm'"):
        build_index([corpus], folder, embedder="e5")
    with Engine(folder) as engine:  # the recorded one is used by default
        assert engine.embedder.name == "static-minilm"


def test_nothing_readable_creates_no_index(tmp_path):
    write(tmp_path / "corpus" / "blob.txt", b"\x00\x00binary")
    with pytest.raises(CorpusError, match="nothing to index"):
        build_index([tmp_path / "corpus"], tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_missing_foreign_and_corrupt_index_folders(tmp_path):
    with pytest.raises(IndexFolderError, match="index folder not found"):
        Engine(tmp_path / "missing")

    foreign = tmp_path / "foreign"
    write(foreign / "notes.txt", "not an index")
    with pytest.raises(IndexFolderError, match="not an alsoask index"):
        Engine(foreign)
    corpus = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "Kosovo declared independence in 2008."}])
    with pytest.raises(IndexFolderError, match="not empty and holds no alsoask index"):
        build_index([corpus], foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]  # nothing written into it

    garbage = tmp_path / "garbage"
    write(garbage / DB_NAME, b"this is not a database" * 100)
    with pytest.raises(IndexFolderError, match="corrupt or not an alsoask index"):
        Engine(garbage)

    other_db = tmp_path / "other"
    other_db.mkdir()
    sqlite3.connect(other_db / DB_NAME).executescript("CREATE TABLE meta (key TEXT, value TEXT);")
    with pytest.raises(IndexFolderError, match="not an alsoask index"):
        Engine(other_db)

    broken = tmp_path / "broken"
    build_index([corpus], broken)
    for path in broken.glob("seg-*/vectors.npy"):
        path.write_bytes(b"truncated")
    with pytest.raises(IndexFolderError, match="incomplete or corrupt"):
        Engine(broken)


def test_bad_files_are_skipped_and_the_rest_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "kosovo.md", "# Kosovo\n\nKosovo declared independence from Serbia on 17 February 2008.")
    write(corpus / "photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    write(corpus / "legacy.txt", "Caf\xe9 in Pri\u0161tina".encode("cp1250"))
    skipped = []
    report = build_index([corpus], tmp_path / "index", on_skip=skipped.append)
    assert report.total_documents == 1
    assert {s.path.rsplit("/", 1)[-1]: s.reason.split(" (")[0] for s in skipped} == {
        "photo.txt": "binary file",
        "legacy.txt": "not UTF-8 text",
    }
    with Engine(tmp_path / "index") as engine:
        assert "17 February 2008" in engine.ask("When did Kosovo declare independence?").answer.text


def test_a_bad_embedder_name_touches_nothing(tmp_path):
    corpus = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "Kosovo declared independence in 2008."}])
    with pytest.raises(AlsoaskError, match="unknown embedder 'bogus'"):
        build_index([corpus], tmp_path / "new", embedder="bogus")
    assert not (tmp_path / "new").exists()
    build_index([corpus], tmp_path / "index")
    with pytest.raises(AlsoaskError, match="unknown embedder 'bogus'"):
        build_index([corpus], tmp_path / "index", embedder="bogus")
    with Engine(tmp_path / "index") as engine:  # the existing index is untouched
        assert engine.ask("When did Kosovo declare independence?").answer.doc_id == "x"


def test_a_failed_first_run_keeps_what_the_folder_already_held(tmp_path):
    folder = tmp_path / "project"
    write(folder / ".env", "SECRET=1")
    write(folder / ".git" / "HEAD", "ref: refs/heads/main")
    only_stop_words = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "To be or not to be."}])
    with pytest.raises(CorpusError, match="no searchable words"):
        build_index([only_stop_words], folder)
    assert sorted(p.name for p in folder.iterdir()) == [".env", ".git"]


def test_index_path_that_is_a_file_is_refused(tmp_path):
    corpus = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "Kosovo declared independence in 2008."}])
    target = write(tmp_path / "index", "a file")
    with pytest.raises(IndexFolderError, match="is a file, not an index folder"):
        build_index([corpus], target)
    assert target.read_text() == "a file"


def test_nul_characters_and_windows_line_breaks(tmp_path):
    corpus = tmp_path / "corpus"
    write(
        corpus / "docs.jsonl",
        json.dumps({"id": "n", "title": "N", "text": "Header\u0000 junk.\n\nBelgrade is the capital of Serbia."})
        + "\n",
    )
    write(corpus / "windows.md", "# Pristina\r\n\r\nPristina is the capital of Kosovo.\r\n")
    build_index([corpus], tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        belgrade = engine.ask("What is the capital of Serbia?").answer
        assert belgrade.text == "Belgrade is the capital of Serbia."
        assert engine.document("n").text[belgrade.start : belgrade.end] == belgrade.text
        pristina = engine.ask("What is the capital of Kosovo?").answer
        assert pristina.text == "Pristina is the capital of Kosovo."  # the heading is its own sentence


def test_an_open_engine_survives_a_document_being_replaced(tmp_path):
    folder = tmp_path / "index"
    first = _jsonl(
        tmp_path / "a.jsonl", [{"id": "p", "title": "Pristina", "text": "Pristina is the capital of Kosovo."}]
    )
    build_index([first], folder)
    with Engine(folder) as engine:
        second = _jsonl(
            tmp_path / "b.jsonl", [{"id": "p", "title": "Pristina", "text": "Pristina is a city in Kosovo."}]
        )
        build_index([second], folder)
        result = engine.ask("What is the capital of Kosovo?")  # its passage ids are gone: no crash
        assert result.answer is None or result.answer.doc_id == "p"

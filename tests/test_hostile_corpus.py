"""Hostile corpus files: each gets a clear message of its own, and the rest of the corpus is indexed."""

import gzip
import json
import os

from alsoask import Engine, build_index
from alsoask.ingest import Document, Skipped, read_corpus

from .conftest import write

GOOD = "Pristina is the capital and largest city of Kosovo. It lies in the north-east of the country."


def hostile_folder(folder):
    write(folder / "good.txt", GOOD)
    with (folder / "huge.txt").open("w") as fh:  # 200 MB on one line
        chunk = ("word " * 210_000)[: 1024 * 1024]
        for _ in range(200):
            fh.write(chunk)
    write(folder / "deep.html", "<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>")
    good_line = json.dumps({"id": "mitrovica", "text": "Mitrovica is a city in northern Kosovo."})
    write(
        folder / "mixed.jsonl",
        "\n".join(
            [
                good_line,
                '{"id": "broken", "text": ',
                json.dumps({"id": "x", "text": "Peja is a city in western Kosovo."}),
            ]
        ),
    )
    whole = gzip.compress(
        b"\n".join(json.dumps({"id": f"g{i}", "text": f"Town {i} is in Kosovo."}).encode() for i in range(2000))
    )
    write(folder / "cut.jsonl.gz", whole[: len(whole) // 2])
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    os.symlink(".", folder / "self")  # a folder that contains itself
    return folder


def test_each_hostile_file_gets_its_own_message(tmp_path):
    items = list(read_corpus([hostile_folder(tmp_path / "corpus")]))
    skipped = {os.path.basename(s.path): s.reason for s in items if isinstance(s, Skipped)}
    documents = {d.id for d in items if isinstance(d, Document)}
    assert {"good.txt", "mitrovica", "x"} <= documents
    assert "too large for one document (200 MB" in skipped["huge.txt"]
    assert "nested too deeply" in skipped["deep.html"]
    assert "bad JSON on line 2" in skipped["mixed.jsonl"]
    assert "unreadable" in skipped["cut.jsonl.gz"] and "Compressed file ended" in skipped["cut.jsonl.gz"]
    assert "Too many levels of symbolic links" in skipped["loop-a.txt"]
    assert not any("self" in s.path for s in items if isinstance(s, Skipped))  # the loop is not walked
    assert not any(d.id.startswith("self/") for d in items if isinstance(d, Document))


def test_a_file_that_disappears_mid_run_is_skipped_by_name(tmp_path):
    folder = tmp_path / "corpus"
    for name in ["a.txt", "b.txt", "c.txt"]:
        write(folder / name, f"{name} says: {GOOD}")
    reading = read_corpus([folder])
    first = next(reading)
    (folder / "c.txt").unlink()
    rest = list(reading)
    assert first.id == "a.txt" and rest[0].id == "b.txt"
    assert isinstance(rest[1], Skipped) and rest[1].path.endswith("c.txt") and "No such file" in rest[1].reason


def test_an_index_of_the_hostile_folder_holds_the_good_documents(tmp_path):
    skipped = []
    report = build_index(
        [hostile_folder(tmp_path / "corpus")], tmp_path / "index", on_skip=skipped.append, generator="none"
    )
    assert report.added >= 3 and len(skipped) == len(report.skipped) >= 6
    with Engine(tmp_path / "index") as engine:
        assert engine.ask("What is the capital of Kosovo?").answer.doc_id == "good.txt"

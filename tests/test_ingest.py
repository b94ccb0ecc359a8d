import gzip
import json

import pytest

from alsoask.errors import CorpusError
from alsoask.ingest import Skipped, read_corpus
from alsoask.schema import Document

from .conftest import write


def _split(items):
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    return docs, skipped


def test_jsonl_plain_and_gzip_with_a_bad_line(tmp_path):
    lines = [
        json.dumps({"id": "a", "title": "A", "url": "http://x/a", "text": "Alpha text."}),
        "{not json",
        json.dumps({"id": "b", "text": "Beta text."}),
        json.dumps({"id": "c", "text": ""}),
        json.dumps({"id": "d", "text": "Delta text.", "url": 5}),
        '{"id": "e", "text": "bad \\ud800 surrogate"}',
    ]
    write(tmp_path / "docs.jsonl", "\n".join(lines) + "\n")
    with gzip.open(tmp_path / "more.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"id": "z", "title": "Z", "text": "Zeta text."}) + "\n")
    docs, skipped = _split(list(read_corpus([tmp_path])))
    assert [d.id for d in docs] == ["a", "b", "z"]
    assert docs[0].url == "http://x/a" and docs[1].title == "b" and docs[1].url is None
    reasons = [s.reason for s in skipped]
    assert any(r.startswith("bad JSON on line 2") for r in reasons)
    assert "line 4: missing or empty 'text'" in reasons
    assert "line 5: 'url' must be a string" in reasons
    assert "line 6: invalid Unicode (a lone surrogate escape)" in reasons


def test_text_markdown_and_html(tmp_path):
    write(tmp_path / "notes" / "guide.md", "# Install guide\n\nRun the installer and follow the steps.")
    write(tmp_path / "plain.txt", "Plain text document.\nSecond line.")
    write(
        tmp_path / "page.html",
        "<html><head><title>Reset your password</title><script>alert('x')</script></head><body>"
        "<nav>Home | Docs</nav><h1>Reset your password</h1><p>Open <b>Settings</b> and click Reset.</p>"
        "<h2>Why can I not log in?</h2><p>Your account is locked after five failed attempts.</p></body></html>",
    )
    docs, skipped = _split(list(read_corpus([tmp_path])))
    by_id = {d.id: d for d in docs}
    assert set(by_id) == {"notes/guide.md", "plain.txt", "page.html"} and not skipped
    assert by_id["notes/guide.md"].title == "Install guide"
    assert by_id["notes/guide.md"].url.endswith("notes/guide.md")
    html = by_id["page.html"]
    assert html.title == "Reset your password"
    assert "Open Settings and click Reset." in html.text
    assert "Why can I not log in?\n\nYour account" in html.text  # blocks become paragraphs
    assert "alert" not in html.text


def test_binary_non_utf8_empty_and_unknown_files_are_skipped_by_name(tmp_path):
    write(tmp_path / "good.txt", "Kosovo declared independence in 2008.")
    write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "latin1.md", "Pri\u0161tina caf\xe9".encode("latin-1", errors="replace") + b"\xe9\xff")
    write(tmp_path / "empty.md", "   \n")
    write(tmp_path / "data.bin", b"\x00\x01")
    write(tmp_path / "broken.jsonl.gz", gzip.compress(b'{"id": "x", "text": "t"}\n' * 50)[:30])
    docs, skipped = _split(list(read_corpus([tmp_path])))
    assert [d.id for d in docs] == ["good.txt"]
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in skipped}
    assert reasons["image.txt"] == "binary file"
    assert reasons["latin1.md"].startswith("not UTF-8 text")
    assert reasons["empty.md"] == "empty"
    assert reasons["data.bin"].startswith("unsupported file type")
    assert reasons["broken.jsonl.gz"].startswith("unreadable")


def test_missing_path_is_an_error_before_reading(tmp_path):
    with pytest.raises(CorpusError, match=r"corpus path not found: .*nope"):
        list(read_corpus([tmp_path / "nope"]))

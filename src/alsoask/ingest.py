"""Readers: turn files into `Document`s, and name every file or line they skip and why.

Supported inputs: JSON lines (`id,title,url,text`, plain or `.gz`), `.txt` and `.md` files, and `.html`
files (text laid out by inscriptis). A folder is walked recursively. Nothing here raises for
one bad file: it yields a `Skipped` record and goes on, so one broken file never costs the rest.
"""

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from alsoask.errors import CorpusError
from alsoask.schema import Document

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SNIFF_BYTES = 8192
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # a file or JSON line beyond this is skipped: split it into documents


@dataclass(frozen=True)
class Skipped:
    """A file, or one line of a JSON lines file, that was not indexed."""

    path: str
    reason: str


def read_corpus(paths: Iterable[str | Path]) -> Iterator[Document | Skipped]:
    """Yield a `Document` for every readable input and a `Skipped` for everything else.

    Raises `CorpusError` up front if a path does not exist, before anything is read.
    """
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CorpusError(f"corpus path not found: {', '.join(missing)}")
    for path in paths:
        if path.is_dir():
            for file in sorted(_walk(path)):
                yield from _read_file(file, root=path)
        else:
            yield from _read_file(path, root=path.parent)


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def _read_file(path: Path, root: Path) -> Iterator[Document | Skipped]:
    name = path.name.lower()
    try:
        if name.endswith(JSONL_SUFFIXES):
            yield from _read_jsonl(path)
        elif name.endswith(TEXT_SUFFIXES + HTML_SUFFIXES):
            text = _read_text(path)
            doc_id = path.relative_to(root).as_posix() if path != root else path.name
            if name.endswith(HTML_SUFFIXES):
                yield _html_document(text, doc_id, path)
            else:
                yield _text_document(text, doc_id, path)
        else:
            yield Skipped(str(path), "unsupported file type (expected .jsonl, .jsonl.gz, .txt, .md, .html)")
    except _SkipFileError as skip:
        yield Skipped(str(path), str(skip))
    except (OSError, EOFError, zlib.error) as exc:  # includes a truncated or corrupt gzip
        yield Skipped(str(path), f"unreadable: {exc}")


class _SkipFileError(Exception):
    """Internal: this file cannot be indexed, for the reason in the message."""


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise _SkipFileError(f"too large for one document ({_mb(size)}; the limit is {_mb(MAX_DOCUMENT_BYTES)})")
    raw = path.read_bytes()
    if b"\x00" in raw[:SNIFF_BYTES]:
        raise _SkipFileError("binary file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _SkipFileError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise _SkipFileError("empty")
    return text


def _text_document(text: str, doc_id: str, path: Path) -> Document:
    """Title: the first Markdown heading or the first line, else the file name."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first.lstrip("#").strip() if first.startswith("#") or len(first) <= 80 else path.stem
    return Document(id=doc_id, title=title or path.stem, url=str(path.resolve()), text=text)


def _html_document(html: str, doc_id: str, path: Path) -> Document:
    """Text as a browser lays it out (inscriptis), without page chrome: nav, header, footer, aside."""
    import lxml.html
    from inscriptis import Inscriptis
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    parser = lxml.html.HTMLParser()
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise _SkipFileError(f"unparsable HTML: {exc}") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):  # libxml2 stops at 256 levels
        raise _SkipFileError("HTML nested too deeply (over 255 levels) to read reliably")
    title = " ".join((tree.findtext(".//title") or "").split()) or path.stem
    for chrome in tree.xpath("//nav | //header | //footer | //aside | //script | //style | //noscript | //template"):
        chrome.drop_tree()
    text = Inscriptis(tree, ParserConfig(css=CSS_PROFILES["strict"])).get_text()
    if not text.strip():
        raise _SkipFileError("empty (no text found in HTML)")
    return Document(id=doc_id, title=title, url=str(path.resolve()), text=text)


def _read_jsonl(path: Path) -> Iterator[Document | Skipped]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        head = fh.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(fh, "peek") else b""
        if b"\x00" in head:
            raise _SkipFileError("binary file")
        found = False
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            found = True
            if len(raw) > MAX_DOCUMENT_BYTES:
                yield Skipped(str(path), f"line {number}: too large for one document ({_mb(len(raw))})")
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield Skipped(str(path), f"bad JSON on line {number}: {exc}")
                continue
            problem = _record_problem(record)
            if problem:
                yield Skipped(str(path), f"line {number}: {problem}")
                continue
            yield Document(
                id=str(record["id"]),
                title=str(record.get("title") or record["id"]),
                url=record.get("url") or None,
                text=record["text"],
            )
        if not found:
            raise _SkipFileError("empty")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def _record_problem(record: object) -> str | None:
    if not isinstance(record, dict):
        return "expected a JSON object"
    if record.get("id") in (None, ""):
        return "missing 'id'"
    if not isinstance(record.get("text"), str) or not record["text"].strip():
        return "missing or empty 'text'"
    for field in ("title", "url"):
        if record.get(field) is not None and not isinstance(record[field], str):
            return f"'{field}' must be a string"
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "invalid Unicode (a lone surrogate escape)"
    return None

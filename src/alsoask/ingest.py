"""Readers: turn files into `Document`s, and name every file or line they skip and why.

Supported inputs: JSON lines (`id,title,url,text`, plain or `.gz`), `.txt` and `.md` files, and `.html`
files (text laid out by inscriptis). A folder is walked recursively. Nothing here raises for
one bad file: it yields a `Skipped` record and goes on, so one broken file never costs the rest.
Every reader strips wiki markup residue (`strip_markup`) before it makes the `Document`, so the text
stored, and every offset into it, is the clean text.
"""

import gzip
import json
import os
import re
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
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
    inputs = [Path(p) for p in paths]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise CorpusError(f"corpus path not found: {', '.join(missing)}")
    for path in inputs:
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
    text = _without_markup(text)
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
    if text.strip():
        text = _without_markup(text)
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
            text = "" if problem else strip_markup(record["text"])
            if not problem and not text.strip():
                problem = "nothing but wiki markup in 'text'"
            if problem:
                yield Skipped(str(path), f"line {number}: {problem}")
                continue
            yield Document(
                id=str(record["id"]),
                title=str(record.get("title") or record["id"]),
                url=record.get("url") or None,
                text=text,
            )
        if not found:
            raise _SkipFileError("empty")


def _without_markup(text: str) -> str:
    text = strip_markup(text)
    if not text.strip():
        raise _SkipFileError("empty (nothing but wiki markup)")
    return text


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


# Wiki markup residue. Text converted from a wiki dump keeps debris that reads as nonsense when shown:
# "Category:" runs, image captions cut from their "[[File:…|" opener ("in the 1999 Kosovo War]]"),
# templates, wiki table rows. It is removed here, before a document is stored, so every offset taken
# later points into the clean text. Only what is unmistakably wiki markup goes: Markdown tables, links
# "[text](url)" and code (fenced blocks and `inline` spans) are left as they are.
_MARKUP_HINTS = (
    "[[",
    "]]",
    "{{",
    "}}",
    "{|",
    "''",
    "Category:",
    "thumb",
    "File:",
    "Image:",
    "<",
    "||",
    "!!",
    "|-",
    "|}",
)
_FENCED_CODE = re.compile(r"^([ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\2[^\n]*$)", re.M | re.S)
_INLINE_CODE = re.compile(r"(`[^`\n]+`)")
_MARKDOWN_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_CATEGORY = re.compile(r"Category:[A-Z0-9]")
# where a line that may be markup as a whole is: one starting with "{|", "|", "!" or "thumb", a
# category, a file (separate patterns: one alternation of them all is many times slower)
_MARKUP_LINES = (
    re.compile(r"\n[ \t]*(?:\{\||[|!]|thumb)"),
    re.compile(r"Category:[A-Z0-9]"),
    re.compile(r"File:\S"),
    re.compile(r"Image:\S"),
    re.compile(r"\.(?:jpe?g|png|svg|gif|tiff?)\|", re.I),
)
_SENTENCE_END = re.compile(r"[.!?]\s")
_FILE_LINE = re.compile(r"^(\|\s*)?(\[\[)?(File|Image):\S|^thumb\||^[^|\n]{1,200}\.(jpe?g|png|svg|gif|tiff?)\|", re.I)
_THUMB_WORD = re.compile(r"^thumb\s+(?=[A-Z])")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_REF = re.compile(r"<ref\b[^<>]{0,500}/>|<ref\b[^<>]{0,500}>.{0,3000}?</ref\s*>", re.S | re.I)
_TAG = re.compile(
    r"</?(ref|references|br|small|big|sup|sub|span|div|center|font|nowiki|gallery|noinclude|includeonly"
    r"|onlyinclude|poem|abbr|u|s|del|ins)\b[^<>\n]{0,300}?/?>",
    re.I,
)
_TEMPLATE = re.compile(r"\{\{([^{}]{0,3000})\}\}")
_BARE_TEMPLATES = {"reflist", "notelist", "clear", "toc", "citation needed", "cn", "clarify", "dubious", "'s", "fact"}
_IMAGE_OPTION = re.compile(r"\|(alt|upright|thumb|left|right|center|\d+px)\b[^\[\]\n]*?(?=\]\])")
_LINK = re.compile(r"\[\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\]")
_UNCLOSED_FILE = re.compile(r"\[\[(File|Image|Category):[^\n]*", re.I)
_UNCLOSED_LINK = re.compile(r"\[\[([^\[\]\n|]*\|)?")
_CAPTION_END = re.compile(r"\]\](?!\])")  # the last two of "[283]]]": a cited caption's end
_CAPTION_START = re.compile(r"[.!?][\"”’)]?(\[\d+\])*\s+(?![\sA-Z0-9\"“])")
_BOLD = re.compile(r"'''''(.+?)'''''|'''(.+?)'''")
_ITALIC = re.compile(r"''(?!')(.+?)(?<!')''(?!')")
_STRAY_QUOTES = re.compile(r"'''+")
_CUT_CITATION = re.compile(r"\[\d+$")
_INFOBOX_PARAMETER = re.compile(r"\|\s*[\w-]+\s*=")
_MAX_INFOBOX = 20_000
_MAX_CAPTION = 400


def strip_markup(text: str) -> str:
    """`text` without wiki markup residue: `[[Category:…]]` and "Category:X" runs, `[[link|label]]` as
    its label, stray `[[`/`]]` and the image captions they end, `{{templates}}`, `<ref>…</ref>` and
    leftover tags, wiki table lines (`{|`, `|-`, `|}`, `|| cells`), `File:`/`thumb|` lines and
    `'''bold'''`/`''italic''` quotes. Text without any of that is returned as it is."""
    if not any(hint in text for hint in _MARKUP_HINTS):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cut = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)  # marks a removal
    chunks = _FENCED_CODE.split(text) if "```" in text or "~~~" in text else [text]
    out = []
    for i in range(0, len(chunks), 3):  # text, then a fenced block and its fence marker
        out.append(_strip_chunk(chunks[i], cut, first=i == 0))
        if i + 1 < len(chunks):
            out.append(chunks[i + 1])
    return "".join(out)


def _strip_chunk(text: str, cut: str, first: bool) -> str:
    if not text.strip():
        return text
    text = _drop_markup_lines(text, cut)
    pieces = _INLINE_CODE.split(text)
    pieces[::2] = [_strip_inline(p, cut) for p in pieces[::2]]
    text = "".join(pieces)
    if first:
        text = _drop_leading_infobox(text, cut)
    return _close_cuts(_drop_cut_lines(text, cut), cut)


def _drop_leading_infobox(text: str, cut: str) -> str:
    """The rest of an infobox or hatnote that opens a page, its "{{Infobox" lost: everything up to a
    "}}" with no "{{" before it, when it starts with "| name =" parameters or is one short line
    ("Canon", "Fry|and|Fyr (disambiguation)"). Repeated: an infobox may hold templates of its own."""
    for _ in range(3):
        end = text.find("}}", 0, _MAX_INFOBOX)
        if end < 0 or "{{" in text[:end]:
            break
        head = text[:end].replace(cut, " ").strip()
        short = len(head) <= 100 and "\n" not in head and ("|" in head or not any(c.isspace() for c in head))
        if not (short or _INFOBOX_PARAMETER.search(head, 0, 300)):
            break
        text = cut + text[end + 2 :]
    return text


def _drop_cut_lines(text: str, cut: str) -> str:
    """Remove the lines that were markup as a whole (nothing but removals left), with the blank line
    they leave between paragraphs; between two lines of text, they leave a paragraph break."""
    lines = text.split("\n")
    gone = [bool(line.strip()) and not line.strip(f"{cut} \t") for line in lines]
    if not any(gone):
        return text
    kept: list[str] = []
    i = 0
    while i < len(lines):
        if not gone[i]:
            kept.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and gone[j]:
            j += 1
        before_blank = not kept or not kept[-1].strip()
        after_blank = j == len(lines) or not lines[j].strip()
        if before_blank and after_blank and j < len(lines):
            j += 1  # "text, blank, markup, blank, text": one blank line stays
        elif not before_blank and not after_blank:
            kept.append("")
        i = j
    return "\n".join(kept)


def _close_cuts(text: str, cut: str) -> str:
    """Each removal, with the spaces around it, as nothing at a line's edge or before punctuation,
    else as one space."""
    out, pos = [], 0
    while (start := text.find(cut, pos)) >= 0:
        end = start
        while end < len(text) and text[end] in f"{cut} \t":
            end += 1
        keep = start
        while keep > pos and text[keep - 1] in " \t":
            keep -= 1
        before = text[keep - 1] if keep else "\n"
        after = text[end] if end < len(text) else "\n"
        out.append(text[pos:keep])
        out.append("" if before in "\n([{“‘" or after in "\n.,;:!?)]}”’'" else " ")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _drop_markup_lines(text: str, cut: str) -> str:
    """Blank the lines that are wiki markup as a whole: tables, category runs, image galleries."""
    lines = text.split("\n")
    starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
    found = (m.end() - 1 for pattern in _MARKUP_LINES for m in pattern.finditer(text))
    candidates = sorted({0, *(bisect_right(starts, at) - 1 for at in found)})  # the first line has no "\n"
    if not candidates:
        return text
    markdown = _markdown_table_lines(lines, candidates)
    closes = [i for i in candidates if lines[i].lstrip().startswith("|}")]
    in_table_until = -1
    for i in candidates:
        line = lines[i]
        s = line.strip()
        if not s or i in markdown or i <= in_table_until:
            continue
        if s.startswith("{|"):
            in_table_until = next((c for c in closes if c > i), i)
            lines[i : in_table_until + 1] = [cut] * (in_table_until + 1 - i)
        elif (
            s.startswith(("|}", "|-", "|+"))
            or (s[0] in "|!" and ("||" in s or "!!" in s))
            or (("|" in s or s.startswith(("File:", "Image:", "[["))) and _FILE_LINE.match(s))
        ):
            lines[i] = cut
        elif "Category:" in line and (category := _CATEGORY.search(line)):
            prefix = line[: category.start()]
            lines[i] = cut if len(prefix) <= 80 and not _SENTENCE_END.search(prefix) else prefix.rstrip()
        elif _THUMB_WORD.match(s):
            lines[i] = _THUMB_WORD.sub("", s)
    return "\n".join(lines)


def _markdown_table_lines(lines: list[str], candidates: list[int]) -> set[int]:
    """Indices of the lines of Markdown tables (a run of "|" lines with a "|---|" rule): kept as they are."""
    found: set[int] = set()
    for i in candidates:
        if "---" in lines[i] and _MARKDOWN_TABLE_RULE.match(lines[i]):
            lo = i
            while lo > 0 and lines[lo - 1].lstrip().startswith("|"):
                lo -= 1
            hi = i
            while hi + 1 < len(lines) and lines[hi + 1].lstrip().startswith("|"):
                hi += 1
            found.update(range(lo, hi + 1))
    return found


def _strip_inline(text: str, cut: str) -> str:
    text = _COMMENT.sub(cut, text)
    text = _REF.sub(cut, text)
    text = _TAG.sub(lambda m: cut if m.group(1).lower() in ("ref", "references", "br") else "", text)
    for _ in range(5):  # nested templates, innermost first
        text, n = _TEMPLATE.subn(lambda m: cut if _is_template(m.group(1)) else m.group(0), text)
        if not n:
            break
    text = _IMAGE_OPTION.sub("", text)
    for _ in range(5):  # nested links, innermost first: [[File:a.jpg|thumb|The [[Kosovo War]] …]]
        text, n = _LINK.subn(lambda m: _link_label(m.group(1), cut), text)
        if not n:
            break
    text = _UNCLOSED_FILE.sub(cut, text)
    text = _UNCLOSED_LINK.sub("", text)
    if "]]" in text:
        text = _drop_captions_by_line(text, cut)
    if "''" in text:
        text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
        text = _ITALIC.sub(lambda m: m.group(0) if _after(text, m, "'", word=True) else m.group(1), text)
        text = _STRAY_QUOTES.sub("", text)
    return text


def _after(text: str, match: re.Match, chars: str, word: bool = False) -> bool:
    """The match follows one of `chars` (or a letter or digit, with `word`)."""
    before = text[match.start() - 1] if match.start() else ""
    return bool(before) and (before in chars or (word and before.isalnum()))


def _is_template(body: str) -> bool:
    """A wiki template ("cite web|…", "#invoke:…", "-", "•", "citation needed"), not a placeholder of
    a template language ("{{ name }}", "{{first_name}}"), which help pages show as content."""
    if not body or body[0].isspace():
        return False
    return (
        "|" in body
        or (body.startswith("#") and ":" in body)
        or not any(c.isalnum() for c in body)
        or body.strip().lower() in _BARE_TEMPLATES
    )


def _link_label(body: str, cut: str) -> str:
    target, _, label = body.partition("|")
    target = target.strip().lstrip(":")
    if re.match(r"(File|Image|Media|Category):", target, re.I):
        return cut
    return label.strip() or target.replace("_", " ")


def _drop_captions_by_line(text: str, cut: str) -> str:
    out, pos = [], 0
    while (found := text.find("]]", pos)) >= 0:
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        out.append(text[pos:start])
        out.append(_drop_captions(text[start:end], cut))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _drop_captions(line: str, cut: str) -> str:
    """Remove the image captions that a "]]" ends, their "[[File:…|" opener lost: each runs from the
    line's start, a previous "]]" or the end of a sentence followed by a lower case word ("…his rule.
    from the reign of Bayezid I.]]"); one longer than `_MAX_CAPTION` loses its "]]" only."""
    kept, pos = [], 0
    for end in _CAPTION_END.finditer(line):
        segment = line[pos : end.start()]
        starts = [0] + [m.end() for m in _CAPTION_START.finditer(segment)]
        start = starts[-1]
        if len(segment) - start > _MAX_CAPTION:
            if _CUT_CITATION.search(segment):  # "…Australia.[64]]": keep "[64]"
                segment += "]"
            start = len(segment)
        kept.append(segment[:start] + cut)
        pos = end.end()
    kept.append(line[pos:])
    return "".join(kept)

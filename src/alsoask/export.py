"""Exports of a tree: a FAQ page (Markdown, standalone HTML with schema.org FAQPage JSON-LD, or the
JSON-LD alone) or a table (CSV, JSON lines) for editors to take away. Formatting only: the tree comes
from `Engine.tree`, so every surface exports the same questions in the same order."""

import csv
import io
import json
import re
from collections.abc import Iterator
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from alsoask.schema import Answer, TreeResult
from alsoask.tree import branches, in_page_order

FORMATS = {  # format -> media type
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "jsonld": "application/ld+json",
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
}
TABLE_COLUMNS = ["question", "answer", "source_title", "source_url", "parent", "depth"]
NO_ANSWER = "No answer in this corpus."
URL_SAFE = "/:?#[]@!$&'()*+,;=%~"  # keep a URL's own syntax; escape spaces, < and >


def http_url(url: str | None) -> str | None:
    """A source URL safe to link: http(s) only, so a corpus cannot plant a `javascript:` link."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


templates = Environment(loader=PackageLoader("alsoask", "templates"), autoescape=select_autoescape(default=True))
templates.filters["http_url"] = http_url


def export_tree(tree: TreeResult, fmt: str) -> str:
    """`tree` as text in `fmt`, one of `FORMATS`."""
    writers = {"md": to_markdown, "html": to_html, "jsonld": to_jsonld, "csv": to_csv, "jsonl": to_jsonl}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](tree)


def faq_page(tree: TreeResult) -> dict:
    """schema.org FAQPage: every answered question, each with exactly one acceptedAnswer citing its source."""
    entries = [(tree.question, tree.answer)] if tree.answer else []
    entries += [(node.question, node.answer) for node in in_page_order(tree)]
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "name": tree.question,
        "mainEntity": [
            {"@type": "Question", "name": question, "acceptedAnswer": _accepted_answer(answer)}
            for question, answer in entries
        ],
    }


def to_jsonld(tree: TreeResult) -> str:
    return json.dumps(faq_page(tree), ensure_ascii=False, indent=2)


def to_html(tree: TreeResult) -> str:
    """A standalone page (no external assets) with the FAQPage JSON-LD embedded for search engines."""
    return templates.get_template("faq.html").render(tree=tree, branches=branches(tree), faq=faq_page(tree))


def to_markdown(tree: TreeResult) -> str:
    lines = [f"# {_md(tree.question)}", "", *_md_answer(tree.answer)]
    for node in in_page_order(tree):
        lines += [f"{'#' * (node.depth + 1)} {_md(node.question)}", "", *_md_answer(node.answer)]
    return "\n".join(lines)


def to_csv(tree: TreeResult) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table_rows(tree))
    return buffer.getvalue()


def to_jsonl(tree: TreeResult) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in table_rows(tree))


def table_rows(tree: TreeResult) -> Iterator[dict]:
    """One row per question: the asked one at depth 0 (empty answer if none), then the tree in page
    order. `parent` is the text of the question a row was opened from."""
    yield _row(tree.question, tree.answer, "", 0)
    by_id: dict[str | None, str] = {node.id: node.question for node in tree.nodes}
    for node in in_page_order(tree):
        yield _row(node.question, node.answer, by_id.get(node.parent, tree.question), node.depth)


def _row(question: str, answer: Answer | None, parent: str, depth: int) -> dict:
    return {
        "question": question,
        "answer": answer.text if answer else "",
        "source_title": answer.title if answer else "",
        "source_url": (answer.url or "") if answer else "",
        "parent": parent,
        "depth": depth,
    }


def _accepted_answer(answer: Answer) -> dict:
    source = {"@type": "CreativeWork", "name": answer.title}
    url = http_url(answer.url)
    if url:
        source["url"] = url
    return {"@type": "Answer", "text": answer.text, "citation": source}


def _md(text: str) -> str:
    """Corpus text as literal Markdown: punctuation that would start markup (or raw HTML) is escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", " ".join(text.split()))


def _md_answer(answer: Answer | None) -> list[str]:
    if answer is None:
        return [f"*{NO_ANSWER}*", ""]
    url = http_url(answer.url)
    source = f"[{_md(answer.title)}](<{quote(url, safe=URL_SAFE)}>)" if url else _md(answer.title)
    return [_md(answer.text), "", f"Source: {source}", ""]

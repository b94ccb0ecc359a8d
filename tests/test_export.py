"""Exports: every format parses, carries the whole tree, and keeps corpus text literal."""

import csv
import io
import json
import re

import pytest
from lxml import html

from alsoask.export import TABLE_COLUMNS, export_tree, in_page_order
from alsoask.schema import Answer, TreeNode, TreeResult

from .conftest import alsoask

QUESTION = "Does Serbia recognize Kosovo?"


@pytest.fixture(scope="module")
def tree(engine) -> TreeResult:
    tree = engine.tree(QUESTION, depth=2)
    assert tree.answer and len(tree.nodes) > 4
    return tree


def hostile_tree() -> TreeResult:
    """Corpus text that is markup in every export format, plus a `javascript:` source URL."""
    answer = Answer(
        text='<script>alert(1)</script> # not a heading, "quoted", comma | pipe *star*',
        doc_id="evil",
        title="<img src=x onerror=alert(2)>",
        url="javascript:alert(3)",
        start=0,
        end=10,
        score=0.9,
    )
    node = TreeNode(id="q1", question="Is <b>this</b> bold?", answer=answer, parent=None, depth=1)
    return TreeResult(question="What </script> breaks?", answer=answer, nodes=[node])


def assert_faq_page(faq: dict, tree: TreeResult) -> None:
    """The schema.org FAQPage shape: every Question has a name and exactly one acceptedAnswer with text."""
    assert faq["@context"] in ("https://schema.org", "https://schema.org/")
    assert faq["@type"] == "FAQPage"
    questions = faq["mainEntity"]
    assert [q["name"] for q in questions] == [tree.question] + [n.question for n in in_page_order(tree)]
    for question in questions:
        assert question["@type"] == "Question"
        accepted = question["acceptedAnswer"]
        assert isinstance(accepted, dict), "exactly one acceptedAnswer, not a list"
        assert accepted["@type"] == "Answer" and accepted["text"].strip()
        assert accepted["citation"]["@type"] == "CreativeWork" and accepted["citation"]["name"]
        assert "suggestedAnswer" not in question


def test_jsonld_is_a_schema_org_faq_page(tree):
    assert_faq_page(json.loads(export_tree(tree, "jsonld")), tree)


def test_html_is_a_standalone_page_with_embedded_faq_jsonld(tree):
    page = html.fromstring(export_tree(tree, "html"))
    (script,) = page.xpath('//script[@type="application/ld+json"]')
    assert_faq_page(json.loads(script.text), tree)
    headings = [h.text_content() for h in page.xpath("//h2|//h3")]
    assert headings == [n.question for n in in_page_order(tree)]
    assert not page.xpath("//script[@src]|//link[@href]"), "standalone: no external assets"


def test_markdown_headings_follow_the_tree(tree):
    text = export_tree(tree, "md")
    headings = re.findall(r"^(#+) (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == ("#", QUESTION)
    assert [len(h) - 1 for h, _ in headings[1:]] == [n.depth for n in in_page_order(tree)]
    assert text.count("Source: [") == len(tree.nodes) + 1


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_tables_hold_every_question_with_its_parent_and_depth(tree, fmt):
    text = export_tree(tree, fmt)
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        assert reader.fieldnames == TABLE_COLUMNS
        rows = list(reader)
    else:
        rows = [json.loads(line) for line in text.splitlines()]
        assert all(list(row) == TABLE_COLUMNS for row in rows)
    assert len(rows) == len(tree.nodes) + 1
    assert rows[0]["question"] == QUESTION and rows[0]["parent"] == "" and int(rows[0]["depth"]) == 0
    seen = set()
    for row in rows:
        assert row["parent"] == "" or row["parent"] in seen, "a parent comes before its children"
        assert row["answer"] and row["source_title"]
        seen.add(row["question"])
    assert len(seen) == len(rows), "no question twice"


def test_corpus_markup_stays_text_in_every_format():
    tree = hostile_tree()
    page = export_tree(tree, "html")
    parsed = html.fromstring(page)
    assert len(parsed.xpath("//script")) == 1 and not parsed.xpath("//img|//b")
    assert "javascript:" not in "".join(parsed.xpath("//a/@href"))
    assert_faq_page(json.loads(parsed.xpath("//script")[0].text), tree)
    markdown = export_tree(tree, "md")
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "javascript:" not in markdown and not re.search(r"^# not", markdown, flags=re.MULTILINE)
    assert "javascript:" not in json.dumps(json.loads(export_tree(tree, "jsonld"))["mainEntity"][0]["acceptedAnswer"])
    (row, _) = csv.DictReader(io.StringIO(export_tree(tree, "csv")))
    assert row["answer"] == tree.answer.text


def test_unknown_format_is_an_error(tree):
    with pytest.raises(ValueError, match="unknown export format"):
        export_tree(tree, "pdf")


def test_cli_export_writes_a_file(core_index, tmp_path):
    out = tmp_path / "faq.html"
    command = ["export", QUESTION, "--index", core_index]
    written = alsoask(*command, "--format", "html", "--depth", "1", "-o", out)
    assert written.returncode == 0, written.stderr
    (script,) = html.fromstring(out.read_text(encoding="utf-8")).xpath('//script[@type="application/ld+json"]')
    assert json.loads(script.text)["mainEntity"][0]["name"] == QUESTION
    bad = alsoask(*command, "--format", "pdf")
    assert bad.returncode == 2 and "choose one of md, html, jsonld, csv, jsonl" in bad.stderr

"""Wiki markup residue is cleaned at ingest, and what is left of it is never taken for prose."""

import json

import pytest

from alsoask import Engine, build_index
from alsoask.answer import build_answer
from alsoask.ingest import read_corpus
from alsoask.schema import Document
from alsoask.split import is_prose

from .conftest import write

# residue as the Kosovo corpus has it: a caption that lost its "[[File:…|" opener, a category run,
# links, templates, a reference, a wiki table, a gallery line, bold and italic quotes
RAW = (
    "{{Infobox military conflict | conflict = Kosovo War | date = 1998–1999 }} The '''Kosovo War''' was an armed "
    "conflict in [[Kosovo]] that started in February 1998<ref>{{cite web|url=http://x|title=War}}</ref> and lasted "
    "until June 1999.\n\n"
    "in the 1999 Kosovo War]]\n\n"
    "in Pristina, June 1999]] [[NATO|The North Atlantic alliance]] won the war after 78 days of bombing, and the "
    "Yugoslav forces withdrew from Kosovo.{{citation needed}}\n\n"
    '{| class="wikitable"\n|-\n! Year !! Side\n|-\n| 1999 || Kosovo\n|}\n\n'
    "File:Pristina 1999.jpg|Refugees returning to Pristina\n\n"
    "The war was fought between the ''Kosovo Liberation Army'' and [[Federal Republic of Yugoslavia|Yugoslavia]].\n\n"
    "Category:Kosovo War Category:Wars involving NATO Category:1999 in Kosovo"
)
CLEAN = (
    "The Kosovo War was an armed conflict in Kosovo that started in February 1998 and lasted until June 1999.\n\n"
    "The North Atlantic alliance won the war after 78 days of bombing, and the Yugoslav forces withdrew from "
    "Kosovo.\n\n"
    "The war was fought between the Kosovo Liberation Army and Yugoslavia.\n"
)


def test_wiki_residue_is_removed_at_ingest_and_offsets_stay_exact(tmp_path):
    corpus = write(tmp_path / "wiki.jsonl", json.dumps({"id": "kw", "title": "Kosovo War", "text": RAW}) + "\n")
    (doc,) = read_corpus([corpus])
    assert isinstance(doc, Document)
    assert doc.text == CLEAN
    build_index([corpus], tmp_path / "index", generator="none")
    with Engine(tmp_path / "index") as engine:
        stored = engine.document("kw").text
        # the snippet as `ask` cuts it (without the reader, so that this checks the offsets alone)
        ranked, _ = engine.answerer.search("After how many days of bombing did the Yugoslav forces withdraw?")
        answer = build_answer(ranked[0], {"bomb", "yugoslav"}, 1.0)
    assert stored == CLEAN  # what is stored is the clean text ...
    assert answer.start > 0 and "78 days of bombing" in answer.text
    assert stored[answer.start : answer.end] == answer.text  # ... and the answer's offsets point into it


def test_a_document_of_nothing_but_markup_is_skipped(tmp_path):
    lines = [
        json.dumps({"id": "cats", "text": "Category:Kosovo War Category:Wars involving NATO"}),
        json.dumps({"id": "ok", "text": "Kosovo declared independence in 2008."}),
    ]
    items = list(read_corpus([write(tmp_path / "c.jsonl", "\n".join(lines))]))
    assert [i.id for i in items if isinstance(i, Document)] == ["ok"]
    assert [i.reason for i in items if not isinstance(i, Document)] == ["line 1: nothing but wiki markup in 'text'"]


MARKDOWN = """# Email templates

Type {{first_name}} or {{ company }} in a template to insert the customer's name.
See [the guide](https://example.com/guide) for more.

| Field | Example | Notes |
|-------|---------|-------|
| name  | Ada     ||
| plan  | Pro     | billed yearly |

Category: Billing

Run `[[ -f ~/.bashrc ]] && echo {{x|y}}` in a terminal, or this script:

```bash
if [[ -f ~/.bashrc ]]; then
  echo "{{template|name}}" ]]
fi
```
"""


def test_markdown_tables_links_placeholders_and_code_survive_ingest(tmp_path):
    write(tmp_path / "help" / "templates.md", MARKDOWN)
    (doc,) = read_corpus([tmp_path / "help"])
    assert doc.text == MARKDOWN


@pytest.mark.parametrize(
    "debris",
    [
        "Category:Member states of the United Nations Category:Republics Category:Slavic countries",
        "in the 1999 Kosovo War]]",
        "| 1999 || Kosovo || NATO ||",
        "in the 1999 Kosovo War after the Račak massacre",  # a caption without its "]]": no verb
        "Hashim Thaçi, Agim Çeku, Ramush Haradinaj, Fatmir Limaj and Jakup Krasniqi",  # a list of names
        "• Serbia • Montenegro • Albania • North Macedonia • Greece • Bulgaria",  # a bulleted list
        "The Kosovo War and the Breakup of Yugoslavia",  # a title
        "{{cite web|url=http://example.com|title=Kosovo War}} The war ended in 1999.",
    ],
)
def test_is_prose_rejects_markup_residue_and_fragments(debris):
    assert not is_prose(debris)


@pytest.mark.parametrize(
    "sentence",
    [
        "NATO won the war after 78 days of bombing.",
        "Open Settings and click Reset password to get a new link.",  # an imperative
        "Kosovo borders Albania, North Macedonia, Montenegro and Serbia.",  # a verb in -s
        "These services involve the laying on of hands and anointing with oil.",  # a plural subject
        "In 1939, c. 1,300,000 people lived in Warsaw, but in 1945 – only 420,000.",  # many numbers
        "Börte had three more sons, Chagatai (1187—1241), Ögedei (1189—1241), and Tolui (1190–1232).",
    ],
)
def test_is_prose_accepts_ordinary_sentences(sentence):
    assert is_prose(sentence)

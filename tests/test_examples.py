"""The README's own-documents example: the help-centre sample in examples/helpdesk answers as shown."""

from pathlib import Path

import pytest

from alsoask import Engine, build_index
from alsoask.index import add_questions

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "helpdesk"


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("helpdesk") / "index"
    report = build_index([EXAMPLES], folder)
    assert (report.total_documents, report.skipped) == (3, [])
    with Engine(folder) as engine:
        yield engine


@pytest.mark.parametrize(
    ("question", "doc_id", "starts_with"),
    [
        ("How do I reset my password?", "account.md", 'Open Settings, choose Security and click "Reset password".'),
        ("Can I change my e-mail address?", "account.md", "Yes. Open Settings, choose Profile"),
        ("Which payment methods do you accept?", "billing.html", "We accept credit cards"),
        ("How long does a data export take?", "data-export.txt", "Administrators can export"),
    ],
)
def test_faq_headings_lead_to_the_answer_that_follows_them(helpdesk, question, doc_id, starts_with):
    answer = helpdesk.ask(question).answer
    assert answer.doc_id == doc_id
    assert answer.text.startswith(starts_with)  # the answer, not the heading that restates the question


def test_an_unrelated_question_gets_no_answer(helpdesk):
    assert helpdesk.ask("What is the capital of France?").answer is None


def test_the_sample_search_log_imports_what_the_help_centre_answers(tmp_path):
    folder = tmp_path / "index"
    build_index([EXAMPLES], folder)
    imported, answered = add_questions(EXAMPLES.parent / "search-log.csv", folder)
    assert imported == 4 and 1 <= answered < 4  # "what is the meaning of life" is not answered
    with Engine(folder) as engine:
        related = engine.ask("Which payment methods do you accept?").related
    assert "when are invoices sent" in [r.question for r in related]

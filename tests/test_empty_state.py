"""`Engine.examples`: the questions the empty page offers a new user, drawn from the index's own bank."""

from pathlib import Path

import pytest

from alsoask import Engine, build_index
from alsoask.index import add_questions

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TIER = {"imported": 0, "found": 1, "generated": 2}


def bank(engine: Engine) -> dict:
    return {q.text: q for q in engine.reader.store.all_questions()}


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory):
    """The help-centre sample with its search log imported: imported, found and perhaps generated questions."""
    folder = tmp_path_factory.mktemp("helpdesk") / "index"
    build_index([EXAMPLES / "helpdesk"], folder)
    add_questions(EXAMPLES / "search-log.csv", folder)
    with Engine(folder) as engine:
        yield engine


def test_imported_questions_come_first_most_asked_first_then_found_ones(helpdesk):
    questions = bank(helpdesk)
    imported = sorted((q for q in questions.values() if q.source == "imported"), key=lambda q: -q.count)
    assert imported, "the search log put answered questions in the bank"
    examples = helpdesk.examples(len(questions))
    assert sorted(examples) == sorted(questions), "every bank question, each once"
    assert examples[0] == imported[0].text
    documents = {q.answer.doc_id for q in questions.values()}
    first_round = [questions[text] for text in examples[: len(documents)]]
    assert len({q.answer.doc_id for q in first_round}) == len(documents), "one per document first, for variety"
    tiers = [TIER[q.source] for q in first_round]
    assert tiers == sorted(tiers) and 0 in tiers and 1 in tiers


def test_generated_examples_are_short_and_the_same_every_time(engine):
    questions = bank(engine)
    examples = engine.examples(4)
    assert len(examples) == 4 and engine.examples(4) == examples
    chosen = [questions[text] for text in examples]
    assert [q.source for q in chosen] == sorted((q.source for q in chosen), key=TIER.get)
    assert len({q.answer.doc_id for q in chosen}) == 4
    assert all(len(q.text) <= 60 for q in chosen if q.source == "generated")
    assert engine.examples(2) == examples[:2]

import pytest

from alsoask import Engine
from alsoask.answer import ELLIPSIS, MAX_CHARS, AnswerSettings, expected_type
from alsoask.engine import MAX_QUESTION_CHARS
from alsoask.errors import QuestionError


def _cited_text(engine, answer) -> str:
    return engine.document(answer.doc_id).text[answer.start : answer.end]


@pytest.mark.parametrize(
    ("question", "expected_doc", "expected_words"),
    [
        ("Who was Slobodan Milosevic?", None, ["Milošević"]),
        ("What is the capital of Serbia?", "Serbia", ["Belgrade"]),
        ("When did NATO begin bombing Yugoslavia?", None, ["1999"]),
    ],
)
def test_answers_cite_their_span(engine, question, expected_doc, expected_words):
    result = engine.ask(question)
    answer = result.answer
    assert answer is not None
    if expected_doc:
        assert answer.title == expected_doc
    for word in expected_words:
        assert word in answer.text
    cited = _cited_text(engine, answer)
    assert " ".join(cited.split()) == answer.text.strip(ELLIPSIS)  # the snippet is the cited span
    assert len(answer.text) <= MAX_CHARS
    assert result.took_ms > 0


def test_long_sentences_are_cut_at_word_boundaries(core_index):
    # Any answer longer than the limit must have been shortened with an ellipsis at a word boundary.
    engine = Engine(core_index, settings=AnswerSettings(min_confidence=0.0))
    cut = 0
    for question in [
        "What did the Rambouillet Agreement require?",
        "What is the population of Russia?",
        "What are the foreign relations of Russia with China?",
    ]:
        answer = engine.ask(question).answer
        assert len(answer.text) <= MAX_CHARS
        cited = _cited_text(engine, answer)
        document = engine.document(answer.doc_id).text
        assert cited == cited.strip()
        if answer.text.startswith(ELLIPSIS):
            assert document[answer.start - 1].isspace()
        if answer.text.endswith(ELLIPSIS):
            assert document[answer.end].isspace()
        cut += ELLIPSIS in answer.text
    assert cut  # at least one of these answers needed cutting


def test_no_answer_when_the_corpus_does_not_answer(engine):
    assert engine.ask("Zxqvb florp wibble?").answer is None
    assert engine.ask("How do I bake sourdough bread with rye flour?").answer is None


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_is_refused(engine, question):
    with pytest.raises(QuestionError, match="empty"):
        engine.ask(question)


def test_overlong_question_is_refused(engine):
    with pytest.raises(QuestionError, match="limit is 2000"):
        engine.ask("Kosovo " * (MAX_QUESTION_CHARS // 7 + 1))
    assert engine.ask("Kosovo " * 280).question  # just under the limit is fine


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people live in Kosovo?", "number"),
        ("When did the war end?", "date"),
        ("Who won the Kosovo war?", "person"),
        ("Where is Pristina?", "place"),
        ("Is Kosovo a country?", None),
    ],
)
def test_expected_answer_type(question, kind):
    assert expected_type(question) == kind

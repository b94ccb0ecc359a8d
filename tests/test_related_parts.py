"""Two parts of choosing related questions: the question's main entity, and the MMR pick."""

import numpy as np
import pytest

from alsoask.answer import Query
from alsoask.questions import EQUIVALENT_COSINE
from alsoask.related import _defines_a_side_word, main_entity
from alsoask.schema import Answer
from alsoask.store import BankQuestion


def query(terms: dict[str, float], names: list[str]) -> Query:
    """A prepared question with these stemmed terms (and IDF weights) and names; no vectors needed."""
    empty = np.zeros(0, dtype=np.float32)
    return Query(" ".join(terms), terms, set(), empty, empty, None, names)


def test_the_main_entity_is_the_rarest_name_not_the_rarest_word():
    terms = {"unit": 1.8, "nation": 1.4, "admit": 5.1, "kosovo": 1.7}
    assert main_entity(query(terms, ["unit nation", "kosovo"])) == {"unit", "nation"}
    assert main_entity(query(terms, ["kosovo", "unit nation"])) == {"unit", "nation"}  # whatever the order


def test_without_names_the_main_entity_is_the_highest_idf_term():
    assert main_entity(query({"tax": 4.3, "collect": 3.6}, [])) == {"tax"}
    assert main_entity(query({}, [])) == set()


def test_a_real_question_names_its_main_entity(engine):
    assert main_entity(engine.answerer.query("What is the capital of Serbia?")) == {"serbia"}


def bank_question(number: int, vector: list[float]) -> BankQuestion:
    answer = Answer(text="An answer.", doc_id="d", title="D", url=None, start=0, end=10, score=0.5)
    unit = np.asarray(vector, dtype=np.float32) / np.linalg.norm(vector)
    return BankQuestion(number, 1, f"Question {number}?", "generated", "what", 0, answer, (0, 10), unit)


# 1 and 2 are equivalent (cosine 0.95), 3 is near 1 (cosine 0.6), 4 is unlike any
POOL = [
    bank_question(1, [1, 0, 0]),
    bank_question(2, [0.95, (1 - 0.95**2) ** 0.5, 0]),
    bank_question(3, [0.6, 0.8, 0]),
    bank_question(4, [0, 0, 1]),
]
RELEVANCE = [1.0, 0.99, 0.9, 0.8]


def picked(engine, k: int, relevance: list[float] = RELEVANCE) -> list[int]:
    return [q.id for q in engine.finder._diverse(POOL, relevance, k)]


def test_mmr_trades_relevance_for_variety(engine):
    assert float(POOL[0].vector @ POOL[1].vector) >= EQUIVALENT_COSINE
    assert engine.finder.settings.diversity == 0.3  # 4 (0.8) beats 3 (0.9 - 0.3 * 0.6) after 1
    assert picked(engine, 3) == [1, 4, 3]


def test_mmr_never_picks_a_question_equivalent_to_an_earlier_pick(engine):
    assert picked(engine, 4) == [1, 4, 3]  # 2 is left out, though a fourth was asked for
    assert picked(engine, 4, [0.99, 1.0, 0.9, 0.8]) == [2, 4, 3]  # the more relevant of the two stays


@pytest.mark.parametrize("k", [0, 1])
def test_mmr_picks_at_most_k_most_relevant_first(engine, k):
    assert picked(engine, k) == [1][:k]


def worded(number: int, text: str) -> BankQuestion:
    vector = [0.0, 0.0, 0.0]
    vector[number - 1] = 1.0  # unlike each other: only the form can tell them apart
    return BankQuestion(**{**bank_question(number, vector).__dict__, "text": text})


@pytest.mark.parametrize(
    ("third", "expected"),
    [("Is Serbia landlocked?", [1, 3]), ("What is Belgrade?", [1, 2])],
)
def test_mmr_prefers_another_form_to_a_second_what_is(engine, third, expected):
    """Google's boxes mix forms; four "What is …?" read as a glossary. A question of another form,
    a little less relevant, goes before a second question of a form already picked."""
    pool = [worded(1, "What is Serbia?"), worded(2, "What is Kosovo?"), worded(3, third)]
    assert [q.id for q in engine.finder._diverse(pool, [1.0, 0.95, 0.9], 2)] == expected


@pytest.mark.parametrize(
    ("question", "candidate", "dropped"),
    [
        ("the barbie doll was first introduced in 1959. what is barbie's last name", "What is a doll?", True),
        ("what is barbie's last name", "What is a valley?", False),  # no word of the question
        ("the great rift valley is what type of plate boundary", "What is a valley?", True),
        ("poker hand that three of a kind beats", "What is poker?", False),  # the main entity's own
        ("the great rift valley is what type of plate boundary", "What is the Red Sea?", False),  # a name
        ("the great rift valley is what type of plate boundary", "Is a valley a landform?", False),  # no definition
    ],
)
def test_a_definition_of_a_side_word_is_no_related_question(engine, question, candidate, dropped):
    """A third of the off-topic rows judged in the real boxes were dictionary questions on one word of
    the query ("What is a doll?" under Barbie's last name)."""
    query = engine.answerer.query(question)
    assert _defines_a_side_word(candidate, main_entity(query), set(query.terms)) is dropped

"""BM25 and IDF: the tokenizer that index and queries share, the IDF table, the scores, a saved index."""

import math

import numpy as np
import pytest

from alsoask.lexical import LexicalIndex, tokenize

PASSAGES = ["Kosovo declared independence.", "Serbia borders Kosovo.", "The Kosovo War ended."]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(tokenize(PASSAGES))


def test_accents_and_spelling_meet_their_plain_forms():
    assert tokenize(["Milošević"]) == tokenize(["Milosevic"])
    assert tokenize(["recognised"]) == tokenize(["recognized"]) == tokenize(["recognize"])
    assert tokenize(["organisation"]) == tokenize(["organization"])


def test_question_words_and_stop_words_drop_out_and_inflections_meet():
    assert tokenize(["What does it say?"]) == [["say"]]
    assert tokenize(["The wars of the Balkans"]) == tokenize(["war Balkan"])


def test_idf_is_bm25s_formula_per_term(index):
    def idf(doc_freq: int) -> float:
        return math.log(1 + (len(PASSAGES) - doc_freq + 0.5) / (doc_freq + 0.5))

    assert index.term_weight("kosovo") == pytest.approx(idf(3))  # in every passage: weighs little
    assert index.term_weight("independ") == pytest.approx(idf(1))


def test_an_unseen_term_weighs_as_a_term_of_no_passage(index):
    """More than the rarest seen term (`term_weight`'s docstring says why)."""
    passages = 3
    assert index.term_weight("zorblax") == pytest.approx(math.log(1 + (passages + 0.5) / 0.5))
    assert index.term_weight("zorblax") > index.term_weight("independ")


def test_a_term_scores_only_the_passages_that_hold_it_and_a_rare_one_more(index):
    rare = index.scores(tokenize(["independence"])[0])
    assert rare[0] > 0 and list(rare[1:]) == [0, 0]
    common = index.scores(["kosovo"])
    assert 0 < common[0] < rare[0]
    assert list(index.scores(["zorblax"])) == [0, 0, 0]  # no known term: zeros, one per passage


def test_a_saved_index_scores_the_same_when_loaded(index, tmp_path):
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    for query in (["kosovo"], ["serbia", "border"], ["war", "end"]):
        assert np.array_equal(loaded.scores(query), index.scores(query))
    assert np.array_equal(loaded.idf, index.idf)

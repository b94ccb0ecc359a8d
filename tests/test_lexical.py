"""BM25 and IDF: the tokenizer that index and queries share, the IDF table, the scores, a saved index."""

import json
import math

import bm25s
import numpy as np
import pytest

from alsoask.lexical import LexicalIndex, TermCounts, tokenize

from .conftest import CORE

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


def test_saved_term_counts_score_the_same_when_loaded(tmp_path):
    counts = TermCounts.build(tokenize(PASSAGES))
    counts.save(tmp_path)
    live = np.ones(len(PASSAGES), dtype=bool)
    index, loaded = LexicalIndex([(counts, live)]), LexicalIndex([(TermCounts.load(tmp_path), live)])
    for query in (["kosovo"], ["serbia", "border"], ["war", "end"]):
        assert np.array_equal(loaded.scores(query), index.scores(query))
    assert loaded.vocab == index.vocab


@pytest.fixture(scope="module")
def core_tokens() -> list[list[str]]:
    docs = [json.loads(line) for line in CORE.read_text(encoding="utf-8").splitlines()]
    return tokenize([p for d in docs for p in d["text"].split("\n\n") if p.strip()])


def test_scores_are_bm25s_lucene_scores(core_tokens):
    """The BM25 the answer stage was tuned with (bm25s's defaults), computed here from term counts."""
    reference = bm25s.BM25()
    reference.index(core_tokens, show_progress=False)
    index = LexicalIndex.build(core_tokens)
    for question in ("When did Kosovo declare independence?", "NATO bombing of Yugoslavia in 1999", "zorblax war"):
        query = tokenize([question])[0]
        expected = reference.get_scores([t for t in query if t in reference.vocab_dict])
        assert np.allclose(index.scores(query), expected, rtol=1e-5, atol=1e-6)
        assert expected.max() > 0


def test_segments_with_dead_rows_score_as_one_index_of_the_live_rows(core_tokens):
    """Global statistics: IDF and average length over the live rows of every segment, so the split does
    not change a single score."""
    half = len(core_tokens) // 2
    first, second = TermCounts.build(core_tokens[:half]), TermCounts.build(core_tokens[half:])
    live = np.ones(half, dtype=bool)
    live[:25] = False  # removed passages
    split = LexicalIndex([(first, live), (second, np.ones(len(core_tokens) - half, dtype=bool))])
    whole = LexicalIndex.build(core_tokens[25:])
    for question in ("When did Kosovo declare independence?", "Who was Slobodan Milošević?", "Račak"):
        query = tokenize([question])[0]
        assert np.array_equal(split.scores(query), whole.scores(query))
        assert all(split.term_weight(t) == whole.term_weight(t) for t in query)
    assert split.vocab == whole.vocab
    per_segment = LexicalIndex([(second, np.ones(len(core_tokens) - half, dtype=bool))])
    assert per_segment.term_weight("kosovo") != whole.term_weight("kosovo")  # what global statistics avoid

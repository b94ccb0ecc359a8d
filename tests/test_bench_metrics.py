"""The benchmarks' answer match (bench/metrics.py): whole words after SQuAD normalisation, unlike the old
substring rule, and the window baselines' budget."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from metrics import (
    MAX_CHARS,
    Candidate,
    CorpusGold,
    best_window,
    cut,
    holds_answer,
    lead_window,
    normalize_answer,
)


def test_normalize_answer_is_squads():
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("U.S.") == "us"


def test_a_number_inside_a_longer_number_is_no_match():
    assert not holds_answer("The crowd was 19884 strong.", ["1988"])
    assert holds_answer("They last won in 1988.", ["1988"])


def test_a_short_word_inside_another_is_no_match():
    assert not holds_answer("Few people know the answer.", ["no"])
    assert holds_answer("No, it does not.", ["no"])


def test_articles_and_punctuation_are_normalised_on_both_sides():
    assert holds_answer("It was won by the Denver Broncos, in Santa Clara.", ["Denver Broncos"])
    assert holds_answer("Denver Broncos won.", ["The Denver Broncos"])
    assert holds_answer("It lies in Salzburg, Austria.", ["Salzburg, Austria"])


def test_the_ellipsis_separates_words():
    assert holds_answer("…won in 1988…", ["1988"])
    assert holds_answer("the final…Poison sang", ["Poison"])
    assert not holds_answer("…won in 19881…", ["1988"])


def test_punctuation_outside_ascii_separates_words_as_the_ellipsis_does():
    assert holds_answer("the Tigris–Euphrates river system", ["Euphrates"])
    assert holds_answer("He reigned (1939—1945).", ["1945"])
    assert holds_answer("the song “Poison” was a hit", ["Poison"])
    assert not holds_answer("Volcanoes there are usually non-explosive.", ["explosive"])  # ASCII: SQuAD's rule


def test_the_title_counts_but_no_answer_is_a_miss():
    assert holds_answer("It is the capital of Austria.", ["Salzburg"], title="Salzburg")
    assert not holds_answer("It is the capital of Austria.", ["Salzburg"])
    assert not holds_answer(None, ["Salzburg"], title="Salzburg")
    assert not holds_answer("", ["Salzburg"], title="Salzburg")


def test_answers_that_normalise_to_nothing_never_match():
    assert not holds_answer("the a an", ["The", "!"])


def test_corpus_gold_matches_whole_words_within_one_document():
    corpus = CorpusGold(["Dodgers", "They won in 1988.", "Los Angeles"])
    assert corpus.holds(["1988"])
    assert not corpus.holds(["198"])
    assert not corpus.holds(["Dodgers They"])  # never across two texts
    assert not corpus.holds(["Angeles Dodgers"])


def _candidate(title: str, sentences: list[str]) -> Candidate:
    from alsoask.lexical import tokenize

    text, spans = "", []
    for s in sentences:
        spans.append((len(text), len(text) + len(s)))
        text += s + " "
    return Candidate(title, text, spans, tokenize(sentences))


def test_lead_window_takes_whole_sentences_within_the_budget():
    c = _candidate("T", ["First sentence here.", "Second one.", "x" * 300 + " tail."])
    shown = lead_window(c, budget=60)
    assert shown.text == "First sentence here. Second one."
    assert shown.title == "T"
    assert lead_window(c).text.startswith("First") and len(lead_window(c).text) <= MAX_CHARS


def test_best_window_prefers_rare_question_terms_then_the_better_passage():
    weights = {"dodger": 5.0, "world": 1.0, "seri": 1.0}
    a = _candidate("A", ["The world is round.", "Nothing here."])
    b = _candidate("B", ["The Dodgers won the World Series in 1988.", "Other text."])
    shown = best_window([a, b], lambda t: weights.get(t, 0.0), ["dodger", "world", "seri"], budget=50)
    assert shown.title == "B" and "1988" in shown.text
    tie = best_window([a, _candidate("C", ["The world is flat."])], lambda t: weights.get(t, 0.0), ["world"])
    assert tie.title == "A"


def test_cut_keeps_the_budget_and_the_focus_terms():
    text = " ".join(["filler"] * 80) + " Dodgers won in 1988 " + " ".join(["filler"] * 80)
    shown = cut(text, 100, focus={"dodger"})
    assert len(shown) <= 100 and "Dodgers" in shown and shown.startswith("…") and shown.endswith("…")
    assert cut("short text", 100) == "short text"

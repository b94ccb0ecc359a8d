"""The benchmark sets' own rules: the adversarial SQuAD generator, WikiQA's answer-sentence rule and BoolQ's
verdict scoring (bench/adversarial.py, bench/wikiqa.py, bench/boolq.py). No index is built."""

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import adversarial  # noqa: E402
import boolq  # noqa: E402
import wikiqa  # noqa: E402

DOCS = [
    {
        "id": "0-0",
        "title": "Nikola Tesla",
        "text": "Nikola Tesla was born in 1856 in Smiljan. He was the first to build an induction motor in Graz.",
        "article": 0,
    },
    {
        "id": "0-1",
        "title": "Nikola Tesla",
        "text": "Tesla moved to New York in 1884 and worked for Edison, the largest inventor of the time.",
        "article": 0,
    },
    {
        "id": "1-0",
        "title": "Warsaw",
        "text": "Warsaw is the capital of Poland. Frédéric Chopin grew up in Warsaw and left in 1830.",
        "article": 1,
    },
]


@pytest.fixture(scope="module")
def vocab():
    return adversarial.Vocabulary(DOCS)


def _new_words_absent(vocab, article: int, new_text: str) -> bool:
    return not any(
        w in vocab.article[article] or vocab.stem(w) in vocab.article[article] for w in adversarial.words(new_text)
    )


def test_relation_swap_brings_a_word_the_article_lacks(vocab):
    question = "Where was Tesla born before moving to New York?"
    changes = list(adversarial.relation_changes(question))
    assert ("Where was Tesla buried before moving to New York?", "born", "buried") in changes
    kept = [c for c in changes if adversarial.check_change(vocab, 0, question, c[0], c[2])]
    assert kept, changes
    for changed, _, new in kept:
        assert changed != question
        assert _new_words_absent(vocab, 0, new)
    # "first" -> "last" is kept only where the article never says "last"; "largest" -> "smallest" likewise
    assert adversarial.check_change(
        vocab,
        0,
        "Who was the first to build an induction motor?",
        "Who was the last to build an induction motor?",
        "last",
    )


def test_a_change_to_a_word_of_the_article_is_refused(vocab):
    # "Graz" is in the Tesla article: the changed question would still be answered there
    question = "When did Tesla move to New York?"
    assert not adversarial.check_change(vocab, 0, question, "When did Tesla move to Graz?", "Graz")
    # a stem of the article counts too ("motors" for "motor")
    assert not adversarial.check_change(
        vocab, 0, "What did Tesla build in Graz?", "What motors did Tesla build in Graz?", "motors"
    )
    # and a change must add a content word at all
    assert not adversarial.check_change(vocab, 0, question, "When did the Tesla move to New York?", "the")


def test_a_change_another_paragraph_answers_is_refused(vocab):
    # "Chopin" is absent from the Tesla article, but the Warsaw paragraph holds it with "grew up" and "left"
    question = "When did Tesla leave Smiljan where he grew up?"
    changed = "When did Chopin leave Smiljan where he grew up?"
    assert _new_words_absent(vocab, 0, "Chopin")
    assert adversarial.check_change(vocab, 0, question, changed, "Chopin")  # Smiljan is not in the Warsaw paragraph
    changed = "When did Chopin leave Warsaw where he grew up?"
    assert not adversarial.check_change(vocab, 0, "When did Tesla leave Warsaw where he grew up?", changed, "Chopin")


def test_an_entity_swap_with_close_kin_of_the_old_entity_is_refused(vocab):
    # "Poland" and "Warsaw" share a paragraph: one for the other is too close to count as unanswerable
    question = "What is the capital of Warsaw's neighbour Graz?"
    assert not adversarial.check_change(
        vocab, 1, question, "What is the capital of Poland's neighbour Graz?", "Poland", old_text="Warsaw"
    )


def test_entity_and_year_changes():
    question = "Which motor did Tesla build in Graz in 1882?"
    changes = list(adversarial.entity_changes(question, [(16, 21, "PERSON")], lambda old, label, art: ["Chopin"], 0))
    assert changes == [("Which motor did Chopin build in Graz in 1882?", "Tesla", "Chopin")]
    rng = adversarial.random.Random(0)
    at = question.index("1882")
    years = list(adversarial.year_changes(question, [(at, at + 4)], rng))
    assert years
    for changed, old, new in years:
        assert old == "1882" and new != "1882" and abs(int(new) - 1882) >= 3 and int(new) <= adversarial.LAST_YEAR
        assert changed == question.replace("1882", new)
    # a year outside a DATE entity, or an address ("1500 Broadway"), is left alone
    assert not list(adversarial.year_changes(question, [], rng))
    assert not list(adversarial.year_changes("What is at 1500 Broadway?", [(11, 15)], rng))


def test_relation_words_inside_names_are_left_alone():
    assert not list(adversarial.relation_changes("Who designed the stage for North American Aviation?"))
    assert [c[2] for c in adversarial.relation_changes("Who was the first mayor?")] == ["last"]


@pytest.mark.skipif(not adversarial.SET_FILE.exists(), reason="bench/data/adversarial-squad.jsonl not generated")
def test_the_committed_set_holds_its_rules():
    rows = adversarial.read_set()
    assert {r["split"] for r in rows} == {"tune", "report"}
    assert all(r["split"] == ("tune" if r["article"] % 2 == 0 else "report") for r in rows)
    assert sum(r["split"] == "report" for r in rows) >= 1000
    assert {r["change_kind"] for r in rows} == {"entity", "year", "relation"}
    for r in rows[::50]:
        assert r["question"] != r["original"] and r["new"] in r["question"] and r["old"] in r["original"]


# --- WikiQA -------------------------------------------------------------------------------------


def _wikiqa_file(tmp_path: Path) -> Path:
    header = "QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel\n"
    rows = [
        ("Q1", "how are glacier caves formed?", "D1", "Glacier cave", "D1-1", "The ice melts from below .", "1"),
        ("Q1", "how are glacier caves formed?", "D1", "Glacier cave", "D1-0", "A glacier cave is a cave .", "0"),
        ("Q1", "how are glacier caves formed?", "D1", "Glacier cave", "D1-2", "Some are large .", "0"),
        ("Q2", "who named glacier caves", "D1", "Glacier cave", "D1-0", "A glacier cave is a cave .", "0"),
        ("Q2", "who named glacier caves", "D1", "Glacier cave", "D1-1", "The ice melts from below .", "0"),
        ("Q2", "who named glacier caves", "D1", "Glacier cave", "D1-2", "Some are large .", "0"),
        ("Q3", "what is a fjord", "D2", "Fjord", "D2-0", "A fjord is a long inlet .", "1"),
    ]
    path = tmp_path / "WikiQA-dev.tsv"
    path.write_text(header + "".join("\t".join(r) + "\n" for r in rows))
    return path


def test_wikiqa_pages_keep_sentence_offsets(tmp_path):
    pages, questions = wikiqa.load_wikiqa(_wikiqa_file(tmp_path))
    page = {p["id"]: p for p in pages}["D1"]
    assert page["text"] == "A glacier cave is a cave . The ice melts from below . Some are large ."
    assert page["title"] == "Glacier cave"
    q1 = {q["id"]: q for q in questions}["Q1"]
    assert [page["text"][a:b] for a, b in q1["right"]] == ["The ice melts from below ."]
    assert {q["id"]: q for q in questions}["Q2"]["right"] == []


def test_wikiqa_overlap_rule(tmp_path):
    _pages, questions = wikiqa.load_wikiqa(_wikiqa_file(tmp_path))
    q1 = {q["id"]: q for q in questions}["Q1"]
    (a, b) = q1["right"][0]
    assert wikiqa.is_right(q1, "D1", a, b)  # the sentence itself
    assert wikiqa.is_right(q1, "D1", 0, a + 3)  # a window that reaches into it
    assert not wikiqa.is_right(q1, "D1", 0, a)  # ends where it starts: the wrong sentence only
    assert not wikiqa.is_right(q1, "D1", b + 1, b + 10)  # the sentence after it
    assert not wikiqa.is_right(q1, "D2", a, b)  # the same offsets on another page
    assert not wikiqa.is_right(q1, None, None, None)  # no answer


def test_wikiqa_score(tmp_path):
    _pages, questions = wikiqa.load_wikiqa(_wikiqa_file(tmp_path))
    by_id = {q["id"]: q for q in questions}
    order = [by_id["Q1"], by_id["Q2"], by_id["Q3"]]
    a, b = by_id["Q1"]["right"][0]
    answers = [{"doc_id": "D1", "start": a, "end": b}, None, {"doc_id": "D1", "start": 0, "end": 5}]
    s = wikiqa.score(order, answers)
    assert (s["answerable"], s["unanswerable"]) == (2, 1)
    assert s["answerable_right"] == 0.5 and s["answerable_shown"] == 1.0 and s["answerable_other_page"] == 0.5
    assert s["unanswerable_withheld"] == 1.0
    s = wikiqa.score(order, [None, {"doc_id": "D1", "start": 0, "end": 5}, None])
    assert s["answerable_right"] == 0.0 and s["unanswerable_withheld"] == 0.0


# --- BoolQ --------------------------------------------------------------------------------------


def test_boolq_split_by_line(tmp_path):
    path = tmp_path / "boolq.jsonl"
    path.write_text(
        "".join(
            json.dumps({"question": f"is {n} odd", "title": "N", "answer": n % 2 == 1, "passage": "."}) + "\n"
            for n in range(1, 11)
        )
    )
    boolq.SPLITS["tiny"] = (3, 5)
    try:
        rows = boolq.load_boolq(path, "tiny")
    finally:
        del boolq.SPLITS["tiny"]
    assert [r["id"] for r in rows] == ["3", "4", "5"] and rows[0]["question"] == "is 3 odd"
    assert boolq.SPLITS["tune"] == (1, 1635) and boolq.SPLITS["report"] == (1636, 3270)


def test_boolq_verdict_scoring():
    questions = [{"id": str(i), "answer": gold} for i, gold in enumerate([True, True, False, False, True])]
    answers = [
        {"doc_id": "0", "verdict": "yes"},  # right, own passage
        {"doc_id": "9", "verdict": "no"},  # wrong, another passage
        {"doc_id": "2", "verdict": "no"},  # right
        {"doc_id": "3", "verdict": None},  # cited, no verdict
        None,  # no answer
    ]
    s = boolq.score(questions, answers)
    assert s["answered"] == 0.8
    assert s["cites_own_passage"] == 0.6
    assert s["with_verdict"] == 0.6
    assert s["verdict_right_when_given"] == pytest.approx(2 / 3)
    assert s["verdict_right_of_all"] == 0.4
    assert s["verdicts_given"] == {"yes": 1, "no": 2}
    assert s["gold_yes_share"] == 0.6


def test_boolq_without_verdicts():
    """Today's engine never sets a verdict: the scores say so instead of failing."""
    s = boolq.score([{"id": "0", "answer": True}], [{"doc_id": "0", "verdict": None}])
    assert s["with_verdict"] == 0.0 and s["verdict_right_when_given"] is None and s["cites_own_passage"] == 1.0


def test_years_that_bound_a_range_are_left_alone():
    rng = adversarial.random.Random(0)
    for question in (
        "When did Polonia win the championship prior to 2000?",
        "Who has elected the President since 1990?",
        "What was built between 1978 and 1982?",
    ):
        dates = [(m.start(), m.end()) for m in adversarial.YEAR.finditer(question)]
        assert not list(adversarial.year_changes(question, dates, rng)), question

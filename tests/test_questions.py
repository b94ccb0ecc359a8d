"""The question bank: generation, FAQ harvesting, imports, merging of equivalents, updates."""

import sqlite3
from pathlib import Path

import pytest

from alsoask import Engine, build_index
from alsoask.errors import AlsoaskError, CorpusError
from alsoask.generate import QuestionGenerator, is_well_formed
from alsoask.index import add_questions
from alsoask.questions import find_faq_questions, read_question_list

from .conftest import alsoask, write

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "helpdesk"


@pytest.fixture(scope="module")
def generator():
    generator = QuestionGenerator(sentences_per_passage=10)
    generator.warm_up()
    return generator


def generated(generator, sentence: str) -> list[str]:
    """What the bank would take from the sentence: generated and well formed."""
    return [g.question for g in next(generator.generate([("Test", [sentence])])) if is_well_formed(g.question)]


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        (
            "Operation Allied Force was the NATO bombing of Yugoslavia during the Kosovo War.",
            "What was Operation Allied Force?",
        ),
        ("Slobodan Milošević was a Yugoslav and Serbian politician.", "Who was Slobodan Milošević?"),
        (
            "Kosovo declared independence from Serbia on 17 February 2008.",
            "When did Kosovo declare independence from Serbia?",
        ),
        ("Pristina is located in the north-east of Kosovo.", "Where is Pristina located?"),
        ("Russia opposed the declaration because it considered it illegal.", "Why did Russia oppose the declaration?"),
        ("Serbia does not recognise Kosovo's independence.", "Does Serbia recognise Kosovo's independence?"),
        (
            "NATO launched air strikes against Yugoslavia in March 1999.",
            "Who launched air strikes against Yugoslavia in March 1999?",
        ),
    ],
)
def test_generator_writes_the_question_a_reader_would_type(generator, sentence, question):
    assert question in generated(generator, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "He was the president of Serbia from 1989 to 1997.",  # no referent
        "It declared independence on 17 February 2008.",
        "The country declared independence on 17 February 2008.",  # "the country": which one?
        "This war ended in June 1999 with the Kumanovo Agreement.",
        "(The Republic of Kosovo) is a country in the Balkans.",  # a subject all in brackets: once a crash
    ],
)
def test_generator_never_writes_a_question_that_needs_context(generator, sentence):
    assert generated(generator, sentence) == []


@pytest.mark.parametrize(
    ("question", "ok"),
    [
        ("When did Kosovo declare independence?", True),
        ("Does Serbia recognise Kosovo's independence?", True),
        ("When did he declare independence?", False),
        ("What did the country export?", False),
        ("Kosovo declared independence.", False),
        ("When did (Kosovo declare independence?", False),
        ("Did the Ottomans capture Nicaea, , Victory at the Battle of Kosovo?", False),
    ],
)
def test_well_formed_check(question, ok):
    assert is_well_formed(question) is ok


def test_faq_questions_are_found_with_their_answer_after_them():
    sentences = ["## How do I reset my password?", "Open Settings and click Reset.", "Q: Why is my account locked?"]
    assert find_faq_questions(sentences) == [(0, "How do I reset my password?")]  # the last has no answer after it


@pytest.fixture(scope="module")
def helpdesk_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bank") / "index"
    build_index([EXAMPLES], folder)
    return folder


def bank(folder: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(folder / "alsoask.sqlite") as db:
        rows = db.execute("SELECT text, source, json_extract(answer, '$.text') FROM questions").fetchall()
    db.close()
    return rows


def test_faq_headings_become_bank_questions_answered_by_what_follows(helpdesk_index):
    found = {text: answer for text, source, answer in bank(helpdesk_index) if source == "found"}
    assert found["How do I reset my password?"].startswith('Open Settings, choose Security and click "Reset password".')
    assert "Why is my account locked?" in found


def test_imported_questions_join_the_bank_only_where_the_corpus_answers_them(helpdesk_index, tmp_path):
    folder = tmp_path / "index"
    build_index([EXAMPLES], folder)
    log = write(tmp_path / "log.csv", "question,count\nhow do i reset my password,50\nWhat is the capital of Mars?,9\n")
    assert add_questions(log, folder) == (2, 1)
    rows = bank(folder)
    imported = [(t, a) for t, s, a in rows if s == "imported"]
    assert [t for t, _ in imported] == ["how do i reset my password"]
    # the imported wording displaced the equivalent question found in the corpus
    assert "How do I reset my password?" not in [t for t, _, _ in rows]
    with Engine(folder) as engine:
        shown = [r.question for r in engine.ask("Why is my account locked?").related]
    assert shown[0] == "how do i reset my password"  # its count of 50 ranks it first


def test_question_list_faults_are_clear(tmp_path):
    assert read_question_list(write(tmp_path / "q.txt", "One?\n\n  Two?  \n")) == [("One?", 1), ("Two?", 1)]
    with pytest.raises(CorpusError, match="line 3"):
        read_question_list(write(tmp_path / "bad.csv", "question,count\nA?,2\nB?,many\n"))
    with pytest.raises(CorpusError, match="'question' column"):
        read_question_list(write(tmp_path / "nohead.csv", "A?,2\n"))
    with pytest.raises(CorpusError, match="binary"):
        read_question_list(write(tmp_path / "bin.txt", b"\x00\x01\x02"))
    with pytest.raises(CorpusError, match="not found"):
        read_question_list(tmp_path / "missing.txt")


def test_cli_questions_add_reports_a_bad_file_in_one_line(helpdesk_index, tmp_path):
    bad = write(tmp_path / "bad.csv", "question,count\nA?,x\n")
    run = alsoask("questions", "add", bad, "--index", helpdesk_index)
    assert run.returncode == 2
    assert run.stderr.strip().startswith("error:") and len(run.stderr.strip().splitlines()) == 1


def test_bank_follows_the_index_when_a_document_is_replaced(tmp_path):
    corpus = write(
        tmp_path / "c" / "kosovo.md", "# Kosovo\n\nKosovo declared independence from Serbia on 17 February 2008.\n"
    )
    folder = tmp_path / "index"
    build_index([corpus.parent], folder)
    assert "When did Kosovo declare independence from Serbia?" in [t for t, _, _ in bank(folder)]
    write(corpus, "# Kosovo\n\nPristina is located in the north-east of Kosovo, near the Goljak mountains.\n")
    build_index([corpus.parent], folder)
    texts = [t for t, _, _ in bank(folder)]
    assert "When did Kosovo declare independence from Serbia?" not in texts
    assert "Where is Pristina located?" in texts


def test_equivalent_questions_are_merged_keeping_the_found_wording(tmp_path):
    text = (
        "# Independence\n\n## When did Kosovo declare independence from Serbia?\n\n"
        "Kosovo declared independence from Serbia on 17 February 2008, nine years after the war ended.\n"
    )
    folder = tmp_path / "index"
    build_index([write(tmp_path / "c" / "faq.md", text).parent], folder)
    rows = bank(folder)
    assert [(t, s) for t, s, _ in rows if "independence" in t] == [
        ("When did Kosovo declare independence from Serbia?", "found")
    ]


def test_an_unknown_generator_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(AlsoaskError, match="unknown question generator"):
        build_index([tmp_path / "missing"], tmp_path / "index", generator="gpt")
    assert not (tmp_path / "index").exists()


def test_generator_none_keeps_found_questions_only(tmp_path):
    folder = tmp_path / "index"
    build_index([EXAMPLES], folder, generator="none")
    assert {source for _, source, _ in bank(folder)} == {"found"}


@pytest.mark.llm
def test_llm_generator_writes_questions_the_bank_can_take(tmp_path):
    corpus = write(
        tmp_path / "c" / "kosovo.md",
        "# Kosovo\n\nKosovo declared independence from Serbia on 17 February 2008. Serbia does not recognise "
        "Kosovo's independence and still claims it as its Autonomous Province of Kosovo and Metohija.\n",
    )
    folder = tmp_path / "index"
    report = build_index([corpus.parent], folder, generator="llm")
    assert report.questions >= 1
    assert all(t.endswith("?") and is_well_formed(t) for t, _, _ in bank(folder))

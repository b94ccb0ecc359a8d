"""The question bank: generation, FAQ harvesting, imports, merging of equivalents, updates."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alsoask import Engine, build_index, generate
from alsoask.errors import AlsoaskError, CorpusError
from alsoask.generate import QuestionGenerator, is_well_formed
from alsoask.index import add_questions
from alsoask.questions import find_faq_questions, read_question_list, same_question
from alsoask.split import split_sentences

from .conftest import SHARED, alsoask, write

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "helpdesk"


@pytest.fixture(scope="module")
def generator():
    generator = QuestionGenerator()
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
        ("Kosovo declared independence from Serbia in 2008.", "Did Kosovo declare independence from Serbia in 2008?"),
        (  # after a list's dash, "The" is the sentence's first word
            "- – The Polish government sanctioned NATO's activities in Kosovo.",
            "Did the Polish government sanction NATO's activities in Kosovo?",
        ),
        (  # a film's name in italics marks, not lower-cased after them, and the marks dropped
            "_Life of Brian_ opened in five North American theatres in 1979.",
            "When did Life of Brian open in five North American theatres?",
        ),
        (
            "NATO launched air strikes against Yugoslavia in March 1999.",
            "Who launched air strikes against Yugoslavia in March 1999?",
        ),
    ],
)
def test_generator_writes_the_question_a_reader_would_type(generator, sentence, question):
    assert question in generated(generator, sentence)


def generated_on(generator, title: str, text: str) -> list[str]:
    """What the bank would take from the sentences of the page `title`."""
    sentences = [text[start:end] for start, end in split_sentences(text)]
    return [g.question for g in next(generator.generate([(title, sentences)])) if is_well_formed(g.question)]


@pytest.mark.parametrize(
    ("title", "sentence", "question"),
    [  # the forms people type (issue 12): how, why, yes/no, "what is X used for", "who invented"
        ("Telephone", "The telephone was invented by Alexander Graham Bell in 1876.", "Who invented the telephone?"),
        ("Hamlet", "Hamlet was written by William Shakespeare around 1600.", "Who wrote Hamlet?"),
        ("Malaria", "Malaria is caused by microorganisms of the Plasmodium group.", "What causes Malaria?"),
        (  # its page writes it in lower case mid-sentence, so the question does too
            "Aspirin",
            "Aspirin is used to reduce fever and pain. Doctors prescribe aspirin.",
            "What is aspirin used for?",
        ),
        (  # a bare surname takes the page's full name
            "Albert Einstein",
            "Einstein is best known for the theory of relativity.",
            "What is Albert Einstein known for?",
        ),
        ("Steffi Graf", "Graf won 107 singles titles in 1999.", "When did Steffi Graf win 107 singles titles?"),
        (  # a surname the NER takes for a place
            "Manmohan Singh",
            "A member of the Indian National Congress, Singh was the first Sikh prime minister.",
            "Who was Manmohan Singh?",
        ),
        (  # the count's noun, without what hangs on it or the dates
            "The Beatles",
            "The Beatles released 13 studio albums between 1963 and 1970.",
            "How many studio albums did The Beatles release?",
        ),
        ("Joni Mitchell", "Mitchell became known for her folk songs.", "What was Joni Mitchell known for?"),
        ("Xenophon", "Xenophon of Athens was a Greek military leader.", "Who was Xenophon of Athens?"),
        (  # the page's name, not the formal one
            "François Mitterrand",
            "François Maurice Adrien Marie Mitterrand was President of France from 1981 to 1995.",
            "Who was François Mitterrand?",
        ),
        (
            "Russia",
            "Russia recognised the independence of Abkhazia in 2008.",
            "Did Russia recognise the independence of Abkhazia in 2008?",
        ),
        (  # a common noun's page, written in lower case mid-sentence
            "Figure skating",
            "Figure skating is a sport in which individuals perform on ice. Pairs compete in figure skating.",
            "What is figure skating?",
        ),
        (  # a thing's role asks "what", not "who"
            "Renminbi",
            "The renminbi is the official currency of the People's Republic of China.",
            "What is the official currency of the People's Republic of China?",
        ),
        ("Mount Everest", "Mount Everest is 8,848 metres tall.", "How tall is Mount Everest?"),
        ("Napoleon", "Napoleon died of stomach cancer in 1821.", "How did Napoleon die?"),
        ("The war", "The war ended because NATO intervened in 1999.", None),  # "the war": which one?
        ("Albert Einstein", "Albert Einstein was born in Ulm on 14 March 1879.", "When was Albert Einstein born?"),
        ("Albert Einstein", "Albert Einstein was born in Ulm on 14 March 1879.", "Where was Albert Einstein born?"),
        ("Kosovo", "Kosovo has a population of about 1.8 million.", "What is the population of Kosovo?"),
        ("Chile", "Chile had a population of 18.5 million in 2024.", "What is the population of Chile?"),  # today's
        (
            "Roman Empire",
            "The Roman Empire had a population of 60 million.",
            "What was the population of the Roman Empire?",
        ),
        ("Serbia", "Serbia is a landlocked country in Southeast Europe.", "Is Serbia a landlocked country?"),
        ("Lizard", "Lizards are a widespread group of squamate reptiles.", "What are lizards?"),  # the page's subject
        (
            "Berlin Wall",
            "Construction of the Berlin Wall began on 13 August 1961.",
            "When did construction of the Berlin Wall begin?",  # not "When did Construction …"
        ),
        # "the war" on its own page is the page's war; the page's name as its title writes it
        ("Kosovo War", "The war ended on 11 June 1999.", "When did the Kosovo War end?"),
        ("Battle of Kosovo", "The battle was fought on 15 June 1389.", "When was the Battle of Kosovo fought?"),
        ("Kosovo War", "The KOSOVO WAR was an armed conflict in Kosovo.", "What was the Kosovo War?"),
        (  # a common noun in lower case, whatever its title's case
            "Rail transport",
            "Rail transport is a means of transport using wheeled vehicles on rails.",
            "What is rail transport?",
        ),
        ("Federalism", "Federalism is a mixed or compound mode of government.", "What is federalism?"),
        ("Belgrade", "Belgrade is the capital and largest city of Serbia.", "Where is Belgrade?"),
        ("Stefan Nemanja", "Stefan Nemanja was the first king of Serbia.", "Who was the first king of Serbia?"),
        (  # an ordinal: one holder
            "Abraham Lincoln",
            "Abraham Lincoln was the 16th president of the United States.",
            "Who was the 16th president of the United States?",
        ),
        ("Belgrade", "Belgrade was the capital of Yugoslavia.", "What was the capital of Yugoslavia?"),
        ("Marilyn Monroe", "Marilyn Monroe was an American film star.", "Who was Marilyn Monroe?"),
        ("Pristina", "Pristina is a city in central Kosovo.", "Where is Pristina?"),
        (  # the formal name gives way to the page's, though the NER tags its last word an ORG
            "Diego Velázquez",
            "Diego Rodríguez de Silva y Velázquez was a Spanish Baroque painter.",
            "Who was Diego Velázquez?",
        ),
        (  # and through the page's initials
            "J. P. Morgan",
            "John Pierpont Morgan Sr. was an American financier and investment banker.",
            "Who was J. P. Morgan?",
        ),
        (  # a city is a name, though the tagger takes the sentence's first word for a common noun
            "Carthage",
            "Carthage was an ancient city in northern Africa founded by the Phoenician queen Dido.",
            "What was Carthage?",
        ),
        (  # a named doer makes any deed worth asking about
            "Vietnam War",
            "North Vietnam was supported by the Soviet Union and China.",
            "Who supported North Vietnam?",
        ),
        (  # an aside set off by commas is no part of the name
            "Lyndon B. Johnson",
            "Lyndon Baines Johnson, also known as LBJ, was the 36th president of the United States from 1963 to 1969.",
            "Who was the 36th president of the United States?",
        ),
        (
            "Serbia",
            "Serbia, officially the Republic of Serbia, is a landlocked country in Southeast Europe.",
            "Is Serbia a landlocked country?",
        ),
        (  # one name more, opening the page: its own subject
            "Indira Gandhi",
            "Indira Priyadarshini Gandhi was an Indian stateswoman.",
            "Who was Indira Gandhi?",
        ),
        (  # one name more, and the life's dates: the page's own subject
            "Richard Nixon",
            "Richard Milhous Nixon (January 9, 1913 – April 22, 1994) was the 37th president of the United States.",
            "Who was Richard Nixon?",
        ),
        ("Vietnam War", "The conflict was a proxy war of the Cold War.", "What was the Vietnam War?"),
        ("Eton College", "Eton College is an English school.", "Is Eton College an English school?"),
        (  # "when" asks when, not who
            "Telephone",
            "The telephone was invented by Alexander Graham Bell in 1876.",
            "When was the telephone invented?",
        ),
        ("Great Fire of London", "The Great Fire was caused by a spark.", "What caused the Great Fire?"),
    ],
)
def test_generator_writes_the_forms_people_ask(generator, title, sentence, question):
    found = generated_on(generator, title, sentence)
    assert question in found if question else found == [], found


@pytest.mark.parametrize(
    ("title", "sentence", "wrong"),
    [
        ("Quinoa", "Quinoa (Chenopodium quinoa) is a flowering plant in the amaranth family.", "Who is Quinoa?"),
        ("Russia", "Russia had no treaty obligation to Serbia.", "Did Russia have no treaty obligation to Serbia?"),
        ("Lizard", "Lizards are a widespread group of squamate reptiles.", "Are lizards a widespread group?"),
        ("Napoleon", "Napoleon was a French military and political leader.", "Was Napoleon a French military?"),
        ("Telephone", "The telephone was not invented by Thomas Edison.", "Who invented the telephone?"),
        ("Western Front", "The Western Front was marked by trench warfare.", "What marked the Western Front?"),
        ("Qing", "The Qing court sued for peace in February 1895.", "When did the Qing court sue for peace in 1895?"),
        (
            "Old Testament",
            "The Old Testament is the first division of the Christian Bible.",
            "Who is the first division of the Christian Bible?",
        ),
        (  # a sentence with its verb moved, not a search: too long, a list
            "Nadia Comăneci",
            "Comăneci won nine Olympic medals and four World Championship medals.",
            "Did Nadia Comăneci win nine Olympic medals and four World Championship medals?",
        ),
        (  # a verb that describes what something holds asks nothing
            "Cinema of the Soviet Union",
            "The cinema of the Soviet Union includes films produced by the constituent republics.",
            "Does the cinema of the Soviet Union include films?",
        ),
        (  # a place in a page's name is itself, not the page ("Kosovo" on "Kosovo War")
            "Kosovo War",
            "Kosovo endured a heavy secret-police presence in 1981.",
            "When did Kosovo War endure a heavy secret-police presence?",
        ),
        ("Napoleon", "Napoleon was a French military and political leader.", "Where was Napoleon?"),
        ("Sirius", "Sirius is the brightest star in the night sky.", "Who is Sirius?"),  # a star in the sky
        ("Oxygen", "Oxygen is the oxidant, not the fuel, in combustion.", "Who is Oxygen?"),  # the NER says PERSON
        ("Mexico City", "The city is the capital of Mexico.", "Where is the Mexico City?"),  # a city is no event
        ("Geography of Kosovo", "Kosovo is a landlocked country in the Balkans.", "Where is Geography of Kosovo?"),
        ("The war", "The war ended because NATO intervened in 1999.", "Why did the The war end?"),
        (  # a past role many held asks no single answer
            "Narendra Modi",
            "Narendra Modi was the chief minister of Gujarat from 2001 to 2014.",
            "Who was the chief minister of Gujarat?",
        ),
        (  # a bare surname's sentence is no definition
            "Manmohan Singh",
            "A member of the Indian National Congress, Singh was the first and remains the only Sikh prime minister.",
            "What was Manmohan Singh?",
        ),
        ("Kosovo War", "The war in Bosnia ended in 1995.", "When did the Kosovo War end?"),  # another war
        (  # one name more may be another person of the family, where it does not open the page
            "John Adams",
            "John Adams was a statesman. John Quincy Adams was an American statesman.",
            "Who was John Adams?",
        ),
        (
            "Salvador Allende",
            "Salvador Allende was overthrown by Augusto Pinochet.",
            "Who overthrown Salvador Allende?",
        ),
        ("Oakwood", "Oakwood is an unincorporated community in Ohio.", "Is Oakwood a unincorporated community?"),
        (  # the tail of a long name is no name
            "Diego Rivera",
            "Diego María de la Concepción Juan Nepomuceno Estanislao de la Rivera y Barrientos Acosta y Rodríguez "
            "was a Mexican painter.",
            "What was y Rodríguez?",
        ),
        (
            "Carthage",
            "Carthage was an ancient city in northern Africa founded by the Phoenician queen Dido.",
            "What was carthage?",
        ),
        ("Serbia", "Serbia is bordered by Hungary to the north.", "Who borders Serbia?"),  # no deed
        ("Scandium", "Scandium was discovered by spectral analysis in 1879.", "What discovered Scandium?"),  # a means
        ("Roger Federer", "Roger Federer was ranked world No. 1 by the ATP.", "Who ranked Roger Federer?"),
        (  # the page's first sentence defines it; a later one read with its name does not
            "Napoleon III",
            "Napoleon III was the first President of France. As head of state of France for 22 years, he was the "
            "longest-reigning French head of state.",
            "What was Napoleon III?",
        ),
        (  # a path is no means
            "Blue Nile",
            "The Blue Nile is a river in Ethiopia. It travels for approximately 1,450 km through Ethiopia and Sudan.",
            "How does the Blue Nile travel?",
        ),
        (  # a yes/no question gives no figure: the answer says it, a reader asks "how much"
            "Land",
            "Land makes up 29.2% of Earth's surface.",
            "Does land make up 29.2% of Earth's surface?",
        ),
        (
            "Carbon",
            "Carbon makes up about 0.025 percent of Earth's crust.",
            "Does Carbon make up about 0.025 percent of Earth's crust?",
        ),
        (  # a count as of a date: "when" asks nothing
            "Covenant",
            "As of 2024, the Covenant has 173 parties.",
            "When does the Covenant have 173 parties?",
        ),
    ],
)
def test_generator_does_not_write_what_reads_wrong(generator, title, sentence, wrong):
    assert wrong not in generated_on(generator, title, sentence)


def test_parsing_on_two_processes_gives_the_same_questions(monkeypatch):
    """Large batches are parsed by worker processes; the questions and their order must not change."""
    with (SHARED / "kosovo" / "core.jsonl").open() as lines:
        summaries = [d for d in map(json.loads, lines) if d["id"].startswith("summary:")]
    passages = [(d["title"], [d["text"][s:e] for s, e in split_sentences(d["text"])]) for d in summaries]
    alone = [[g.question for g in found] for found in QuestionGenerator(jobs=1).generate(passages)]
    monkeypatch.setattr(generate, "PARALLEL_FROM", 1)  # a small batch, so that the test stays short
    pooled = [[g.question for g in found] for found in QuestionGenerator(jobs=2).generate(passages)]
    assert pooled == alone and sum(map(len, alone)) > 10


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
        ("What was the youngest son of King Æthelwulf and?", False),  # cut after a conjunction
        ("What is aspirin used for?", True),
        ("What is vitamin A?", True),  # a capital letter, not an article
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


@pytest.mark.parametrize(
    ("question", "other", "same"),
    [  # the words decide here: the two vectors are at cosine 0.85, under the paraphrase cut of 0.9
        (
            "When did Kosovo declare independence?",
            "When did the Assembly of Kosovo declare independence from Serbia?",
            True,
        ),
        ("When did Kosovo declare independence?", "Why did Kosovo declare independence?", False),  # another form
        ("Who was Slobodan Milošević?", "Who was Slobodan Milošević's son?", False),  # two words say too little
        ("When did Kosovo declare independence?", "When did Slovenia declare independence?", False),
        ("Does Serbia recognize Kosovo?", "Does Kosovo recognize Serbia?", False),  # the same words, swapped
        ("What happened before the Kosovo War?", "What happened after the Kosovo War?", False),
        ("Why did Serbia recognize Kosovo?", "Why did Serbia not recognize Kosovo?", False),  # a negation
        ("When did World War I end?", "When did World War II end?", False),
        ("Who was the first king of Serbia?", "Who was the first king of Serbia's wife?", False),  # a possessive
    ],
)
def test_a_question_asked_again_with_more_words_is_the_same_question(question, other, same):
    """The bank across pages held "When did Kosovo declare independence?" and "When did the Assembly of
    Kosovo declare independence from Serbia?" (cosine 0.85), and one box showed both."""
    one, two = np.array([1.0, 0.0]), np.array([0.85, np.sqrt(1 - 0.85**2)])
    assert same_question(question, one, other, two) is same
    assert same_question(other, two, question, one) is same


@pytest.mark.parametrize(
    ("question", "other", "same"),
    [
        ("What is the NFL?", "What is the National Football League?", True),
        ("When was the UN founded?", "When was the United Nations founded?", True),
        ("What is the NFL?", "What is the NBA?", False),
        ("When was the UN founded?", "Where was the United Nations founded?", False),  # another form
        ("What is the NFL?", "What is the National Hockey League?", False),  # other initials
    ],
)
def test_a_name_written_as_its_initials_is_the_same_question(question, other, same):
    """A tree showed "What is the NFL?" beside "What is the National Football League?": the static
    embedder puts an abbreviation far from its name, so the cosine cannot tell (here it is 0)."""
    one, two = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert same_question(question, one, other, two) is same
    assert same_question(other, two, question, one) is same


def test_a_question_inside_another_at_a_low_cosine_is_another_question():
    one, two = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert not same_question(
        "When did Kosovo declare independence?", one, "When did the Assembly of Kosovo declare independence?", two
    )


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


def test_a_generated_question_is_answered_by_the_sentence_it_was_written_from(tmp_path):
    """The round trip may rank another sentence of the passage higher ("Einstein" is in all of them);
    the stored answer must still hold the sentence the question came from."""
    facts = [
        "Albert Einstein was a German-born theoretical physicist who developed the theory of relativity.",
        "Einstein is best known for the mass-energy equivalence formula, which has been called the world's most "
        "famous equation.",
        "Albert Einstein received the 1921 Nobel Prize in Physics for his services to theoretical physics.",
        "Einstein taught at universities in Zurich, Prague and Berlin before he moved to the United States.",
        "In 1933 Einstein settled in Princeton, where he worked at the Institute for Advanced Study.",
        "Einstein published more than 300 scientific papers and more than 150 non-scientific works.",
        "Albert Einstein was born in Ulm on 14 March 1879.",
        "Einstein became an American citizen in 1940 and remained at Princeton for the rest of his life.",
    ]
    corpus = write(
        tmp_path / "einstein.jsonl", json.dumps({"id": "e", "title": "Albert Einstein", "text": " ".join(facts)})
    )
    build_index([corpus], tmp_path / "index")
    answers = {question: answer for question, _, answer in bank(tmp_path / "index")}
    assert "born in Ulm on 14 March 1879" in answers["When was Albert Einstein born?"]


@pytest.mark.parametrize(
    ("title", "sentences", "question"),
    [
        ("Glucose", ["Glucose is a simple sugar found in plants.", "Plants make glucose."], "What is glucose?"),
        ("Earth", ["Earth is the third planet from the Sun.", "Life on Earth began early."], "What is Earth?"),
    ],
)
def test_a_page_subject_keeps_the_case_its_text_writes_it_in(generator, title, sentences, question):
    assert question in [g.question for g in next(generator.generate([(title, sentences)]))]


def test_a_page_that_writes_its_title_only_at_sentence_starts_takes_the_corpus_s_case(generator):
    """ "Glucose is a sugar. It is made by plants." never writes "glucose" mid-sentence; other pages do,
    so the question reads "What is glucose?". "Turkey" stays a name: the corpus writes it so."""
    pages = [
        ("Glucose", ["Glucose is a simple sugar with the formula C6H12O6.", "It is made by plants."]),
        ("Photosynthesis", ["Photosynthesis is a process.", "Plants turn light into glucose and oxygen."]),
        ("Turkey", ["Turkey is a country in Anatolia.", "Its capital is Ankara."]),
        ("Ankara", ["Ankara is the capital of Turkey.", "It is the second-largest city in Turkey after Istanbul."]),
        ("Thanksgiving", ["Thanksgiving is a holiday.", "Many families eat a roast turkey on the day."]),
    ]
    questions = [g.question for page in generator.generate(pages) for g in page]
    assert "What is glucose?" in questions
    assert "What is Turkey?" in questions
    assert generate.page_subject("Glucose", pages[0][1]) == "Glucose"  # the page alone cannot tell


@pytest.mark.parametrize(
    ("subject", "sentences", "expected"),
    [
        (  # a run about the subject, its pronouns replaced by the name as written
            "Kosovo War",
            ["The Kosovo War was an armed conflict.", "It lasted until June 1999.", "Its end came with a treaty."],
            [
                "The Kosovo War was an armed conflict.",
                "The Kosovo War lasted until June 1999.",
                "Its end came with a treaty.",
            ],
        ),
        (  # a sentence about something else ends the run: its "He" may be anyone
            "Albert Einstein",
            ["Albert Einstein was a physicist.", "The theory was new.", "He moved to Princeton."],
            ["Albert Einstein was a physicist.", "The theory was new.", "He moved to Princeton."],
        ),
        (  # "It" after "He" is something else; "It is believed that" points at no one
            "Albert Einstein",
            ["Albert Einstein was a physicist.", "He won a prize.", "It was the Nobel Prize."],
            ["Albert Einstein was a physicist.", "Albert Einstein won a prize.", "It was the Nobel Prize."],
        ),
        (
            "glucose",
            ["Glucose is a sugar.", "It is believed that plants make it.", "It is made by plants."],
            ["Glucose is a sugar.", "It is believed that plants make it.", "Glucose is made by plants."],
        ),
        (  # after an opening phrase, inside the sentence: "the", and a common noun's own case
            "Kosovo War",
            ["The Kosovo War was an armed conflict.", "In 1999, it ended."],
            ["The Kosovo War was an armed conflict.", "In 1999, the Kosovo War ended."],
        ),
        (
            "glucose",
            ["Glucose is a sugar.", "In plants, it is made from water."],
            ["Glucose is a sugar.", "In plants, glucose is made from water."],
        ),
        (  # the page's own pronoun only: on a person's page "It" is something else, and it ends the run
            "Albert Einstein",
            ["Albert Einstein developed relativity.", "It was published in 1915.", "He moved to Princeton."],
            ["Albert Einstein developed relativity.", "It was published in 1915.", "He moved to Princeton."],
        ),
        (  # a longer name that begins with the subject is another subject
            "Kosovo",
            ["Kosovo Liberation Army was formed in 1990.", "It fought Serbian forces."],
            ["Kosovo Liberation Army was formed in 1990.", "It fought Serbian forces."],
        ),
        (  # a sentence led by a possessive ends the run: its "He" may be the father
            "Albert Einstein",
            ["Albert Einstein was a physicist.", "His father was a salesman.", "He founded a firm."],
            ["Albert Einstein was a physicist.", "His father was a salesman.", "He founded a firm."],
        ),
        (  # the title's qualifier is no part of the name
            "Mercury (planet)",
            ["Mercury is the smallest planet.", "It orbits the Sun."],
            ["Mercury is the smallest planet.", "Mercury orbits the Sun."],
        ),
        (  # a Turkish "İt" is no pronoun (it once stopped the Kosovo corpus's bank with a KeyError)
            "Iron Age",
            ["The Iron Age was a period.", "İt dates more than 2500 years back.", "It ended."],
            ["The Iron Age was a period.", "İt dates more than 2500 years back.", "It ended."],
        ),
        (  # no sentence names the subject: no run
            "Hamlet",
            ["The Tragedy of Hamlet is a play.", "It is long."],
            ["The Tragedy of Hamlet is a play.", "It is long."],
        ),
    ],
)
def test_a_pronoun_in_a_run_about_the_page_s_subject_is_read_as_its_name(subject, sentences, expected):
    assert generate.with_subject_named(subject, sentences) == expected


def test_a_sentence_that_calls_the_subject_he_gives_questions(generator):
    """Nearly a fifth of encyclopedia sentences begin with "He", "She" or "It", and gave no question."""
    text = "The Bactrian camel is a large camel native to Central Asia. It has two humps on its back."
    assert "How many humps does the Bactrian camel have?" in generated_on(generator, "Bactrian camel", text)


def test_index_jobs_must_be_at_least_one(tmp_path):
    corpus = write(tmp_path / "a.txt", "Kosovo\n\nKosovo declared independence from Serbia on 17 February 2008.")
    with pytest.raises(AlsoaskError, match="at least 1"):
        build_index([corpus], tmp_path / "index", jobs=0)
    assert not (tmp_path / "index").exists()


def test_the_ner_and_the_rest_run_only_where_a_rule_can_ask_and_change_no_question(generator):
    """`_questions_of` tags and parses, and runs the rest of the pipeline (the NER, half the cost) only on
    the sentences `_may_ask` keeps: over real sentences of the Kosovo core set it must find what the whole
    pipeline finds, while skipping the rest for a good share of them."""
    from alsoask.split import split_passages

    from .conftest import CORE

    texts = []
    for line in CORE.read_text().splitlines()[:6]:
        doc = json.loads(line)
        for passage in split_passages(doc["text"]):
            sentences = [doc["text"][a:b] for a, b in passage.sentences]
            subject = generate.page_subject(doc["title"], sentences)
            named = generate.with_subject_named(subject, sentences)
            texts += [(subject, named[i], i == 0) for i in generate.usable_sentences(sentences)]
    texts = texts[:600]
    whole = [
        generate.questions_from(doc, title, opening)
        for doc, (title, _, opening) in zip(generator.nlp.pipe(s for _, s, _ in texts), texts, strict=True)
    ]
    assert list(generate._questions_of(generator.nlp, texts, 64)) == whole
    assert sum(map(len, whole)) >= 40
    parsed = generator.nlp.pipe((s for _, s, _ in texts), disable=["attribute_ruler", "lemmatizer", "ner"])
    skipped = sum(not generate._may_ask(doc, title) for doc, (title, _, _) in zip(parsed, texts, strict=True))
    assert skipped >= 0.3 * len(texts)


@pytest.mark.minilm  # needs torch installed, which only the minilm extra brings
def test_the_generator_loads_spacy_without_importing_torch():
    """spaCy's thinc imports torch whenever it is installed: 1.2 s of every index run and every parse
    worker, for nothing the pipeline uses. torch stays importable for whoever needs it afterwards."""
    code = (
        "import sys\n"
        "from alsoask.generate import _load_spacy\n"
        "nlp = _load_spacy()\n"
        "assert 'torch' not in sys.modules, 'spaCy imported torch'\n"
        "assert nlp('Kosovo declared independence in 2008.')[1].dep_ == 'ROOT'\n"
        "import torch\n"
        "print(torch.tensor([1.0]).sum().item())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.0"

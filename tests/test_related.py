"""Related questions, expansion without repeats, the tree, and answers on the right referent."""

import json
import re
from collections.abc import Iterator
from itertools import combinations

import httpx
import numpy as np
import pytest

from alsoask import Engine, build_index
from alsoask.embed import load_embedder
from alsoask.errors import NotFoundError
from alsoask.questions import EQUIVALENT_COSINE, normalize_question

from .conftest import SHARED, alsoask

QUESTION = "How did Serbia react to Kosovo's declaration of independence?"


def assert_no_two_alike(questions: list[str]) -> None:
    """No repeated wording and no pair of paraphrases: the same first word ("when" and "where" ask
    different things) at a cosine at or over the merge threshold."""
    assert len({normalize_question(q) for q in questions}) == len(questions)
    vectors = load_embedder("static-minilm").encode_queries(questions)
    for i, j in combinations(range(len(questions)), 2):
        same_form = normalize_question(questions[i]).split()[0] == normalize_question(questions[j]).split()[0]
        assert not same_form or float(vectors[i] @ vectors[j]) < EQUIVALENT_COSINE, (questions[i], questions[j])


def test_ask_shows_four_answered_related_questions(engine):
    result = engine.ask(QUESTION)
    assert len(result.related) == 4
    assert_no_two_alike([QUESTION] + [r.question for r in result.related])
    for related in result.related:
        document = engine.document(related.answer.doc_id)
        assert document is not None and related.answer.start < related.answer.end <= len(document.text)
        assert related.answer.text.strip("…")[:20] in " ".join(document.text.split())


def test_expansion_reveals_new_questions_only(engine):
    top = engine.ask(QUESTION).related
    shown = {r.id for r in top}
    assert engine.question(top[0].id) == top[0]  # a node can be fetched again by its id
    opened = engine.expand(top[0].id, shown)
    assert 2 <= len(opened) <= 3
    assert not {o.id for o in opened} & shown
    assert_no_two_alike([r.question for r in top] + [o.question for o in opened])


def test_tree_never_repeats_a_question(engine):
    tree = engine.tree(QUESTION, depth=3)
    ids = [n.id for n in tree.nodes]
    assert len(ids) == len(set(ids)) and len(ids) > 4 + 4 * 2
    assert_no_two_alike([QUESTION] + [n.question for n in tree.nodes])
    depth_of = {n.id: n.depth for n in tree.nodes}
    for node in tree.nodes:
        assert node.depth == 1 if node.parent is None else depth_of[node.parent] == node.depth - 1


def test_expanding_an_unknown_id_is_a_clear_error(engine):
    with pytest.raises(NotFoundError, match="no question with id"):
        engine.expand("q999999999")
    with pytest.raises(NotFoundError):
        engine.expand("not-an-id")


def test_cli_tree_json_follows_the_contract(core_index):
    run = alsoask("tree", QUESTION, "--index", core_index, "--depth", "2", "--json")
    assert run.returncode == 0, run.stderr
    tree = json.loads(run.stdout)
    assert set(tree) == {"question", "answer", "nodes"}
    assert {n["depth"] for n in tree["nodes"]} == {1, 2}
    for node in tree["nodes"]:
        assert set(node) == {"id", "parent", "depth", "question", "answer"}
        assert set(node["answer"]) == {"text", "doc_id", "title", "url", "start", "end", "score", "verdict"}


def test_cli_ask_prints_the_related_questions(core_index):
    run = alsoask("ask", QUESTION, "--index", core_index, "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert len(result["related"]) == 4 and all(r["id"].startswith("q") for r in result["related"])


@pytest.fixture(scope="module")
def trap_engine(tmp_path_factory):
    """The 1998-99 Kosovo War beside pages on the 1389 Battle of Kosovo (Murad I, Bayezid I) and Serbia."""
    keep = {"Kosovo_War", "Murad_I", "Bayezid_I", "Murad_II", "Serbia"}
    yield from engine_over(tmp_path_factory.mktemp("trap"), "articles.jsonl", lambda d: d["id"] in keep)


def engine_over(folder, source: str, picked) -> Iterator[Engine]:
    """An engine over the documents of a Kosovo corpus file that `picked` keeps, indexed in `folder`."""
    corpus = folder / "corpus.jsonl"
    with (SHARED / "kosovo" / source).open() as lines, corpus.open("w") as out:
        out.writelines(line for line in lines if picked(json.loads(line)))
    build_index([corpus], folder / "index")
    with Engine(folder / "index") as engine:
        yield engine


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("Who won the Kosovo war?", "Kosovo_War"),  # not the battle of 1389
        ("When did the Kosovo War take place?", "Kosovo_War"),  # not the Yugoslav wars on the Serbia page
        ("How many people died in the Kosovo War?", "Kosovo_War"),
        pytest.param(  # and the other way round
            "Who won the Battle of Kosovo?",
            "Murad_I",
            marks=pytest.mark.xfail(strict=True, reason="the answer reader prefers a Bayezid I sentence (regression)"),
        ),
    ],
)
def test_answers_are_about_the_referent_the_question_names(trap_engine, question, doc_id):
    assert trap_engine.ask(question).answer.doc_id == doc_id


def test_a_when_question_is_answered_with_a_date(trap_engine):
    answer = trap_engine.ask("When did the Battle of Kosovo take place?").answer
    assert "1389" in answer.text


def test_related_questions_stay_on_the_referent(trap_engine):
    result = trap_engine.ask("Who won the Kosovo war?")
    assert result.related
    for related in result.related:
        about = f"{related.question} {related.answer.title}".lower()
        assert "kosovo" in about, related.question
    assert np.mean(["1389" not in r.answer.text for r in result.related]) == 1.0


def shows(snippet, doc_id: str, sentence: tuple[int, int]) -> bool:
    return snippet.doc_id == doc_id and snippet.start < sentence[1] and sentence[0] < snippet.end


@pytest.mark.parametrize(
    "question",
    [
        "Does Russia recognize Kosovo?",
        "kosovo declaration of independence",  # typed as people type: lower case, no question word
        QUESTION,
    ],
)
def test_the_box_fills_and_never_repeats_the_featured_answer(engine, question):
    result = engine.ask(question)
    assert result.answer is not None
    assert len(result.related) == 4, [r.question for r in result.related]
    sentence = engine.answerer.respond(question).answer_span  # the featured answer's own sentence
    for related in result.related:
        assert not shows(related.answer, result.answer.doc_id, sentence), (related.question, related.answer.text)


def test_different_questions_on_one_topic_get_different_boxes(engine):
    """The box follows the question and its answer, not only the topic's name."""
    boxes = [
        {r.question for r in engine.ask(q).related}
        for q in ("When did Kosovo declare independence?", "What is Kosovo's population?", "What was the Kosovo War?")
    ]
    assert all(len(a & b) <= 2 for a, b in combinations(boxes, 2)), boxes  # few questions name Kosovo here


def test_opened_questions_reveal_two_or_three_each(engine):
    asked = "What was the Kosovo War?"
    result = engine.ask(asked)
    shown = {r.id for r in result.related}
    revealed = []
    for related in result.related:
        children = engine.expand(related.id, shown, asked=asked)  # as the web page opens them
        shown |= {c.id for c in children}
        revealed.append(len(children))
    assert sum(revealed) >= 2 * len(revealed) and min(revealed) >= 1, revealed


@pytest.fixture(scope="module")
def mixed_engine(tmp_path_factory):
    """Kosovo's summaries and war page beside 300 lead summaries (vital articles) on other subjects, where
    a tree can drift."""
    folder = tmp_path_factory.mktemp("mixed")
    corpus = folder / "mixed.jsonl"
    related = re.compile(r"Kosov|Serb|Albania|Russia|Soviet|Yugoslav|Balkan|NATO|Europe|war\b", re.I)
    with (SHARED / "kosovo" / "wiki-vital-summaries-en.jsonl").open() as source:
        summaries = (json.loads(line) for line in source)
        others = [d for d in summaries if not related.search(d["title"] + d["text"])][:300]
    with (SHARED / "kosovo" / "core.jsonl").open() as source:  # the summaries and the war's page: a short build
        kosovo = [d for d in map(json.loads, source) if d["id"].startswith("summary:") or d["id"] == "Kosovo_War"]
    with corpus.open("w") as out:
        out.writelines(json.dumps(d) + "\n" for d in kosovo)
        out.writelines(json.dumps({**d, "id": f"vital:{d['id']}"}) + "\n" for d in others)
    build_index([corpus], folder / "index")
    with Engine(folder / "index") as engine:
        yield engine


@pytest.mark.parametrize("question", ["how tall is the eiffel tower", "what is lady liberty holding in her hand"])
def test_the_box_stays_empty_rather_than_show_other_subjects(mixed_engine, question):
    """The corpus holds one short page on the subject and nothing near it: "What is the bassoon?" or a
    question about Kosovo under the Eiffel Tower is no question its reader asks next (they were shown
    before the fitted model)."""
    result = mixed_engine.ask(question)
    assert result.answer is not None
    assert all(r.answer.doc_id == result.answer.doc_id for r in result.related), [r.question for r in result.related]


def test_a_kosovo_tree_does_not_drift_to_unrelated_pages(mixed_engine):
    tree = mixed_engine.tree("When did Kosovo declare independence?", depth=2)
    assert len(tree.nodes) >= 4 + 4 * 2
    drifted = [n.question for n in tree.nodes if n.answer.doc_id.startswith("vital:")]
    assert len(drifted) <= len(tree.nodes) // 10, drifted


def test_the_box_names_the_question_s_main_entity_first(engine):
    """Under Serbia's reaction to Kosovo's declaration, the Serbia page's own questions (Montenegro's
    referendum, NATO dialogue) came before those about Kosovo."""
    result = engine.ask(QUESTION)
    assert len(result.related) == 4
    for related in result.related:
        assert "kosovo" in f"{related.question} {related.answer.title}".lower(), related.question


def test_opened_questions_keep_the_page_question_s_names(engine):
    """A child names what the page's own question names, not only what its parent names: no drift
    from "Does Russia recognize Kosovo?" to Montenegro's referendum."""
    asked = "Does Russia recognize Kosovo?"
    result = engine.ask(asked)
    shown = {r.id for r in result.related}
    children = [c for r in result.related for c in engine.expand(r.id, shown, asked=asked)]
    assert children
    for child in children:
        about = f"{child.question} {child.answer.title}".lower()
        assert "kosovo" in about or "russia" in about, child.question


@pytest.mark.parametrize("asked", ["When did Kosovo declare independence?", "What was the Kosovo War?"])
def test_opening_a_question_never_reveals_the_asked_one_reworded(engine, asked):
    """The bank holds these questions in other words ("What was the KOSOVO WAR?"); without the page's
    question, opening a node revealed them."""
    result = engine.ask(asked)
    shown = {r.id for r in result.related}
    for related in result.related:
        for child in engine.expand(related.id, shown, asked=asked):
            assert normalize_question(child.question) != normalize_question(asked), (related.question, child.question)


def test_the_api_takes_the_asked_question_when_a_node_is_opened(server_url):
    asked = "When did Kosovo declare independence?"
    related = httpx.get(f"{server_url}/api/ask", params={"q": asked}).json()["related"]
    shown = ",".join(r["id"] for r in related)
    for r in related:
        response = httpx.get(f"{server_url}/api/expand", params={"id": r["id"], "shown": shown, "q": asked})
        assert response.status_code == 200
        assert all(normalize_question(c["question"]) != normalize_question(asked) for c in response.json()["related"])
    assert httpx.get(f"{server_url}/api/expand", params={"id": related[0]["id"], "q": " "}).status_code == 422


NAMESAKES = {"Diego Velázquez", "Diego Rivera", "Diego Maradona", "San Diego", "Las Meninas", "Spain", "Pablo Picasso"}
NAMESAKES |= {"Francisco Goya", "Baroque", "Madrid", "Frida Kahlo", "Lyndon B. Johnson", "Philip Johnson"}
NAMESAKES |= {"Robert Johnson", "Samuel Johnson", "John F. Kennedy", "Vietnam War", "Texas", "Civil rights movement"}
NAMESAKES |= {"Richard Nixon", "Blues", "Modern architecture"}


@pytest.fixture(scope="module")
def namesake_engine(tmp_path_factory):
    """Lead summaries of people who share a first name or a surname, beside pages on their subjects."""
    folder = tmp_path_factory.mktemp("namesakes")
    yield from engine_over(folder, "wiki-vital-summaries-en.jsonl", lambda d: d["title"] in NAMESAKES)


def test_a_namesake_is_not_what_a_reader_asks_next(namesake_engine):
    """Opening "Who was Diego Velázquez?" revealed "Who was Diego Armando Maradona?": a shared first
    name or surname is no shared subject."""
    namesakes = {
        "Who was Diego Velázquez?": ("Who was Diego Armando Maradona?", "Who was Diego Rivera?"),
        "Who was Diego Rivera?": ("Who was Diego Armando Maradona?", "Who was Diego Velázquez?"),
        "Who was Lyndon B. Johnson?": ("Who was Philip", "Who was Robert", "Who was Samuel Johnson?"),
        "Who was Samuel Johnson?": ("Who was Philip", "Who was Robert", "Who was Lyndon"),
    }
    nodes = {question: namesake_engine.tree(question, depth=2).nodes for question in namesakes}
    assert sum(bool(found) for found in nodes.values()) >= 2
    for question, others in namesakes.items():
        for node in nodes[question]:
            assert not node.question.startswith(others), (question, node.question)


def test_a_candidate_naming_the_question_s_main_entity_needs_only_the_named_gate(core_index):
    """Naming the question's main entity is a second sign of the topic, as for an opened question's
    children: "When were targets in Montenegro bombed during Operation Allied Force?" (0.096) fell just
    under the box's gate (0.1) under "What was Operation Allied Force?". With the plain gate out of
    reach, only such candidates may fill the box, and they must."""
    from dataclasses import replace

    from alsoask.related import RelatedSettings

    settings = replace(RelatedSettings(), min_follows=1.0, min_follows_named=0.0)
    with Engine(core_index, related=settings) as engine:
        result = engine.ask("When did Kosovo declare independence?")
    assert result.related
    for related in result.related:
        assert "kosovo" in f"{related.question} {related.answer.title}".lower(), related.question

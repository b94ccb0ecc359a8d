"""Expected answer types for questions as people type them: lower case, no question mark, the question
word anywhere or missing."""

import pytest

from alsoask.answer import expected_type, has_type


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("the last time la dodgers won the world series", "date"),
        ("field hockey is the national sport of which country", "place"),
        ("who sings does he love me with reba", "person"),
        ("how many pages is invisible man by ralph ellison", "number"),
        ("where does the movie the sound of music take place", "place"),
        ("what year did the berlin wall fall", "date"),
        ("in what year did kosovo declare independence", "date"),
        ("first time kosovo played a world cup qualifier", "date"),
        ("date of the battle of kosovo", "date"),
        ("how old is hashim thaci", "number"),
        ("kuchipudi is a dance form of which state", "place"),
        ("which city hosted the 1984 winter olympics", "place"),
        ("which team won the 2018 world cup", "person"),
        ("which band recorded wonderwall", "person"),
        ("what president had the most vetoes overridden by congress", "person"),
        ("when did the war end", "date"),
        ("is kosovo a country", "yesno"),
        ("Does Serbia recognise Kosovo?", "yesno"),
        ("is big ben a clock or a bell", None),  # a choice, not yes or no
        ("what is kosovo", "definition"),
        ("what are tectonic plates", "definition"),
        ("who is hashim thaci", "definition"),
        ("who is the president of serbia", "person"),  # a role: someone's name is wanted
        ("what is the capital of serbia", None),  # an attribute, not a definition
        ("what is the telephone code for south africa", None),
        ("who sang where is the love", "person"),  # the first question word decides
        ("what is the meaning of the song hotel california", None),
        ("kosovo war", None),
    ],
)
def test_query_forms_map_to_answer_types(query, kind):
    assert expected_type(query) == kind


def test_who_won_prefers_the_sentence_that_says_who_won():
    question = "who won the kosovo war"
    winner = "NATO won the war after 78 days of bombing, and Yugoslav forces withdrew from Kosovo."
    sides = "The war was fought by the Kosovo Liberation Army against the Federal Republic of Yugoslavia."
    assert expected_type(question) == "person"
    assert has_type(winner, "person", question) > has_type(sides, "person", question)


def test_who_founded_prefers_an_agent_with_the_deed_over_a_date():
    question = "who founded the university of pristina"
    founder = "The university was founded by the Assembly of Kosovo in 1969."
    date = "The university opened its doors on 15 February 1970."
    assert has_type(founder, "person", question) > has_type(date, "person", question)


def test_a_question_that_names_no_type():
    assert expected_type("Why did NATO bomb Yugoslavia?") is None
    assert has_type("NATO bombed Yugoslavia in 1999.", None, "Why did NATO bomb Yugoslavia?") == 0.0
    assert has_type("Yes, Serbia does not.", "yesno", "does serbia recognise kosovo") == 0.0

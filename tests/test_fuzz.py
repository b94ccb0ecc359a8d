"""Hostile and malformed input, generated: random Unicode, control characters, very long strings and
odd ids against `Engine` and the API (hypothesis), and the whole OpenAPI schema (schemathesis)."""

from urllib.parse import quote

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alsoask.errors import LimitError, NotFoundError, QuestionError
from alsoask.schema import AskResult

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
questions = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1900, max_size=2100),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])),
    st.from_regex(r"(What|Who|When) (is|was) [\w\u0400-\u04ff \-']{1,40}\?", fullmatch=True),
)
node_ids = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"q-?\d{1,25}", fullmatch=True),
    st.sampled_from(["q", "q0", "Q1", "q1 ", "../q1", "q1;DROP TABLE questions", "q" + "9" * 400, "q\x00"]),
)


@BOUNDED
@given(question=questions)
def test_ask_answers_or_refuses_clearly(engine, question):
    try:
        result = engine.ask(question)
    except QuestionError as exc:
        assert "empty" in str(exc) or "limit is" in str(exc)
        return
    assert isinstance(result, AskResult)
    if result.answer:
        assert engine.document(result.answer.doc_id).text[result.answer.start : result.answer.end]
    assert len({r.id for r in result.related}) == len(result.related)


@BOUNDED
@given(node_id=node_ids, shown=st.lists(node_ids, max_size=20))
def test_expand_answers_or_refuses_clearly(engine, node_id, shown):
    try:
        opened = engine.expand(node_id, shown)
    except (NotFoundError, LimitError):
        return
    assert node_id not in {r.id for r in opened} and not {r.id for r in opened} & set(shown)


@BOUNDED
@given(question=questions, node_id=node_ids, depth=st.integers(-3, 9) | st.text(max_size=5))
def test_the_api_never_fails_on_odd_input(server_url, question, node_id, depth):
    with httpx.Client(base_url=server_url, timeout=60) as client:
        for path, params in [
            ("/api/ask", {"q": question}),
            ("/api/expand", {"id": node_id, "shown": node_id}),
            ("/api/tree", {"q": question, "depth": depth}),
            ("/api/doc/" + quote(node_id, safe=""), {}),
            ("/doc/" + quote(node_id, safe=""), {}),
            ("/", {"q": question}),
        ]:
            response = client.get(path, params=params)
            assert response.status_code < 500, (path, params, response.text[:300])
            if response.status_code >= 400:  # the API says what was wrong in JSON; pages in HTML
                assert response.json()["error"] if path.startswith("/api/") else "<h1" in response.text


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_openapi_schema(case):
    case.call_and_validate()

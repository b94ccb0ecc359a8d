"""The HTTP API on a real uvicorn server (127.0.0.1, a free port) over the Kosovo core index."""

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
import time

import httpx
import pytest

from alsoask.answer import MAX_QUESTION_CHARS
from alsoask.engine import MAX_SHOWN
from alsoask.server import MAX_BODY_BYTES, export_filename

from .conftest import alsoask, free_port, running_server

QUESTION = "Does Serbia recognize Kosovo?"


@pytest.fixture(scope="module")
def api(server_url):
    with httpx.Client(base_url=server_url, timeout=60) as client:
        yield client


def test_ask_returns_the_same_object_as_ask_json(api, core_index):
    served = api.get("/api/ask", params={"q": QUESTION})
    assert served.status_code == 200
    cli = alsoask("ask", QUESTION, "--index", core_index, "--json")
    assert cli.returncode == 0, cli.stderr
    printed = json.loads(cli.stdout)
    body = served.json()
    assert set(body) == set(printed) == {"question", "answer", "related", "took_ms", "no_answer_reason"}
    body.pop("took_ms"), printed.pop("took_ms")
    assert body == printed
    assert body["answer"]["doc_id"] and len(body["related"]) == 4


def test_expand_returns_two_or_three_new_questions(api):
    related = api.get("/api/ask", params={"q": QUESTION}).json()["related"]
    shown = [r["id"] for r in related]
    opened = api.get("/api/expand", params={"id": shown[0], "shown": ",".join(shown)}).json()
    assert opened["id"] == shown[0]
    new = [r["id"] for r in opened["related"]]
    assert 2 <= len(new) <= 3
    assert not set(new) & set(shown) and len(set(new)) == len(new)
    assert all(r["answer"]["text"] for r in opened["related"])


def test_tree_respects_depth_and_never_repeats(api):
    tree = api.get("/api/tree", params={"q": QUESTION, "depth": 2}).json()
    ids = [n["id"] for n in tree["nodes"]]
    assert len(ids) == len(set(ids)) > 4
    assert {n["depth"] for n in tree["nodes"]} == {1, 2}


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("md", "text/markdown"), ("html", "text/html"), ("jsonld", "application/ld+json"), ("csv", "text/csv")],
)
def test_export_endpoint_serves_each_format(api, fmt, media_type):
    response = api.get("/api/export", params={"q": QUESTION, "format": fmt, "depth": 1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Serbia" in response.text


def test_export_jsonl_rows_match_the_tree(api):
    rows = api.get("/api/export", params={"q": QUESTION, "format": "jsonl", "depth": 1}).text.splitlines()
    tree = api.get("/api/tree", params={"q": QUESTION, "depth": 1}).json()
    assert [json.loads(r)["question"] for r in rows] == [QUESTION] + [n["question"] for n in tree["nodes"]]


def test_document_endpoint_shows_the_cited_span_in_context(api):
    answer = api.get("/api/ask", params={"q": QUESTION}).json()["answer"]
    document = api.get(f"/api/doc/{answer['doc_id']}").json()
    assert document["id"] == answer["doc_id"] and document["title"] == answer["title"]
    cited = document["text"][answer["start"] : answer["end"]]
    assert cited.split()[:3] == answer["text"].lstrip("…").split()[:3]


def test_healthz_counts_the_index(api, engine):
    health = api.get("/healthz").json()
    assert health == {"status": "ok", "documents": 33, "questions": engine.reader.store.count("questions")}
    assert health["questions"] > 100


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/api/ask", {"q": "   "}, 422, "the question is empty"),
        ("/api/ask", {"q": "x" * (MAX_QUESTION_CHARS + 1)}, 422, f"limit is {MAX_QUESTION_CHARS}"),
        ("/api/tree", {"q": ""}, 422, "the question is empty"),
        ("/api/ask", {}, 422, "q: Field required"),
        ("/api/expand", {"id": "q999999999"}, 404, "no question with id"),
        ("/api/expand", {"id": "../../etc/passwd"}, 404, "no question with id"),
        ("/api/expand", {"id": "q1", "shown": ",".join(f"q{i}" for i in range(MAX_SHOWN + 1))}, 422, "limit is"),
        ("/api/tree", {"q": QUESTION, "depth": 9}, 422, "depth"),
        ("/api/tree", {"q": QUESTION, "depth": "deep"}, 422, "depth"),
        ("/api/export", {"q": QUESTION, "format": "pdf"}, 422, "format"),
        ("/api/doc/no-such-document", {}, 404, "no document with id"),
        ("/api/no/such/endpoint", {}, 404, "Not Found"),
    ],
)
def test_caller_faults_get_a_json_4xx_with_a_message(api, path, params, status, message):
    response = api.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("path", "message"),
    [("/doc/unknown-id", "no document with id 'unknown-id'"), ("/no/such/page", "Not Found")],
)
def test_a_page_that_is_not_there_is_an_html_404_page(api, path, message):
    response = api.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not Found</h1>" in response.text and message in html.unescape(response.text)
    assert 'href="/"' in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("fmt", ["md", "html", "jsonld", "csv", "jsonl"])
def test_every_export_is_named_after_the_question(api, fmt):
    response = api.get("/api/export", params={"q": QUESTION, "format": fmt, "depth": 1})
    disposition = "inline" if fmt == "html" else "attachment"  # the HTML page opens in the browser
    assert response.headers["content-disposition"] == f'{disposition}; filename="does-serbia-recognize-kosovo.{fmt}"'


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Who was Slobodan Milošević?", "who-was-slobodan-milosevic.md"),
        ('Is "C:\\boot.ini" a path; or /etc/passwd?', "is-c-boot-ini-a-path-or-etc-passwd.md"),
        ("Что такое Косово?", "faq.md"),
        ("Why " * 100, "-".join(["why"] * 20)[:80] + ".md"),
    ],
)
def test_export_file_names_are_safe_slugs(question, name):
    assert export_filename(question, "md") == name


def test_the_html_export_may_apply_only_its_own_style(api):
    response = api.get("/api/export", params={"q": QUESTION, "format": "html", "depth": 1})
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)[1]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}';" in policy and "default-src 'none';" in policy
    assert "unsafe-inline" not in policy and "script-src" not in policy


def test_openapi_docs_are_served_without_a_cdn(api):
    schema = api.get("/openapi.json").json()
    assert {"/api/ask", "/api/expand", "/api/tree", "/api/export", "/api/doc/{doc_id}", "/healthz"} <= set(
        schema["paths"]
    )
    assert "AskResult" in schema["components"]["schemas"]
    docs = api.get("/docs").text
    assert "cdn" not in docs.lower() and "https://" not in docs
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        src = docs.split(asset)[0].rsplit('"', 1)[1] + asset
        assert api.get(src).status_code == 200


def test_pages_send_security_headers(api):
    headers = api.get("/", params={"q": QUESTION}).headers
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("workers", [1, 2])
def test_alsoask_serve_answers_then_stops_cleanly(core_index, workers):
    """The command from the README, as a user runs it; with --workers 2 every worker answers."""
    port = free_port()
    command = [sys.executable, "-m", "alsoask", "serve", "--index", str(core_index), "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", str(workers)], stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _healthy(base):
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.poll() else ""
            time.sleep(0.2)
        answered = set()
        for _ in range(4 * workers):  # new connections, so the kernel spreads them over the workers
            with httpx.Client(base_url=base, timeout=60) as client:
                response = client.get("/api/ask", params={"q": QUESTION})
                assert response.status_code == 200 and response.json()["answer"]["title"] == "Serbia"
                answered.add(response.json()["related"][0]["id"])
        assert len(answered) == 1, "every worker gives the same answer"
        assert "<h1" in httpx.get(base + "/", params={"q": QUESTION}).text
    finally:
        server.terminate()
        assert server.wait(30) is not None
    assert f"on http://127.0.0.1:{port}" in server.stderr.read()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


KEY = "correct horse battery staple"


@pytest.fixture(scope="module")
def keyed_url(engine):
    from alsoask.server import create_app

    with running_server(create_app(engine, api_key=KEY)) as url:
        yield url


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-API-Key": "wrong"}, 401),
        ({"Authorization": "Bearer " + KEY[:-1]}, 401),
        ({"Authorization": "Basic !!!not-base64"}, 401),
        ({"X-API-Key": KEY}, 200),
        ({"Authorization": "Bearer " + KEY}, 200),
        ({"Authorization": "Basic " + base64.b64encode(f"editor:{KEY}".encode()).decode()}, 200),
    ],
)
def test_with_a_key_set_every_endpoint_needs_it(keyed_url, headers, status):
    for path in ["/api/ask?q=Kosovo", "/", "/api/doc/Serbia", "/docs", "/openapi.json", "/static/page.js"]:
        response = httpx.get(keyed_url + path, headers=headers, timeout=60)
        assert response.status_code == status, path
        if status == 401:
            assert "API key" in response.json()["error"]
            assert response.headers["www-authenticate"].startswith("Basic")


def test_healthz_needs_no_key(keyed_url):
    assert httpx.get(keyed_url + "/healthz").json()["status"] == "ok"


def test_a_request_over_the_time_limit_gets_a_503_and_the_server_recovers(engine):
    from alsoask.server import create_app

    with running_server(create_app(engine, time_limit=0.05)) as url:
        slow = httpx.get(url + "/api/tree", params={"q": QUESTION, "depth": 4}, timeout=60)
        assert slow.status_code == 503 and "took over 0.05 s" in slow.json()["error"]
        deadline = time.monotonic() + 60
        while httpx.get(url + "/healthz", timeout=60).status_code != 200:  # once the slow tree is done
            assert time.monotonic() < deadline
            time.sleep(0.5)


def test_a_large_body_is_refused_unread(api):
    response = api.post("/api/ask", content=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413 and "body" in response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/doc/../../../../etc/passwd",
        "/api/doc/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/doc/%2e%2e/%2e%2e/etc/passwd",
        "/api/doc//etc/passwd",
        "/api/doc/alsoask.sqlite",
        "/doc/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/../server.py",
    ],
)
def test_no_path_reads_outside_the_index(server_url, path):
    with httpx.Client(base_url=server_url) as client:
        request = client.build_request("GET", server_url)
        request.url = request.url.copy_with(raw_path=path.encode())  # sent as written, dots and all
        response = client.send(request)
    assert response.status_code == 404, path
    assert "root:" not in response.text and "import" not in response.text


def test_binding_beyond_this_machine_without_a_key_warns(core_index):
    port = free_port()
    command = [sys.executable, "-m", "alsoask", "serve", "--index", str(core_index), "--host", "0.0.0.0"]
    server = subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(f"http://127.0.0.1:{port}"):
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(30)
    assert "warning: listening on 0.0.0.0 without an API key" in " ".join(server.stderr.read().split())

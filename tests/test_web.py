"""The web page in a real browser: Debian's Chromium driven by Playwright, against the real server.

Set ALSOASK_SCREENSHOT=docs/screenshot.png to save the page with an opened question (the README's picture).
"""

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from alsoask import Engine, build_index
from alsoask.server import create_app

from .conftest import running_server, write

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
QUESTION = "Does Serbia recognize Kosovo?"
NO_ANSWER = "How do I bake sourdough bread?"
SLUG = "does-serbia-recognize-kosovo"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium); CI installs it",
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def open_page(browser, **context_options) -> Iterator:
    """A page in a fresh browser context; fails the test if the page raised, opened a dialog or broke
    its Content-Security-Policy."""
    context = browser.new_context(**{"viewport": {"width": 1000, "height": 1000}, **context_options})
    page = context.new_page()
    errors, page.requested = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: page.requested.append(request.url))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    yield page
    context.close()
    assert not errors, f"the page raised, opened a dialog or broke its CSP: {errors}"


@pytest.fixture
def page(browser):
    with open_page(browser) as page:
        yield page


def ask(page, base_url: str, question: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("searchbox", name="Your question").fill(question)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    page.wait_for_load_state()


def shown_ids(page) -> list[str]:
    return page.locator(".paa-item").evaluate_all("items => items.map(i => i.dataset.id)")


def test_ask_open_a_question_and_follow_its_source(page, server_url):
    api = httpx.Client(base_url=server_url, timeout=60)
    expected = api.get("/api/ask", params={"q": QUESTION}).json()
    ask(page, server_url, QUESTION)
    assert "q=Does+Serbia+recognize+Kosovo%3F" in page.url, "the URL holds the query"
    assert page.locator(".answer").inner_text() == expected["answer"]["text"]
    source = page.locator(".featured .source-link")
    assert source.inner_text() == expected["answer"]["title"]
    assert source.get_attribute("href").startswith(f"/doc/{expected['answer']['doc_id']}?start=")

    before = shown_ids(page)
    assert before == [r["id"] for r in expected["related"]] and len(before) == 4
    first = page.locator(".paa-q").first
    first.click()
    assert first.get_attribute("aria-expanded") == "true"
    opened = page.locator(".paa-item").first.locator(".paa-a")
    assert opened.is_visible() and opened.locator(".snippet").inner_text() == expected["related"][0]["answer"]["text"]
    page.locator(".paa-item").nth(4).wait_for()
    after = shown_ids(page)
    assert after[:4] == before and 2 <= len(after) - 4 <= 3, "2-3 new questions appended below the list"
    assert len(set(after)) == len(after), "no question shown twice"
    texts = page.locator(".paa-q").all_inner_texts()
    assert len(set(texts)) == len(texts)
    if os.environ.get("ALSOASK_SCREENSHOT"):
        page.screenshot(path=os.environ["ALSOASK_SCREENSHOT"], full_page=True, animations="disabled")

    cited = expected["related"][0]["answer"]
    opened.locator(".source-link").click()
    page.wait_for_url("**/doc/**")
    mark = page.locator("mark#cited")
    document = api.get(f"/api/doc/{cited['doc_id']}").json()
    assert mark.inner_text() == document["text"][cited["start"] : cited["end"]]
    assert mark.is_visible() and mark.evaluate("m => m === document.activeElement"), "the span is in view"
    assert page.locator("h1").inner_text() == document["title"]
    assert all(url.startswith(server_url) for url in page.requested), "every asset comes from the app itself"
    assert any(url.endswith("/static/page.js") for url in page.requested)


def test_usable_from_the_keyboard(page, server_url):
    page.goto(server_url + "/")
    page.keyboard.type(QUESTION)  # the search box has focus on arrival
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('paa-q')"):
            break
    focused = page.locator(".paa-q:focus")
    assert focused.count() == 1, "Tab reaches the related questions"
    page.keyboard.press("Enter")
    assert focused.get_attribute("aria-expanded") == "true"
    page.locator(".paa-item").nth(4).wait_for()
    page.keyboard.press("Space")
    assert focused.get_attribute("aria-expanded") == "false"


def open_first_question(page) -> None:
    """Open the first related question and wait until the questions it reveals have settled in."""
    page.locator(".paa-q").first.click()
    page.locator(".paa-status").wait_for(state="detached")  # an error would stay
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")


def test_no_answer_is_a_visible_state(page, server_url):
    ask(page, server_url, NO_ANSWER)
    assert "No answer in this corpus" in page.locator(".no-answer").inner_text()
    assert page.locator(".answer").count() == 0
    assert page.locator(".exports").count() == 0, "nothing to export"


def test_back_and_forward_keep_the_box_title_and_page_with_the_url(page, server_url):
    second = "Who was Slobodan Milošević?"
    ask(page, server_url, QUESTION)
    box = page.get_by_role("searchbox", name="Your question")
    box.fill(second)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Who*")

    def shows(question: str) -> None:
        assert parse_qs(urlsplit(page.url).query)["q"] == [question]
        expect(box).to_have_value(question)
        assert page.title() == f"{question} · alsoask"
        assert page.locator("h1").inner_text() == question

    shows(second)
    page.go_back()
    shows(QUESTION)
    page.go_forward()
    shows(second)
    box.fill("typed, never asked")
    page.reload()
    shows(second)


def test_the_html_export_opens_styled_under_its_own_policy(page, server_url):
    ask(page, server_url, QUESTION)
    with page.expect_response("**/api/export?*") as served:
        page.locator(".exports").get_by_role("link", name="HTML", exact=True).click()
    page.wait_for_url("**format=html")
    policy = served.value.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy, "nothing else loads or runs"
    assert page.locator("h1").inner_text() == QUESTION
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "736px", "its own style applies (46rem)"
    assert page.evaluate("getComputedStyle(document.querySelector('.source')).fontSize") == "14.4px"


def test_export_buttons_download_files_named_after_the_question(page, server_url):
    ask(page, server_url, QUESTION)
    buttons = page.locator(".exports a")
    assert buttons.all_inner_texts() == ["Markdown", "HTML", "JSON-LD", "CSV", "JSON lines"]
    for label, extension in [("Markdown", "md"), ("JSON-LD", "jsonld"), ("CSV", "csv"), ("JSON lines", "jsonl")]:
        with page.expect_download() as download:
            buttons.get_by_text(label, exact=True).click()
        assert download.value.suggested_filename == f"{SLUG}.{extension}"


def test_an_unknown_document_is_a_404_page(page, server_url):
    response = page.goto(server_url + "/doc/unknown-id")
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "Not Found"
    assert "no document with id 'unknown-id'" in page.locator("main").inner_text()
    page.get_by_role("link", name="Ask a question").click()
    page.wait_for_url(server_url + "/")


def test_the_empty_page_offers_example_questions_from_the_bank(page, server_url, engine):
    page.goto(server_url + "/")
    examples = page.locator(".examples a")
    expected = engine.examples(4)
    assert examples.all_inner_texts() == expected and len(expected) == 4
    examples.first.click()
    page.wait_for_url("**/?q=*")
    assert page.locator("h1").inner_text() == expected[0]
    expect(page.get_by_role("searchbox", name="Your question")).to_have_value(expected[0])


LONG_WORD = "What is " + "pneumonoultramicroscopicsilicovolcanoconiosis" * 5 + "?"


@pytest.mark.parametrize(
    "path",
    ["/", f"/?q={QUESTION}", f"/?q={NO_ANSWER}", f"/?q={LONG_WORD}", "/doc/Serbia?start=0&end=40", "/doc/unknown-id"],
)
def test_a_phone_gets_margins_big_tap_targets_and_no_sideways_scrolling(browser, server_url, path):
    with open_page(browser, **PHONE) as page:
        page.goto(server_url + path)
        if page.locator(".paa-q").count():
            open_first_question(page)
        width = PHONE["viewport"]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
        for block in page.locator("main > *").all():
            box = block.bounding_box()
            assert box["x"] >= 8 and box["x"] + box["width"] <= width - 8, "the page has margins"
        targets = page.locator("a, button, input").evaluate_all(
            "els => els.filter(e => e.checkVisibility())"
            ".map(e => [e.outerHTML.slice(0, 80), e.offsetWidth, e.offsetHeight])"
        )
        small = [html for html, w, h in targets if min(w, h) < 44]
        assert targets and not small, f"tap targets under 44 x 44 px: {small}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_accessibility_violations(browser, server_url, scheme):
    def empty(page):
        page.goto(server_url + "/")

    def answer(page):
        ask(page, server_url, QUESTION)

    def opened_tree(page):
        ask(page, server_url, QUESTION)
        open_first_question(page)

    def no_answer(page):
        ask(page, server_url, NO_ANSWER)

    def not_found(page):
        page.goto(server_url + "/doc/unknown-id")

    def export(page):
        page.goto(server_url + f"/api/export?q={QUESTION}&format=html")

    found = {}
    with open_page(browser, color_scheme=scheme) as page:
        for state in (empty, answer, opened_tree, no_answer, not_found, export):
            state(page)
            violations = Axe().run(page).response["violations"]
            found[state.__name__] = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
    assert found == {state: [] for state in found}


def test_loading_states_show_while_waiting(page, server_url):
    ask(page, server_url, QUESTION)
    release = []
    page.route("**/fragments/expand?*", lambda route: release.append(route))  # hold the request
    page.locator(".paa-q").first.click()
    status = page.locator(".paa-status.busy")
    status.wait_for()
    assert "Finding more questions" in status.inner_text()
    release[0].continue_()
    status.wait_for(state="detached")
    assert page.locator(".paa-item").count() > 4


def test_an_empty_or_too_long_question_is_explained(page, server_url):
    page.goto(server_url + "/?q=" + "x" * 2100)
    assert "limit is 2000" in page.locator(".notice").inner_text()


HOSTILE = [
    {
        "id": "zorblax",
        "title": "Zorblax <img src=x onerror=\"window.pwned='title'\">",
        "url": "javascript:window.pwned='url'",
        "text": "Zorblax is a rare green mineral <script>window.pwned='script'</script> found only in "
        "the mountains of Kosovo. Zorblax was discovered by Milena Petrović in 1911 "
        "<img src=x onerror=\"window.pwned='img'\">. Zorblax glows faintly when heated.",
    },
    {
        "id": "quarry",
        "title": "The Zorblax quarry",
        "url": "https://example.org/quarry",
        "text": "The Zorblax quarry near Prizren opened in 1920 <svg onload=\"window.pwned='svg'\"></svg>. "
        "Milena Petrović was a Serbian geologist who studied Zorblax in Prizren.",
    },
]


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    corpus = write(folder / "hostile.jsonl", "\n".join(json.dumps(d) for d in HOSTILE))
    build_index([corpus], folder / "index")
    with Engine(folder / "index") as engine, running_server(create_app(engine)) as url:
        yield url


def test_corpus_markup_is_shown_as_text_and_never_runs(page, hostile_url):
    ask(page, hostile_url, "What is Zorblax?")
    answer = page.locator(".answer").inner_text()
    assert "<script>window.pwned='script'</script>" in answer, "markup shows as literal text"
    assert "<img" in page.locator(".featured .source-link").inner_text()
    assert not page.locator("main img, main svg, main script").count()
    assert not page.locator("a[href^='javascript']").count()
    for button in page.locator(".paa-q").all():
        button.click()
    page.locator(".featured .source-link").click()
    page.wait_for_url("**/doc/**")
    assert "<script>" in page.locator("article").inner_text()
    assert not page.locator("main img, main svg, main script").count()
    assert page.evaluate("typeof window.pwned") == "undefined", "no corpus script ran"

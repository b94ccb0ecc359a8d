"""The engine's own promises: calls that give up at their time limit, one index generation per call,
and `Engine.related`."""

import shutil
import threading
import time

import httpx
import pytest

from alsoask import Engine
from alsoask.engine import TimeLimitError, time_limited
from alsoask.index import remove_documents
from alsoask.server import create_app

from .conftest import running_server

QUESTION = "How did Serbia react to Kosovo's declaration of independence?"
REMOVED = "Kosovo_War"  # the page most of QUESTION's tree comes from


class CountingEngine(Engine):
    """An engine that counts the nodes its trees open, so a test can tell how far a tree got."""

    opened = 0

    def expand(self, *args, **kwargs):
        self.opened += 1
        return super().expand(*args, **kwargs)


@pytest.fixture
def counting_engine(core_index):
    with CountingEngine(core_index) as engine:
        engine.ask(QUESTION)  # loads what the first call loads, so a tree takes what trees take
        yield engine


def test_a_timed_out_request_lets_the_next_client_in(counting_engine):
    """The slow request is a real depth-5 tree; its time limit is a quarter of what that tree takes."""
    started = time.perf_counter()
    counting_engine.tree(QUESTION, depth=5)
    limit = (time.perf_counter() - started) / 4
    whole_tree, counting_engine.opened = counting_engine.opened, 0
    with running_server(create_app(counting_engine, time_limit=limit)) as url:
        slow = httpx.get(url + "/api/tree", params={"q": QUESTION, "depth": 5}, timeout=60)
        assert slow.status_code == 503 and "took over" in slow.json()["error"]
        quick = httpx.get(url + "/healthz", timeout=60)  # needs the engine, as every endpoint does
        opened_by_then = counting_engine.opened
    assert quick.status_code == 200
    assert opened_by_then < whole_tree  # served while the slow tree was unfinished: it had let go


def test_a_call_waiting_past_its_time_limit_gives_up(counting_engine):
    events = []

    def slow_tree():
        counting_engine.tree(QUESTION, depth=5)
        events.append("tree built")

    builder = threading.Thread(target=slow_tree)
    builder.start()
    while not counting_engine.opened:  # the tree holds the engine once it opens its first node
        time.sleep(0.01)
    with pytest.raises(TimeLimitError), time_limited(0.05):
        counting_engine.health()
    events.append("gave up")
    builder.join()
    assert events == ["gave up", "tree built"]
    assert counting_engine.health().status == "ok"  # no limit: it waits its turn


def test_a_call_that_runs_past_its_time_limit_stops_and_frees_the_engine(counting_engine):
    with pytest.raises(TimeLimitError), time_limited(0.0):
        counting_engine.tree(QUESTION, depth=5)
    assert counting_engine.opened == 0  # stopped before the first node
    assert counting_engine.tree(QUESTION, depth=2).nodes  # the next call runs


@pytest.fixture
def index_copy(core_index, tmp_path):
    """A private copy of the core index, free to change."""
    folder = tmp_path / "index"
    shutil.copytree(core_index, folder)
    return folder


class UpdatedMidTree(Engine):
    """An engine on whose index another writer commits a new generation (removing a document, as
    `alsoask remove` does) while its first tree opens its first node."""

    updated = False

    def expand(self, *args, **kwargs):
        if not self.updated:
            self.updated = True
            remove_documents([REMOVED], self.reader.folder)
        return super().expand(*args, **kwargs)


def test_a_tree_comes_from_one_generation_when_an_update_commits_midway(engine, index_copy):
    before = engine.tree(QUESTION, depth=3)  # the same corpus as the copy
    assert any(n.answer.doc_id == REMOVED for n in before.nodes[4:])  # the update changes the deeper levels
    with UpdatedMidTree(index_copy) as updated:
        during = updated.tree(QUESTION, depth=3)
        assert updated.updated
        after = updated.tree(QUESTION, depth=3)
        assert updated.health().documents == 32
    assert during == before
    assert all(n.answer.doc_id != REMOVED for n in after.nodes)


def test_related_are_the_questions_ask_shows(engine):
    assert engine.related(QUESTION) == engine.ask(QUESTION).related


def test_related_leaves_out_what_is_shown_and_returns_k(engine):
    first = engine.related(QUESTION, k=6)
    assert len(first) == 6
    shown = {r.id for r in first[:3]}
    rest = engine.related(QUESTION, shown=shown, k=3)
    assert len(rest) == 3 and not {r.id for r in rest} & shown
    assert [r.id for r in rest] != [r.id for r in first[:3]]

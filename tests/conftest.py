"""Shared fixtures: real corpora (the Kosovo core set from ../shared, and small files made here)."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from alsoask import build_index

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CORE = SHARED / "kosovo" / "core.jsonl"


@pytest.fixture(scope="session")
def core_index(tmp_path_factory) -> Path:
    """An index of the 33-document Kosovo core set, built once per test session."""
    if not CORE.exists():
        pytest.fail(f"test data missing: {CORE} (the tests need ../shared beside the repository)")
    folder = tmp_path_factory.mktemp("core") / "index"
    build_index([CORE], folder)
    return folder


@pytest.fixture(scope="session")
def engine(core_index):
    from alsoask import Engine

    with Engine(core_index) as engine:
        yield engine


def alsoask(*args, env_extra=None) -> subprocess.CompletedProcess:
    """Run the `alsoask` command as a user does, in a subprocess."""
    env = {**os.environ, "COLUMNS": "200", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "alsoask", *map(str, args)], capture_output=True, text=True, env=env)


def segments_of_index(folder: Path) -> list[str]:
    """The segment names the index's committed generation lists, sorted."""
    from alsoask.index_reader import segments_of
    from alsoask.store import Store

    store = Store.open(folder)
    try:
        return sorted(segments_of(store)[1])
    finally:
        store.close()


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free 127.0.0.1 port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def server_url(engine) -> Iterator[str]:
    """The real HTTP server over the core index."""
    from alsoask.server import create_app

    with running_server(create_app(engine)) as url:
        yield url


@pytest.fixture(scope="session")
def api_schema(server_url):
    """The served OpenAPI schema, for schemathesis."""
    import schemathesis

    return schemathesis.openapi.from_url(server_url + "/openapi.json")

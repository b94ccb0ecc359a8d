"""Shared fixtures: real corpora (the Kosovo core set from ../shared, and small files made here)."""

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


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path

"""A full disk and a read-only index folder: a clear error, and the existing index kept intact.

Both use a small tmpfs, which needs root (as in CI); elsewhere they are skipped."""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from alsoask import Engine, build_index

from .conftest import CORE, write

BASE = [{"id": "pristina", "title": "Pristina", "text": "Pristina is the capital and largest city of Kosovo."}]


def base_index(folder: Path) -> Path:
    build_index([write(folder / "base.jsonl", json.dumps(BASE[0]))], folder / "index", generator="none")
    return folder / "index"


def assert_intact(index: Path) -> None:
    with Engine(index) as engine:
        assert engine.health().documents == 1
        assert engine.ask("What is the capital of Kosovo?").answer.doc_id == "pristina"
    assert not list(index.glob("seg-*.partial")) and not list(index.glob(".stage-*"))


def index_run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "alsoask", "index", *args]
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


@pytest.fixture
def small_disk():
    folder = Path(tempfile.mkdtemp(prefix="alsoask-full-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        shutil.rmtree(folder)
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)
    folder.rmdir()


def test_a_full_disk_is_a_clear_error_and_the_index_is_kept(small_disk):
    index = base_index(small_disk)
    run = index_run(str(CORE), "--index", str(index), "--generator", "none")  # ~7 MB into 3 MB
    assert run.returncode == 2, run.stderr
    message = run.stderr.strip().splitlines()[-1]  # after the progress bar
    assert message.startswith("error: cannot write the index") and "the index is unchanged" in message
    assert "full" in message or "No space left" in message
    assert "Traceback" not in run.stderr
    assert_intact(index)


def test_a_read_only_index_folder_is_a_clear_error_and_the_index_is_kept(small_disk):
    """Read-only as root sees it: the folder's file system remounted read-only (root ignores chmod)."""
    index = base_index(small_disk)
    more = write(small_disk / "more.jsonl", json.dumps({"id": "peja", "text": "Peja is a city in western Kosovo."}))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        run = index_run(str(more), "--index", str(index), "--generator", "none")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert run.returncode == 2, run.stderr
    message = run.stderr.strip().splitlines()[-1]
    assert message.startswith("error: cannot") and "Traceback" not in run.stderr
    assert "read-only" in message.lower() or "readonly" in message
    assert_intact(index)

"""The CLI contract, run as a real subprocess the way a user runs it."""

import json

import pytest

from .conftest import alsoask, write

ANSWER_KEYS = {"text", "doc_id", "title", "url", "start", "end", "score", "verdict"}


def test_index_then_ask_json_contract(tmp_path):
    corpus = tmp_path / "docs"
    write(corpus / "kosovo.md", "# Kosovo\n\nKosovo declared independence from Serbia on 17 February 2008.")
    write(corpus / "serbia.txt", "Serbia\n\nSerbia does not recognise the independence of Kosovo.")
    write(corpus / "junk.txt", b"\x00\x01\x02")
    index = tmp_path / "index"
    run = alsoask("index", corpus, "--index", index, "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert "passages/s" in run.stderr
    assert "junk.txt: binary file" in run.stderr
    assert "2 new" in run.stderr

    run = alsoask("ask", "When did Kosovo declare independence?", "--index", index, "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert set(result) == {"question", "answer", "related", "took_ms", "no_answer_reason"}
    assert set(result["answer"]) == ANSWER_KEYS
    assert result["answer"]["doc_id"] == "kosovo.md"
    assert result["answer"]["url"].endswith("kosovo.md")
    assert "17 February 2008" in result["answer"]["text"]

    run = alsoask("ask", "When did Kosovo declare independence?", "--index", index)
    assert run.returncode == 0
    assert "17 February 2008" in run.stdout and "Source: Kosovo" in run.stdout

    write(corpus / "serbia.txt", "Serbia\n\nSerbia borders Kosovo to the north.")  # a replaced document
    assert alsoask("index", corpus / "serbia.txt", "--index", index, "--generator", "none").returncode == 0
    assert len(list(index.glob("seg-*"))) == 2
    run = alsoask("optimize", "--index", index)
    assert run.returncode == 0, run.stderr
    assert "now has 1 segment" in run.stderr and len(list(index.glob("seg-*"))) == 1
    run = alsoask("ask", "Does Serbia border Kosovo?", "--index", index, "--json")
    assert "north" in json.loads(run.stdout)["answer"]["text"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   ", "--index", "{index}"], "the question is empty"),
        (["ask", "x" * 2001, "--index", "{index}"], "the limit is 2000"),
        (["ask", "Who?", "--index", "{tmp}/nowhere"], "index folder not found"),
        (["ask", "Who?", "--index", "{tmp}/corrupt"], "corrupt or not an alsoask index"),
        (["optimize", "--index", "{tmp}/nowhere"], "index folder not found"),
        (["index", "{tmp}/no-such-corpus", "--index", "{tmp}/new"], "corpus path not found"),
        (["ask", "Who?", "--index", "{index}", "--embedder", "nonsense"], "unknown embedder"),
        (["index", "{tmp}/corrupt", "--index", "{tmp}/new", "--embedder", "nonsense"], "unknown embedder"),
    ],
)
def test_bad_input_gives_one_clear_line_and_exit_2(tmp_path, core_index, args, message):
    write(tmp_path / "corrupt" / "alsoask.sqlite", b"garbage" * 1000)
    args = [a.format(index=core_index, tmp=tmp_path) for a in args]
    run = alsoask(*args, env_extra={"COLUMNS": "60"})
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]  # one line, however long the path
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "new").exists()


def test_demo_runs_from_the_packaged_corpus(tmp_path):
    run = alsoask("demo", "--index", tmp_path / "demo")
    assert run.returncode == 0, run.stderr
    assert "Does Serbia recognize Kosovo?" in run.stdout
    assert "People also ask" in run.stdout and run.stdout.count("▸") >= 3  # the first question's tree
    assert "Slobodan Milošević was a Yugoslav and Serbian politician" in run.stdout
    assert "Wikipedia, CC BY-SA" in run.stdout
    # the second run reuses the cached index
    again = alsoask("demo", "--index", tmp_path / "demo")
    assert again.returncode == 0 and "Building the demo index" not in again.stderr

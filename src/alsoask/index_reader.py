"""Open an index folder for reading: the store for text, and the live rows of its segments for search.

Kept apart from `alsoask.index`, which builds the folder, so that the answer stage can read an index
without importing the stages that build it (and build the bank with an answerer).
"""

import json
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alsoask.errors import IndexFolderError
from alsoask.lexical import LexicalIndex, TermCounts
from alsoask.store import Store

ARRAYS = ("rows", "vectors", "question_ids", "question_vectors")  # a segment's files besides its term counts


@dataclass(frozen=True)
class Segment:
    """One immutable part of the search index, written by one commit or merge: BM25 term counts and
    vectors of its passages (row i is passage `rows[i]`), and the vectors of the bank questions it added.
    Rows whose passage or question the store no longer holds are dead (a tombstone is the missing
    row: store ids are never reused)."""

    name: str
    terms: TermCounts
    rows: np.ndarray  # passage ids
    vectors: np.ndarray
    question_ids: np.ndarray
    question_vectors: np.ndarray

    @property
    def size(self) -> int:
        return len(self.rows) + len(self.question_ids)

    def save(self, folder: Path) -> None:
        self.terms.save(folder)
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> "Segment":
        """Memory-mapped, so the serve workers of one machine share its pages; loaded once a process
        while any reader holds it (segments never change), so a reload reads only new segments and
        forked serve workers start with their parent's."""
        loaded = _loaded.get(folder)
        if loaded is not None:
            return loaded
        arrays = [np.load(folder / f"{n}.npy", mmap_mode="r") for n in ARRAYS]
        segment = cls(folder.name, TermCounts.load(folder), *arrays)
        if len(segment.rows) != len(segment.vectors) or len(segment.question_ids) != len(segment.question_vectors):
            raise ValueError(f"segment {folder.name} is inconsistent")
        _loaded[folder] = segment
        return segment


_loaded: "weakref.WeakValueDictionary[Path, Segment]" = weakref.WeakValueDictionary()


class LiveRows:
    """The live rows of several segments' matrices, read as one matrix without copying them: `@ vector`
    scores every live row, `[i]` reads one."""

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray]]):
        """`parts`: each segment's matrix and the indices of its live rows."""
        self.parts = [(m, live) for m, live in parts if len(live)]
        self.ends = np.cumsum([len(live) for _, live in self.parts], dtype=np.int64)

    def __len__(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), int(self.parts[0][0].shape[1]) if self.parts else 0

    def __matmul__(self, vectors: np.ndarray) -> np.ndarray:
        """One score per live row for a vector; a column per vector for a matrix of them."""
        if not self.parts:
            return np.zeros((0, *vectors.shape[1:]), dtype=np.float32)
        scores = [
            np.asarray(m @ vectors) if len(live) == len(m) else np.asarray(m @ vectors)[live] for m, live in self.parts
        ]
        return scores[0] if len(scores) == 1 else np.concatenate(scores)

    def __getitem__(self, i: int) -> np.ndarray:
        part = int(np.searchsorted(self.ends, i, side="right"))
        matrix, live = self.parts[part]
        return np.asarray(matrix[live[i - (int(self.ends[part - 1]) if part else 0)]])


@dataclass
class IndexReader:
    """An opened index: the store for text, and the live rows of its segments for search. Row i of
    `vectors` and of the BM25 scores is passage `rows[i]`; row i of `question_vectors` is bank question
    `question_ids[i]`."""

    folder: Path
    store: Store
    embedder_name: str
    generation: int
    segments: list[Segment]
    lexical: LexicalIndex
    vectors: LiveRows
    rows: np.ndarray
    question_vectors: LiveRows
    question_ids: np.ndarray

    @classmethod
    def open(cls, folder: str | Path, embedder: str | None = None) -> "IndexReader":
        """Open the committed generation."""
        folder = Path(folder).absolute()
        store = Store.open(folder, embedder)
        for attempt in (1, 2):  # a merge may commit a new generation and delete our segments as we load them
            try:
                store.db.execute("BEGIN")  # segments and live rows from one snapshot
                try:
                    generation, names = segments_of(store)
                    segments = [Segment.load(folder / n) for n in names]
                    return cls.over(folder, store, generation, segments)
                finally:
                    store.db.rollback()
            except (OSError, ValueError) as exc:
                if attempt == 2:
                    store.close()
                    raise IndexFolderError(
                        f"the index in {folder} is incomplete or corrupt ({exc}); rebuild it"
                    ) from None
        raise AssertionError("unreachable")

    @classmethod
    def over(cls, folder: Path, store: Store, generation: int, segments: list[Segment]) -> "IndexReader":
        """A reader over these segments, their live rows as the store sees them now (a writer's store
        sees its own uncommitted changes)."""
        passages, questions = store.live_ids()
        passage_live = [np.isin(s.rows, passages) for s in segments]
        question_live = [np.flatnonzero(np.isin(s.question_ids, questions)) for s in segments]
        lexical = LexicalIndex([(s.terms, live) for s, live in zip(segments, passage_live, strict=True)])
        rows = [np.asarray(s.rows)[live] for s, live in zip(segments, passage_live, strict=True)]
        question_ids = [np.asarray(s.question_ids)[live] for s, live in zip(segments, question_live, strict=True)]
        return cls(
            folder,
            store,
            store.embedder(),
            generation,
            segments,
            lexical,
            LiveRows([(s.vectors, np.flatnonzero(live)) for s, live in zip(segments, passage_live, strict=True)]),
            np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
            LiveRows([(s.question_vectors, live) for s, live in zip(segments, question_live, strict=True)]),
            np.concatenate(question_ids) if question_ids else np.zeros(0, dtype=np.int64),
        )


def segments_of(store: Store) -> tuple[int, list[str]]:
    """The committed generation number and the names of its segments, oldest first."""
    return int(store.meta("generation") or 0), json.loads(store.meta("segments") or "[]")

"""The SQLite half of an index folder: documents, passages (with their vectors) and metadata.

SQLite in WAL mode is the source of truth; the BM25 index and the vector matrix in the index folder
are derived from it and rebuilt after every change (see `alsoask.index`). The documents of one run
are written in one transaction, so a failed or killed run leaves the previous content in place.
"""

import json
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alsoask.embed import DEFAULT_EMBEDDER, check_embedder_name
from alsoask.errors import IndexFolderError
from alsoask.schema import Answer, Document
from alsoask.split import Span

DB_NAME = "alsoask.sqlite"
FORMAT = "alsoask-index"
FORMAT_VERSION = "5"
# '?' values per statement: 999 is the lowest limit SQLite builds have (the default build allows 32,766,
# Debian's 250,000), so a longer IN list goes in batches of this size
MAX_VARIABLES = 999
QUESTION_COLUMNS = "id, passage_id, text, source, kind, count, answer, span_start, span_end, vector"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    tokens TEXT NOT NULL,
    wordpieces BLOB NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    answer TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_passage ON questions(passage_id);
CREATE TABLE IF NOT EXISTS imported (text TEXT PRIMARY KEY, count INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class NewPassage:
    """A passage to store: its span, its sentence spans, their lexical tokens, and its vector."""

    start: int
    end: int
    sentences: list[Span]
    tokens: list[list[str]]  # per sentence, from `lexical.tokenize`, so queries need not re-tokenize
    wordpieces: list[np.ndarray]  # per sentence, the static embedder's token ids (`StaticEmbedder.wordpieces`)
    vector: np.ndarray


@dataclass(frozen=True)
class BankQuestion:
    """A question of the bank, tied to the passage that answers it, with that answer."""

    id: int
    passage_id: int
    text: str
    source: str  # "imported", "found" or "generated"
    kind: str
    count: int  # how often users asked it (imported search logs), else 0
    answer: Answer
    span: Span  # the sentence that answers it, in document offsets: one answer span, one question
    vector: np.ndarray  # in the sentence embedder's space

    @property
    def node_id(self) -> str:
        return f"q{self.id}"


def question_number(node_id: str) -> int | None:
    """The bank row id of a node id ("q17" -> 17); None for anything else, such as "q²" or an id past
    SQLite's integer range."""
    return int(node_id[1:]) if re.fullmatch(r"q[0-9]{1,18}", node_id) else None


@dataclass(frozen=True)
class StoredPassage:
    id: int
    doc_id: str
    title: str
    url: str | None
    start: int
    end: int
    sentences: list[Span]
    tokens: list[list[str]]  # lexical tokens of each sentence
    wordpieces: list[np.ndarray]  # the static embedder's token ids of each sentence
    text: str  # the passage text, document[start:end]

    def span_text(self, start: int, end: int) -> str:
        """Text of a span given in document offsets, which must lie inside this passage."""
        return self.text[start - self.start : end - self.start]


class Store:
    """One SQLite connection on `DIR/alsoask.sqlite`."""

    def __init__(self, connection: sqlite3.Connection):
        self.db = connection

    @classmethod
    def create_or_open(cls, folder: Path, embedder: str | None) -> "Store":
        """Open an index folder for writing, or create one recorded as built with `embedder` (the
        default when None). Refuses a file, a foreign folder, and an index built with another embedder."""
        if embedder is not None:
            check_embedder_name(embedder)
        if folder.exists() and not folder.is_dir():
            raise IndexFolderError(f"{folder} is a file, not an index folder")
        if (folder / DB_NAME).exists():
            return cls.open(folder, embedder)
        if folder.exists() and any(p for p in folder.iterdir() if not p.name.startswith(".")):
            raise IndexFolderError(f"{folder} is not empty and holds no alsoask index; choose an empty folder")
        folder.mkdir(parents=True, exist_ok=True)
        store = cls(_connect(folder / DB_NAME))
        with store.db:
            store.db.executescript(SCHEMA)
            name = embedder or DEFAULT_EMBEDDER
            store.set_meta(format=FORMAT, version=FORMAT_VERSION, embedder=name, generation="0")
        return store

    @classmethod
    def open(cls, folder: Path, embedder: str | None = None) -> "Store":
        """Open an existing index folder; `IndexFolderError` says clearly what is wrong."""
        if not folder.is_dir():
            raise IndexFolderError(
                f"index folder not found: {folder} (build one with: alsoask index PATH --index {folder})"
            )
        path = folder / DB_NAME
        if not path.exists():
            raise IndexFolderError(f"{folder} is not an alsoask index (no {DB_NAME})")
        store = cls(_connect(path))
        try:
            store.check(embedder)
        except BaseException:
            store.close()
            raise
        return store

    def check(self, embedder: str | None) -> None:
        if embedder is not None:
            check_embedder_name(embedder)
        try:
            fmt, version, built_with = self.meta("format"), self.meta("version"), self.meta("embedder")
        except sqlite3.DatabaseError as exc:
            raise IndexFolderError(f"the index is corrupt or not an alsoask index: {exc}") from None
        if fmt != FORMAT:
            raise IndexFolderError("the index folder holds a database that is not an alsoask index")
        if version != FORMAT_VERSION:
            raise IndexFolderError(
                f"index format version {version} is not supported (expected {FORMAT_VERSION}); rebuild it"
            )
        if embedder is not None and embedder != built_with:
            raise IndexFolderError(
                f"this index was built with the embedder {built_with!r}; it cannot be queried or extended "
                f"with {embedder!r}. Use --embedder {built_with} or build a new index."
            )

    def meta(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return row[0] if row else None

    def embedder(self) -> str:
        """The name of the embedder the index was built with, recorded when it was created."""
        name = self.meta("embedder")
        if name is None:
            raise IndexFolderError("the index records no embedder; rebuild it")
        return name

    def set_meta(self, **values: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())

    def put_document(self, doc: Document, passages: Iterable[NewPassage]) -> None:
        """Insert or replace a document and its passages."""
        self.db.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
        self.db.execute(
            "INSERT INTO documents(id, title, url, text) VALUES (?, ?, ?, ?)", (doc.id, doc.title, doc.url, doc.text)
        )
        self.db.executemany(
            "INSERT INTO passages(doc_id, start, end, sentences, tokens, wordpieces, vector) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    doc.id,
                    p.start,
                    p.end,
                    json.dumps(p.sentences),
                    json.dumps(p.tokens),
                    _pieces_blob(p.wordpieces),
                    _blob(p.vector),
                )
                for p in passages
            ),
        )

    def count(self, table: str) -> int:
        assert table in ("documents", "passages", "questions")
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def passage_rows(self, ids: list[int]) -> list[tuple[int, str, list[list[str]], np.ndarray]]:
        """(passage id, title, sentence tokens, vector) of these passages in id order, for a new segment."""
        sql = (
            "SELECT p.id, d.title, p.tokens, p.vector FROM passages p JOIN documents d ON d.id = p.doc_id "
            "WHERE p.id IN ({marks})"
        )
        rows = sorted(self._select_in(sql, ids))
        return [(passage_id, title, json.loads(tokens), _vector(vector)) for passage_id, title, tokens, vector in rows]

    def live_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """The ids of every passage and every bank question: a segment row whose id is not here is dead."""
        passages = [i for (i,) in self.db.execute("SELECT id FROM passages")]
        questions = [i for (i,) in self.db.execute("SELECT id FROM questions")]
        return np.asarray(passages, dtype=np.int64), np.asarray(questions, dtype=np.int64)

    def passages(self, ids: list[int]) -> list[StoredPassage]:
        """Passages by id, in the order asked."""
        rows = self._select_in(
            "SELECT p.id, p.doc_id, d.title, d.url, p.start, p.end, p.sentences, p.tokens, "
            "substr(d.text, p.start + 1, p.end - p.start), p.wordpieces "
            "FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})",
            ids,
        )
        by_id = {
            r[0]: StoredPassage(
                id=r[0],
                doc_id=r[1],
                title=r[2],
                url=r[3],
                start=r[4],
                end=r[5],
                sentences=[tuple(s) for s in json.loads(r[6])],
                tokens=json.loads(r[7]),
                wordpieces=_pieces(r[9]),
                text=r[8],
            )
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def passage_words(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        """The page title and the lexical tokens of passages, by id: the tokens of all sentences in
        order, joined by spaces (as `joined_tokens` joins them), read from their stored
        JSON without parsing it where it holds no escape."""
        rows = self._select_in(
            "SELECT p.id, d.title, p.tokens FROM passages p JOIN documents d ON d.id = p.doc_id "
            "WHERE p.id IN ({marks})",
            ids,
        )
        return {
            r[0]: (r[1], r[2].translate(_JSON_PUNCTUATION) if "\\" not in r[2] else joined_tokens(json.loads(r[2])))
            for r in rows
        }

    def passage_ids(self, doc_ids: list[str]) -> list[int]:
        """The passages of these documents, in id order."""
        return sorted(r[0] for r in self._select_in("SELECT id FROM passages WHERE doc_id IN ({marks})", doc_ids))

    def add_questions(self, questions: Iterable[BankQuestion]) -> None:
        self.db.executemany(
            "INSERT INTO questions(passage_id, text, source, kind, count, answer, span_start, span_end, vector) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (q.passage_id, q.text, q.source, q.kind, q.count, q.answer.model_dump_json(), *q.span, _blob(q.vector))
                for q in questions
            ),
        )

    def delete_questions(self, ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM questions WHERE id = ?", ((i,) for i in ids))

    def all_questions(self) -> list[BankQuestion]:
        """The whole bank, in id order."""
        return [_bank_question(r) for r in self.db.execute(f"SELECT {QUESTION_COLUMNS} FROM questions ORDER BY id")]

    def imported_questions(self) -> list[BankQuestion]:
        """The bank questions imported from a user's list, in id order."""
        sql = f"SELECT {QUESTION_COLUMNS} FROM questions WHERE source = 'imported' ORDER BY id"
        return [_bank_question(r) for r in self.db.execute(sql)]

    def questions_by_id(self, ids: list[int]) -> list[BankQuestion]:
        """The bank questions with these row ids (unknown ids are left out), in id order."""
        rows = self._select_in(f"SELECT {QUESTION_COLUMNS} FROM questions WHERE id IN ({{marks}})", ids)
        return sorted(map(_bank_question, rows), key=lambda q: q.id)

    def questions_of_passages(self, passage_ids: list[int]) -> list[BankQuestion]:
        """The bank questions these passages answer, in id order."""
        rows = self._select_in(f"SELECT {QUESTION_COLUMNS} FROM questions WHERE passage_id IN ({{marks}})", passage_ids)
        return sorted(map(_bank_question, rows), key=lambda q: q.id)

    def question_texts(self) -> list[str]:
        """The wording of every bank question, without the rest of each row."""
        return [text for (text,) in self.db.execute("SELECT text FROM questions")]

    def last_id(self, table: str) -> int:
        """The highest passage or question id ever given (ids are never reused): later ones are new."""
        assert table in ("passages", "questions")
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        return int(row[0]) if row else 0

    def question_vectors(self, after: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of the bank questions with ids above `after`, for nearest-question search."""
        rows = self.db.execute("SELECT id, vector FROM questions WHERE id > ? ORDER BY id", (after,)).fetchall()
        ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        return ids, (np.vstack([_vector(r[1]) for r in rows]) if rows else np.zeros((0, 0), dtype=np.float32))

    def imported(self) -> list[tuple[str, int]]:
        return self.db.execute("SELECT text, count FROM imported ORDER BY text").fetchall()

    def add_imported(self, questions: Iterable[tuple[str, int]]) -> None:
        """Imported questions; a question imported again adds its count."""
        self.db.executemany(
            "INSERT INTO imported(text, count) VALUES (?, ?) "
            "ON CONFLICT(text) DO UPDATE SET count = count + excluded.count",
            questions,
        )

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Documents with their passages and the bank questions those passages answer (cascade)."""
        self.db.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i in doc_ids])

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def document(self, doc_id: str) -> Document | None:
        row = self.db.execute("SELECT id, title, url, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document(id=row[0], title=row[1], url=row[2], text=row[3]) if row else None

    def documents_by_title(self) -> dict[str, list[str]]:
        """Document ids by case-folded title, for finding the page of a name ("kosovo" -> its page)."""
        titles: dict[str, list[str]] = {}
        for doc_id, title in self.db.execute("SELECT id, title FROM documents"):
            titles.setdefault(title.casefold(), []).append(doc_id)
        return titles

    def close(self) -> None:
        self.db.close()

    def _select_in(self, sql: str, values: list) -> list[tuple]:
        """The rows of `sql`, whose `{marks}` stands for an IN list of `values`, run in batches of at
        most `MAX_VARIABLES` values: one IN list of tens of thousands would pass SQLite's limit."""
        values = list(dict.fromkeys(values))  # a value repeated across batches would return its rows twice
        rows: list[tuple] = []
        for start in range(0, len(values), MAX_VARIABLES):
            batch = values[start : start + MAX_VARIABLES]
            rows += self.db.execute(sql.format(marks=",".join("?" * len(batch))), batch).fetchall()
        return rows

    def example_questions(self, n: int) -> list[str]:
        """`n` questions that show a new user what to ask: one per document while documents last;
        imported (most asked first), then found, then short generated ones with the best stored
        answers; the same every time."""
        order = "tier, long, count DESC, score DESC, id"
        rows = self.db.execute(
            "WITH ranked AS (SELECT q.id, q.text, q.count, p.doc_id, "
            "CASE q.source WHEN 'imported' THEN 0 WHEN 'found' THEN 1 ELSE 2 END AS tier, "
            "length(q.text) > 60 AS long, json_extract(q.answer, '$.score') AS score "
            "FROM questions q JOIN passages p ON p.id = q.passage_id) "
            f"SELECT text FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY doc_id ORDER BY {order}) AS nth FROM ranked) "
            f"ORDER BY nth, {order} LIMIT ?",
            (n,),
        )
        return [row[0] for row in rows]


def _bank_question(row: tuple) -> BankQuestion:
    """A row of `QUESTION_COLUMNS` as a `BankQuestion`."""
    row_id, passage_id, text, source, kind, count, answer, start, end, vector = row
    parsed = Answer.model_validate_json(answer)
    return BankQuestion(row_id, passage_id, text, source, kind, count, parsed, (start, end), _vector(vector))


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def _pieces_blob(pieces: list[np.ndarray]) -> bytes:
    """Per-sentence token ids as one uint16 array: the sentence count, each sentence's length, the ids."""
    lengths = [len(p) for p in pieces]
    return np.concatenate([[len(pieces)], lengths, *pieces]).astype(np.uint16).tobytes()


def _pieces(blob: bytes) -> list[np.ndarray]:
    values = np.frombuffer(blob, dtype=np.uint16)
    lengths = values[1 : 1 + values[0]].astype(np.int64)
    ends = 1 + values[0] + np.cumsum(lengths)
    return [values[end - n : end] for end, n in zip(ends, lengths, strict=True)]  # views: no copies per ask


def _connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError as exc:  # a folder we may not write to, a full disk
        hint = "" if os.access(path.parent, os.W_OK) else " (the index folder is read-only or not writable)"
        raise IndexFolderError(f"cannot open the index database {path}: {exc}{hint}") from None
    except sqlite3.DatabaseError as exc:
        raise IndexFolderError(f"the index is corrupt or not an alsoask index: {exc}") from None
    return db


_JSON_PUNCTUATION = str.maketrans("", "", '[]",')  # of a list of lists of words: ", " and "], [" leave a space


def joined_tokens(tokens: list[list[str]]) -> str:
    """A passage's tokens (by sentence) as one space-separated string."""
    return " ".join(" ".join(sentence) for sentence in tokens)

"""Build, update and open an index folder: SQLite store + BM25 + dense vectors.

Layout of `DIR`:

    alsoask.sqlite     documents, passages (offsets, sentence spans, vector), the question bank, meta
    gen-000007/        derived from the store: bm25/ and idf.npy (lexical), vectors.npy, rows.npy
                       (passages), questions.npy and question_ids.npy (the bank, for nearest questions)

An update writes the new documents, their bank questions (`alsoask.questions`, answered against the new
search index) and a complete new `gen-*` folder inside one SQLite transaction,
and commits the generation number last: an update that fails or is killed leaves the previous
generation as the one readers open. A first run that fails removes what it created.
"""

import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from alsoask.answer import Answerer, AnswerSettings
from alsoask.embed import Embedder, check_embedder_name, load_embedder, sentence_embedder
from alsoask.errors import CorpusError, IndexFolderError, LimitError, NotFoundError
from alsoask.generate import Generator
from alsoask.index_reader import IndexReader
from alsoask.ingest import Skipped, read_corpus
from alsoask.lexical import LexicalIndex, tokenize
from alsoask.questions import DEFAULT_GENERATOR, import_questions, load_generator, update_bank
from alsoask.schema import Document
from alsoask.split import split_passages
from alsoask.store import DB_NAME, NewPassage, Store

EMBED_BATCH = 256

# (stage, done, total or None while reading, passages done); stages are "reading", "splitting and
# embedding" and "building search index" (counting documents), then "generating questions" (counting
# passages) and "answering questions" (counting candidate questions)
ProgressCallback = Callable[[str, int, int | None, int], None]
READ_REPORT_EVERY = 500


@dataclass
class IndexReport:
    added: int = 0
    replaced: int = 0
    passages: int = 0
    questions: int = 0  # added to the bank
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    total_documents: int = 0
    total_passages: int = 0
    total_questions: int = 0

    @property
    def passages_per_second(self) -> float:
        return self.passages / self.seconds if self.seconds else 0.0


def passage_text(title: str, text: str) -> str:
    """What the embedder sees for a passage (BM25 sees the same words): the title carries its topic."""
    return f"{title}\n{text}"


def build_index(
    paths: Iterable[str | Path],
    folder: str | Path,
    embedder: str | None = None,
    on_progress: ProgressCallback | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    generator: str = DEFAULT_GENERATOR,
    jobs: int | None = None,
) -> IndexReport:
    """Add the documents under `paths` to the index in `folder` (created if needed); see `index_documents`."""
    return index_documents(read_corpus(paths), folder, embedder, on_progress, on_skip, generator, jobs)


def index_documents(
    items: Iterable[Document | Skipped],
    folder: str | Path,
    embedder: str | None = None,
    on_progress: ProgressCallback | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    generator: str = DEFAULT_GENERATOR,
    jobs: int | None = None,
) -> IndexReport:
    """Add documents to the index in `folder` (created if needed), and their questions to its bank,
    written by `generator` ("spacy", "llm", or "none" for found and imported questions only), which
    parses on `jobs` processes (default: every core).

    A document whose id is already indexed is replaced. Inputs that could not be read arrive as
    `Skipped`; they are reported through `on_skip` and in the report. If no document at all is
    readable, `CorpusError` is raised before the index folder is touched.
    """
    started = time.perf_counter()
    if embedder is not None:
        check_embedder_name(embedder)  # before reading anything
    if jobs is not None and jobs < 1:
        raise LimitError(f"jobs is {jobs}; it must be at least 1")
    question_generator = load_generator(generator, jobs)
    folder = Path(folder)
    report = IndexReport()
    docs: dict[str, Document] = {}
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            if on_skip:
                on_skip(item)
        else:
            docs[item.id] = item.model_copy(update={"text": clean_text(item.text)})  # a later copy of an id wins
            if on_progress and len(docs) % READ_REPORT_EVERY == 0:
                on_progress("reading", len(docs), None, 0)
    if not docs:
        raise CorpusError(f"nothing to index: no readable documents ({len(report.skipped)} skipped)")

    had_folder, had_index = folder.exists(), (folder / DB_NAME).exists()
    with _writes_to(folder):
        store = None
        try:
            store = Store.create_or_open(folder, embedder)
            model = load_embedder(store.embedder())
            with store.db:  # one transaction: all of this run's documents, or none of them
                _write_documents(store, model, list(docs.values()), report, on_progress)
                if on_progress:
                    on_progress("building search index", len(docs), len(docs), report.passages)
                new_passages = store.passage_ids(list(docs))
                generation, report.questions = _write_generation(
                    store, folder, model, new_passages, question_generator, on_progress
                )
            report.total_documents = store.count("documents")
            report.total_passages = store.count("passages")
            report.total_questions = store.count("questions")
        except BaseException:
            if store is not None:
                store.close()
            if not had_index:
                _remove_new_index(folder, remove_folder=not had_folder)
            raise
        store.close()
    _remove_stale_generations(folder, keep=generation)
    report.seconds = time.perf_counter() - started
    return report


def clean_text(text: str) -> str:
    """Line breaks as "\n" and NUL characters as spaces: the stored text, the offsets and the
    sentence splitter then all see the same characters (SQLite's substr stops at a NUL)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", " ")


@contextmanager
def _writes_to(folder: Path) -> Iterator[None]:
    """A failed write (a full disk, a read-only folder, a locked database) as one clear error. The
    transaction has rolled back by then, so the index is as it was; a half-written generation goes."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        for partial in folder.glob("gen-*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise IndexFolderError(f"cannot write the index in {folder}: {reason}; the index is unchanged") from None


def _remove_new_index(folder: Path, remove_folder: bool) -> None:
    """Undo a first run that failed: remove what it created, and nothing the folder held before."""
    if remove_folder:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for path in [*folder.glob(f"{DB_NAME}*"), *folder.glob("gen-*")]:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _write_documents(
    store: Store, model: Embedder, docs: list[Document], report: IndexReport, on_progress: ProgressCallback | None
) -> None:
    scorer = sentence_embedder(model)
    batch: list[tuple[Document, list]] = []
    batch_passages = 0
    for done, doc in enumerate(docs, start=1):
        if store.has_document(doc.id):
            report.replaced += 1
        else:
            report.added += 1
        batch.append((doc, split_passages(doc.text)))
        batch_passages += len(batch[-1][1])
        if batch_passages >= EMBED_BATCH or done == len(docs):
            texts = [passage_text(d.title, d.text[p.start : p.end]) for d, ps in batch for p in ps]
            vectors = iter(model.encode_passages(texts)) if texts else iter(())
            sentences = [d.text[a:b] for d, ps in batch for p in ps for a, b in p.sentences]
            tokens, pieces = iter(tokenize(sentences)), iter(scorer.wordpieces(sentences))
            for d, ps in batch:
                new = [
                    NewPassage(
                        p.start,
                        p.end,
                        p.sentences,
                        [next(tokens) for _ in p.sentences],
                        [next(pieces) for _ in p.sentences],
                        next(vectors),
                    )
                    for p in ps
                ]
                store.put_document(d, new)
            report.passages += batch_passages
            batch, batch_passages = [], 0
            if on_progress:
                on_progress("splitting and embedding", done, len(docs), report.passages)


def add_questions(path: str | Path, folder: str | Path) -> tuple[int, int]:
    """Import a question list (`alsoask.questions.read_question_list`) into an index and answer it
    against the corpus: those the corpus answers join the bank. Returns the number imported and the
    number of imported questions (of all imports so far) now in the bank."""
    folder = Path(folder)
    store = Store.open(folder)
    try:
        with _writes_to(folder), store.db:
            imported = import_questions(store, Path(path))
            model = load_embedder(store.embedder())
            generation, _ = _write_generation(store, folder, model, [], load_generator("none"), None)
        answered = len(store.imported_questions())
    finally:
        store.close()
    _remove_stale_generations(folder, keep=generation)
    return imported, answered


def remove_documents(doc_ids: Iterable[str], folder: str | Path) -> int:
    """Remove documents from an index, with their passages and every bank question they answer, and
    rebuild the search index without them, all in one transaction. Unknown ids remove nothing and
    raise `NotFoundError`. Returns the number of documents left."""
    folder, doc_ids = Path(folder), list(dict.fromkeys(doc_ids))
    store = Store.open(folder)
    try:
        missing = [i for i in doc_ids if not store.has_document(i)]
        if missing:
            raise NotFoundError(f"no document with id {', '.join(map(repr, missing))} in this index; nothing removed")
        if len(doc_ids) >= store.count("documents"):
            raise CorpusError("that would leave the index empty; delete the index folder instead")
        with _writes_to(folder), store.db:
            store.delete_documents(doc_ids)
            model = load_embedder(store.embedder())
            generation, _ = _write_generation(store, folder, model, [], load_generator("none"), None)
        left = store.count("documents")
    finally:
        store.close()
    _remove_stale_generations(folder, keep=generation)
    return left


def _write_generation(
    store: Store,
    folder: Path,
    model: Embedder,
    new_passages: list[int],
    generator: Generator,
    on_progress: ProgressCallback | None,
) -> tuple[int, int]:
    """Inside the caller's transaction: rebuild BM25 and the vector matrix from the store into a fresh
    `gen-N` folder, add the bank questions of `new_passages` (answered against that search index), save
    the bank's vectors, and commit N as the current generation. Returns N and the questions added."""
    generation = int(store.meta("generation") or 0) + 1
    target = folder / f"gen-{generation:06d}"
    partial = folder / f"gen-{generation:06d}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    partial.mkdir()
    _write_search_index(store, partial)
    reader = IndexReader.load(folder, store, partial)
    answerer = Answerer(reader, model, sentence_embedder(model), AnswerSettings())

    def progress(stage: str, done: int, total: int) -> None:
        if on_progress:
            on_progress(stage, done, total, len(new_passages))

    added = update_bank(store, answerer, store.passages(new_passages), generator, progress)
    ids, vectors = store.question_vectors()
    np.save(partial / "questions.npy", vectors.astype(np.float32))
    np.save(partial / "question_ids.npy", ids)
    partial.rename(target)
    store.set_meta(generation=str(generation))
    return generation, added


def _write_search_index(store: Store, partial: Path) -> None:
    """BM25 and the passage vector matrix, from the store."""
    ids, passage_tokens, vectors = [], [], []
    title_tokens: dict[str, list[str]] = {}
    for passage_id, title, sentence_tokens, vector in store.iter_passage_rows():
        if title not in title_tokens:
            title_tokens[title] = tokenize([title])[0]
        ids.append(passage_id)
        passage_tokens.append(title_tokens[title] + [t for sentence in sentence_tokens for t in sentence])
        vectors.append(np.frombuffer(vector, dtype=np.float32))
    if not any(passage_tokens):
        raise CorpusError("nothing to index: the documents hold no searchable words")
    LexicalIndex.build(passage_tokens).save(partial)
    np.save(partial / "vectors.npy", np.vstack(vectors).astype(np.float32))
    np.save(partial / "rows.npy", np.asarray(ids, dtype=np.int64))


def _remove_stale_generations(folder: Path, keep: int) -> None:
    for path in folder.glob("gen-*"):
        if path.name != f"gen-{keep:06d}":
            shutil.rmtree(path, ignore_errors=True)


def index_is_current(folder: Path) -> bool:
    """True if `folder` holds an index this version of alsoask can open."""
    try:
        Store.open(folder).close()
    except IndexFolderError:
        return False
    return True

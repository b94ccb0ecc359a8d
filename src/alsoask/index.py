"""Build, update and open an index folder: SQLite store + search segments (BM25 term counts, vectors).

Layout of `DIR`:

    alsoask.sqlite     documents, passages (offsets, sentence spans, vector), the question bank, meta
                       (the generation number and the names of its segments)
    seg-3f2a.../       one immutable segment: terms.txt and terms_*.npy (BM25 term counts),
                       rows.npy and vectors.npy (its passages), question_ids.npy and
                       question_vectors.npy (the bank questions its commit added)

An update writes the new documents, a segment of their passages, and their bank questions (answered
against all live segments) inside one SQLite transaction, and commits the new segment list and
generation number last: an update that fails or is killed leaves the previous generation as the one
readers open. Replaced and removed passages and questions are dead rows in older segments (the store
no longer holds their ids); merges fold small segments together and drop them. A first run that fails
removes what it created.
"""

import fcntl
import json
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np

from alsoask.answer import Answerer, AnswerSettings
from alsoask.cluster import RayMap
from alsoask.embed import Embedder, check_embedder_name, load_embedder, sentence_embedder
from alsoask.errors import CorpusError, IndexFolderError, LimitError, NotFoundError
from alsoask.generate import ChunkMap, Generator
from alsoask.index_reader import IndexReader, Segment, segments_of
from alsoask.ingest import Skipped, read_corpus
from alsoask.lexical import TermCounts, title_tokens, tokenize
from alsoask.questions import DEFAULT_GENERATOR, import_questions, load_generator, update_bank
from alsoask.schema import Document
from alsoask.split import split_passages
from alsoask.store import DB_NAME, QUESTION_COLUMNS, NewPassage, Store

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
    ray: str | None = None,
) -> IndexReport:
    """Add the documents under `paths` to the index in `folder` (created if needed); see `index_documents`."""
    return index_documents(read_corpus(paths), folder, embedder, on_progress, on_skip, generator, jobs, ray)


def index_documents(
    items: Iterable[Document | Skipped],
    folder: str | Path,
    embedder: str | None = None,
    on_progress: ProgressCallback | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    generator: str = DEFAULT_GENERATOR,
    jobs: int | None = None,
    ray: str | None = None,
) -> IndexReport:
    """Add documents to the index in `folder` (created if needed), and their questions to its bank,
    written by `generator` ("spacy", "llm", or "none" for found and imported questions only), which
    parses on `jobs` processes (default: every core). With `ray` (an address: "local", "auto",
    "ray://host:10001"), splitting, embedding and parsing run as tasks on that Ray cluster instead
    (`alsoask.cluster`); the result is the same.

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

    cluster = RayMap(ray, jobs) if ray else None
    try:
        if cluster is not None:
            question_generator = load_generator(generator, jobs, cluster)
        _write_run(folder, docs, embedder, question_generator, cluster, report, on_progress)
    finally:
        if cluster is not None:
            cluster.close()
    merge_segments(folder)
    report.seconds = time.perf_counter() - started
    return report


def _write_run(
    folder: Path,
    docs: dict[str, Document],
    embedder: str | None,
    question_generator: Generator,
    cluster: ChunkMap | None,
    report: IndexReport,
    on_progress: ProgressCallback | None,
) -> None:
    """All of this run's documents, or none of them, without holding the write lock for long. A large
    run is prepared in a private copy of the store (`_staged`), which one short transaction then
    applies (`_apply_stage`); a small one is written in place, in one transaction about as short as
    copying the store would take. Other writers (`questions add`, `remove`, merges) go on meanwhile;
    index runs take turns (`_index_run_lock`). A first run that fails leaves no index behind."""
    had_folder, had_index = folder.exists(), (folder / DB_NAME).exists()
    with _writes_to(folder):
        store = None
        try:
            store = Store.create_or_open(folder, embedder)
            model = load_embedder(store.embedder())

            def write(target: Store, committed: list[Segment] | None, out: Path) -> None:
                _add_documents(target, committed, out, model, docs, question_generator, cluster, report, on_progress)

            with _index_run_lock(folder, on_progress):
                if sum(len(d.text) for d in docs.values()) <= IN_PLACE_CHARACTERS:
                    with store.db:
                        write(store, None, folder)
                else:
                    with _staged(store, folder) as stage:
                        with stage.store.db:
                            write(stage.store, stage.segments, stage.folder)
                        if on_progress:
                            on_progress("committing", len(docs), len(docs), report.passages)
                        _apply_stage(store, folder, stage, list(docs), model)
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


IN_PLACE_CHARACTERS = 50_000  # of document text: about 80 passages, a second or two of bank work


def _add_documents(
    store: Store,
    committed: list[Segment] | None,
    out: Path,
    model: Embedder,
    docs: dict[str, Document],
    generator: Generator,
    cluster: ChunkMap | None,
    report: IndexReport,
    on_progress: ProgressCallback | None,
) -> None:
    """Inside the caller's transaction: store the documents and commit a segment of their passages and
    bank questions, written into `out`, over the `committed` segments (None: those of `out`)."""
    _write_documents(store, model, list(docs.values()), report, on_progress, cluster)
    if on_progress:
        on_progress("building search index", len(docs), len(docs), report.passages)
    new_passages = store.passage_ids(list(docs))
    if committed is None:
        committed = _committed_segments(store, out)  # now that the transaction holds the write lock
    report.questions = _commit_segment(store, committed, out, model, new_passages, generator, on_progress)


@contextmanager
def _index_run_lock(folder: Path, on_progress: ProgressCallback | None) -> Iterator[None]:
    """One index run at a time per folder (the runs add passages, whose ids a second run would take):
    a second run waits for the first, saying so. The lock is the kernel's, so a killed run frees it.
    Holding it, a run removes the stages that killed runs left."""
    with open(folder / LOCK_NAME, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_progress:
                on_progress("waiting for another index run", 0, None, 0)
            fcntl.flock(lock, fcntl.LOCK_EX)
        _remove_stages(folder)
        yield  # closing the file frees the lock


def _remove_abandoned_stages(folder: Path) -> None:
    """The stages killed index runs left (a copy of the store each), unless a run is preparing one now:
    a run holds the lock while its stage exists."""
    if not any(folder.glob(f"{STAGE_PREFIX}*")):
        return
    with open(folder / LOCK_NAME, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        _remove_stages(folder)


def _remove_stages(folder: Path) -> None:
    """Under the index run lock: no stage in the folder belongs to a live run."""
    for stale in folder.glob(f"{STAGE_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


LOCK_NAME = ".index-run.lock"
STAGE_PREFIX = ".stage-"


@dataclass
class _Stage:
    """A private copy of the store as committed when the run began, where the run is prepared."""

    store: Store
    folder: Path
    generation: int
    segments: list[Segment]  # the committed segments it was copied with
    last_passage: int
    last_question: int


@contextmanager
def _staged(store: Store, folder: Path) -> Iterator[_Stage]:
    """Copy the committed store (SQLite's online backup: a consistent snapshot that blocks no writer)
    into a folder of the index folder, removed afterwards whatever happens, and load the segments it
    lists (memory-mapped, so a merge that deletes their files meanwhile does not take them away)."""
    stage_folder = folder / f"{STAGE_PREFIX}{uuid.uuid4().hex[:12]}"
    stage_folder.mkdir()
    try:
        for attempt in (1, 2, 3):  # a merge may commit and delete the listed segments as we load them
            (stage_folder / DB_NAME).unlink(missing_ok=True)
            copy = sqlite3.connect(stage_folder / DB_NAME)
            try:
                store.db.backup(copy)
            finally:
                copy.close()
            stage = Store.open(stage_folder)
            try:
                generation, names = segments_of(stage)
                segments = [Segment.load(folder / n) for n in names]
                break
            except FileNotFoundError:
                stage.close()
                if attempt == 3:
                    raise
        try:
            yield _Stage(
                stage, stage_folder, generation, segments, stage.last_id("passages"), stage.last_id("questions")
            )
        finally:
            stage.close()
    finally:
        shutil.rmtree(stage_folder, ignore_errors=True)


def _apply_stage(store: Store, folder: Path, stage: _Stage, doc_ids: list[str], model: Embedder) -> None:
    """Apply a prepared run in one short transaction: its documents replace theirs, its passages and
    bank questions join, the bank questions it dropped go, and its segment joins the segments committed
    now. Writers that committed since the copy was taken added no passages (index runs take turns) but
    may have added bank questions or removed documents: the run's question ids then move up past
    theirs, and the imported questions are answered again against the result, in the same transaction
    (a merge alone changes nothing a question's answer depends on). Waits for a busy writer as long as
    `APPLY_WAIT_SECONDS`: giving up would lose the whole prepared run."""
    db = store.db
    db.execute("ATTACH DATABASE ? AS stage", (str(stage.folder / DB_NAME),))
    db.execute(f"PRAGMA busy_timeout = {APPLY_WAIT_SECONDS * 1000}")
    moved: Path | None = None
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            generation, names = segments_of(store)
            if store.last_id("passages") != stage.last_passage:
                raise IndexFolderError(f"another program added passages to the index in {folder} during this run")
            shift = store.last_id("questions") - stage.last_question
            ids = json.dumps(doc_ids)
            changed = generation != stage.generation and (shift > 0 or _content_changed(db, ids))
            db.execute("DELETE FROM main.documents WHERE id IN (SELECT value FROM json_each(?))", (ids,))
            db.execute(
                "INSERT INTO main.documents SELECT * FROM stage.documents WHERE id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            db.execute("INSERT INTO main.passages SELECT * FROM stage.passages WHERE id > ?", (stage.last_passage,))
            db.execute(
                "DELETE FROM main.questions WHERE id <= ? AND id NOT IN (SELECT id FROM stage.questions)",
                (stage.last_question,),
            )
            columns = QUESTION_COLUMNS.removeprefix("id, ")
            db.execute(
                f"INSERT INTO main.questions SELECT id + ?, {columns} FROM stage.questions "
                f"WHERE id > ? AND (? OR source != 'imported')",
                (shift, stage.last_question, not changed),
            )
            _, staged_names = segments_of(stage.store)
            for name in staged_names[len(stage.segments) :]:  # the run's segment, when it has rows
                if changed:
                    _renumber_questions(stage.folder / name, shift, store.live_ids()[1])
                moved = folder / name
                (stage.folder / name).rename(moved)
                names.append(name)
            store.set_meta(generation=str(generation + 1), segments=json.dumps(names))
            if changed and store.imported():
                _commit_segment(
                    store, _committed_segments(store, folder), folder, model, [], load_generator("none"), None
                )
    except BaseException:
        if moved is not None:
            shutil.rmtree(moved, ignore_errors=True)
        raise
    finally:
        db.execute("DETACH DATABASE stage")


APPLY_WAIT_SECONDS = 600


def _content_changed(db: sqlite3.Connection, run_ids: str) -> bool:
    """Whether another writer removed documents or changed the imported questions since the stage was
    copied (with the stage attached; `run_ids`: the run's document ids as JSON)."""
    removed = db.execute(
        "SELECT 1 FROM stage.documents WHERE id NOT IN (SELECT value FROM json_each(?)) "
        "AND id NOT IN (SELECT id FROM main.documents) LIMIT 1",
        (run_ids,),
    ).fetchone()
    imported = [
        db.execute(f"SELECT text, count FROM {side}.imported ORDER BY text").fetchall() for side in ("main", "stage")
    ]
    return removed is not None or imported[0] != imported[1]


def _renumber_questions(segment: Path, shift: int, live: np.ndarray) -> None:
    """Move a staged segment's question ids up by `shift`, keeping those now in the store."""
    ids = np.load(segment / "question_ids.npy") + shift
    vectors = np.load(segment / "question_vectors.npy")
    kept = np.isin(ids, live)
    np.save(segment / "question_ids.npy", ids[kept])
    np.save(segment / "question_vectors.npy", vectors[kept])


def clean_text(text: str) -> str:
    """Line breaks as "\n" and NUL characters as spaces: the stored text, the offsets and the
    sentence splitter then all see the same characters (SQLite's substr stops at a NUL)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", " ")


@contextmanager
def _writes_to(folder: Path) -> Iterator[None]:
    """A failed write (a full disk, a read-only folder, a locked database) as one clear error. The
    transaction has rolled back by then, so the index is as it was; a half-written segment goes."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        _remove_partial_segments(folder)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise IndexFolderError(f"cannot write the index in {folder}: {reason}; the index is unchanged") from None


def _remove_new_index(folder: Path, remove_folder: bool) -> None:
    """Undo a first run that failed: remove what it created, and nothing the folder held before."""
    if remove_folder:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for path in [*folder.glob(f"{DB_NAME}*"), *folder.glob("seg-*"), *folder.glob(LOCK_NAME)]:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _write_documents(
    store: Store,
    model: Embedder,
    docs: list[Document],
    report: IndexReport,
    on_progress: ProgressCallback | None,
    map_chunks: ChunkMap | None,
) -> None:
    """Split, tokenize and embed the documents chunk by chunk (here, or on a cluster by `map_chunks`),
    and store each with its passages, in input order."""
    chunks = list(_chunks(docs))
    prepared: Iterator[list[list[NewPassage]]]
    if map_chunks is None:
        prepared = (_prepare(chunk, model) for chunk in chunks)
    else:
        prepared = map_chunks(_prepare_on_worker, [(store.embedder(), chunk) for chunk in chunks])
    done = 0
    for chunk, passages in zip(chunks, prepared, strict=True):
        for doc, new in zip(chunk, passages, strict=True):
            if store.has_document(doc.id):
                report.replaced += 1
            else:
                report.added += 1
            store.put_document(doc, new)
            report.passages += len(new)
        done += len(chunk)
        if on_progress:
            on_progress("splitting and embedding", done, len(docs), report.passages)


CHUNK_CHARACTERS = 150_000  # of document text a chunk: about 256 passages, a good embedding batch


def _chunks(docs: list[Document]) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    size = 0
    for doc in docs:
        chunk.append(doc)
        size += len(doc.text)
        if size >= CHUNK_CHARACTERS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _prepare(docs: list[Document], model: Embedder) -> list[list[NewPassage]]:
    """The passages to store for each document: spans, sentence tokens and word pieces, vectors. A pure
    function of the documents and the embedder, so any worker computes the same."""
    scorer = sentence_embedder(model)
    split = [split_passages(d.text) for d in docs]
    texts = [passage_text(d.title, d.text[p.start : p.end]) for d, ps in zip(docs, split, strict=True) for p in ps]
    vectors = iter(model.encode_passages(texts)) if texts else iter(())
    sentences = [d.text[a:b] for d, ps in zip(docs, split, strict=True) for p in ps for a, b in p.sentences]
    tokens, pieces = iter(tokenize(sentences)), iter(scorer.wordpieces(sentences))
    return [
        [
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
        for ps in split
    ]


def _prepare_on_worker(job: tuple[str, list[Document]]) -> list[list[NewPassage]]:
    """`_prepare` in a cluster worker, with the embedder named (loaded once per worker)."""
    embedder, docs = job
    return _prepare(docs, _worker_embedder(embedder))


@cache
def _worker_embedder(name: str) -> Embedder:
    return load_embedder(name)


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
            _commit_segment(store, _committed_segments(store, folder), folder, model, [], load_generator("none"), None)
        answered = len(store.imported_questions())
    finally:
        store.close()
    merge_segments(folder)
    return imported, answered


def remove_documents(doc_ids: Iterable[str], folder: str | Path) -> int:
    """Remove documents from an index, with their passages and every bank question they answer, in one
    transaction: their segment rows become dead (a merge drops them) and the imported questions are
    answered again. Unknown ids remove nothing and raise `NotFoundError`. Returns the number of
    documents left."""
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
            _commit_segment(store, _committed_segments(store, folder), folder, model, [], load_generator("none"), None)
        left = store.count("documents")
    finally:
        store.close()
    merge_segments(folder)
    return left


def _commit_segment(
    store: Store,
    committed: list[Segment],
    out: Path,
    model: Embedder,
    new_passages: list[int],
    generator: Generator,
    on_progress: ProgressCallback | None,
) -> int:
    """Inside the caller's transaction: write a segment of `new_passages` (BM25 term counts, vectors)
    into `out`, add their bank questions (answered against the `committed` segments plus this one, rows
    the transaction removed or replaced dead) with the re-answered imported ones, save the vectors of
    the questions added, and commit the segment into a new generation. Returns the questions added."""
    generation, names = segments_of(store)
    _remove_partial_segments(out)
    name = _new_segment_name()
    partial = out / f"{name}.partial"
    segment = _passage_segment(name, store, new_passages)
    reader = IndexReader.over(out, store, generation, [*committed, segment])
    if new_passages and not reader.lexical.vocab:
        raise CorpusError("nothing to index: the documents hold no searchable words")
    answerer = Answerer(reader, model, sentence_embedder(model), AnswerSettings())

    def progress(stage: str, done: int, total: int) -> None:
        if on_progress:
            on_progress(stage, done, total, len(new_passages))

    last_question = store.last_id("questions")
    added = update_bank(store, answerer, store.passages(new_passages), generator, progress)
    question_ids, question_vectors = store.question_vectors(after=last_question)
    segment = replace(segment, question_ids=question_ids, question_vectors=question_vectors.astype(np.float32))
    if segment.size:
        partial.mkdir()
        segment.save(partial)
        partial.rename(out / name)
        names.append(name)
    store.set_meta(generation=str(generation + 1), segments=json.dumps(names))
    return added


def _committed_segments(store: Store, folder: Path) -> list[Segment]:
    """The segments of the generation the store holds (under the write lock: no merge deletes them)."""
    return [Segment.load(folder / name) for name in segments_of(store)[1]]


def _new_segment_name() -> str:
    """Unique, so that a merge and a writer working at once never pick the same folder."""
    return f"seg-{uuid.uuid4().hex[:12]}"


def _passage_segment(name: str, store: Store, passage_ids: list[int]) -> Segment:
    """A segment of these passages and no questions yet, read from the store a chunk at a time."""
    ids = sorted(passage_ids)
    vectors: list[np.ndarray] = []

    def passage_tokens() -> Iterator[list[str]]:
        for start in range(0, len(ids), READ_CHUNK):
            for _, title, sentence_tokens, vector in store.passage_rows(ids[start : start + READ_CHUNK]):
                vectors.append(vector)
                yield [*title_tokens(title), *(t for sentence in sentence_tokens for t in sentence)]

    terms = TermCounts.build(passage_tokens())
    no_questions = np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    return Segment(name, terms, np.asarray(ids, dtype=np.int64), _stack(vectors), *no_questions)


READ_CHUNK = 10_000  # passages read from the store at a time


def merge_segments(folder: str | Path, everything: bool = False) -> int:
    """Fold segments together, dropping their dead rows: all of them (`alsoask optimize`), or the
    newest ones by the merge policy after each commit (`_merge_plan`). One transaction holds the write
    lock while the merged segment is written (seconds for the whole Kosovo corpus, milliseconds for the
    small merges of daily updates). Results do not change: BM25 statistics span all segments. Every
    writer ends here, so it also removes the stages killed index runs left. Returns the number of
    segments left."""
    folder = Path(folder)
    store = Store.open(folder)
    try:
        with _writes_to(folder), store.db:
            _remove_abandoned_stages(folder)
            store.db.execute("BEGIN IMMEDIATE")  # the write lock: no commit between reading and swapping
            _remove_partial_segments(folder)
            generation, names = segments_of(store)
            segments = [Segment.load(folder / n) for n in names]
            passages, questions = store.live_ids()
            live = [(np.isin(s.rows, passages), np.isin(s.question_ids, questions)) for s in segments]
            sizes = [int(rows.sum() + asked.sum()) for rows, asked in live]
            run = len(names) if everything else _merge_plan(sizes)
            if run == 0 or (run == 1 and sizes[0] == segments[0].size):
                return len(names)
            merged = _merged(_new_segment_name(), segments[-run:], live[-run:])
            kept = names[:-run]
            if merged.size:
                partial = folder / f"{merged.name}.partial"
                partial.mkdir()
                merged.save(partial)
                partial.rename(folder / merged.name)
                kept.append(merged.name)
            store.set_meta(generation=str(generation + 1), segments=json.dumps(kept))
    finally:
        store.close()
    _remove_stale_segments(folder)
    return len(kept)


MERGE_SEGMENTS = 2  # fewer than this many newest segments are never merged


def _merge_plan(sizes: list[int]) -> int:
    """How many of the newest segments to merge: while the newest ones together hold as many live rows
    as the one before them, that one joins. So sizes fall geometrically from oldest to newest, there
    are about log2(rows) segments, and a row is merged about log2(rows) times."""
    run = 1
    while run < len(sizes) and sum(sizes[-run:]) >= sizes[-run - 1]:
        run += 1
    return run if run >= MERGE_SEGMENTS else 0


def _merged(name: str, segments: list[Segment], live: list[tuple[np.ndarray, np.ndarray]]) -> Segment:
    """One segment holding the live rows of `segments`, in order (`live`: each one's live passage rows
    and live question rows)."""
    parts = []
    for s, (live_passages, alive) in zip(segments, live, strict=True):
        cols, rows, counts = s.terms.postings()
        keep = live_passages[rows]
        new_row = np.cumsum(live_passages) - 1
        parts.append((s, live_passages, alive, cols[keep], new_row[rows[keep]], counts[keep]))
    terms = sorted({s.terms.terms[j] for s, _, _, cols, _, _ in parts for j in np.unique(cols).tolist()})
    column = {t: j for j, t in enumerate(terms)}
    cols_, rows_, counts_, lengths, ids, vectors, question_ids, question_vectors = [], [], [], [], [], [], [], []
    offset = 0
    for s, live_rows, alive, cols, rows, counts in parts:
        to_global = np.asarray([column.get(t, -1) for t in s.terms.terms], dtype=np.int64)
        cols_.append(to_global[cols])
        rows_.append(rows + offset)
        counts_.append(counts)
        lengths.append(np.asarray(s.terms.lengths)[live_rows])
        ids.append(np.asarray(s.rows)[live_rows])
        vectors.append(np.asarray(s.vectors)[live_rows])
        question_ids.append(np.asarray(s.question_ids)[alive])
        question_vectors.append(np.asarray(s.question_vectors)[alive])
        offset += int(live_rows.sum())
    counts_matrix = TermCounts.from_postings(
        terms,
        np.concatenate(cols_),
        np.concatenate(rows_),
        np.concatenate(counts_),
        np.concatenate(lengths).astype(np.int32),
    )
    return Segment(
        name,
        counts_matrix,
        np.concatenate(ids),
        _stack([v for v in vectors if len(v)]),
        np.concatenate(question_ids),
        _stack([v for v in question_vectors if len(v)]),
    )


def _stack(matrices: list[np.ndarray]) -> np.ndarray:
    return np.vstack(matrices).astype(np.float32) if matrices else np.zeros((0, 0), dtype=np.float32)


def _remove_partial_segments(folder: Path) -> None:
    """Segments a killed run left half-written; only the holder of the write lock writes one."""
    for partial in folder.glob("seg-*.partial"):
        shutil.rmtree(partial, ignore_errors=True)


def _remove_stale_segments(folder: Path) -> None:
    """Segment folders no committed generation lists: merged away, or left by a run killed as it
    committed. Under the write lock, so that another writer's segment, renamed into place but not yet
    committed, is never taken for a stale one."""
    store = Store.open(folder)
    try:
        with store.db:
            store.db.execute("BEGIN IMMEDIATE")
            _, names = segments_of(store)
            for path in folder.glob("seg-*"):
                if path.name not in names and not path.name.endswith(".partial"):
                    shutil.rmtree(path, ignore_errors=True)
    finally:
        store.close()


def index_is_current(folder: Path) -> bool:
    """True if `folder` holds an index this version of alsoask can open."""
    try:
        Store.open(folder).close()
    except IndexFolderError:
        return False
    return True

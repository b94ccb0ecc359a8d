"""`Engine`: the one object every surface (CLI, HTTP, web, export) calls.

from alsoask import Engine
engine = Engine("my-index")
result = engine.ask("Does Serbia recognize Kosovo?")
result.answer.text, result.answer.title, result.answer.start
result.related[0].question                        # four questions people would ask next
engine.expand(result.related[0].id, shown={r.id for r in result.related})   # 2-3 more, none repeated
engine.tree("Does Serbia recognize Kosovo?", depth=2)
"""

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from alsoask.answer import Answerer, AnswerSettings, check_question
from alsoask.embed import load_embedder, sentence_embedder
from alsoask.errors import LimitError, NotFoundError
from alsoask.index_reader import IndexReader
from alsoask.reader import reader
from alsoask.related import RelatedFinder, RelatedSettings
from alsoask.schema import AskResult, Document, Health, RelatedQuestion, TreeResult
from alsoask.store import BankQuestion, Store, question_number
from alsoask.tree import build_tree

MAX_SHOWN = 500  # ids a page may pass as already shown; far more than anyone opens

_deadline: ContextVar[float | None] = ContextVar("alsoask_deadline", default=None)  # time.monotonic()


class TimeLimitError(TimeoutError):
    """An engine call ran past the time limit set by `time_limited` and gave up. A `TimeoutError`, so
    the HTTP server answers it as it answers its own time limit (503)."""


@contextlib.contextmanager
def time_limited(seconds: float) -> Iterator[None]:
    """Engine calls made in this block, or in a thread that runs in its context (as a web server's
    request threads do), give up after `seconds`: they check the clock between stages (the answer, the
    related questions, each node of a tree) and raise `TimeLimitError`, so the engine is free for the
    next call instead of finishing work nobody waits for. A call waiting for its turn gives up too."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _check_deadline() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TimeLimitError("the engine call ran past its time limit")


Params = ParamSpec("Params")
Result = TypeVar("Result")


def _one_at_a_time(
    method: Callable[Concatenate["Engine", Params], Result],
) -> Callable[Concatenate["Engine", Params], Result]:
    @functools.wraps(method)
    def locked(self: "Engine", *args: Params.args, **kwargs: Params.kwargs) -> Result:
        with self._turn():
            return method(self, *args, **kwargs)

    return locked


class Engine:
    """An opened index plus its embedder. Opening costs a model load; asking is cheap after that.

    Safe to share between threads (a web server's workers): calls run one at a time, because the
    tokenizers behind the embedders are not thread-safe and the work holds the GIL anyway."""

    def __init__(
        self,
        index: str | Path,
        embedder: str | None = None,
        settings: AnswerSettings = AnswerSettings(),
        related: RelatedSettings = RelatedSettings(),
    ):
        self.reader = IndexReader.open(index, embedder)
        try:
            self.embedder = load_embedder(self.reader.embedder_name)
        except BaseException:
            self.reader.store.close()
            raise
        self.scorer = sentence_embedder(self.embedder)
        self.settings, self.related_settings = settings, related
        self._use(self.reader)
        self._lock = threading.Lock()
        self._holder: int | None = None  # the thread whose call holds the lock

    def _use(self, reader: IndexReader) -> None:
        self.reader = reader
        self.answerer = Answerer(reader, self.embedder, self.scorer, self.settings)
        self.finder = RelatedFinder(self.answerer, self.related_settings)

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """One call at a time, within the caller's time limit (`time_limited`), all of it on one index
        generation. A call made inside another (`tree` opens its nodes with `expand`) joins the outer
        call's turn: its generation, its deadline (checked again here, between nodes)."""
        if self._holder == threading.get_ident():
            _check_deadline()
            yield
            return
        deadline = _deadline.get()
        if not self._lock.acquire(timeout=-1 if deadline is None else max(deadline - time.monotonic(), 0)):
            raise TimeLimitError("the engine was busy with other calls past this call's time limit")
        self._holder = threading.get_ident()
        try:
            with self._one_generation():
                yield
        finally:
            self._holder = None
            self._lock.release()

    @contextlib.contextmanager
    def _one_generation(self) -> Iterator[None]:
        """Read the newest committed generation, and only it, for the whole call: a read transaction
        (WAL: writers go on, unseen by it) over a store whose generation matches the loaded search
        index. So an answer and its related questions, or every node of a tree, come from one
        generation even when another process (`alsoask index`, `remove`, `questions add`) commits a new
        one meanwhile; the next call switches to it, so a running server serves new content without a
        restart. One SQL read a call; a switch loads only the segments it has not loaded yet."""
        try:
            while not self._begin_on_loaded_generation():
                fresh = IndexReader.open(self.reader.folder, self.reader.embedder_name)
                self.reader.store.close()
                self._use(fresh)
            yield
        finally:
            if self.reader.store.db.in_transaction:  # a read transaction: nothing to keep
                self.reader.store.db.rollback()

    def _begin_on_loaded_generation(self) -> bool:
        """Begin the call's read transaction if it sees the generation whose search index is loaded."""
        db = self.reader.store.db
        db.execute("BEGIN")  # the snapshot is taken at the first read: the generation number
        if int(self.reader.store.meta("generation") or 0) == self.reader.generation:
            return True
        db.rollback()
        return False

    def ask(self, question: str) -> AskResult:
        """The featured answer for `question` (None when the corpus does not answer it) and the
        questions people would ask next."""
        return self.ask_with_equivalents(question)[0]

    @_one_at_a_time
    def ask_with_equivalents(self, question: str) -> tuple[AskResult, set[str]]:
        """`ask`, plus the ids of bank questions equivalent to `question`: a tree passes them on as shown,
        so opening a node never reveals the asked question in other words."""
        started = time.perf_counter()
        question = check_question(question)
        response = self.answerer.respond(question)
        _check_deadline()
        found = self.finder.after_answer(response, set(), self.finder.settings.top)
        result = AskResult(
            question=question,
            answer=response.answer,
            related=[_related(q) for q in found.questions],
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            no_answer_reason=response.no_answer_reason,
        )
        return result, found.equivalent

    @_one_at_a_time
    def related(self, question: str, shown: Iterable[str] = (), k: int | None = None) -> list[RelatedQuestion]:
        """The questions to show after `question`, none of them in `shown` (ids) or equivalent to one."""
        response = self.answerer.respond(check_question(question))
        _check_deadline()
        found = self.finder.after_answer(response, set(shown), k or self.finder.settings.top)
        return [_related(q) for q in found.questions]

    @_one_at_a_time
    def expand(
        self, node_id: str, shown: Iterable[str] = (), k: int | None = None, asked: str | None = None
    ) -> list[RelatedQuestion]:
        """Open the related question `node_id`: the 2-3 questions it reveals, none in `shown` (the ids on
        the page already; `node_id` counts as shown) and none equivalent to `asked`, the page's own
        question, when given. Unknown ids raise `NotFoundError`."""
        shown = set(shown)
        if len(shown) > MAX_SHOWN:
            raise LimitError(f"{len(shown)} shown ids; the limit is {MAX_SHOWN}")
        node = self._bank_question(node_id)
        query = self.answerer.query(node.text)
        root = self.answerer.query(check_question(asked)) if asked is not None else None
        k = k or self.finder.settings.per_expansion
        found = self.finder.after_question(node, query, shown | {node_id}, k, asked=root)
        return [_related(q) for q in found.questions]

    @_one_at_a_time
    def tree(self, question: str, depth: int = 2) -> TreeResult:
        """The related questions of `question`, each opened down to `depth` levels."""
        return build_tree(self, question, depth)

    @_one_at_a_time
    def question(self, node_id: str) -> RelatedQuestion:
        """A bank question by id, with its stored answer."""
        return _related(self._bank_question(node_id))

    def _bank_question(self, node_id: str) -> BankQuestion:
        number = question_number(node_id)
        found = self.reader.store.questions_by_id([number]) if number is not None else []
        if not found:
            raise NotFoundError(f"no question with id {node_id!r} in this index (it may have been re-indexed)")
        return found[0]

    @_one_at_a_time
    def document(self, doc_id: str) -> Document:
        """A whole indexed document, so a cited span can be shown in context."""
        found = self.reader.store.document(doc_id)
        if found is None:
            raise NotFoundError(f"no document with id {doc_id!r} in this index")
        return found

    @_one_at_a_time
    def health(self) -> Health:
        """Counts that prove the index opens and answers queries."""
        store = self.reader.store
        return Health(status="ok", documents=store.count("documents"), questions=store.count("questions"))

    def close(self) -> None:
        self.reader.store.close()

    def warm_up(self) -> None:
        """Load what a first call would (the answer reader, each segment's term columns), so that the
        serve workers forked from this process share it instead of each loading its own."""
        reader()
        for segment in self.reader.segments:
            _ = segment.terms.column
        self.finder.warm_up()

    def reopen(self) -> None:
        """Reconnect to the index in a process forked from the one that opened it: an SQLite connection
        must not cross a fork, while the models, the memory-mapped segments and the BM25 statistics
        stay as loaded, shared with the parent (copy-on-write). The next call checks the generation as
        every call does, and loads a newer one if a writer committed meanwhile."""
        self.reader.store = Store.open(self.reader.folder, self.reader.embedder_name)  # the answerer reads it here
        self._lock = threading.Lock()
        self._holder = None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_one_at_a_time
    def examples(self, n: int = 4) -> list[str]:
        """A few bank questions for an empty page, so a new user sees what this index can answer."""
        return self.reader.store.example_questions(n)


def _related(question: BankQuestion) -> RelatedQuestion:
    return RelatedQuestion(id=question.node_id, question=question.text, answer=question.answer)

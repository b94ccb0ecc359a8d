"""`Engine`: the one object every surface (CLI, HTTP, web, export) calls.

from alsoask import Engine
engine = Engine("my-index")
result = engine.ask("Does Serbia recognize Kosovo?")
result.answer.text, result.answer.title, result.answer.start
"""

import time
from pathlib import Path

from alsoask.answer import Answerer, AnswerSettings
from alsoask.embed import DEFAULT_EMBEDDER, load_embedder
from alsoask.errors import QuestionError
from alsoask.index import IndexReader
from alsoask.schema import AskResult, Document

MAX_QUESTION_CHARS = 2000


class Engine:
    """An opened index plus its embedder. Opening costs a model load; asking is cheap after that."""

    def __init__(self, index: str | Path, embedder: str | None = None, settings: AnswerSettings = AnswerSettings()):
        self.reader = IndexReader.open(index, embedder)
        try:
            self.embedder = load_embedder(self.reader.embedder_name)
        except BaseException:
            self.reader.store.close()
            raise
        sentences = self.embedder if self.embedder.name == DEFAULT_EMBEDDER else load_embedder(DEFAULT_EMBEDDER)
        self.answerer = Answerer(self.reader, self.embedder, sentences, settings)

    def ask(self, question: str) -> AskResult:
        """The featured answer for `question` (None when the corpus does not answer it)."""
        started = time.perf_counter()
        question = check_question(question)
        answer = self.answerer.answer(question)
        return AskResult(question=question, answer=answer, took_ms=round((time.perf_counter() - started) * 1000, 2))

    def document(self, doc_id: str) -> Document | None:
        return self.reader.store.document(doc_id)

    def close(self) -> None:
        self.reader.store.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check_question(question: str) -> str:
    """The question with outer white space removed; `QuestionError` if empty or too long."""
    question = (question or "").strip()
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return question

"""Data shapes shared by every stage and surface. `Answer` and `AskResult` are the JSON contract."""

from typing import Literal

from pydantic import BaseModel, Field


class Document(BaseModel):
    """One source document, as a reader produced it."""

    id: str
    title: str
    url: str | None = None
    text: str


class Answer(BaseModel):
    """A cited snippet: `text` as shown (with "…" where cut), `start`/`end` into the document text."""

    text: str
    doc_id: str
    title: str
    url: str | None
    start: int
    end: int
    score: float
    verdict: Literal["yes", "no"] | None = None  # a yes/no question settled with confidence; `text` leads with it


class RelatedQuestion(BaseModel):
    """A bank question shown after another; `id` opens it (`Engine.expand`)."""

    id: str
    question: str
    answer: Answer


class AskResult(BaseModel):
    """What `Engine.ask` returns and `alsoask ask --json` prints."""

    question: str
    answer: Answer | None
    related: list[RelatedQuestion] = Field(default_factory=list)
    took_ms: float
    no_answer_reason: str | None = None  # why `answer` is None: what was missing, in one line


class TreeNode(RelatedQuestion):
    """A related question in a tree: `parent` is the node it was opened from (None under the asked question)."""

    parent: str | None
    depth: int


class TreeResult(BaseModel):
    """What `Engine.tree` returns and `alsoask tree --json` prints."""

    question: str
    answer: Answer | None
    nodes: list[TreeNode]


class Expansion(BaseModel):
    """What opening a related question reveals (`GET /api/expand`): 2-3 questions not shown yet."""

    id: str
    related: list[RelatedQuestion]


class Health(BaseModel):
    status: str
    documents: int
    questions: int


class ErrorMessage(BaseModel):
    """Every HTTP error: one line saying what was wrong."""

    error: str

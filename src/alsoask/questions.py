"""The question bank: every question the engine may show next, tied to the passage that answers it.

Three sources, in the order of preference when two questions are equivalent:

1. imported: a user's list (a search log is the best source), shown only where the corpus answers it;
   its count raises its rank;
2. found: FAQ-style text in the corpus, a question line or heading followed by its answer;
3. generated: `alsoask.generate` writes them from the passages' sentences.

Each question's answer is computed when the bank is built, so showing it costs no search. A found or
generated question is kept only when a search for it ranks its own passage among the top
`ROUND_TRIP` hits: that shows it is self-contained and answered there. Equivalent questions (the same
words; or, asking in the same form within a document, the same answering sentence or `same_question`:
a cosine of at least `EQUIVALENT_COSINE`, or one wording inside the other) are merged, keeping the
preferred source and then the shorter wording.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from alsoask.answer import Answerer, Response, check_question
from alsoask.errors import AlsoaskError, CorpusError, QuestionError
from alsoask.generate import ChunkMap, Generated, Generator, QuestionGenerator, is_well_formed
from alsoask.lexical import fold_accents, tokenize
from alsoask.store import BankQuestion, Store, StoredPassage

SOURCES = ("imported", "found", "generated")  # preference order
EQUIVALENT_COSINE = 0.9
ROUND_TRIP = 3
MAX_IMPORT_BYTES = 50_000_000
_FAQ_PREFIX = re.compile(r"^\s*(#+\s*|(Q|Question)\s*[:.]\s*|\d+[.)]\s+|[-*•]\s+)", re.I)

# (stage, done, total): "generating questions" counts passages, "answering questions" candidates
BankProgress = Callable[[str, int, int], None]
REPORT_EVERY = 200


@dataclass(frozen=True)
class Candidate:
    text: str
    source: str
    kind: str
    passage_id: int
    count: int = 0
    sentence: int | None = None  # the passage sentence a generated question was written from

    @property
    def preference(self) -> tuple[int, int, int]:
        """Lower is better: the source, then popularity, then the shorter wording."""
        return SOURCES.index(self.source), -self.count, len(self.text.split())


def find_faq_questions(sentences: list[str]) -> list[tuple[int, str]]:
    """(index, question) for each sentence that is a question line or heading ("## How do I …?",
    "Q: …?") and is followed in the passage by a statement, its answer."""
    found = []
    for i, (sentence, following) in enumerate(pairwise(sentences)):
        question = " ".join(_FAQ_PREFIX.sub("", sentence).split())
        if question.endswith("?") and not following.rstrip().endswith("?") and is_well_formed(question):
            found.append((i, question))
    return found


def read_question_list(path: Path) -> list[tuple[str, int]]:
    """Questions to import, with counts: a text file (one question per line, count 1) or a CSV with a
    `question` column and an optional `count` column (a search log). Blank lines are skipped; any
    other fault raises `CorpusError` naming the file and line."""
    if not path.is_file():
        raise CorpusError(f"question list not found: {path}")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise CorpusError(f"{path} is over {MAX_IMPORT_BYTES // 1_000_000} MB; split it")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CorpusError(f"{path} is not UTF-8 text") from None
    if "\x00" in text:
        raise CorpusError(f"{path} is a binary file, not a question list")
    if path.suffix.lower() != ".csv":
        return [(line.strip(), 1) for line in text.splitlines() if line.strip()]
    reader = csv.DictReader(io.StringIO(text))
    if "question" not in (reader.fieldnames or []):
        raise CorpusError(f"{path}: a CSV question list needs a header with a 'question' column (and 'count')")
    questions = []
    for line, row in enumerate(reader, start=2):
        question = (row.get("question") or "").strip()
        try:
            count = int(row.get("count") or 1)
        except ValueError:
            raise CorpusError(f"{path}, line {line}: count {row['count']!r} is not a whole number") from None
        if question:
            questions.append((question, max(count, 1)))
    return questions


def update_bank(
    store: Store,
    answerer: Answerer,
    new_passages: list[StoredPassage],
    generator: Generator,
    on_progress: BankProgress | None = None,
) -> int:
    """Add the questions of `new_passages` to the bank and re-answer every imported question against
    the current corpus. Returns the number of questions added."""
    report = on_progress or (lambda *_: None)
    report("generating questions", 0, len(new_passages))
    candidates = [c for p in new_passages for c in _found(p)]
    generated = generator.generate((p.title, [p.span_text(*s) for s in p.sentences]) for p in new_passages)
    for done, (passage, questions) in enumerate(zip(new_passages, generated, strict=True), start=1):
        candidates += [
            Candidate(g.question, "generated", g.kind, passage.id, sentence=g.sentence)
            for g in questions
            if is_well_formed(g.question)
        ]
        if done % REPORT_EVERY == 0 or done == len(new_passages):
            report("generating questions", done, len(new_passages))
    store.delete_questions(q.id for q in store.imported_questions())
    imported = store.imported()
    candidates.sort(key=lambda c: c.preference)
    total = len(imported) + len(candidates)
    bank = _Bank(store)
    for done, (text, count) in enumerate(imported, start=1):
        response = answerer.respond(text)
        if response.answer is not None:
            bank.add(Candidate(text, "imported", "imported", response.passage_id, count), response)  # type: ignore[arg-type]  # answered: it has a passage
        if done % REPORT_EVERY == 0:
            report("answering questions", done, total)
    unasked = (  # read a batch at a time as the bank grows: a text it already holds is not asked again
        ((done, c), c.text, c.passage_id, c.sentence)
        for done, c in enumerate(candidates, start=len(imported) + 1)
        if not bank.has_text(c.text)
    )
    reported = len(imported)
    for (done, candidate), answered in answerer.answer_each(unasked, ROUND_TRIP):
        if answered is not None and not bank.has_text(candidate.text):
            bank.add(candidate, answered)
        if done // REPORT_EVERY > reported // REPORT_EVERY:
            report("answering questions", done, total)
            reported = done
    if candidates:
        report("answering questions", total, total)
    store.add_questions(bank.added)
    return len(bank.added)


def _found(passage: StoredPassage) -> list[Candidate]:
    sentences = [passage.span_text(*s) for s in passage.sentences]
    return [Candidate(q, "found", "faq", passage.id) for _, q in find_faq_questions(sentences)]


_MEASURE_WORDS = {"many", "much", "long", "big", "old", "tall", "far", "large", "high", "deep", "often"}


def question_form(text: str) -> str:
    """What a question asks for, from its first words: "when", "where", "how many", "is"... The static
    embedder scores "When was Einstein born?" and "Where was Einstein born?" at cosine 0.96, yet they
    ask different things."""
    words = normalize_question(text).split()[:2]
    if not words:
        return ""
    return " ".join(words) if words[0] == "how" and words[1:] and words[1] in _MEASURE_WORDS else words[0]


def same_question(text: str, vector: np.ndarray, other_text: str, other_vector: np.ndarray) -> bool:
    """Two wordings of one question: the same form, and a cosine of at least `EQUIVALENT_COSINE`, or the
    shorter one's words in order inside the longer one (at least `SAME_WORDS` of them content words), at
    a cosine of at least `CONTAINED_COSINE`, the extra words adding no negation and no possessive: "When
    did the Assembly of Kosovo declare independence from Serbia?" asks "When did Kosovo declare
    independence?" again (cosine 0.85); "Does Kosovo recognize Serbia?" and "Who was the first king of
    Serbia's wife?" ask other things."""
    if question_form(text) != question_form(other_text):
        return False
    if _abbreviates(text, other_text):
        return True
    cosine = float(vector @ other_vector)
    if cosine >= EQUIVALENT_COSINE:
        return True
    short, long = sorted((normalize_question(text).split(), normalize_question(other_text).split()), key=len)
    return cosine >= CONTAINED_COSINE and _asks_again(short, long) and len(tokenize([" ".join(short)])[0]) >= SAME_WORDS


def _abbreviates(text: str, other_text: str) -> bool:
    """One question is the other with a name written as its initials: "What is the NFL?" and "What is
    the National Football League?", "When was the UN founded?" and "When was the United Nations founded?"."""
    short, long = sorted((re.findall(r"[\w'’-]+", text), re.findall(r"[\w'’-]+", other_text)), key=len)
    same = 0
    while same < len(short) and short[same].lower() == long[same].lower():
        same += 1
    end = 0
    while end < len(short) - same and short[-1 - end].lower() == long[-1 - end].lower():
        end += 1
    initials, words = short[same : len(short) - end], long[same : len(long) - end]
    if len(initials) != 1 or len(words) < 2 or not initials[0].isupper():
        return False
    return initials[0] == "".join(w[0] for w in words if w[0].isupper())


CONTAINED_COSINE = 0.8
SAME_WORDS = 3  # fewer say too little: "Who was Slobodan Milošević?" is not "Who was Slobodan Milošević's son?"
_CHANGES_MEANING = {"not", "no", "never", "nt", "s"}  # "n't" and the possessive "'s", as normalized


def _asks_again(short: list[str], long: list[str]) -> bool:
    """`short` is `long` with words left out, none of which turns the question into another."""
    extra, rest = [], iter(long)
    for word in short:
        for other in rest:
            if other == word:
                break
            extra.append(other)
        else:
            return False
    extra += list(rest)
    return not _CHANGES_MEANING.intersection(extra)


def normalize_question(text: str) -> str:
    """The words of a question, for spotting the same question written twice ("Milosevic" = "Milošević")."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold_accents(text).lower()).split())


class _Bank:
    """The questions accepted so far in one update, checked against the stored bank for equivalents.
    Candidates arrive best first, so the first of a group of equivalents is the one kept; an imported
    question also displaces stored generated or found equivalents."""

    def __init__(self, store: Store):
        self.store = store
        self.added: list[BankQuestion] = []
        self.texts = {normalize_question(t) for t in store.question_texts()}
        self.by_doc: dict[str, list[BankQuestion]] = {}

    def has_text(self, text: str) -> bool:
        return normalize_question(text) in self.texts

    def add(self, candidate: Candidate, response: Response) -> None:
        """Add `candidate` with its answer, unless an equivalent is already in the bank."""
        answer, span, vector = response.answer, response.answer_span, response.query.sentence_vector
        same_doc = self._doc_questions(answer.doc_id)  # type: ignore[union-attr]  # only answered responses come here
        form = question_form(candidate.text)
        same_form = [q for q in same_doc if question_form(q.text) == form]
        equivalent = [q for q in same_form if q.span == span or same_question(q.text, q.vector, candidate.text, vector)]
        if candidate.source == "imported":
            stored = {q.id for q in equivalent if q.id >= 0 and q.source != "imported"}
            self.store.delete_questions(stored)
            same_doc[:] = [q for q in same_doc if q.id not in stored]
        elif equivalent or self.has_text(candidate.text):
            return
        question = BankQuestion(
            -1,
            candidate.passage_id,
            candidate.text,
            candidate.source,
            candidate.kind,
            candidate.count,
            answer,  # type: ignore[arg-type]  # only answered responses come here
            span,  # type: ignore[arg-type]
            vector,
        )
        self.added.append(question)
        same_doc.append(question)
        self.texts.add(normalize_question(candidate.text))

    def _doc_questions(self, doc_id: str) -> list[BankQuestion]:
        if doc_id not in self.by_doc:
            passages = self.store.passage_ids([doc_id])
            self.by_doc[doc_id] = self.store.questions_of_passages(passages)
        return self.by_doc[doc_id]


def import_questions(store: Store, path: Path) -> int:
    """Record the questions of a list file (they are answered when the bank is next rebuilt)."""
    questions = read_question_list(path)
    if not questions:
        raise CorpusError(f"{path} holds no questions")
    for question, _ in questions:
        try:
            check_question(question)
        except QuestionError as exc:
            raise CorpusError(f"{path}: {exc}") from None
    store.add_imported(questions)
    return len(questions)


GENERATORS = ("spacy", "llm", "none")
DEFAULT_GENERATOR = "spacy"


class NoGenerator:
    """For a bank of found and imported questions only (the fastest index)."""

    def generate(self, passages: Iterable[tuple[str, list[str]]]) -> Iterator[list[Generated]]:
        return ([] for _ in passages)


def load_generator(name: str, jobs: int | None = None, map_chunks: ChunkMap | None = None) -> Generator:
    """A generator by name, parsing on `jobs` processes (default: every core) or, for "spacy", with
    `map_chunks` (a Ray cluster); an unknown name or a missing optional package is a clear
    `AlsoaskError`."""
    if name not in GENERATORS:
        raise AlsoaskError(f"unknown question generator {name!r}; choose one of {', '.join(GENERATORS)}")
    if name == "llm":
        from alsoask.llm_questions import LLMQuestionGenerator, is_available

        if not is_available():
            raise AlsoaskError('the llm question generator needs its extra: pip install "alsoask[llm]"')
        return LLMQuestionGenerator()
    return QuestionGenerator(jobs, map_chunks=map_chunks) if name == "spacy" else NoGenerator()

"""Answer a question: hybrid retrieval, then the best sentence window inside the top passages.

1. Retrieval: BM25 and dense cosine over all passages, fused by weighted reciprocal rank.
2. Each sentence of the top passages is scored by how much of the question it covers (IDF-weighted
   stemmed terms, and adjacent term pairs), its cosine to the question, whether it holds the kind of
   thing the question asks for (a date for "when", a number for "how many", ...) and whether it reads
   as prose. Passages are reranked by their best sentence, the share of the question their text and
   title cover, whether the question names their document's title and the names in the question they
   hold (the referent: "the Kosovo War" is what the page "Kosovo War" is about, "the Battle of Kosovo"
   is not), and their fused retrieval score.
3. The best sentence grows into its neighbours up to about `window_words` words and `MAX_CHARS`, and is cut
   at word boundaries with "…" when longer.
4. A calibrated confidence (`alsoask.confidence`) below the threshold means "no answer": the engine
   says so rather than show something weak.

The weights are measured, not guessed: `bench/squad.py` reports them and `bench/calibrate.py` fits
the confidence.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from alsoask.confidence import Evidence, calibration
from alsoask.embed import Embedder, StaticEmbedder
from alsoask.errors import QuestionError
from alsoask.lexical import tokenize
from alsoask.schema import Answer
from alsoask.split import Span
from alsoask.store import StoredPassage

if TYPE_CHECKING:  # the index stage builds the bank with an Answerer, so it cannot be imported here
    from alsoask.index import IndexReader

MAX_CHARS = 320
ELLIPSIS = "…"
MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    """The question with outer white space removed; `QuestionError` if empty or too long."""
    question = (question or "").strip()
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return question


@dataclass(frozen=True)
class AnswerSettings:
    """Retrieval and answer weights; defaults tuned on a fifth of SQuAD v1.1 dev (see bench/RESULTS.md)."""

    candidates: int = 100  # top-k taken from each retriever before fusion
    rrf_k: int = 60  # the usual reciprocal-rank constant
    lexical_weight: float = 1.0
    dense_weight: float = 0.5
    rerank: int = 30  # fused passages whose sentences are scored
    fused_weight: float = 0.5  # passage prior: fused score relative to the best
    passage_overlap_weight: float = 0.5  # share of the question's IDF mass found in the passage and title
    title_weight: float = 0.5  # the question names the document's whole title: it is about that page
    referent_weight: float = 0.3  # share of the names in the question ("Battle of Kosovo") the passage holds
    overlap_weight: float = 1.0  # share of the question's IDF mass found in the sentence
    phrase_weight: float = 0.3  # share of the question's adjacent term pairs found adjacent in the sentence
    cosine_weight: float = 0.5  # sentence-question cosine
    type_weight: float = 0.2  # the sentence holds the expected answer type
    non_prose_penalty: float = 1.0  # table rows, reference lines, bare list items make poor answers
    window_words: int = 40  # the answer grows to about this many words (at most MAX_CHARS characters)
    min_confidence: float | None = None  # None: the calibrated threshold for the index's embedder


@dataclass(frozen=True)
class Query:
    """A question prepared once: stemmed terms with IDF weights, vectors, expected answer type."""

    text: str
    terms: dict[str, float]
    bigrams: set[tuple[str, str]]  # adjacent content terms: names and phrases ("allied force")
    vector: np.ndarray  # in the index embedder's space, for passage retrieval
    sentence_vector: np.ndarray  # in the sentence embedder's space, for sentence scoring
    wanted: str | None
    names: list[str]  # the names in the question as runs of tokens ("battl kosovo"): its referents

    def coverage(self, tokens: set[str]) -> float:
        """Share of the question's IDF mass found among `tokens`."""
        total = sum(self.terms.values())
        return sum(w for t, w in self.terms.items() if t in tokens) / total if total else 0.0

    def phrase_coverage(self, tokens: list[str]) -> float:
        """Share of the question's adjacent term pairs that are adjacent in `tokens` too."""
        return len(self.bigrams & set(pairwise(tokens))) / len(self.bigrams) if self.bigrams else 0.0


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score."""

    passage_id: int
    score: float


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    dense_max: float  # the best cosine


@dataclass(frozen=True)
class RankedPassage:
    """A passage after sentence-level reranking: its score, its best sentence and what supports it."""

    passage: StoredPassage
    score: float
    sentence: int  # index of the answer sentence: the best match, or what follows it if that is a heading
    sentence_scores: list[float]
    sentence_coverage: float  # share of the question's IDF mass in the best-matching sentence
    passage_coverage: float  # ... in the whole passage and its title

    @property
    def answer_span(self) -> Span:
        """Document offsets of the answering sentence (the snippet may show its neighbours too)."""
        return self.passage.sentences[self.sentence]


@dataclass(frozen=True)
class Response:
    """What one search produced: the related-question stage reuses the query and passages."""

    query: Query
    ranked: list[RankedPassage]
    answer: Answer | None

    @property
    def passage_id(self) -> int | None:
        return self.ranked[0].passage.id if self.answer else None

    @property
    def answer_span(self) -> Span | None:
        return self.ranked[0].answer_span if self.answer else None


class Answerer:
    """Finds and cuts the answer for a question in an opened index.

    `embedder` is the index's own (passage vectors). `sentence_embedder` scores the sentences of the
    top passages at query time; it is the packaged static model whatever the index uses, because
    encoding ~100 sentences per question with a transformer would take most of a second on 2 cores.
    """

    def __init__(
        self, reader: "IndexReader", embedder: Embedder, sentence_embedder: StaticEmbedder, settings: AnswerSettings
    ):
        self.reader = reader
        self.embedder = embedder
        self.sentence_embedder = sentence_embedder
        self.settings = settings

    def query(self, text: str) -> Query:
        tokens = tokenize([text])[0]
        terms = {t: self.reader.lexical.term_weight(t) for t in tokens}
        vector = self.embedder.encode_queries([text])[0]
        sentence_vector = (
            vector if self.sentence_embedder is self.embedder else self.sentence_embedder.encode_queries([text])[0]
        )
        names = [" ".join(t) for t in tokenize(question_names(text)) if t]
        return Query(text, terms, set(pairwise(tokens)), vector, sentence_vector, expected_type(text), names)

    def retrieve(self, query: Query, k: int) -> Retrieval:
        """Top `k` passages by weighted reciprocal-rank fusion of BM25 and dense cosine."""
        reader, settings = self.reader, self.settings
        n = len(reader.rows)
        if n == 0:
            return Retrieval([], 0.0)
        depth = min(settings.candidates, n)
        lexical = reader.lexical.scores(list(query.terms))
        dense = np.asarray(reader.vectors @ query.vector)
        fused = np.zeros(n, dtype=np.float64)
        for scores, weight in ((lexical, settings.lexical_weight), (dense, settings.dense_weight)):
            top = _top(scores, depth)
            top = top[scores[top] > 0] if scores is lexical else top
            fused[top] += weight / (settings.rrf_k + np.arange(1, len(top) + 1))
        best = _top(fused, min(k, n))
        hits = [Hit(int(reader.rows[i]), float(fused[i])) for i in best if fused[i] > 0]
        return Retrieval(hits, float(dense.max()))

    def rank(self, query: Query, hits: list[Hit]) -> list[RankedPassage]:
        """Fused hits reranked by their best sentence (a question usually restates one sentence) and by
        how much of the question the whole passage and its title cover."""
        settings = self.settings
        found = {p.id: p for p in self.reader.store.passages([h.passage_id for h in hits])}
        hits = [h for h in hits if h.passage_id in found]  # a passage may have been replaced since
        passages = [found[h.passage_id] for h in hits]
        if not passages or not query.terms:
            return []
        texts = [p.span_text(*s) for p in passages for s in p.sentences]
        pieces = [w for p in passages for w in p.wordpieces]
        cosines = self.sentence_embedder.encode_wordpieces(pieces) @ query.sentence_vector
        sequences = [t for p in passages for t in p.tokens]
        tokens = [set(t) for t in sequences]
        titles = tokenize([p.title for p in passages])
        top_fused = hits[0].score
        ranked, row = [], 0
        for hit, passage, title in zip(hits, passages, titles, strict=True):
            rows = range(row, row + len(passage.sentences))
            row += len(passage.sentences)
            scores = [
                settings.overlap_weight * query.coverage(tokens[r])
                + settings.phrase_weight * query.phrase_coverage(sequences[r])
                + settings.cosine_weight * float(cosines[r])
                + settings.type_weight * has_type(texts[r], query.wanted, query.text)
                - (0.0 if is_prose(texts[r]) else settings.non_prose_penalty)
                for r in rows
            ]
            evidence = int(np.argmax(scores))  # the sentence that matches the question best
            passage_coverage = query.coverage(set(title).union(*(tokens[r] for r in rows)))
            held = " " + " ".join(" ".join(sequences[r]) for r in rows) + " " + " ".join(title) + " "
            referent = sum(f" {n} " in held for n in query.names) / len(query.names) if query.names else 0.0
            score = (
                settings.fused_weight * hit.score / top_fused
                + settings.referent_weight * referent
                + settings.passage_overlap_weight * passage_coverage
                + settings.title_weight * bool(title and set(title) <= query.terms.keys())
                + scores[evidence]
            )
            answer = evidence
            while answer + 1 < len(scores) and is_question_or_heading(texts[rows[answer]]):
                answer += 1  # a FAQ heading that matches the question: its answer is what follows
            sentence_coverage = query.coverage(tokens[rows[evidence]])
            ranked.append(RankedPassage(passage, score, answer, scores, sentence_coverage, passage_coverage))
        return sorted(ranked, key=lambda r: -r.score)

    def search(self, question: str) -> tuple[list[RankedPassage], Evidence | None]:
        """Reranked passages for `question`, with the evidence for the best one (None if nothing matched)."""
        return self._search(self.query(question))

    def _search(self, query: Query) -> tuple[list[RankedPassage], Evidence | None]:
        retrieval = self.retrieve(query, self.settings.rerank)
        ranked = self.rank(query, retrieval.hits)
        if not ranked:
            return [], None
        top = ranked[0]
        evidence = Evidence(
            score=top.score,
            passage_coverage=top.passage_coverage,
            sentence_coverage=top.sentence_coverage,
            dense_max=retrieval.dense_max,
        )
        return ranked, evidence

    def answer(self, question: str) -> Answer | None:
        """The best cited snippet, or None when the corpus does not answer the question confidently."""
        return self.respond(question).answer

    def respond(self, question: str) -> "Response":
        """The prepared query, its reranked passages and the answer (None below the confidence threshold)."""
        query = self.query(question)
        ranked, evidence = self._search(query)
        if evidence is None:
            return Response(query, ranked, None)
        calibrated = calibration(self.reader.embedder_name)
        sure = calibrated.confidence(evidence)
        threshold = calibrated.threshold if self.settings.min_confidence is None else self.settings.min_confidence
        if sure < threshold:
            return Response(query, ranked, None)
        return Response(query, ranked, build_answer(ranked[0], set(query.terms), sure, self.settings.window_words))

    def answer_in(self, question: str, passage_id: int, round_trip: int) -> "Response | None":
        """The answer to a bank question from the passage it is tied to; None when a search for the
        question would not rank that passage among its top `round_trip` hits, the round trip that shows
        the question is self-contained and really answered there."""
        query = self.query(question)
        retrieval = self.retrieve(query, round_trip)
        if passage_id not in {h.passage_id for h in retrieval.hits}:
            return None
        ranked = self.rank(query, [Hit(passage_id, 1.0)])
        if not ranked:
            return None
        top = ranked[0]
        evidence = Evidence(top.score, top.passage_coverage, top.sentence_coverage, retrieval.dense_max)
        sure = calibration(self.reader.embedder_name).confidence(evidence)
        return Response(query, ranked, build_answer(top, set(query.terms), sure, self.settings.window_words))


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first."""
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.argsort(-scores[part], kind="stable")]


def build_answer(
    best: RankedPassage, focus: set[str], score: float, words: int = AnswerSettings.window_words
) -> Answer:
    """The snippet around the best sentence of a ranked passage, with its citation; `focus` are the
    question's terms, which a cut keeps in view."""
    start, end = _grow_window(best, words)
    text, start, end = shorten(best.passage, start, end, focus)
    p = best.passage
    return Answer(text=text, doc_id=p.doc_id, title=p.title, url=p.url, start=start, end=end, score=round(score, 4))


def _grow_window(ranked: RankedPassage, words: int) -> Span:
    """Grow the best sentence with whole neighbours from its paragraph, the better-scoring side first,
    to about `words` words and at most MAX_CHARS characters."""
    passage, sentences, scores = ranked.passage, ranked.passage.sentences, ranked.sentence_scores
    first = last = ranked.sentence

    def joins(i: int) -> bool:  # sentences i and i + 1 are in one paragraph
        return "\n\n" not in passage.span_text(sentences[i][1], sentences[i + 1][0])

    while len(passage.span_text(sentences[first][0], sentences[last][1]).split()) < words:
        options = []
        if last + 1 < len(sentences) and joins(last) and sentences[last + 1][1] - sentences[first][0] <= MAX_CHARS:
            options.append((scores[last + 1], first, last + 1))
        if first > 0 and joins(first - 1) and sentences[last][1] - sentences[first - 1][0] <= MAX_CHARS:
            options.append((scores[first - 1], first - 1, last))
        if not options:
            break
        _, first, last = max(options)
    return sentences[first][0], sentences[last][1]


def shorten(passage: StoredPassage, start: int, end: int, focus: set[str]) -> tuple[str, int, int]:
    """Cut the span to MAX_CHARS at word boundaries, keeping the stretch with most focus terms, with
    those terms as near its middle as possible (the answer is usually next to them, either side).
    A "word" longer than the budget (text without spaces) is cut by characters.

    Returns the text as shown (with "…" where cut) and the offsets of the part actually shown.
    """
    text = passage.span_text(start, end)
    if len(text) <= MAX_CHARS:
        return _display(text), start, end
    budget = MAX_CHARS - 2 * len(ELLIPSIS) - 1
    words = [
        (a, min(m.end(), a + budget)) for m in re.finditer(r"\S+", text) for a in range(m.start(), m.end(), budget)
    ]
    hits = [i for i, tokens in enumerate(tokenize([text[a:b] for a, b in words])) if set(tokens) & focus]
    best, best_key, j = (0, 0), None, 0
    for i in range(len(words)):
        j = max(j, i)
        while j + 1 < len(words) and words[j + 1][1] - words[i][0] <= budget:
            j += 1
        lo, hi = bisect_left(hits, i), bisect_right(hits, j)  # hits[lo:hi] lie inside words i..j
        key = (hi - lo, min(hits[lo] - i, j - hits[hi - 1]) if hi > lo else 0)
        if best_key is None or key > best_key:
            best, best_key = (i, j), key
    i, j = best
    cut_start, cut_end = start + words[i][0], start + words[j][1]
    shown = _display(passage.span_text(cut_start, cut_end))
    return (ELLIPSIS if i > 0 else "") + shown + (ELLIPSIS if j < len(words) - 1 else ""), cut_start, cut_end


def _display(text: str) -> str:
    """White space runs (line breaks included) shown as one space."""
    return " ".join(text.split())


# Expected answer types: a cheap check of the kind of thing the question asks for.
_QUESTION_TYPES = [
    (
        "number",
        re.compile(
            r"^\s*(how (many|much|long|old|far|large|big|tall|high)|what (percentage|percent|number|amount))\b", re.I
        ),
    ),
    ("date", re.compile(r"^\s*(when|(in |during )?what (year|decade|century|date|month|day|time))\b", re.I)),
    ("person", re.compile(r"^\s*(who|whom|whose)\b", re.I)),
    ("place", re.compile(r"^\s*where\b", re.I)),
]
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_TYPE_PATTERNS = {
    "number": re.compile(
        r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|dozen)\b", re.I
    ),
    "date": re.compile(rf"\b(1\d{{3}}|20\d{{2}}|\d{{1,2}}(st|nd|rd|th) century|\d{{2,4}}s|{_MONTHS})\b"),
}
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


_QUESTION_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of|the|de|and)?\s*[A-Z0-9][\w'’-]*)*")
_QUESTION_WORDS = {
    "what", "who", "whom", "whose", "when", "where", "why", "which", "how", "is", "are", "was", "were", "do",
    "does", "did", "can", "could", "has", "have", "had", "will", "would", "should", "i", "in", "the", "a", "an",
}  # fmt: skip


def question_names(question: str) -> list[str]:
    """The capitalised names in a question ("Battle of Kosovo", "Serbia"), question words left out."""
    return [n for n in _QUESTION_NAME.findall(question) if n.lower() not in _QUESTION_WORDS]


_NOT_LETTER = re.compile(r"[^\w\s]|[\d_]")
_NOT_PROSE = re.compile(r"^\s*(\||\[\d+\]|\^|[-*•]\s*\S+(\s+\S+){0,5}\s*$)")


def is_prose(sentence: str) -> bool:
    """False for what reads as debris rather than a statement: table rows, reference entries, short
    list items, runs of symbols and numbers, fragments under five words."""
    if _NOT_PROSE.match(sentence) or sentence.count("|") >= 2 or len(sentence.split()) < 5:
        return False
    return len(_NOT_LETTER.findall(sentence)) <= 0.25 * len(sentence)


def is_question_or_heading(sentence: str) -> bool:
    """A Markdown heading or a question: strong evidence for a passage, but never itself an answer."""
    return sentence.startswith("#") or sentence.rstrip().endswith("?")


_DEFINITION_QUESTION = re.compile(r"^\s*(?i:what|who) (?i:is|was|are|were) (?i:the |an? )?([A-Z][^?]*?)\s*\??\s*$")


def expected_type(question: str) -> str | None:
    """'definition' ("What was Operation Allied Force?"), 'number', 'date', 'person', 'place', or None
    when the question does not say."""
    if _DEFINITION_QUESTION.match(question):
        return "definition"
    return next((name for name, pattern in _QUESTION_TYPES if pattern.search(question)), None)


def _defines(sentence: str, question: str) -> bool:
    """The sentence defines the name the question asks about: "X was …", "X, the …", "X (…)",
    "called X", "named X", "known as X", or "X" followed by a comma and a description ("…, X, the …")."""
    name = re.escape(_DEFINITION_QUESTION.match(question).group(1))
    return bool(
        re.search(rf"\b{name}\s*(\(|,\s*(the|an?)\b|(is|was|are|were)\s+(the|an?)\b)", sentence)
        or re.search(rf"\b(called|named|known as|codenamed|code-named)\s+(the\s+)?{name}", sentence)
        or re.search(rf"\(\s*{name}\s*\)", sentence)
    )


def has_type(sentence: str, wanted: str | None, question: str) -> float:
    """1.0 if the sentence holds something of the wanted type (a name not already in the question for
    people and places), else 0.0."""
    if wanted is None:
        return 0.0
    if wanted == "definition":
        return 1.0 if _defines(sentence, question) else 0.0
    if wanted in _TYPE_PATTERNS:
        return 1.0 if _TYPE_PATTERNS[wanted].search(sentence) else 0.0
    asked = question.lower()
    names = [n for n in _NAME.findall(sentence[1:]) if n.lower() not in asked]
    return 1.0 if names else 0.0

"""Answer a question: hybrid retrieval, then the best sentence window inside the top passages.

1. Retrieval: BM25 and dense cosine over all passages, fused by weighted reciprocal rank.
2. Each sentence of the top passages is scored by how much of the question it covers (IDF-weighted
   stemmed terms), its cosine to the question, the rank of its passage, and whether it holds the
   kind of thing the question asks for (a date for "when", a number for "how many", ...).
3. The best sentence grows into its neighbours up to about 40-60 words and `MAX_CHARS`, and is cut
   at word boundaries with "…" when longer.
4. Below `AnswerSettings.min_score` the engine answers nothing rather than something weak.

The weights and the threshold are measured, not guessed: `bench/squad.py` tunes and reports them.
"""

import re
from dataclasses import dataclass

import numpy as np

from alsoask.embed import Embedder
from alsoask.index import IndexReader
from alsoask.lexical import tokenize
from alsoask.schema import Answer
from alsoask.split import Span
from alsoask.store import StoredPassage

MAX_CHARS = 320
TARGET_WORDS = 40
ELLIPSIS = "…"


@dataclass(frozen=True)
class AnswerSettings:
    """Retrieval and answer weights; defaults tuned on SQuAD v1.1 dev (see bench/RESULTS.md)."""

    candidates: int = 100  # top-k taken from each retriever before fusion
    rrf_k: int = 60  # the usual reciprocal-rank constant
    lexical_weight: float = 1.0
    dense_weight: float = 0.5
    rerank: int = 20  # fused passages whose sentences are scored
    fused_weight: float = 0.5  # passage prior: fused score relative to the best
    overlap_weight: float = 1.0  # share of the question's IDF mass found in the sentence
    cosine_weight: float = 0.5  # sentence-question cosine
    type_weight: float = 0.2  # the sentence holds the expected answer type
    min_score: float = 0.0  # answers scoring below this are withheld ("no answer")


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score."""

    passage_id: int
    score: float


@dataclass(frozen=True)
class RankedPassage:
    """A passage after sentence-level reranking: its score and its best sentence."""

    passage: StoredPassage
    score: float
    sentence: int


def retrieve(reader: IndexReader, embedder: Embedder, question: str, settings: AnswerSettings, k: int) -> list[Hit]:
    """Top `k` passages by weighted reciprocal-rank fusion of BM25 and dense cosine."""
    n = len(reader.rows)
    if n == 0:
        return []
    depth = min(settings.candidates, n)
    lexical = reader.lexical.scores(tokenize([question])[0])
    dense = np.asarray(reader.vectors @ embedder.encode_queries([question])[0])
    fused = np.zeros(n, dtype=np.float64)
    for scores, weight in ((lexical, settings.lexical_weight), (dense, settings.dense_weight)):
        top = _top(scores, depth)
        top = top[scores[top] > 0] if scores is lexical else top
        fused[top] += weight / (settings.rrf_k + np.arange(1, len(top) + 1))
    best = _top(fused, min(k, n))
    return [Hit(int(reader.rows[i]), float(fused[i])) for i in best if fused[i] > 0]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first."""
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.argsort(-scores[part], kind="stable")]


def rank_passages(
    reader: IndexReader, embedder: Embedder, question: str, settings: AnswerSettings = AnswerSettings()
) -> list[RankedPassage]:
    """Fused hits reranked by their best sentence: the question usually restates one sentence."""
    hits = retrieve(reader, embedder, question, settings, settings.rerank)
    passages = reader.store.passages([h.passage_id for h in hits])
    q_terms = _weighted_terms(reader, question)
    if not passages or not q_terms:
        return []
    total_weight = sum(q_terms.values())
    wanted = expected_type(question)
    texts = [p.span_text(*s) for p in passages for s in p.sentences]
    cosines = embedder.encode_passages(texts) @ embedder.encode_queries([question])[0]
    tokens = tokenize(texts)
    top_fused = hits[0].score
    ranked, row = [], 0
    for hit, passage in zip(hits, passages, strict=True):
        best, best_score = 0, -np.inf
        for index in range(len(passage.sentences)):
            sentence_terms = set(tokens[row])
            score = (
                settings.overlap_weight * sum(w for t, w in q_terms.items() if t in sentence_terms) / total_weight
                + settings.cosine_weight * float(cosines[row])
                + settings.type_weight * has_type(texts[row], wanted, question)
            )
            if score > best_score:
                best, best_score = index, score
            row += 1
        ranked.append(RankedPassage(passage, settings.fused_weight * hit.score / top_fused + best_score, best))
    return sorted(ranked, key=lambda r: -r.score)


def find_answer(
    reader: IndexReader, embedder: Embedder, question: str, settings: AnswerSettings = AnswerSettings()
) -> Answer | None:
    """The best cited snippet for `question`, or None when nothing scores above `min_score`."""
    ranked = rank_passages(reader, embedder, question, settings)
    if not ranked or ranked[0].score < settings.min_score:
        return None
    best = ranked[0]
    start, end = _grow_window(best.passage, best.sentence)
    text, start, end = shorten(best.passage, start, end, set(_weighted_terms(reader, question)))
    p = best.passage
    return Answer(
        text=text, doc_id=p.doc_id, title=p.title, url=p.url, start=start, end=end, score=round(best.score, 4)
    )


def _weighted_terms(reader: IndexReader, question: str) -> dict[str, float]:
    return {t: reader.lexical.term_weight(t) for t in set(tokenize([question])[0])}


def _grow_window(passage: StoredPassage, index: int) -> Span:
    """Extend sentence `index` with whole neighbours in its paragraph, following sentence first, to
    about TARGET_WORDS words and at most MAX_CHARS characters."""
    sentences = passage.sentences
    first = last = index

    def same_paragraph(i: int) -> bool:  # sentences i and i + 1
        return "\n\n" not in passage.span_text(sentences[i][1], sentences[i + 1][0])

    def fits(a: int, b: int) -> bool:
        return sentences[b][1] - sentences[a][0] <= MAX_CHARS

    while len(passage.span_text(sentences[first][0], sentences[last][1]).split()) < TARGET_WORDS:
        if last + 1 < len(sentences) and same_paragraph(last) and fits(first, last + 1):
            last += 1
        elif first > 0 and same_paragraph(first - 1) and fits(first - 1, last):
            first -= 1
        else:
            break
    return sentences[first][0], sentences[last][1]


def shorten(passage: StoredPassage, start: int, end: int, focus: set[str]) -> tuple[str, int, int]:
    """Cut the span to MAX_CHARS at word boundaries, keeping the stretch with most focus terms.

    Returns the text as shown (with "…" where cut) and the offsets of the part actually shown.
    """
    text = passage.span_text(start, end)
    if len(text) <= MAX_CHARS:
        return _display(text), start, end
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    hits = [1.0 if set(tokens) & focus else 0.0 for tokens in tokenize([text[a:b] for a, b in words])]
    budget = MAX_CHARS - 2 * len(ELLIPSIS) - 1
    best, best_hits, j = (0, 0), -1.0, 0
    for i in range(len(words)):
        j = max(j, i)
        while j + 1 < len(words) and words[j + 1][1] - words[i][0] <= budget:
            j += 1
        count = sum(hits[i : j + 1])
        if count > best_hits:
            best, best_hits = (i, j), count
    i, j = best
    cut_start, cut_end = start + words[i][0], start + words[j][1]
    shown = passage.span_text(cut_start, cut_end)
    return (ELLIPSIS if i > 0 else "") + _display(shown) + (ELLIPSIS if j < len(words) - 1 else ""), cut_start, cut_end


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


def expected_type(question: str) -> str | None:
    """'number', 'date', 'person', 'place', or None when the question does not say."""
    return next((name for name, pattern in _QUESTION_TYPES if pattern.search(question)), None)


def has_type(sentence: str, wanted: str | None, question: str) -> float:
    """1.0 if the sentence holds something of the wanted type (a name not already in the question for
    people and places), else 0.0."""
    if wanted is None:
        return 0.0
    if wanted in _TYPE_PATTERNS:
        return 1.0 if _TYPE_PATTERNS[wanted].search(sentence) else 0.0
    asked = question.lower()
    names = [n for n in _NAME.findall(sentence[1:]) if n.lower() not in asked]
    return 1.0 if names else 0.0

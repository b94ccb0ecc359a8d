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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice, pairwise
from typing import TypeVar

import numpy as np

from alsoask.confidence import Evidence, calibration
from alsoask.embed import Embedder, StaticEmbedder
from alsoask.errors import QuestionError
from alsoask.index_reader import IndexReader
from alsoask.lexical import title_tokens, tokenize
from alsoask.reader import pair_text, reader
from alsoask.schema import Answer
from alsoask.split import Span, is_prose
from alsoask.store import StoredPassage, joined_tokens

MAX_CHARS = 320
ELLIPSIS = "…"
MAX_QUESTION_CHARS = 2000
ROUND_TRIP_BATCH = 64  # bank questions scored against the passage vectors at once
DENSE_BATCH_CELLS = 2**24  # at most this many cosines (64 MB) a batch: fewer questions a batch in a large index
Key = TypeVar("Key")


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
    read_passages: int = 5  # top reranked passages whose best sentences the reader reads
    read_sentences: int = 2  # ... sentences of each (the reader costs a few ms a sentence)
    rank_weight: float = 1.0  # the reranking score, relative to the best, added to the reader's probability
    verdict_at: float = 0.9  # a yes/no answer leads with "Yes" at this probability of yes, "No" at 1 minus it
    # (at 0.8 the verdict was right for only 0.66 of BoolQ's report half: the reader's yes/no output is
    # too weak to lead an answer, and at 0.9 it never does; see bench/RESULTS.md section 11)


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
    ranked: list[RankedPassage]  # the answer's passage first
    answer: Answer | None
    no_answer_reason: str | None = None
    evidence: Evidence | None = None  # what the confidence was computed from (None: nothing matched)

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
        self, reader: IndexReader, embedder: Embedder, sentence_embedder: StaticEmbedder, settings: AnswerSettings
    ):
        self.reader = reader
        self.embedder = embedder
        self.sentence_embedder = sentence_embedder
        self.settings = settings

    def query(self, text: str) -> Query:
        return self.queries([text])[0]

    def queries(self, texts: list[str]) -> list[Query]:
        """Each text prepared as a `Query`; the embedders encode them together."""
        vectors = self.embedder.encode_queries(texts)
        sentence_vectors = (
            vectors if self.sentence_embedder is self.embedder else self.sentence_embedder.encode_queries(texts)
        )
        prepared = []
        for text, tokens, vector, sentence_vector in zip(
            texts, tokenize(texts), vectors, sentence_vectors, strict=True
        ):
            terms = {t: self.reader.lexical.term_weight(t) for t in tokens}
            names = [" ".join(t) for t in tokenize(question_names(text)) if t]
            prepared.append(
                Query(text, terms, set(pairwise(tokens)), vector, sentence_vector, expected_type(text), names)
            )
        return prepared

    def retrieve(self, query: Query, k: int, dense: np.ndarray | None = None) -> Retrieval:
        """Top `k` passages by weighted reciprocal-rank fusion of BM25 and dense cosine (`dense`: the
        query's cosine to every passage, when already computed)."""
        reader, settings = self.reader, self.settings
        n = len(reader.rows)
        if n == 0:
            return Retrieval([], 0.0)
        depth = min(settings.candidates, n)
        lexical = reader.lexical.scores(list(query.terms))
        dense = np.asarray(reader.vectors @ query.vector) if dense is None else dense
        matched = np.flatnonzero(lexical > 0)
        lexical_top = matched[_top(lexical[matched], min(depth, len(matched)))]
        dense_top = _top(dense, depth)
        rows = np.union1d(lexical_top, dense_top)  # the only rows with a fused score, in row order
        fused = np.zeros(len(rows), dtype=np.float64)
        for top, weight in ((lexical_top, settings.lexical_weight), (dense_top, settings.dense_weight)):
            at = np.searchsorted(rows, top)
            fused[at] += weight / (settings.rrf_k + np.arange(1, len(top) + 1))
            if top is lexical_top:
                fused[at] += self._name_bonus(query, top)
        best = np.lexsort((rows, -fused))[:k]  # equal scores in row order
        hits = [Hit(int(reader.rows[rows[i]]), float(fused[i])) for i in best if fused[i] > 0]
        return Retrieval(hits, float(dense.max()))

    def _name_bonus(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """For BM25's top rows, a first place's fused weight times the share of the question's names of
        several words ("Operation Allied Force") the passage holds as written: BM25 scores the three words
        apart and ranks "allied" landings and armed "forces" first, the sentence that names the operation
        27th. Nothing for a question without such a name (most typed queries), so it costs them nothing."""
        long_names = [name for name in query.names if " " in name]
        if not long_names or not len(rows):
            return np.zeros(len(rows))
        ids = self.reader.rows[rows].tolist()
        found = self.reader.store.passage_words(ids)  # only what is needed: a whole passage costs 8 times more
        titled = [found.get(i, ("", "")) for i in ids]  # a passage may have been replaced since
        held = [_held_tokens(words, title_tokens(title)) for title, words in titled]
        share = np.asarray([sum(f" {name} " in text for name in long_names) / len(long_names) for text in held])
        return share * self.settings.lexical_weight / (self.settings.rrf_k + 1)

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
        titles = [title_tokens(p.title) for p in passages]
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
            held = _held_tokens(joined_tokens(passage.tokens), title)
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
        """The prepared query, its reranked passages (the answer's first) and the answer: None below
        the confidence threshold, with the reason."""
        query = self.query(question)
        ranked, evidence = self._search(query)
        if evidence is None:
            return Response(query, ranked, None, "no passage in the index shares a word with the question")
        ranked, evidence = self.read(query, ranked, evidence)
        calibrated = calibration(self.reader.embedder_name)
        sure = calibrated.confidence(evidence)
        threshold = calibrated.threshold if self.settings.min_confidence is None else self.settings.min_confidence
        if sure < threshold:
            reason = (
                f"the best sentence found does not state what was asked (reader {evidence.reader:.2f}, "
                f"confidence {sure:.2f}, below the threshold {threshold:.2f})"
            )
            return Response(query, ranked, None, reason, evidence)
        answer = build_answer(ranked[0], set(query.terms), sure, self.settings.window_words)
        if query.wanted == "yesno":
            answer = self.settle(query, answer)
        return Response(query, ranked, answer, None, evidence)

    def read(
        self, query: Query, ranked: list[RankedPassage], evidence: Evidence
    ) -> tuple[list[RankedPassage], Evidence]:
        """Let the reader choose the answer sentence among the best sentences of the top passages:
        it reads the question and each sentence together, so a sentence that shares the question's
        words but is about something else loses. Returns the passages with the chosen one first (its
        `sentence` set to the choice) and the evidence for it."""
        settings, top_score = self.settings, ranked[0].score
        candidates = []  # (passage rank, sentence index)
        for n, passage in enumerate(ranked[: settings.read_passages]):
            texts = [passage.passage.span_text(*s) for s in passage.passage.sentences]
            order = sorted(range(len(texts)), key=lambda i: -passage.sentence_scores[i])
            usable = [i for i in order if is_prose(texts[i]) and not is_question_or_heading(texts[i])]
            first = [passage.sentence] if passage.sentence in usable else []
            candidates += [(n, i) for i in (first + [i for i in usable if i not in first])[: settings.read_sentences]]
        top = ranked[0]
        best_match = top.passage.span_text(*top.passage.sentences[int(np.argmax(top.sentence_scores))])
        if is_question_or_heading(best_match):  # a FAQ heading that matches: its answer is what follows it
            candidates = [(0, top.sentence)]
        if not candidates:
            return ranked, replace(evidence, reader=0.0)
        texts = [
            pair_text(ranked[n].passage.title, _display(ranked[n].passage.span_text(*ranked[n].passage.sentences[i])))
            for n, i in candidates
        ]
        readings = reader().read(query.text, texts)

        def rank_score(n: int, i: int) -> float:  # the passage's score, had sentence i been its best
            passage = ranked[n]
            return passage.score - max(passage.sentence_scores) + passage.sentence_scores[i]

        totals = [
            r.answers
            + settings.rank_weight * (ranked[n].score if i == ranked[n].sentence else rank_score(n, i)) / top_score
            for r, (n, i) in zip(readings, candidates, strict=True)
        ]
        best = int(np.argmax(totals))
        n, sentence = candidates[best]
        chosen = replace(ranked[n], sentence=sentence)
        tokens = set(tokenize([chosen.passage.span_text(*chosen.passage.sentences[sentence])])[0])
        evidence = replace(
            evidence,
            score=chosen.score,
            passage_coverage=chosen.passage_coverage,
            sentence_coverage=query.coverage(tokens),
            reader=readings[best].answers,
        )
        return [chosen, *ranked[:n], *ranked[n + 1 :]], evidence

    def settle(self, query: Query, answer: Answer) -> Answer:
        """A yes/no question's answer led by "Yes." or "No." when the reader is sure which it is."""
        yes = reader().read(query.text, [pair_text(answer.title, answer.text)])[0].yes
        verdict = "yes" if yes >= self.settings.verdict_at else "no" if yes <= 1 - self.settings.verdict_at else None
        if verdict is None:
            return answer
        led = re.match(rf"{verdict}\b", answer.text, re.I)  # a FAQ answer may say "Yes." itself
        text = answer.text if led else f"{verdict.capitalize()}. {answer.text}"
        return answer.model_copy(update={"verdict": verdict, "text": text})

    def answer_each(
        self, items: Iterable[tuple[Key, str, int, int | None]], round_trip: int
    ) -> Iterator[tuple[Key, "Response | None"]]:
        """For each (key, bank question, its passage id, its sentence), in order: the answer from that
        passage, or None when a search for the question would not rank the passage among its top
        `round_trip` hits (the round trip that shows the question is self-contained and really answered
        there). The sentence, when known, is the one the question was written from, which answers it by
        construction (else the best-matching one). Questions are encoded and scored against the passage
        vectors a batch at a time: one pass over the vectors serves the whole batch, not one question."""
        batch_size = max(1, min(ROUND_TRIP_BATCH, DENSE_BATCH_CELLS // max(len(self.reader.rows), 1)))
        pending = iter(items)
        while batch := list(islice(pending, batch_size)):
            queries = self.queries([question for _, question, _, _ in batch])
            cosines = np.ascontiguousarray((self.reader.vectors @ np.stack([q.vector for q in queries], axis=1)).T)
            for (key, _, passage_id, sentence), query, dense in zip(batch, queries, cosines, strict=True):
                yield key, self._answer_in(query, dense, passage_id, round_trip, sentence)

    def _answer_in(
        self, query: Query, dense: np.ndarray, passage_id: int, round_trip: int, sentence: int | None
    ) -> "Response | None":
        retrieval = self.retrieve(query, round_trip, dense)
        if passage_id not in {h.passage_id for h in retrieval.hits}:
            return None
        ranked = self.rank(query, [Hit(passage_id, 1.0)])
        if not ranked:
            return None
        top = ranked[0] if sentence is None else replace(ranked[0], sentence=sentence)
        evidence = Evidence(top.score, top.passage_coverage, top.sentence_coverage, retrieval.dense_max)
        sure = calibration(self.reader.embedder_name).confidence(evidence)
        return Response(query, [top], build_answer(top, set(query.terms), sure, self.settings.window_words))


def _held_tokens(words: str, title: tuple[str, ...]) -> str:
    """A passage's lexical tokens (`joined_tokens`) and its title's, space-separated and space-ended, to
    look for a name's run of tokens (" oper alli forc ") in."""
    return f" {words} {' '.join(title)} "


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
    text, start, end = shorten(best.passage, start, end, focus, keep=best.answer_span)
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


def shorten(
    passage: StoredPassage, start: int, end: int, focus: set[str], keep: Span | None = None
) -> tuple[str, int, int]:
    """Cut the span to MAX_CHARS at word boundaries, keeping the stretch with most focus terms, with
    those terms as near its middle as possible (the answer is usually next to them, either side).
    A stretch that holds the whole `keep` span (the answer sentence) wins whenever one does.
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
        holds = keep is not None and start + words[i][0] <= keep[0] and start + words[j][1] >= keep[1]
        lo, hi = bisect_left(hits, i), bisect_right(hits, j)  # hits[lo:hi] lie inside words i..j
        key = (holds, hi - lo, min(hits[lo] - i, j - hits[hi - 1]) if hi > lo else 0)
        if best_key is None or key > best_key:
            best, best_key = (i, j), key
    i, j = best
    cut_start, cut_end = start + words[i][0], start + words[j][1]
    shown = _display(passage.span_text(cut_start, cut_end))
    return (ELLIPSIS if i > 0 else "") + shown + (ELLIPSIS if j < len(words) - 1 else ""), cut_start, cut_end


def _display(text: str) -> str:
    """White space runs (line breaks included) shown as one space."""
    return " ".join(text.split())


# Expected answer types: a cheap check of the kind of thing the question asks for. Questions come as
# people type them: lower case, often without a question mark, the question word anywhere ("field
# hockey is the national sport of which country") or none at all ("the last time la dodgers won the
# world series"). The first question word decides; a later one is usually part of a title ("who sang
# where is the love").
_FIRST_QUESTION_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)(?:'s)?\b")
_YES_NO_QUESTION = re.compile(r"\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)(n't)?\s")
_PLACE_NOUNS = (
    "country|countries|city|cities|state|states|province|county|town|village|place|continent|island|river|ocean|sea"
    "|lake|mountain|region|location|capital|planet|park|nation|district|stadium|street|area|port"
)
_AGENT_NOUNS = (
    "team|teams|band|singer|actor|actress|president|player|person|people|man|woman|king|queen|company|club|group"
    "|artist|author|writer|director|character|contestant|economist|officer|leader|explorer|scientist|inventor"
    "|composer|poet|painter|emperor|general|pope|party|university|college|brand|manufacturer|airline|network"
    "|musician|rapper|coach|pitcher|quarterback|goalkeeper|driver|wrestler|boxer|host|founder|owner|ruler|prince"
    "|princess|prime minister|senator|governor|mayor|judge|architect|philosopher|son|daughter|wife|husband"
)
# (type, pattern) tried in order on the words from the first question word on: "what" and "which" say
# nothing by themselves, the noun after them does ("which city", "what year")
_QUESTION_TYPES = [
    ("number", re.compile(r"how (many|much|long|old|far|large|big|tall|high|deep|wide|fast|heavy|often)\b")),
    ("number", re.compile(r"(what|which) (percentage|percent|number|amount|age|size|population)\b")),
    ("date", re.compile(r"(what|which) (\w+ )?(year|decade|century|date|month|day|time|era)\b")),
    ("place", re.compile(rf"(what|which) (\w+ ){{0,2}}({_PLACE_NOUNS})\b")),
    ("person", re.compile(rf"(what|which) (\w+ ){{0,2}}({_AGENT_NOUNS})\b")),
    ("person", re.compile(r"(who|whom|whose)\b")),
    ("date", re.compile(r"when\b")),
    ("place", re.compile(r"where\b")),
]
_NOT_IN_NOUN_PHRASE = {"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "the", "a", "an", "of"}
# a query with no question word: "the last time ...", "release date of ...", "number of ..."
_QUERY_CUES = [
    ("date", re.compile(r"\b((last|first|next) time|(date|year) of|(release|air|birth|death|opening) date)\b")),
    ("date", re.compile(r"\b(date|year)\s*\??$")),
    ("number", re.compile(r"\b(number of|how many)\b")),
    ("place", re.compile(r"\blocation of\b")),
]
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_TYPE_PATTERNS = {
    "number": re.compile(
        r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|dozen)\b", re.I
    ),
    "date": re.compile(rf"\b(1\d{{3}}|20\d{{2}}|\d{{1,2}}(st|nd|rd|th) century|\d{{2,4}}s|{_MONTHS})\b"),
}
_NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,}))*")
_MONTH_NAMES = set(_MONTHS.split("|"))  # a date, not a name
# "who won ..." asks for the outcome: the sentence that says who won, not the one listing the sides
_WINNER_QUESTION = re.compile(r"\bwho\s+(won|wins|win|has won|had won|beat|defeated|was victorious)\b", re.I)
_WINNING = re.compile(
    r"\b(won|wins?|winning|winners?|victor(y|ies|ious)?|defeat(ed|ing)?|champions?|beat|triumph)", re.I
)
# "who founded ..." asks for an agent: a name with the deed, not a date
_AGENT_QUESTION = re.compile(
    r"\bwho\s+(first\s+)?(started|founded|invented|created|discovered|wrote|built|designed|developed|established"
    r"|formed|composed|painted|coined|introduced|began|launched|made|directed|produced)\b",
    re.I,
)
_DEED = re.compile(
    r"\b(start|found|invent|creat|discover|wr[io]t|buil|design|develop|establish|form|compos|paint|coin|introduc"
    r"|bega|begun|launch|made|direct|produc|co-?found|by\b)",
    re.I,
)


# "Lyndon", or the initial "B." inside "Lyndon B. Johnson" (not "I." ending a sentence before "The war …")
_NAME_WORD = (
    r"(?:[A-Z]\.(?=\s+(?!(?:The|A|An|He|She|It|They|This|In|On|At|As|By|For|His|Her|Its)\b)[A-Z])|[A-Z][\w'’-]*)"
)
_QUESTION_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:of|the|de|and)?\s*(?:{_NAME_WORD}|[0-9][\w'’-]*))*")
_QUESTION_WORDS = {
    "what", "who", "whom", "whose", "when", "where", "why", "which", "how", "is", "are", "was", "were", "do",
    "does", "did", "can", "could", "has", "have", "had", "will", "would", "should", "i", "in", "the", "a", "an",
}  # fmt: skip


def question_names(question: str) -> list[str]:
    """The capitalised names in a question ("Battle of Kosovo", "Serbia"), question words left out."""
    return [n for n in _QUESTION_NAME.findall(question) if n.lower() not in _QUESTION_WORDS]


def is_question_or_heading(sentence: str) -> bool:
    """A Markdown heading or a question: strong evidence for a passage, but never itself an answer."""
    return sentence.startswith("#") or sentence.rstrip().endswith("?")


_DEFINITION_QUESTION = re.compile(r"^\s*(?i:what|who) (?i:is|was|are|were) (?i:the |an? )?([A-Z][^?]*?)\s*\??\s*$")
# the same typed in lower case: "what is kosovo", "who is hashim thaci", "what are tectonic plates"
_TYPED_DEFINITION = re.compile(
    r"^\s*(what|who)(?:'s|\s+(?:is|are|was|were))\s+((?:the|an?)\s+)?(?P<name>[^?]+?)\s*\??\s*$", re.I
)
# what makes "what is x" ask for something other than a definition: an attribute ("the capital of
# serbia"), a name ("what is a fork in a river called"), a superlative, a pronoun
_NOT_DEFINED = re.compile(
    r"\b(of|called|named|known|name|first|last|largest|biggest|smallest|highest|lowest|longest|oldest|youngest|most"
    r"|least|best|worst|main|only|difference|meaning|number|population|purpose|point|cause|role|function|rate"
    r"|percentage|amount|cost|price|value|size|age|height|length|weight|distance|speed|temperature|capital|currency"
    r"|language|religion|latest|newest|next|current|new|record|it|this|that|there|you|he|she|they|we|i|my|your|our|his"
    r"|her|their)\b"
)
_PREPOSITION = re.compile(r"\b(in|on|at|to|from|with|by|for|about|like|as|into|over|under|after|before|during)\b")


def _definition_name(question: str) -> str | None:
    """The name a definition question asks about ("Operation Allied Force", "kosovo"), else None."""
    if match := _DEFINITION_QUESTION.match(question):
        return match.group(1)
    match = _TYPED_DEFINITION.match(question)
    if not match:
        return None
    name = match.group("name").lower()
    words = name.split()
    if len(words) > 5 or _NOT_DEFINED.search(name) or _PREPOSITION.search(name) or words[0].endswith("ing"):
        return None  # "what is the telephone code for south africa": a value, not a definition
    if match.group(1).lower() == "who" and match.group(2):
        return None  # "who is the girl ...": a person
    return match.group("name")


def expected_type(question: str) -> str | None:
    """'definition' ("What was Operation Allied Force?", "what is kosovo"), 'yesno' ("is kosovo a
    country"), 'number', 'date', 'person' (people and organisations: "who", "which team"), 'place',
    or None when the question does not say."""
    if _definition_name(question):
        return "definition"
    text = question.strip().lower().replace("’", "'")
    if _YES_NO_QUESTION.match(text + " ") and " or " not in text:  # "is big ben a clock or a bell": a choice
        return "yesno"
    first = _FIRST_QUESTION_WORD.search(text)
    if first is None:
        return next((name for name, pattern in _QUERY_CUES if pattern.search(text)), None)
    rest = text[first.start() :]
    for name, pattern in _QUESTION_TYPES:
        match = pattern.match(rest)
        if match and not _NOT_IN_NOUN_PHRASE.intersection(match.group(0).split()[1:-1]):
            return name
    return None


def _defines(sentence: str, question: str) -> bool:
    """The sentence defines the name the question asks about: "X was …", "X, the …", "X (…)",
    "called X", "named X", "known as X", or "X" followed by a comma and a description ("…, X, the …")."""
    name = _definition_name(question)
    if not name:
        return False
    name = rf"(?i:{re.escape(name)})"
    return bool(
        re.search(rf"\b{name}\s*(\(|,\s*(the|an?)\b|(is|was|are|were)\s+(the|an?)\b)", sentence)
        or re.search(rf"\b(called|named|known as|codenamed|code-named)\s+(the\s+)?{name}", sentence)
        or re.search(rf"\(\s*{name}\s*\)", sentence)
    )


def has_type(sentence: str, wanted: str | None, question: str) -> float:
    """How well the sentence holds the wanted kind of thing, 0.0 to 1.0: a number, a date, a definition
    of the name asked about, or a name not already in the question for people and places. "Who won"
    wants a name with a win ("NATO won", "victory"), "who founded" a name with the deed; a yes/no
    question wants no particular type (0.0)."""
    if wanted is None or wanted == "yesno":
        return 0.0
    if wanted == "definition":
        return 1.0 if _defines(sentence, question) else 0.0
    if wanted in _TYPE_PATTERNS:
        return 1.0 if _TYPE_PATTERNS[wanted].search(sentence) else 0.0
    asked = question.lower()
    if not any(n.lower() not in asked and n not in _MONTH_NAMES for n in _NAME.findall(sentence[1:])):
        return 0.0
    if wanted == "person" and _WINNER_QUESTION.search(question):
        return 1.0 if _WINNING.search(sentence) else 0.0
    if wanted == "person" and _AGENT_QUESTION.search(question):
        return 1.0 if _DEED.search(sentence) else 0.5
    return 1.0

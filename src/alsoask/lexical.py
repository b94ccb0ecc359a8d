"""BM25 over passages (bm25s), plus the IDF table the answer stage uses to weigh query terms.

Index and query text go through the same `tokenize`: accents folded, lower case, English stop words
removed (the NLTK list, which includes question words such as "what" and "does"), British -ise read
as -ize, Snowball stems. So "Milosevic" finds "Milošević", "recognize" finds "recognised", and a term
matches whatever its inflection.
"""

import re
import unicodedata
from functools import cache
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


class LexicalIndex:
    """A bm25s index whose row i is the i-th passage given to `build`, with an IDF per term."""

    def __init__(self, bm25: bm25s.BM25, idf: np.ndarray):
        self.bm25 = bm25
        self.idf = idf
        self.vocab: dict[str, int] = bm25.vocab_dict

    @classmethod
    def build(cls, tokens: list[list[str]]) -> "LexicalIndex":
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        doc_freq = np.zeros(len(bm25.vocab_dict), dtype=np.float64)
        for doc in tokens:
            for term in set(doc):
                doc_freq[bm25.vocab_dict[term]] += 1
        idf = np.log(1 + (len(tokens) - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        return cls(bm25, idf)

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder / "bm25"))
        np.save(folder / "idf.npy", self.idf)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        """Memory-mapped: the serve workers of one machine share the pages (about 30 MB a worker for the
        Kosovo corpus)."""
        return cls(bm25s.BM25.load(str(folder / "bm25"), mmap=True), np.load(folder / "idf.npy", mmap_mode="r"))

    def known(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t in self.vocab]

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query tokens (zeros when none is in the vocabulary)."""
        known = self.known(tokens)
        if not known:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return self.bm25.get_scores(known)

    def term_weight(self, token: str) -> float:
        """IDF of a term. An unseen term weighs as a term of no passage, log(1 + (N + 0.5) / 0.5), a little
        more than the rarest seen one (bm25s keeps an empty token of no passage in its vocabulary, whose
        IDF is that maximum): a question word the corpus never uses is strong evidence that a passage
        holding all the others still does not answer it. The calibration was fitted with this weight."""
        index = self.vocab.get(token)
        return float(self.idf[index]) if index is not None else float(self.idf.max(initial=1.0))

"""Split documents into sentences and sentence-aligned passages, keeping character offsets.

Every span is a `(start, end)` pair into the original document text, so an answer cut from a passage
can always cite exactly where it came from. Sentences come from blingfire (a fast finite-state
splitter); line breaks are handled first, because blingfire treats them as spaces and would glue a
heading or a list item to the sentence after it.
"""

import re
from dataclasses import dataclass

import blingfire

MIN_WORDS = 100
MAX_WORDS = 150

Span = tuple[int, int]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_START = re.compile(r"\s*(#|[-*+•|>]\s|\d+[.)]\s)")
_LINE_END = re.compile(r"[.!?:;\"'”’)\]]\s*$")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences from one document, about `MIN_WORDS`-`MAX_WORDS` words."""

    start: int
    end: int
    sentences: list[Span]


def split_paragraphs(text: str) -> list[Span]:
    """Blocks separated by blank lines, without surrounding white space."""
    spans, pos = [], 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        span = _strip(text, pos, end)
        if span:
            spans.append(span)
        pos = brk.end() if brk else end
    return spans


def split_lines(text: str, start: int, end: int) -> list[Span]:
    """Cut a paragraph at the line breaks that end a unit: headings, list items, finished sentences.

    A line break inside hard-wrapped prose (the line runs on without end punctuation) is kept as a
    space.
    """
    lines, pos = [], start
    for match in re.finditer(r"\n", text[start:end]):
        brk = start + match.start()
        line, following = text[pos:brk], text[brk + 1 : end]
        if _LINE_START.match(line) or _LINE_END.search(line) or _LINE_START.match(following):
            lines.append((pos, brk))
            pos = brk + 1
    lines.append((pos, end))
    return [span for span in (_strip(text, a, b) for a, b in lines) if span]


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of the whole text, as offsets into it."""
    return [
        s for para_start, para_end in split_paragraphs(text) for s in _paragraph_sentences(text, para_start, para_end)
    ]


def _paragraph_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans of the paragraph `text[start:end]`, as offsets into `text`."""
    sentences = []
    for line_start, line_end in split_lines(text, start, end):
        _, offsets = blingfire.text_to_sentences_and_offsets(text[line_start:line_end])
        spans = (_strip(text, line_start + a, line_start + b) for a, b in offsets)
        sentences.extend(span for span in spans if span)
    return sentences


def split_passages(text: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Passage]:
    """Pack consecutive sentences into passages of `min_words`-`max_words` words.

    A passage prefers to end where a paragraph ends once it has `min_words`; it never grows past
    `max_words` unless a single sentence is that long. A short last passage is merged into the one
    before it when the two fit in `max_words`.
    """
    passages: list[list[Span]] = []
    current: list[Span] = []
    words = 0
    for para_start, para_end in split_paragraphs(text):
        for sentence in _paragraph_sentences(text, para_start, para_end):
            n = count_words(text, sentence)
            if current and words + n > max_words:
                passages.append(current)
                current, words = [], 0
            current.append(sentence)
            words += n
        if words >= min_words:
            passages.append(current)
            current, words = [], 0
    if current:
        if passages and words + sum(count_words(text, s) for s in passages[-1]) <= max_words:
            passages[-1].extend(current)
        else:
            passages.append(current)
    return [Passage(start=s[0][0], end=s[-1][1], sentences=s) for s in passages]


def count_words(text: str, span: Span) -> int:
    return len(_WORD.findall(text, span[0], span[1]))


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None

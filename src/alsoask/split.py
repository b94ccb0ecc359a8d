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
    sentences: list[Span] = []
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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A cheap test for a verb, for telling a statement from a fragment (a caption "in the 1999 Kosovo War",
# a title, a list of names) without a tagger; it errs towards "has a verb". On 2,000 SQuAD dev
# sentences it finds none in 12 (0.6%), half of them fragments cut by the splitter.
_AUXILIARIES = _words(
    """
is are was were be been being am has have had having do does did done can could will would shall should may might must
cannot can't won't isn't aren't wasn't weren't doesn't don't didn't hasn't haven't hadn't couldn't wouldn't shouldn't
"""
)
_IRREGULAR_VERBS = _words(
    """
arose arise arises awoke borne became become becomes began begun begins bent bled blew bred brought broke broken
builds built burnt bought caught chose chosen came comes clung crept dealt dug drew drawn dreamt drank drove driven
dwelt ate eaten fell fallen fed feels felt fought found finds fled flew flown forbade forgot forgave froze frozen gave
given gives got gotten gets goes gone went grew grown grows hung heard hears hid hidden held holds knelt knew known
knows laid led leads leapt lent lets lost loses made makes meant met meets paid put rode ridden rang rose risen rises
ran said says saw seen sees sought sold sent sends shook shone showed shown shut sang sung sank sunk sat slew slept
slid spoke spoken spent sprang stood stands stole stolen struck stuck stung strove swore swept swam swung took taken
takes taught tore torn told tells thought thinks threw thrown throws understood understands upheld wore worn won wept
withdrew withdrawn wrote written writes remains contains includes consists serves refers provides allows requires
remain contain include consist exist serve provide allow require spread set kept keeps oversaw overcame undertook
overtook foresaw mistook rebuilt withheld upset forgotten left
"""
)
# a help page speaks in imperatives: "Open Settings and click Reset."
_IMPERATIVES = _words(
    """
add allow apply ask attach avoid call cancel change check choose click close confirm connect consider contact copy
create delete disable download drag edit email enable enter export fill find follow go import install invite keep leave
let log look make move note open paste pay pick press print read register reload remove rename replace request reset
restart restore review run save scroll search see select send set share sign start stop submit switch tap try turn type
uninstall update upgrade upload use verify visit wait write
"""
)
_NOT_PAST = _words(
    """
hundred red bed need indeed speed seed breed feed shed sled creed deed greed weed reed steed united kindred naked sacred
wicked rugged ragged beloved learned aged wretched crooked jagged
"""
)
_DETERMINERS = _words(
    """
the a an of in on at by for from with to into and or nor but these those many some all other several few various its
their our his her my your two three four five six seven eight nine ten both each every such any most more no
"""
)
_FUNCTION_WORDS = _words(
    """
of and or nor in on at by for from with to into the a an as such that which who whose than like per via over under
after before during about against within without across among through toward towards upon around near beyond since
until while where when whereas but so yet if not this these those its their his her our my your one two three
"""
)
_ADVERBS = {
    "also",
    "still",
    "then",
    "often",
    "now",
    "only",
    "all",
    "both",
    "each",
    "generally",
    "usually",
    "mainly",
    "thus",
}
_SUBJECTS = {"they", "we", "i", "you", "these", "those"}
_CONTRACTED = {"it", "he", "she", "that", "there", "what", "who", "they", "we", "you", "i", "here", "where", "this"}
_NOT_AFTER_VERB = {"of", "and", "or", "nor", ",", ";", ":", ")", "]", ".", "!", "?", '"', "'", "”", "’", "–", "—"}
_NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ism", "ship", "hood", "ogy", "ical", "ous", "ful", "less")
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*|[^\w\s]")


def has_verb(sentence: str) -> bool:
    """Whether the sentence seems to hold a verb: an auxiliary or a common irregular form, an imperative
    opening it, a contraction ("it's"), a past form in -ed, a third person form in -s where a verb can
    stand, or a base form after a plural or pronoun subject ("These services involve ...")."""
    words = _TOKEN.findall(sentence)
    low = [w.lower().replace("’", "'") for w in words]
    if low and low[0] in _IMPERATIVES:
        return True
    for i, w in enumerate(low):
        if w in _AUXILIARIES or w in _IRREGULAR_VERBS:
            return True
        head, _, tail = w.partition("'")
        if tail in ("s", "re", "ve", "d", "ll", "t", "m") and head in _CONTRACTED:
            return True
        plural = len(w) >= 4 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s"))
        if (w in _SUBJECTS or plural) and _base_verb_at(low, words, i + 1):
            return True
        if not words[i][0].islower() or len(w) < 4:
            continue
        if w.endswith("ed") and w not in _NOT_PAST:
            return True
        if (
            plural
            and not w.endswith(("ous", "ics"))
            and i > 0
            and low[i - 1] not in _DETERMINERS
            and i + 1 < len(low)
            and low[i + 1] not in _NOT_AFTER_VERB
        ):
            return True
    return False


def _base_verb_at(low: list[str], words: list[str], j: int) -> bool:
    """The word at `j`, after any adverbs, could be a verb's base form: lower case, not a function word,
    a plural, a participle or a noun by its suffix."""
    while j < len(low) and (low[j] in _ADVERBS or (low[j].endswith("ly") and len(low[j]) > 4)):
        j += 1
    return (
        j < len(low)
        and words[j][0].islower()
        and len(low[j]) >= 3
        and low[j] not in _FUNCTION_WORDS
        and not low[j].endswith(("s", *_NOUN_SUFFIXES))
        and not (low[j].endswith("ing") and len(low[j]) > 6)
    )


_PUNCTUATION = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"\d")
_NOT_PROSE = re.compile(r"^\s*(\||\[\d+\]|\^|[-*•]\s*\S+(\s+\S+){0,5}\s*$)")
_MARKUP_RESIDUE = re.compile(r"\[\[|\]\]|\{\{|\}\}|\|\||Category:\S|thumb\||(File|Image):\S")


def is_prose(sentence: str) -> bool:
    """False for what reads as debris rather than a statement: table rows, reference entries, short
    list items, wiki markup residue, runs of symbols and numbers, fragments under five words and
    fragments without a verb (a caption "in the 1999 Kosovo War", a title, a list of names)."""
    if _NOT_PROSE.match(sentence) or sentence.count("|") >= 2 or len(sentence.split()) < 5:
        return False
    if _MARKUP_RESIDUE.search(sentence):
        return False
    symbols = len(_PUNCTUATION.findall(sentence))
    if symbols > 0.25 * len(sentence) or symbols + len(_DIGIT.findall(sentence)) > 0.5 * len(sentence):
        return False
    return has_verb(sentence)

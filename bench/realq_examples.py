"""The box as a reader meets it: 30 fixed real queries with a shown answer, for judging by hand.

    python bench/realq_examples.py [--index DIR]     # writes bench/examples/realq.md

The first 30 questions of the EfficientQA report split (lines 901-1,800) that get an answer on the demo
index, in file order (fixed, not chosen). For each: the featured answer with its source, and the related
questions with their snippets, each with three empty judgement cells (natural? on topic? does its
snippet answer it correctly?) for a person to fill in. `--judged FILE` keeps the judgements already
written in FILE for the rows whose question and snippet did not change, and prints the shares.
"""

import argparse
import json
import re
from pathlib import Path

from realq import DEFAULT_DATA, DEFAULT_INDEX, SPLITS

from alsoask import Engine

HERE = Path(__file__).resolve().parent
OUT = HERE / "examples" / "realq.md"
QUERIES = 30
VERDICT = re.compile(
    r"^\| (?P<question>[^|]+) \| (?P<snippet>[^|]*) \| (?P<natural>[yn?]) \| (?P<topic>[yn?]) \| (?P<answers>[yn?]) \|"
)


def cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def judged_rows(path: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(question, snippet) -> (natural, on topic, answered) from a judged file."""
    if not path.exists():
        return {}
    rows = {}
    for line in path.read_text().splitlines():
        found = VERDICT.match(line)
        if found:
            rows[(found["question"].strip(), found["snippet"].strip())] = (
                found["natural"],
                found["topic"],
                found["answers"],
            )
    return rows


def judge_notes(path: Path) -> list[str]:
    """The judge's own notes, written between the summary line and the first query: kept on a rerun."""
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("**Summary:**")), None)
    if start is None:
        return []
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    notes = [line for line in lines[start:end] if line.strip()]
    return [*notes, ""] if notes else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--judged", type=Path, default=OUT, help="keep the judgements already in this file")
    args = parser.parse_args()
    kept = judged_rows(args.judged)
    start, end = SPLITS["report"]
    lines = DEFAULT_DATA.read_text().splitlines()[start:end]
    out = [
        "# The box on real queries, judged by hand (issue 12)",
        "",
        f"Made by `python bench/realq_examples.py` on the demo index: the first {QUERIES} questions of the",
        "EfficientQA report split (lines 901-1,800) that get an answer, in file order. Each related question",
        "is judged: **natural** (a person would type it: grammatical, self-contained), **on topic** (a reader",
        "of this answer could well ask it next), **answers** (its snippet answers it correctly). y = yes, n = no.",
        "",
    ]
    counts, shown = {"natural": 0, "topic": 0, "answers": 0, "judged": 0}, 0
    with Engine(args.index) as engine:
        for line in lines:
            question = json.loads(line)["question"]
            result = engine.ask(question)
            if result.answer is None:
                continue
            shown += 1
            a = result.answer
            out += [f"## {shown}. {question}", "", f"**Answer** ({a.title}): {cell(a.text)}", ""]
            out += [
                "| related question | its snippet (source) | natural | on topic | answers |",
                "|---|---|---|---|---|",
            ]
            for r in result.related:
                snippet = f"{cell(r.answer.text)} ({cell(r.answer.title)})"
                verdict = kept.get((cell(r.question), snippet), ("?", "?", "?"))
                out.append(f"| {cell(r.question)} | {snippet} | {' | '.join(verdict)} |")
                if "?" not in verdict:
                    counts["judged"] += 1
                    for key, mark in zip(("natural", "topic", "answers"), verdict, strict=True):
                        counts[key] += mark == "y"
            if not result.related:
                out.append("| (no related question shown) | | | | |")
            out.append("")
            if shown == QUERIES:
                break
    n = counts["judged"]
    summary = (
        f"{n} related questions judged: natural {counts['natural'] / n:.2f}, on topic {counts['topic'] / n:.2f}, "
        f"answers {counts['answers'] / n:.2f}"
        if n
        else "not judged yet"
    )
    out[7:7] = [f"**Summary:** {summary}.", "", *judge_notes(args.judged)]
    OUT.write_text("\n".join(out) + "\n")
    print(summary)


if __name__ == "__main__":
    main()

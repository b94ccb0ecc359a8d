"""Depth-2 trees on the Kosovo corpus, written as Markdown for a person to judge (issue 3, benchmark 3).

    python bench/kosovo.py --index /tmp/kosovo-index          # build the index once (about 15 min)
    python bench/kosovo_trees.py --index /tmp/kosovo-index    # write bench/examples/*.md

Each file holds the asked question, its answer and every node of the depth-2 tree with its answer and
source, and a "judgement" column left as "?" for a reviewer to fill in with right, wrong or
drifted (see the README of the output folder for the judged counts). Then prints, over these questions and those of
`kosovo.py`, the related question shown most often and the share of answered asks it is in, and the
children each shown question reveals when opened once.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

from kosovo import QUESTIONS as KOSOVO_QUESTIONS

from alsoask import Engine
from alsoask.schema import Answer

HERE = Path(__file__).resolve().parent
QUESTIONS = [
    "How did Serbia react to Kosovo's declaration of independence?",
    "What was Operation Allied Force?",
    "Is Kosovo a member of the United Nations?",
]


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def cited(answer: Answer | None) -> tuple[str, str]:
    if answer is None:
        return "(no answer)", ""
    return cell(answer.text), f"{cell(answer.title)} [{answer.start}-{answer.end}]"


def write_tree(engine: Engine, question: str, folder: Path) -> Path:
    tree = engine.tree(question, depth=2)
    text, source = cited(tree.answer)
    lines = [
        f"# {question}",
        "",
        "| node | parent | depth | question | answer | source | judgement |",
        "|---|---|---|---|---|---|---|",
        f"| asked | | 0 | {cell(question)} | {text} | {source} | ? |",
    ]
    for node in tree.nodes:
        text, source = cited(node.answer)
        lines.append(
            f"| {node.id} | {node.parent or ''} | {node.depth} | {cell(node.question)} | {text} | {source} | ? |"
        )
    slug = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")
    path = folder / f"{slug}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=HERE / "examples")
    args = parser.parse_args()
    args.out.mkdir(exist_ok=True)
    with Engine(args.index) as engine:
        for question in QUESTIONS:
            print(write_tree(engine, question, args.out))
        print(topic_figures(engine, list(dict.fromkeys(QUESTIONS + KOSOVO_QUESTIONS))))


def topic_figures(engine: Engine, questions: list[str]) -> str:
    """Over one topic's questions: the related question shown most often and the share of answered asks
    it is in (issue 12: at most 0.2), and the children each shown question reveals when opened once."""
    shown: Counter[str] = Counter()
    answered, openings, children = 0, 0, 0
    for question in questions:
        result = engine.ask(question)
        if result.answer is None:
            continue
        answered += 1
        shown.update({r.question for r in result.related})
        page = {r.id for r in result.related}
        for related in result.related:
            openings += 1
            children += len(engine.expand(related.id, page, asked=question))
    if not shown:
        return f"{answered} of {len(questions)} questions answered; no related question shown"
    top, count = shown.most_common(1)[0]
    return (
        f"{answered} of {len(questions)} answered; most frequent related question: {top!r}, in "
        f"{count / answered:.2f} of them; {children / openings:.2f} children per opened question ({openings} opened)"
    )


if __name__ == "__main__":
    main()

"""Depth-2 trees on the Kosovo corpus, written as Markdown for a person to judge (issue 3, benchmark 3).

    python bench/kosovo.py --index /tmp/kosovo-index          # build the index once (about 15 min)
    python bench/kosovo_trees.py --index /tmp/kosovo-index    # write bench/examples/*.md

Each file holds the asked question, its answer and every node of the depth-2 tree with its answer and
source, and a "judgement" column left as "?" for a reviewer to fill in with right, wrong or
off-referent (see bench/examples/README.md for the judged counts).
"""

import argparse
import re
from pathlib import Path

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


if __name__ == "__main__":
    main()

"""The expandable tree: the asked question's related questions, then the questions each one reveals
when opened, down to a depth. Expansion is stateless (the caller passes every id already shown), so
a web page or an export walks the same tree the CLI prints, through `branches` or `in_page_order`."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from alsoask.errors import LimitError
from alsoask.schema import AskResult, RelatedQuestion, TreeNode, TreeResult

MAX_DEPTH = 5  # each level multiplies the work by about three


class Expander(Protocol):
    """What a tree is built with: an `Engine` (this module comes before it)."""

    def ask_with_equivalents(self, question: str) -> tuple[AskResult, set[str]]: ...

    def expand(
        self, node_id: str, shown: Iterable[str] = (), k: int | None = None, asked: str | None = None
    ) -> list[RelatedQuestion]: ...


def build_tree(engine: Expander, question: str, depth: int) -> TreeResult:
    """Breadth first: depth 1 is the related questions under the answer, each further level the
    questions revealed by opening every node of the level above. A question appears once."""
    if not 1 <= depth <= MAX_DEPTH:
        raise LimitError(f"the tree depth is {depth}; it must be between 1 and {MAX_DEPTH}")
    result, equivalent = engine.ask_with_equivalents(question)
    nodes = [_node(r, None, 1) for r in result.related]
    shown = {n.id for n in nodes} | equivalent
    level = nodes
    for d in range(2, depth + 1):
        opened = []
        for parent in level:
            for child in engine.expand(parent.id, shown, asked=question):  # children keep the root's topic
                shown.add(child.id)
                opened.append(_node(child, parent.id, d))
        nodes += opened
        level = opened
    return TreeResult(question=result.question, answer=result.answer, nodes=nodes)


def _node(related: RelatedQuestion, parent: str | None, depth: int) -> TreeNode:
    return TreeNode(**related.model_dump(), parent=parent, depth=depth)


@dataclass(frozen=True)
class Branch:
    """A node of a tree with the branches it opened, in the order they were opened."""

    node: TreeNode
    children: list["Branch"]


def branches(tree: TreeResult) -> list[Branch]:
    """The tree as a page reads it: the questions under the answer, each with the questions it opened
    nested under it. The one walk over a tree's parents: the exports, the HTML page and the CLI use it."""
    children: dict[str | None, list[TreeNode]] = {}
    for node in tree.nodes:
        children.setdefault(node.parent, []).append(node)

    def grow(parent: str | None) -> list[Branch]:
        return [Branch(node, grow(node.id)) for node in children.get(parent, [])]

    return grow(None)


def in_page_order(tree: TreeResult) -> list[TreeNode]:
    """Depth first, as the page reads: each node followed by the questions it opened."""

    def flatten(level: list[Branch]) -> Iterator[TreeNode]:
        for branch in level:
            yield branch.node
            yield from flatten(branch.children)

    return list(flatten(branches(tree)))

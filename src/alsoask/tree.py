"""The expandable tree: the asked question's related questions, then the questions each one reveals
when opened, down to a depth. Expansion is stateless (the caller passes every id already shown), so
a web page or an export walks the same tree the CLI prints."""

from alsoask.schema import RelatedQuestion, TreeNode, TreeResult


def build_tree(engine, question: str, depth: int) -> TreeResult:
    """Breadth first: depth 1 is the related questions under the answer, each further level the
    questions revealed by opening every node of the level above. A question appears once."""
    if depth < 1:
        raise ValueError("depth must be at least 1")
    result, equivalent = engine.ask_with_equivalents(question)
    nodes = [_node(r, None, 1) for r in result.related]
    shown = {n.id for n in nodes} | equivalent
    level = nodes
    for d in range(2, depth + 1):
        opened = []
        for parent in level:
            for child in engine.expand(parent.id, shown):
                shown.add(child.id)
                opened.append(_node(child, parent.id, d))
        nodes += opened
        level = opened
    return TreeResult(question=result.question, answer=result.answer, nodes=nodes)


def _node(related: RelatedQuestion, parent: str | None, depth: int) -> TreeNode:
    return TreeNode(**related.model_dump(), parent=parent, depth=depth)

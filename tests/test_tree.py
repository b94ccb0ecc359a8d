"""The tree: its depth limits, its shape (parents, depths, breadth first), no question twice, and the
one walk in page order that every surface uses."""

from collections import Counter

import pytest

from alsoask.errors import LimitError
from alsoask.schema import Answer, TreeNode, TreeResult
from alsoask.tree import MAX_DEPTH, branches, build_tree, in_page_order

QUESTION = "When did Kosovo declare independence?"  # its bank holds the same question in other words


@pytest.fixture(scope="module")
def tree(engine) -> TreeResult:
    return build_tree(engine, QUESTION, 3)


@pytest.mark.parametrize("depth", [0, -1, MAX_DEPTH + 1])
def test_a_depth_outside_the_limits_is_refused_before_any_work(engine, depth):
    with pytest.raises(LimitError, match=f"between 1 and {MAX_DEPTH}"):
        build_tree(engine, QUESTION, depth)


def test_depth_one_is_the_related_questions_under_the_answer(engine):
    asked = engine.ask(QUESTION)
    tree = build_tree(engine, QUESTION, 1)
    assert (tree.question, tree.answer) == (asked.question, asked.answer)
    assert [(n.id, n.parent, n.depth) for n in tree.nodes] == [(r.id, None, 1) for r in asked.related]


def test_every_level_down_to_the_depth_asked_and_none_below(tree):
    assert {n.depth for n in tree.nodes} == {1, 2, 3}


def test_parents_come_first_one_level_up_and_open_a_few_each(tree, engine):
    position = {n.id: i for i, n in enumerate(tree.nodes)}
    for i, node in enumerate(tree.nodes):
        if node.depth == 1:
            assert node.parent is None
        else:
            parent = tree.nodes[position[node.parent]]
            assert position[node.parent] < i and parent.depth == node.depth - 1
    assert [n.depth for n in tree.nodes] == sorted(n.depth for n in tree.nodes)  # breadth first
    opened = Counter(n.parent for n in tree.nodes)
    assert opened.pop(None) <= engine.related_settings.top
    assert max(opened.values()) <= engine.related_settings.per_expansion


def test_no_question_twice_nor_one_equivalent_to_the_asked_one(tree, engine):
    ids = [n.id for n in tree.nodes]
    assert len(ids) == len(set(ids))
    _, equivalent = engine.ask_with_equivalents(QUESTION)
    assert equivalent and not equivalent & set(ids)  # opening a node never shows the asked one reworded


def node(node_id: str, parent: str | None, depth: int) -> TreeNode:
    answer = Answer(text="An answer.", doc_id="d", title="D", url=None, start=0, end=10, score=0.5)
    return TreeNode(id=node_id, question=f"Question {node_id}?", answer=answer, parent=parent, depth=depth)


def test_page_order_puts_each_node_before_the_questions_it_opened():
    nodes = [node("a", None, 1), node("b", None, 1), node("a1", "a", 2), node("b1", "b", 2), node("a11", "a1", 3)]
    tree = TreeResult(question="Q?", answer=None, nodes=nodes)  # built breadth first, as build_tree does
    assert [n.id for n in in_page_order(tree)] == ["a", "a1", "a11", "b", "b1"]
    top = branches(tree)
    assert [b.node.id for b in top] == ["a", "b"]
    assert [(c.node.id, [g.node.id for g in c.children]) for c in top[0].children] == [("a1", ["a11"])]
    assert [c.node.id for c in top[1].children] == ["b1"] and top[1].children[0].children == []


def test_the_html_export_nests_each_question_in_the_one_it_was_opened_from():
    from lxml import html

    from alsoask.export import to_html

    nodes = [node("a", None, 1), node("b", None, 1), node("a1", "a", 2), node("b1", "b", 2), node("a11", "a1", 3)]
    page = html.fromstring(to_html(TreeResult(question="Q?", answer=None, nodes=nodes)))
    opened_from = {}  # each heading: the headings of the sections around its own, outermost first
    for heading in page.xpath("//h2|//h3|//h4"):
        *around, own = heading.xpath("ancestor::section/*[self::h2 or self::h3 or self::h4][1]/text()")
        assert own == heading.text
        opened_from[own.removeprefix("Question ").removesuffix("?")] = [h[9:-1] for h in around]
    assert opened_from == {"a": [], "a1": ["a"], "a11": ["a", "a1"], "b": [], "b1": ["b"]}

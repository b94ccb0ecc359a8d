"""Print which alsoask module imports which, and fail on an import cycle.

    python scripts/import_graph.py            # the graph, one module a line; exit 1 on a cycle

Every `import alsoask.x` / `from alsoask.x import …` counts, at module level or inside a function or an
`if TYPE_CHECKING:` block: a lazy import hides a cycle from Python but not from a reader. The
pipeline should flow one way (ingest → split → index → questions → answer → related → tree →
surfaces), and a cycle is the first sign that it does not.
"""

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "alsoask"


def imports_of(path: Path) -> set[str]:
    """The alsoask modules that the file at `path` imports, as short names ("answer", "store")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("alsoask"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:  # "from alsoask import engine, Engine": a module, or a name that __init__ exports
                for alias in node.names:
                    found.add(alias.name if (path.parent / f"{alias.name}.py").exists() else "__init__")
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("alsoask."))
    return found - {path.stem}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = {p.stem for p in package.glob("*.py")}
    return {p.stem: imports_of(p) & modules for p in sorted(package.glob("*.py"))}


def main() -> int:
    graph = import_graph()
    for module, imported in graph.items():
        print(f"{module:15} -> {', '.join(sorted(imported)) or '-'}")
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        print(f"\nimport cycle: {' -> '.join(exc.args[1])}", file=sys.stderr)
        return 1
    print(f"\nno import cycle; a valid import order: {' '.join(order)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

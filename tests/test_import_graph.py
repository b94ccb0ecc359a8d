"""The import graph script finds cycles, and the package has none (issue 13: data flows one way)."""

import importlib.util
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_graph.py"


def _script():
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_lazy_import_cycle_is_found(tmp_path):
    (tmp_path / "answer.py").write_text("from alsoask.index import IndexReader\n")
    (tmp_path / "index.py").write_text("def f():\n    from alsoask.answer import Answerer\n")
    (tmp_path / "split.py").write_text("import re\n")
    graph = _script().import_graph(tmp_path)
    assert graph == {"answer": {"index"}, "index": {"answer"}, "split": set()}
    with pytest.raises(CycleError):
        list(TopologicalSorter(graph).static_order())


def test_the_package_has_no_import_cycle():
    run = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "answer          -> " in run.stdout and "index_reader" in run.stdout

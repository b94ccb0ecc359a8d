"""The one exception family every surface turns into a clear message (CLI) or a 4xx (HTTP)."""


class AlsoaskError(Exception):
    """A fault the user can fix: bad input, a missing or foreign index, a wrong embedder."""


class IndexFolderError(AlsoaskError):
    """The index folder is missing, corrupt, foreign, or was built with another embedder."""


class QuestionError(AlsoaskError):
    """The question is empty or too long."""


class CorpusError(AlsoaskError):
    """A corpus path does not exist or holds nothing readable."""


class NotFoundError(AlsoaskError):
    """No question or document with that id in this index (HTTP 404)."""


class LimitError(AlsoaskError):
    """A request over one of the engine's limits: too many shown ids, too deep a tree."""

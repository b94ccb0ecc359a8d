"""The answer reader: a small cross-encoder that reads the question and a candidate sentence together.

Word overlap ranks a sentence that shares the question's words ("Perth is the capital of Western
Australia") as high as one that answers it; reading both together tells them apart. The model is
MiniLM-L6's first four layers fine-tuned by `scripts/train_reader.py` on SQuAD (tuning half), weakly
labelled real Google queries and BoolQ (tuning half), then exported to int8 ONNX. It ships in the
package (`models/reader/`) and runs with onnxruntime and tokenizers: no torch, no download.

Two probabilities per pair: `answers` (the text states what the question asks) and `yes` (for a
yes/no question, the text says yes). Scoring 8 sentences takes tens of milliseconds on 2 cores.
"""

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

READER_DIR = Path(__file__).parent / "models" / "reader"


def pair_text(title: str, sentence: str) -> str:
    """The second segment the reader was trained on (`scripts/train_reader.py` builds the same)."""
    return f"{title}: {sentence}"


@dataclass(frozen=True)
class Reading:
    answers: float  # probability that the text states what the question asks
    yes: float  # for a yes/no question the text settles: probability that the answer is yes


class Reader:
    """Loads the ONNX model once; `read` scores (question, text) pairs in one batch.

    onnxruntime uses `OMP_NUM_THREADS` threads when it is set (`serve --workers` sets 1 per worker),
    else all cores; they sleep between runs instead of spinning."""

    def __init__(self, path: Path = READER_DIR):
        import onnxruntime
        from tokenizers import Tokenizer

        settings = json.loads((path / "reader.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=settings["max_tokens"], strategy="longest_first")
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("OMP_NUM_THREADS") or 0)
        options.inter_op_num_threads = 1
        # onnxruntime's threads spin for a while after each run, waiting for the next: on 2 cores they
        # take a core from the search's matrix product that follows (bench/RESULTS.md section 19)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(path / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def read(self, question: str, texts: list[str]) -> list[Reading]:
        if not texts:
            return []
        encoded = self.tokenizer.encode_batch([(question, text) for text in texts])
        inputs = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        logits = self.session.run(["logits"], inputs)[0]
        probabilities = 1 / (1 + np.exp(-logits.astype(np.float64)))
        return [Reading(float(a), float(y)) for a, y in probabilities]


@cache
def reader() -> Reader:
    """The packaged reader, loaded once per process."""
    return Reader()

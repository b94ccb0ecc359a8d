"""Run the optional LLM question generator on the first SQuAD v1.1 dev paragraphs and time it.

python scripts/try_llm_questions.py [--squad PATH] [--n 30] [--threads 2]
"""

import argparse
import json
import statistics
import time
from pathlib import Path

from alsoask.llm_questions import LLMQuestionGenerator

DEFAULT_SQUAD = Path("/work/shared/data/squad/squad-dev-v1.1.json")


def first_paragraphs(path: Path, n: int) -> list[tuple[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    pairs = [(article["title"].replace("_", " "), p["context"]) for article in data for p in article["paragraphs"]]
    return pairs[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    generator = LLMQuestionGenerator(threads=args.threads)
    start = time.perf_counter()
    generator.warm_up()
    print(f"warm_up: {time.perf_counter() - start:.2f} s")

    seconds: list[float] = []
    for i, (title, passage) in enumerate(first_paragraphs(args.squad, args.n), 1):
        start = time.perf_counter()
        questions = generator.generate(title, passage)
        seconds.append(time.perf_counter() - start)
        print(f"\n[{i}] {title} ({seconds[-1]:.2f} s): {passage[:100]}...")
        for question in questions:
            print(f"  - {question}")

    print(
        f"\n{len(seconds)} passages in {sum(seconds):.1f} s: {len(seconds) / sum(seconds):.2f} passages/s, "
        f"median {statistics.median(seconds):.2f} s/passage"
    )


if __name__ == "__main__":
    main()

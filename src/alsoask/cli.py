"""The `alsoask` command. A thin surface over `build_index` and `Engine`: no logic of its own."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from alsoask.demo import CREDIT, QUESTIONS, demo_documents, demo_index_dir, drop_stale_demo_index
from alsoask.embed import EMBEDDERS
from alsoask.engine import Engine
from alsoask.errors import AlsoaskError
from alsoask.export import FORMATS, export_tree
from alsoask.index import (
    IndexReport,
    ProgressCallback,
    add_questions,
    build_index,
    index_documents,
    merge_segments,
    remove_documents,
)
from alsoask.ingest import Skipped
from alsoask.questions import DEFAULT_GENERATOR
from alsoask.schema import Answer, AskResult, TreeResult
from alsoask.store import DB_NAME
from alsoask.tree import MAX_DEPTH, in_page_order

app = typer.Typer(help="alsoask: a self-hosted 'People also ask' engine over your own documents.", no_args_is_help=True)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

IndexOption = Annotated[Path, typer.Option("--index", "-i", help="Index folder.")]
EmbedderOption = Annotated[
    str | None,
    typer.Option(
        help=f"Embedder: {', '.join(EMBEDDERS)} (default: the index's own, or static-minilm for a new index)."
    ),
]


@app.command()
def index(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .jsonl(.gz), .txt, .md, .html.")],
    index: IndexOption,
    embedder: EmbedderOption = None,
    generator: Annotated[
        str,
        typer.Option(
            help="Question generator for the bank: spacy (rules over the parse, default), llm (a tiny local "
            "model, slow; needs alsoask[llm]) or none (found and imported questions only)."
        ),
    ] = DEFAULT_GENERATOR,
    jobs: Annotated[
        int | None,
        typer.Option(help="Processes that parse sentences for the question bank (default: every core).", min=1),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            help="Split, embed and parse on a Ray cluster: local (start one on this machine), auto, or "
            "ray://host:10001. Needs alsoask[ray] on every node; the index is the same as without it.",
            metavar="ADDRESS",
        ),
    ] = None,
) -> None:
    """Build an index, or add documents to an existing one (a known id replaces the old document)."""
    report = _with_progress(
        lambda progress: build_index(paths, index, embedder, progress, _print_skip, generator, jobs, ray)
    )
    _print_report(report, index)


@app.command()
def remove(
    doc_ids: Annotated[list[str], typer.Argument(help="Ids of the documents to remove (as answers cite them).")],
    index: IndexOption,
) -> None:
    """Remove documents, with every bank question they answer; a running server picks the change up."""
    with err.status("removing"):
        left = remove_documents(doc_ids, index)
    err.print(f"Removed {len(set(doc_ids))} documents; the index in {escape(str(index))} now holds {left}.")


@app.command()
def optimize(index: IndexOption) -> None:
    """Merge the index's segments into one, dropping removed and replaced passages; answers do not change."""
    with err.status("merging segments"):
        left = merge_segments(index, everything=True)
    err.print(f"The index in {escape(str(index))} now has {left} segment{'s' if left != 1 else ''}.")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    index: IndexOption,
    json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
    embedder: EmbedderOption = None,
) -> None:
    """Answer a question from the index, citing its source."""
    with Engine(index, embedder) as engine:
        result = engine.ask(question)
    if json:
        print(result.model_dump_json())
    else:
        _print_result(result)


@app.command()
def tree(
    question: Annotated[str, typer.Argument(help="The question.")],
    index: IndexOption,
    depth: Annotated[int, typer.Option(min=1, max=MAX_DEPTH, help="Levels of related questions to open.")] = 2,
    json: Annotated[bool, typer.Option("--json", help="Print the tree as one JSON object.")] = False,
    embedder: EmbedderOption = None,
) -> None:
    """Answer a question and print the tree of related questions, each opened down to --depth."""
    with Engine(index, embedder) as engine:
        result = engine.tree(question, depth)
    if json:
        print(result.model_dump_json())
    else:
        _print_tree(result)


@app.command()
def export(
    question: Annotated[str, typer.Argument(help="The question.")],
    index: IndexOption,
    format: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "md",
    depth: Annotated[int, typer.Option(min=1, max=MAX_DEPTH, help="Levels of related questions to open.")] = 2,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")] = None,
    embedder: EmbedderOption = None,
) -> None:
    """Export the answer and its tree of related questions as a FAQ page (md, html, jsonld) or a table
    (csv, jsonl)."""
    if format not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    with Engine(index, embedder) as engine:
        text = export_tree(engine.tree(question, depth), format)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"Wrote {escape(str(output))}")
    else:
        sys.stdout.write(text)


@app.command()
def serve(
    index: IndexOption,
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default is reachable from this machine only.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Processes answering at once (one per core; they share the loaded models and index)."
        ),
    ] = 1,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds a request may take before a 503.")] = 30.0,
    embedder: EmbedderOption = None,
) -> None:
    """Serve the web page and the HTTP API (OpenAPI docs at /docs). Set ALSOASK_API_KEY to require a key."""
    from alsoask.server import API_KEY_ENV, is_local, run_server

    if not is_local(host) and not os.environ.get(API_KEY_ENV):
        err.print(
            f"[yellow]warning:[/yellow] listening on {escape(host)} without an API key: anyone who can reach "
            f"this machine can read every indexed document. Set {API_KEY_ENV} to require one."
        )

    with Engine(index, embedder) as engine:  # a bad index fails here, with its message, before anything listens
        err.print(f"Serving {escape(str(index))} on http://{host}:{port} (API docs at /docs; Ctrl+C stops)")
        run_server(engine, host, port, workers, time_limit)


questions_app = typer.Typer(help="Manage the question bank.", no_args_is_help=True)
app.add_typer(questions_app, name="questions")


@questions_app.command("add")
def questions_add(
    file: Annotated[Path, typer.Argument(help="A text file (one question per line) or a CSV (question,count).")],
    index: IndexOption,
) -> None:
    """Import questions (e.g. a site's search log); those the corpus answers join the bank."""
    with err.status("answering the imported questions"):
        imported, answered = add_questions(file, index)
    err.print(f"Imported {imported} questions; the corpus answers {answered} of all imported questions.")


@app.command()
def demo(
    index: Annotated[Path | None, typer.Option("--index", "-i", help="Where to cache the demo index.")] = None,
) -> None:
    """Index the built-in Wikipedia demo corpus once, then answer a few questions."""
    folder = index or demo_index_dir()
    if index is None and drop_stale_demo_index():
        err.print("The cached demo index was built by an older version of alsoask; rebuilding it.")
    if not (folder / DB_NAME).exists():
        err.print(f"Building the demo index in {folder} (once; later runs reuse it)")
        report = _with_progress(lambda progress: index_documents(demo_documents(), folder, on_progress=progress))
        _print_report(report, folder)
    with Engine(folder) as engine:
        _print_tree(engine.tree(QUESTIONS[0], depth=2))
        for question in QUESTIONS[1:]:
            _print_result(engine.ask(question))
    out.print(f"[dim]{CREDIT}[/dim]")


UNITS = {"generating questions": "passages", "answering questions": "questions"}


def _with_progress(run: Callable[[ProgressCallback], IndexReport]) -> IndexReport:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]} · {task.fields[passages]} passages · {task.fields[rate]:.0f} passages/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("reading", total=None, passages=0, rate=0.0, unit="docs")
        started = time.perf_counter()

        def update(stage: str, done: int, total: int | None, passages: int) -> None:
            rate = passages / max(time.perf_counter() - started, 1e-9)
            unit = UNITS.get(stage, "docs")
            progress.update(
                task, description=stage, completed=done, total=total, passages=passages, rate=rate, unit=unit
            )

        return run(update)


def _print_skip(skipped: Skipped) -> None:
    err.print(f"[yellow]skipped[/yellow] {escape(skipped.path)}: {escape(skipped.reason)}")


def _print_report(report: IndexReport, folder: Path) -> None:
    err.print(
        f"Indexed {report.added} new and {report.replaced} replaced documents ({report.passages} passages) "
        f"in {report.seconds:.1f} s, {report.passages_per_second:.0f} passages/s; skipped {len(report.skipped)}. "
        f"The index in {escape(str(folder))} now holds {report.total_documents} documents and "
        f"{report.total_questions} bank questions ({report.questions} new)."
    )


def _print_result(result: AskResult) -> None:
    out.print(f"\n[bold]{escape(result.question)}[/bold]")
    _print_answer(result.answer, 2)
    if result.no_answer_reason:
        out.print(Padding(Text(f"Why: {result.no_answer_reason}", style="dim"), (0, 0, 0, 2), expand=False))
    if result.related:
        out.print("\n  [bold]People also ask[/bold]")
    for related in result.related:
        out.print(f"  [bold cyan]▸ {escape(related.question)}[/bold cyan]")
        _print_answer(related.answer, 4)


def _print_tree(result: TreeResult) -> None:
    out.print(f"\n[bold]{escape(result.question)}[/bold]")
    _print_answer(result.answer, 2)
    if result.nodes:
        out.print("\n  [bold]People also ask[/bold]")
    for node in in_page_order(result):
        indent = 2 * node.depth
        out.print(Padding(Text(f"▸ {node.question}", style="bold cyan"), (0, 0, 0, indent), expand=False))
        _print_answer(node.answer, indent + 2)


def _print_answer(answer: Answer | None, indent: int) -> None:
    if answer is None:
        out.print(Padding(Text("No answer in this corpus.", style="italic"), (0, 0, 0, indent), expand=False))
        return
    source = f"{answer.title} — {answer.url}" if answer.url else answer.title
    out.print(Padding(Text(answer.text), (0, 0, 0, indent), expand=False))
    cited = Text(f"Source: {source} (characters {answer.start}-{answer.end})", style="dim")
    out.print(Padding(cited, (0, 0, 0, indent), expand=False))


def main() -> None:
    """Entry point: every `AlsoaskError` becomes one clear line on stderr and exit code 2."""
    try:
        app()
    except AlsoaskError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(2)

"""The HTTP surface: a JSON API and the web page, both thin calls to one `Engine`.

app = create_app(Engine("my-index"))     # then: uvicorn.run(app, host="127.0.0.1", port=8000)

Every error is JSON `{"error": "..."}` with a 4xx for the caller's faults (a bad question, an unknown
id, a limit passed) and a bare 500 for anything else: no stack trace leaves the process.
"""

import asyncio
import base64
import contextlib
import ctypes
import gc
import hashlib
import hmac
import ipaddress
import logging
import multiprocessing
import os
import re
import signal
import socket
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from importlib.resources import files
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from alsoask.answer import MAX_QUESTION_CHARS, check_question
from alsoask.engine import MAX_SHOWN, Engine, time_limited
from alsoask.errors import AlsoaskError, LimitError, NotFoundError
from alsoask.export import FORMATS, export_tree, templates
from alsoask.schema import AskResult, Document, ErrorMessage, Expansion, Health, TreeResult
from alsoask.tree import MAX_DEPTH

log = logging.getLogger("alsoask.server")

# The page's own script and styles only: corpus text can never run, even if escaping failed somewhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")  # /docs inlines its setup
# An HTML export is a standalone page with its style inline: that one style block applies (by its hash), nothing loads.
EXPORT_PAGE = (files("alsoask") / "templates" / "faq.html").read_text(encoding="utf-8")
EXPORT_STYLE = EXPORT_PAGE.partition("<style>")[2].partition("</style>")[0]
EXPORT_STYLE_HASH = base64.b64encode(hashlib.sha256(EXPORT_STYLE.encode()).digest()).decode()
EXPORT_CSP = (
    f"default-src 'none'; style-src 'sha256-{EXPORT_STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
CSP_BY_PATH = {"/docs": DOCS_CSP, "/api/export": EXPORT_CSP}
JSON_PATHS = ("/api/", "/fragments/", "/static/", "/healthz", "/openapi.json", "/docs")  # errors as JSON; pages: HTML
WORKER_THREAD_SETTINGS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
API_KEY_ENV = "ALSOASK_API_KEY"
TIME_LIMIT_SECONDS = 30.0  # a depth-5 tree over a large index takes a few seconds; nothing should take 30
MAX_BODY_BYTES = 64 * 1024  # the API takes no bodies; anything bigger is refused unread
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorMessage},
    404: {"model": ErrorMessage},
    422: {"model": ErrorMessage},
}

QuestionParam = Annotated[
    str,
    Query(
        description=f"The question, at most {MAX_QUESTION_CHARS} characters.",
        max_length=MAX_QUESTION_CHARS,
        pattern=r"[^\s\x1c-\x1f\x85]",  # not empty or blank, whitespace as Python (str.strip) and JSON Schema see it
    ),
]
ShownParam = Annotated[
    str, Query(description=f"Comma-separated ids already on the page (at most {MAX_SHOWN}); none is returned again.")
]
AskedParam = Annotated[
    str | None,
    Query(
        description="The question the page asked: nothing equivalent to it is revealed.",
        max_length=MAX_QUESTION_CHARS,
        pattern=r"[^\s\x1c-\x1f\x85]",
    ),
]
DepthParam = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Levels of related questions to open.")]
FormatParam = Annotated[Literal[tuple(FORMATS)], Query(description="Export format.")]  # type: ignore[valid-type]
templates.globals["max_question_chars"] = MAX_QUESTION_CHARS  # the search box's own limit
CallNext = Callable[[Request], Awaitable[Response]]  # what an HTTP middleware is given
EXAMPLES = 4  # example questions on the empty page


def create_app(engine: Engine, api_key: str | None = None, time_limit: float = TIME_LIMIT_SECONDS) -> FastAPI:
    """The API and the page over `engine`. With `api_key`, every endpoint but /healthz needs it (a
    browser asks for it as a password); a request that takes over `time_limit` seconds gets a 503."""
    app = FastAPIOffline(
        title="alsoask",
        summary="Cited answers and the questions people ask next, from your own documents.",
        version="0.1.0",
    )
    app.mount("/static", StaticFiles(directory=str(files("alsoask") / "static")), name="static")
    pages = Jinja2Templates(env=templates)

    @app.get("/api/ask", response_model=AskResult, responses=ERRORS, tags=["api"])
    def ask(q: QuestionParam) -> AskResult:
        """The featured answer (null when the corpus does not answer) and 4 related questions;
        the same object as `alsoask ask --json`."""
        return engine.ask(q)

    @app.get("/api/expand", response_model=Expansion, responses=ERRORS, tags=["api"])
    def expand(
        id: Annotated[str, Query(description="A related question's id, e.g. q17.")],
        shown: ShownParam = "",
        q: AskedParam = None,
    ) -> Expansion:
        """Open a related question: the 2-3 new questions it reveals, none of them in `shown` and none
        equivalent to `q`, the page's own question, when given."""
        return Expansion(id=id, related=engine.expand(id, _ids(shown), asked=q))

    @app.get("/api/tree", response_model=TreeResult, responses=ERRORS, tags=["api"])
    def tree(q: QuestionParam, depth: DepthParam = 2) -> TreeResult:
        """The answer and its related questions, each opened down to `depth` levels."""
        return engine.tree(q, depth)

    @app.get(
        "/api/export",
        responses={**ERRORS, 200: {"content": {t: {} for t in FORMATS.values()}, "description": "The export."}},
        response_class=Response,
        tags=["api"],
    )
    def export(q: QuestionParam, format: FormatParam = "md", depth: DepthParam = 2) -> Response:  # type: ignore[valid-type]
        """The tree as a FAQ page (md, html, jsonld) or a table (csv, jsonl), named after the question;
        the HTML page opens in the browser, the others download."""
        disposition = "inline" if format == "html" else "attachment"
        return Response(
            export_tree(engine.tree(q, depth), format),
            media_type=FORMATS[format],
            headers={"Content-Disposition": f'{disposition}; filename="{export_filename(q, format)}"'},
        )

    @app.get("/api/doc/{doc_id:path}", response_model=Document, responses=ERRORS, tags=["api"])
    def document(doc_id: Annotated[str, Path(description="A document id, as an answer's doc_id.")]) -> Document:
        """A whole indexed document, so a cited span (`start`, `end`) can be shown in context."""
        return engine.document(doc_id)

    @app.get("/healthz", response_model=Health, tags=["api"])
    def healthz() -> Health:
        return engine.health()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, q: str = "") -> HTMLResponse:
        context: dict[str, object] = {"q": q}
        if not q.strip():
            context["examples"] = engine.examples(EXAMPLES)
        else:
            try:
                context["result"], context["equivalent"] = engine.ask_with_equivalents(q)
            except AlsoaskError as exc:
                context["error"] = str(exc)
        return pages.TemplateResponse(request, "page.html", context, status_code=400 if "error" in context else 200)

    @app.get("/fragments/expand", response_class=HTMLResponse, include_in_schema=False)
    def expand_fragment(request: Request, id: str, shown: str = "") -> HTMLResponse:
        """The questions an opened one reveals, as page markup (the page's script appends it)."""
        return pages.TemplateResponse(request, "questions.html", {"related": engine.expand(id, _ids(shown))})

    @app.get("/doc/{doc_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, doc_id: str, start: int = 0, end: int = 0) -> HTMLResponse:
        """A document with the cited span highlighted and scrolled into view."""
        context = {"doc": engine.document(doc_id), "start": max(start, 0), "end": max(end, start, 0)}
        return pages.TemplateResponse(request, "document.html", context)

    def error(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
        """JSON for the API, fragments and assets; a page a person can read (and leave) for the rest."""
        if request.url.path.startswith(JSON_PATHS):
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        context = {"heading": HTTPStatus(status).phrase, "message": message}
        return pages.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)

    @app.exception_handler(AlsoaskError)
    def user_error(request: Request, exc: AlsoaskError) -> Response:
        status = 404 if isinstance(exc, NotFoundError) else 422 if isinstance(exc, LimitError) else 400
        return error(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(map(str, e['loc'][1:])) or 'request'}: {e['msg']}" for e in exc.errors()]
        if any(e["loc"] == ("query", "q") and e["type"] != "missing" for e in exc.errors()):
            try:  # the engine's own words for a blank or over-long question
                check_question(request.query_params.get("q", ""))
            except AlsoaskError as question_error:
                problems = [str(question_error)]
        return error(request, 422, "; ".join(problems))

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(Exception)
    def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)  # the trace stays in the server's log
        return error(request, 500, "internal error; the server log has the details")

    @app.middleware("http")
    async def limits(request: Request, call_next: CallNext) -> Response:
        """Refuse large bodies unread, and answer 503 when a request runs past `time_limit` (its engine
        call gives up then too, so the requests behind it need not wait for work nobody waits for)."""
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return JSONResponse({"error": f"request body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        try:
            with time_limited(time_limit):
                return await asyncio.wait_for(call_next(request), time_limit)
        except TimeoutError:  # the engine's TimeLimitError too
            log.warning("%s took over %s s", request.url.path, time_limit)
            message = f"the request took over {time_limit:g} s; ask for a smaller tree or try again"
            return JSONResponse({"error": message}, status_code=503)

    @app.middleware("http")
    async def require_key(request: Request, call_next: CallNext) -> Response:
        if api_key and request.url.path != "/healthz" and not _has_key(request, api_key):
            return JSONResponse(
                {"error": "this server needs its API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"},
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="alsoask"'},  # browsers ask for it as a password
            )
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: CallNext) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP_BY_PATH.get(request.url.path, PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return app


def run_server(
    engine: Engine,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> None:
    """Serve until interrupted. One worker answers in this process with `engine`; more are worker
    processes forked from this one once `engine` has loaded its models and segments, so that they
    share those pages (each reopens only its SQLite connection), each with its own listening socket on
    the same port (SO_REUSEPORT), so the kernel spreads connections over them. (uvicorn's own
    `--workers` share one socket: the first idle worker accepts a whole burst of connections while the
    others stay idle.)"""
    api_key = os.environ.get(API_KEY_ENV) or None
    if workers == 1:
        uvicorn.run(create_app(engine, api_key, time_limit), host=host, port=port, log_level="warning")
        return
    for threads in WORKER_THREAD_SETTINGS:  # one thread each: N workers with N thread pools each halve throughput
        os.environ.setdefault(threads, WORKER_THREAD_SETTINGS[threads])
    _limit_malloc()
    engine.warm_up()
    engine.close()
    gc.freeze()  # the collector leaves the parent's objects alone, so it does not copy their pages into each worker
    fork = multiprocessing.get_context("fork")
    processes = [
        fork.Process(target=_serve_worker, args=(engine, api_key, time_limit, host, port), daemon=True)
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    stop = lambda *_: [p.terminate() for p in processes if p.is_alive()]  # type: ignore[func-returns-value]  # noqa: E731
    signal.signal(signal.SIGTERM, stop)
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:  # Ctrl+C reaches the workers too; they finish their requests and exit
        for process in processes:
            process.join(10)
    stop()


def _limit_malloc() -> None:
    """glibc's malloc settings for the workers to come, which keep what a worker owns small (the
    environment variables are read only at start):
    - `MALLOC_ARENA_MAX=2`: request threads take turns (the engine lock), so more arenas only hold memory;
    - a fixed `MALLOC_MMAP_THRESHOLD_` of 128 KiB: the large arrays of one ask (a score per passage)
      are mapped and given back when freed. By default the threshold grows past them once one is
      freed, and the heap then keeps their pages: an added worker under 16 clients cost 143-158 MB,
      87 MB with this (`bench/RESULTS.md` section 19). Turning the reader's memory arena off too made
      it 47 MB, but cost a quarter of the throughput (page faults on every run), so the arena stays."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(M_ARENA_MAX, 2)
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)


M_ARENA_MAX, M_MMAP_THRESHOLD = -8, -3  # glibc's mallopt parameter numbers


def _serve_worker(engine: Engine, api_key: str | None, time_limit: float, host: str, port: int) -> None:
    engine.reopen()
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(address)
    config = uvicorn.Config(create_app(engine, api_key, time_limit), log_level="warning")
    uvicorn.Server(config).run(sockets=[listener])


def _has_key(request: Request, api_key: str) -> bool:
    """The key from `X-API-Key`, `Authorization: Bearer` or Basic auth (any user name), compared in
    constant time."""
    offered = request.headers.get("x-api-key", "")
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        offered = value.strip()
    elif scheme.lower() == "basic":
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            offered = base64.b64decode(value, validate=True).decode().partition(":")[2]
    return hmac.compare_digest(offered.encode(), api_key.encode())


def is_local(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ids(shown: str) -> list[str]:
    return [i for i in shown.split(",") if i]


def export_filename(question: str, fmt: str) -> str:
    """The question's slug plus the format's extension, the same for every format: ASCII letters and
    digits (accents folded) joined by "-", at most 80 characters; "faq" when nothing is left."""
    folded = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", folded))[:80].rstrip("-")
    return f"{slug or 'faq'}.{fmt}"

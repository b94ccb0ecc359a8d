"""Soak: the server for a long run under mixed load while another process adds and removes documents.

    python bench/kosovo.py --index DIR                       # once: the Kosovo corpus index
    python bench/soak.py --index DIR                         # 10 minutes, 16 clients, 2 workers

Copies the index (the writer changes the copy), starts `alsoask serve --workers N` on it, and runs
`--clients` clients for `--minutes`: each asks a Kosovo question (`bench/kosovo.py`) and then opens one
of its related questions (`/api/expand`, with the others as shown), with no pause. Meanwhile a writer
process adds 20 documents (`alsoask index`) and removes them again (`alsoask remove`), over and over.
Every 10 s it records p50/p99 latency, errors and the server's resident memory (all its processes).

An error is a failed request, a 5xx, or any 4xx except a 404 from opening a question whose document the
writer has just removed (counted as `gone`: the page's question no longer exists). Writes
bench/results/soak.json and bench/results/soak.png (latency and memory over time).
"""

import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from kosovo import QUESTIONS
from load import children, free_port, rss_mb, start_server

HERE = Path(__file__).resolve().parent
WINDOW_SECONDS = 10


def writer_documents(folder: Path) -> Path:
    towns = [f"Soakville {i}" for i in range(20)]
    lines = [
        json.dumps({"id": f"soak-{i}", "title": t, "text": f"{t} is a village in Kosovo founded in {1800 + i}."})
        for i, t in enumerate(towns)
    ]
    path = folder / "soak.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def writer(index: Path, documents: Path, stop_at: float, log: list) -> None:
    """Add then remove the writer's documents until `stop_at`, each step an `alsoask` subprocess."""
    ids = [f"soak-{i}" for i in range(20)]
    alsoask = [sys.executable, "-m", "alsoask"]
    while time.time() < stop_at:
        for command in (
            [*alsoask, "index", str(documents), "--index", str(index), "--generator", "none"],
            [*alsoask, "remove", *ids, "--index", str(index)],
        ):
            started = time.time()
            done = subprocess.run(command, capture_output=True, text=True)
            log.append({"at": started, "command": command[3], "seconds": time.time() - started, "rc": done.returncode})
            if done.returncode != 0:
                log[-1]["stderr"] = done.stderr[-500:]


async def client(http, seed: int, stop_at: float, samples: list) -> None:
    rng = random.Random(seed)
    while time.time() < stop_at:
        question = rng.choice(QUESTIONS)
        related = await call(http, "ask", "/api/ask", {"q": question}, samples)
        if related:
            node = rng.choice(related)
            shown = ",".join(r["id"] for r in related)
            await call(http, "expand", "/api/expand", {"id": node["id"], "shown": shown}, samples)


async def call(http, kind: str, path: str, params: dict, samples: list) -> list | None:
    started = time.time()
    outcome, related = "ok", None
    try:
        response = await http.get(path, params=params)
        if response.status_code == 200:
            related = response.json().get("related")
        elif response.status_code == 404 and kind == "expand":
            outcome = "gone"
        else:
            outcome = f"http {response.status_code}: {response.text[:200]}"
    except httpx.HTTPError as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    samples.append((started, time.time() - started, kind, outcome))
    return related


async def monitor(server: subprocess.Popen, stop_at: float, memory: list) -> None:
    while time.time() < stop_at:
        memory.append((time.time(), sum(rss_mb(pid) for pid in [server.pid, *children(server.pid)])))
        await asyncio.sleep(WINDOW_SECONDS)


async def run(base_url: str, server, clients: int, stop_at: float, samples: list, memory: list) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        await asyncio.gather(
            monitor(server, stop_at, memory), *(client(http, i, stop_at, samples) for i in range(clients))
        )


def windows(samples: list, memory: list, started: float) -> list[dict]:
    rows = []
    for start in np.arange(started, max(s[0] for s in samples), WINDOW_SECONDS):
        inside = [s for s in samples if start <= s[0] < start + WINDOW_SECONDS]
        ms = np.array([s[1] * 1000 for s in inside if s[3] == "ok"]) if inside else np.array([0.0])
        rss = [m for t, m in memory if start <= t < start + WINDOW_SECONDS]
        rows.append(
            {
                "second": round(start - started),
                "requests": len(inside),
                "p50_ms": round(float(np.percentile(ms, 50)), 1),
                "p99_ms": round(float(np.percentile(ms, 99)), 1),
                "errors": sum(1 for s in inside if s[3] not in ("ok", "gone")),
                "rss_mb": round(rss[0], 1) if rss else None,
            }
        )
    return rows


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [r["second"] / 60 for r in rows]
    figure, (latency, memory) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    latency.plot(minutes, [r["p99_ms"] for r in rows], label="p99")
    latency.plot(minutes, [r["p50_ms"] for r in rows], label="p50")
    latency.set_ylabel("latency (ms)")
    latency.legend()
    memory.plot(minutes, [r["rss_mb"] for r in rows], color="tab:red")
    memory.set_ylabel("server resident memory (MB)")
    memory.set_xlabel("minutes")
    figure.suptitle("alsoask serve under 16 clients while a writer adds and removes documents")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="an index built by bench/kosovo.py --index DIR")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(HERE / "results" / "soak.json"))
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="alsoask-soak-"))
    index = scratch / "index"
    shutil.copytree(args.index, index)
    port = free_port()
    server = start_server(str(index), port, args.workers, Path(args.out).with_suffix(".server.log"))
    samples, memory, writes = [], [], []
    try:
        started = time.time()
        stop_at = started + args.minutes * 60
        documents = writer_documents(scratch)
        loop = asyncio.new_event_loop()
        write_task = loop.run_in_executor(None, writer, index, documents, stop_at, writes)
        loop.run_until_complete(run(f"http://127.0.0.1:{port}", server, args.clients, stop_at, samples, memory))
        loop.run_until_complete(write_task)
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(scratch, ignore_errors=True)

    rows = windows(samples, memory, started)
    after_first_minute = [m for t, m in memory if t >= started + 60]
    errors = [s for s in samples if s[3] not in ("ok", "gone")]
    ms = np.array([s[1] * 1000 for s in samples if s[3] == "ok"])
    report = {
        "minutes": args.minutes,
        "clients": args.clients,
        "workers": args.workers,
        "requests": len(samples),
        "asks": sum(1 for s in samples if s[2] == "ask"),
        "expands": sum(1 for s in samples if s[2] == "expand"),
        "errors": len(errors),
        "error_examples": sorted({s[3] for s in errors})[:5],
        "gone": sum(1 for s in samples if s[3] == "gone"),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "worst_window_p99_ms": max(r["p99_ms"] for r in rows),
        "rss_at_1_minute_mb": round(after_first_minute[0], 1),
        "rss_max_after_1_minute_mb": round(max(after_first_minute), 1),
        "rss_growth_after_1_minute": round(max(after_first_minute) / after_first_minute[0] - 1, 3),
        "writes": len(writes),
        "failed_writes": [w for w in writes if w["rc"] != 0][:3],
        "write_seconds_median": round(float(np.median([w["seconds"] for w in writes])), 1) if writes else None,
        "windows": rows,
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    plot(rows, Path(args.out).with_suffix(".png"))
    print(json.dumps({k: v for k, v in report.items() if k != "windows"}, indent=2))


if __name__ == "__main__":
    main()

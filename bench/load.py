"""Load on the HTTP API: concurrent clients asking `/api/ask` on 127.0.0.1 for a fixed time.

    python bench/kosovo.py --index DIR                 # once: the Kosovo corpus index
    python bench/load.py --index DIR                   # 16 clients, 60 s, one server process
    python bench/load.py --index DIR --workers 2       # alsoask serve --workers 2 (one per core)

Starts `alsoask serve` as its own process on a free port, warms it up (every question once), then runs
`--clients` concurrent clients, each asking the Kosovo questions of `bench/kosovo.py` in turn with no
pause between requests, for `--seconds`. Reports requests/s, latency p50/p90/p99/max, the error count
(any non-200 answer or failed request) and the server's memory, summed over its processes: resident
(RSS), proportional (PSS, each shared page counted once in all) and private. Writes
bench/results/load-workers{N}.json, and the server's log beside it.
"""

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from kosovo import QUESTIONS

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(index: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "alsoask",
        "serve",
        "--index",
        index,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, stderr=log.open("w"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start in 120 s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS (each shared page split between the processes that map it) and private memory of one
    process: with forked workers and memory-mapped segments, RSS counts the shared pages once per
    process, PSS once in all."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            values[key] = int(rest.split()[0]) / 1024
    return {"rss": values["Rss"], "pss": values["Pss"], "private": values["Private_Clean"] + values["Private_Dirty"]}


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


async def client(http: httpx.AsyncClient, offset: int, stop_at: float, latencies: list, errors: list) -> None:
    turn = offset
    while time.perf_counter() < stop_at:
        question = QUESTIONS[turn % len(QUESTIONS)]
        turn += 1
        started = time.perf_counter()
        try:
            response = await http.get("/api/ask", params={"q": question})
            if response.status_code != 200:
                errors.append(f"{response.status_code}: {response.text[:200]}")
                continue
        except httpx.HTTPError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.perf_counter() - started)


async def run_load(base_url: str, clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(client(http, i, stop_at, latencies, errors) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="an index built by bench/kosovo.py --index DIR")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1, help="alsoask serve --workers")
    parser.add_argument("--out", help="default: bench/results/load-workers{N}.json")
    args = parser.parse_args()

    args.out = args.out or str(HERE / "results" / f"load-workers{args.workers}.json")
    port = free_port()
    log = Path(args.out).with_suffix(".server.log")
    server = start_server(args.index, port, args.workers, log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        single = []
        with httpx.Client(base_url=base_url, timeout=30) as http:
            for question in QUESTIONS * 2:  # warm-up (every worker), then one client alone as the baseline
                started = time.perf_counter()
                http.get("/api/ask", params={"q": question}).raise_for_status()
                single.append(time.perf_counter() - started)
        single = single[len(QUESTIONS) :]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        latencies, errors, elapsed = asyncio.run(run_load(base_url, args.clients, args.seconds))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime) / elapsed
        per_process = [memory_mb(pid) for pid in [server.pid, *children(server.pid)]]
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    ms = np.array(latencies) * 1000
    report = {
        "index": os.path.abspath(args.index),
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": len(latencies) + len(errors),
        "requests_per_second": round((len(latencies) + len(errors)) / elapsed, 1),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p90_ms": round(float(np.percentile(ms, 90)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
        "one_client_p50_ms": round(statistics.median(single) * 1000, 1),
        "server_rss_mb": round(sum(p["rss"] for p in per_process), 1),
        "server_pss_mb": round(sum(p["pss"] for p in per_process), 1),
        "server_private_mb": round(sum(p["private"] for p in per_process), 1),
        "server_processes": len(per_process),
        "cpu_count": os.cpu_count(),
        "client_cpu_share": round(client_cpu, 2),  # cores the load generator itself used
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

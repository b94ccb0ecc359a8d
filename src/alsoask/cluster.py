"""Bulk indexing on a Ray cluster (`alsoask index --ray ADDRESS`, `pip install "alsoask[ray]"`).

The index stage's batch work, splitting and embedding documents and parsing sentences into
questions, runs as Ray tasks across the cluster; the driver answers the bank questions and writes the
store and the segment. Each task is a pure function of its input and the installed models, so a Ray
build equals a local one. Every node needs the same alsoask version installed.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from alsoask.errors import AlsoaskError

IN_FLIGHT_PER_CPU = 2  # tasks submitted ahead of the one the driver waits for, per cluster CPU


class RayMap:
    """`map` over a Ray cluster, results in input order: `address` is "local" (start a Ray runtime on
    this machine), "auto" (the cluster this machine belongs to) or "ray://host:10001"."""

    def __init__(self, address: str, cpus: int | None = None):
        try:
            import ray
        except ImportError:
            raise AlsoaskError('--ray needs the ray extra: pip install "alsoask[ray]"') from None
        self.ray = ray
        try:
            if address == "local":
                ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
            else:
                ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise AlsoaskError(f"cannot connect to the Ray cluster at {address!r}: {exc}") from None
        self.window = max(int(ray.cluster_resources().get("CPU", 1)), 1) * IN_FLIGHT_PER_CPU

    def __call__(self, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        remote = self.ray.remote(function)
        pending: deque = deque()
        for item in items:
            pending.append(remote.remote(item))
            if len(pending) >= self.window:
                yield self.ray.get(pending.popleft())
        while pending:
            yield self.ray.get(pending.popleft())

    def close(self) -> None:
        self.ray.shutdown()

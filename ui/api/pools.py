"""Bounded worker pools for the slow requests (answers, Cypher).

Each kind of work has its own few threads and a bound on how many requests may wait, so a
slow query holds one of its own workers and never the server's shared threads (the routes
await the pool instead of blocking a thread on it), and a flood is refused with 503 instead
of queueing without end. The Gradio handlers call the same pools synchronously.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from ui.api.errors import Unavailable

T = TypeVar("T")


class WorkPool:
    def __init__(self, name: str, workers: int, max_waiting: int) -> None:
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(workers + max_waiting)
        self.capacity = workers + max_waiting

    def submit(self, work: Callable[..., T], *args: Any) -> Future[T]:
        """Queue `work`, or refuse when the pool is full (Unavailable, HTTP 503)."""
        if not self._slots.acquire(blocking=False):
            raise Unavailable(
                f"the server is busy ({self.capacity} {self.name} requests in progress or "
                "waiting); try again in a few seconds"
            )
        future = self._executor.submit(work, *args)
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def call(self, work: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run `work` in the pool and wait for it here (TimeoutError past `timeout`)."""
        future = self.submit(work, *args)
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            raise self._waited(future, timeout) from None

    async def run(self, work: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """The same, awaited: no thread waits while the work runs."""
        future = self.submit(work, *args)
        waited = asyncio.wrap_future(future)
        # an outcome nobody awaits any more (past the timeout) is still retrieved, not logged
        waited.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            return await asyncio.wait_for(asyncio.shield(waited), timeout)
        except TimeoutError:
            raise self._waited(future, timeout) from None

    def _waited(self, future: Future[Any], timeout: float | None) -> Exception:
        """Past the wait: work that never started is dropped and reported as a busy server
        (503); work that ran is the caller's timeout (it finishes in its worker)."""
        if future.cancel():
            return Unavailable(
                f"the server is busy: the {self.name} request waited {timeout:g} s for a "
                "worker; try again in a few seconds"
            )
        return TimeoutError(f"{self.name} work ran past {timeout:g} s")

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Pools:
    """The API's pools: answers (one generator, so few workers) and user Cypher (as many
    workers as the database has query threads)."""

    def __init__(self, answer_workers: int = 2, cypher_workers: int = 2) -> None:
        self.answers = WorkPool("answer", answer_workers, max_waiting=128)
        self.cypher = WorkPool("cypher", cypher_workers, max_waiting=32)

    def shutdown(self) -> None:
        self.answers.shutdown()
        self.cypher.shutdown()

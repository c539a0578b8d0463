"""Run ingestion's three stages on threads: extract | embed (one or more workers) | write.

spaCy holds the caller's thread, torch embeds in `embed_workers` workers (one torch thread
each) and the store write (mostly waiting on the database server) runs in one more. With one
embed worker the embedder bounds the run: whenever spaCy is ahead and waits, a core idles
(2Wiki, 6,119 passages, bf16: 1.58 of 2 cores busy). A second worker takes the next batch
then, and plain OS scheduling shares the cores while all three compute. Batches reach the
write stage in the order they were submitted, so documents are written in input order. At
most `embed_workers` batches are in the embed stage and one is being written, which bounds
memory; an error in a stage surfaces in the caller.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ThreeStages(Generic[T]):
    def __init__(self, embed_workers: int = 1) -> None:
        self.workers = max(1, embed_workers)
        self._second = ThreadPoolExecutor(self.workers, thread_name_prefix="kgqa-embed")
        self._third = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgqa-write")
        self._in_second: deque[Future[None]] = deque()
        self._third_job: Future[None] | None = None
        # batch i hands its value to the write stage only after batch i-1 did (input order)
        self._handed = threading.Event()
        self._handed.set()
        self._lock = threading.Lock()

    def submit(self, second: Callable[[], T], third: Callable[[T], Any]) -> None:
        """Queue `third(second())`; waits while `embed_workers` batches are in `second`."""
        while len(self._in_second) >= self.workers:
            self._in_second.popleft().result()
        before, self._handed = self._handed, threading.Event()
        job = self._second.submit(self._chain, second, third, before, self._handed)
        self._in_second.append(job)

    def _chain(
        self,
        second: Callable[[], T],
        third: Callable[[T], Any],
        before: threading.Event,
        handed: threading.Event,
    ) -> None:
        try:
            value = second()
            before.wait()  # the previous batch is queued for writing (or failed)
            self.wait_third()
            with self._lock:
                self._third_job = self._third.submit(third, value)
        finally:
            handed.set()  # never leave the next batch waiting, even when this one failed

    def wait_third(self) -> None:
        """Block until the batch last handed to `third` is done (`second` may call this)."""
        with self._lock:
            job = self._third_job
        if job is not None:
            job.result()

    def wait(self) -> None:
        """Block until every queued batch is written (re-raises a stage's error)."""
        while self._in_second:
            self._in_second.popleft().result()
        self.wait_third()

    def __enter__(self) -> ThreeStages[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._second.shutdown(wait=True)
        self._third.shutdown(wait=True)

"""Run ingestion's three stages on threads: extract | embed (one or more workers) | write.

spaCy holds the caller's thread, torch embeds in `embed_workers` workers (one torch thread
each) and the store write (mostly waiting on the database server) runs in one more. With one
embed worker the embedder bounds the run: whenever spaCy is ahead and waits, a core idles
(2Wiki, 6,119 passages, bf16: 1.58 of 2 cores busy). A second worker takes the next batch
then, and plain OS scheduling shares the cores while all three compute. Batches reach the
write stage in the order they were submitted, so documents are written in input order; an
embed worker hands its batch over and goes on, it never waits for a write to finish. At
most `embed_workers + 1` batches are past extraction and not yet written, which bounds
memory; an error in a stage surfaces in the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ThreeStages(Generic[T]):
    def __init__(self, embed_workers: int = 1) -> None:
        self.workers = max(1, embed_workers)
        self._second = ThreadPoolExecutor(self.workers, thread_name_prefix="kgqa-embed")
        self._third = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgqa-write")
        self._room = threading.Semaphore(self.workers + 1)  # batches past extraction
        self._jobs: list[Future[Any]] = []  # both stages' futures, oldest first
        # batch i hands its value to the write stage only after batch i-1 did (input order)
        self._handed = threading.Event()
        self._handed.set()
        self._lock = threading.Lock()

    def submit(self, second: Callable[[], T], third: Callable[[T], Any]) -> None:
        """Queue `third(second())`; waits while the pipeline is full, and raises the error
        of a batch that failed since the last call."""
        self._room.acquire()
        try:
            self._raise_failed()
        except BaseException:
            self._room.release()
            raise
        before, self._handed = self._handed, threading.Event()
        job = self._second.submit(self._chain, second, third, before, self._handed)
        with self._lock:
            self._jobs.append(job)

    def _chain(
        self,
        second: Callable[[], T],
        third: Callable[[T], Any],
        before: threading.Event,
        handed: threading.Event,
    ) -> None:
        written = False
        try:
            value = second()
            before.wait()  # the previous batch is queued for writing (or failed)
            job = self._third.submit(third, value)  # one writer: input order
            job.add_done_callback(lambda _: self._room.release())
            written = True
            with self._lock:
                self._jobs.append(job)
        finally:
            handed.set()  # never leave the next batch waiting, even when this one failed
            if not written:
                self._room.release()

    def _raise_failed(self) -> None:
        """Drop finished jobs; re-raise the first one that failed."""
        with self._lock:
            done = [j for j in self._jobs if j.done()]
            self._jobs = [j for j in self._jobs if not j.done()]
        for job in done:
            job.result()

    def wait(self) -> None:
        """Block until every queued batch is written (re-raises a stage's error)."""
        while True:
            with self._lock:
                pending = [j for j in self._jobs if not j.done()]
            if not pending:
                break
            for job in pending:
                try:
                    job.result()
                except BaseException:
                    break  # re-raised below, in order
        self._raise_failed()

    def __enter__(self) -> ThreeStages[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._second.shutdown(wait=True)
        self._third.shutdown(wait=True)

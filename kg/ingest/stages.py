"""Run ingestion's three stages on three threads: extract | embed | write.

spaCy holds the caller's thread, torch embeds in one worker and the store write (mostly
waiting on the database server) runs in another, so a 2-core machine keeps both cores busy.
One batch per stage at a time bounds memory; an error in a stage surfaces in the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ThreeStages(Generic[T]):
    def __init__(self) -> None:
        self._second = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgqa-embed")
        self._third = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgqa-write")
        self._second_job: Future[None] | None = None
        self._third_job: Future[None] | None = None

    def submit(self, second: Callable[[], T], third: Callable[[T], Any]) -> None:
        """Queue `third(second())`; waits while the previous batch is still in `second`."""
        if self._second_job is not None:
            self._second_job.result()
        self._second_job = self._second.submit(self._chain, second, third)

    def _chain(self, second: Callable[[], T], third: Callable[[T], Any]) -> None:
        value = second()
        self.wait_third()
        self._third_job = self._third.submit(third, value)

    def wait_third(self) -> None:
        """Block until the batch last handed to `third` is done (`second` may call this)."""
        if self._third_job is not None:
            self._third_job.result()

    def wait(self) -> None:
        """Block until every queued batch is written (re-raises a stage's error)."""
        if self._second_job is not None:
            self._second_job.result()
        self.wait_third()

    def __enter__(self) -> ThreeStages[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._second.shutdown(wait=True)
        self._third.shutdown(wait=True)

"""One thread pool for the work a question overlaps with its own parsing and ranking (its
embedding, the dense route's store searches). Shared by every QAService in the process, so
services made per test or per request add no threads. A task waits at most for an encoding
that is already running (qa.service.VectorCache), never for a queued task, so it cannot
deadlock however many questions queue on it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

WORKERS = 4  # two questions' overlapped work at once on 2 cores; more only queue


@lru_cache(maxsize=1)
def pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="kgqa-question")

"""What a process answering questions shares: one thread pool, and a settled heap.

The pool runs the work a question overlaps with its own parsing and ranking (its
embedding, the dense route's store searches). Shared by every QAService in the process, so
services made per test or per request add no threads. A task waits at most for an encoding
that is already running (qa.service.VectorCache), never for a queued task, so it cannot
deadlock however many questions queue on it.
"""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

WORKERS = 4  # two questions' overlapped work at once on 2 cores; more only queue


@lru_cache(maxsize=1)
def pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="kgqa-question")


@lru_cache(maxsize=1)
def settle_heap() -> None:
    """Once the first question has loaded the models, move their ~320k Python objects out
    of the cyclic collector's reach (gc.freeze). Each full collection traversed them all
    and stalled whichever question was running for ~170 ms: two such stalls in 51 2Wiki
    questions, 400 ms of collection in all, ~100 ms after. The few thousand cyclic garbage
    objects that may exist then are kept, once."""
    gc.freeze()

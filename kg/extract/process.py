"""The configured extractor run in a child process, for large ingests.

spaCy's parse holds the GIL for most of its run. In the ingesting process it then takes
turns with the embed workers and the writer, whose Python between torch and database calls
waits for it. In a child process it has an interpreter of its own: the 6,119 2Wiki passages
ingest in 134.1 s instead of 148.3 s (bench/ingest.py, 2 cores). A child costs a spawn and
a second model load (~3 s, ~600 MB), so the pipeline starts one only when a run has more
than one batch to extract (kg.ingest.extraction, setting `extract_process`).

Spawned, not forked: the parent has torch and database threads a fork would copy mid-state.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kg.extract.base import Extraction, ExtractTimes, TripleExtractor
from kg.settings import Settings

_child: TripleExtractor | None = None  # the extractor, in the child
_spent = ExtractTimes()  # the child's extract_many calls so far


def _leave_with(parent: int) -> None:
    """End this child once `parent` is gone: after a `kill -9` of `kgqa ingest` it would wait
    on its task queue for good, holding its model (~400 MB)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _load(settings: Settings) -> int:
    """Build the extractor in the child; its pid, so a caller can name the process."""
    global _child
    from kg.extract import make_extractor

    threading.Thread(target=_leave_with, args=(os.getppid(),), daemon=True).start()
    _child = make_extractor(settings)
    return os.getpid()


def _extract_many(texts: list[str]) -> tuple[list[Extraction], ExtractTimes]:
    """The extractions, and the child's seconds so far (parse seconds if it counts them)."""
    assert _child is not None, "the extraction process was not loaded"
    wall, cpu = time.perf_counter(), time.thread_time()
    out = _child.extract_many(texts)
    _spent.wall += time.perf_counter() - wall
    _spent.cpu += time.thread_time() - cpu
    if _child.times is not None:
        _spent.parse_wall, _spent.parse_cpu = _child.times.parse_wall, _child.times.parse_cpu
    return out, _spent


class ExtractionProcessDied(RuntimeError):
    """The child process ended while extracting (killed, out of memory, a crash)."""


class ProcessExtractor(TripleExtractor):
    """make_extractor(settings) in one spawned child; the same results as in-process.

    The child loads its model as soon as this is built (while the caller loads its own).
    If the child dies, the call that saw it raises ExtractionProcessDied and the next call
    starts a fresh child, so a caller that retries document by document loses only the
    document that killed it. close() ends the child.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.times = ExtractTimes()
        self._pool: ProcessPoolExecutor | None = None
        self._loaded: Future[int] | None = None
        self._start()

    def _start(self) -> None:
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._loaded = self._pool.submit(_load, self.settings)

    @property
    def pid(self) -> int:
        """The child's process id (waits for its model to load)."""
        if self._loaded is None:
            self._start()
        assert self._loaded is not None
        return self._loaded.result()

    def extract(self, text: str) -> Extraction:
        return self.extract_many([text])[0]

    def extract_many(self, texts: list[str]) -> list[Extraction]:
        if self._pool is None:
            self._start()
        assert self._pool is not None and self._loaded is not None
        try:
            self._loaded.result()  # a model that will not load raises its own error here
            out, self.times = self._pool.submit(_extract_many, texts).result()
        except BrokenProcessPool as exc:
            self.close()
            raise ExtractionProcessDied(
                f"the extraction process died while extracting {len(texts)} texts "
                "(killed or out of memory?); the next call starts a new one"
            ) from exc
        except Exception:
            if self._loaded.done() and self._loaded.exception() is not None:
                self.close()  # retried on the next call, e.g. once the model is installed
            raise
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._loaded = None, None

    def __enter__(self) -> ProcessExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

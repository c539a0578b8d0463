"""What an ingest run did, per file and in total, with the time spent in each stage."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["ingested", "unchanged", "replaced", "error"]
# embed_names includes looking up which entities the store already holds with a vector
STAGES = ("read", "chunk", "extract", "embed_chunks", "embed_names", "write")


@dataclass
class FileResult:
    path: str
    status: Status
    message: str = ""
    chunks: int = 0
    entities: int = 0
    triples: int = 0
    groups: list[str] = field(default_factory=list)  # the access groups the document got


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    # CPU seconds of the thread that ran each stage (wall time stretches with the load)
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    # (stage, start, end) in perf_counter seconds: stages run on three threads, and these
    # show how much of the wall time they overlap
    spans: list[tuple[str, float, float]] = field(default_factory=list)
    seconds: float = 0.0
    # the embed stage may run on several threads at once (kg.ingest.stages)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            end, used = time.perf_counter(), time.thread_time() - cpu
            with self._lock:
                self.timings[stage] = self.timings.get(stage, 0.0) + end - start
                self.cpu[stage] = self.cpu.get(stage, 0.0) + used
                self.spans.append((stage, start, end))

    def add(self, result: FileResult) -> FileResult:
        self.files.append(result)
        return result

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def totals(self) -> dict[str, int]:
        out = {s: 0 for s in ("ingested", "replaced", "unchanged", "error")}
        for f in self.files:
            out[f.status] += 1
        out["chunks"] = sum(f.chunks for f in self.files)
        out["entities"] = sum(f.entities for f in self.files)
        out["triples"] = sum(f.triples for f in self.files)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "files": [asdict(f) for f in self.files],
            "totals": self.totals,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        t = self.totals
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        return (
            f"{t['ingested']} ingested, {t['replaced']} replaced, {t['unchanged']} unchanged, "
            f"{t['error']} failed; {t['chunks']} chunks, {t['entities']} entities, "
            f"{t['triples']} triples in {self.seconds:.1f}s ({stages})"
        )

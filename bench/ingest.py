"""Ingest the 2WikiMultiHopQA corpus (6,119 passages) into a fresh store and time each stage.

    python bench/ingest.py [--corpus PATH] [--limit N] [--store DIR] [--no-floor]
                           [--no-reopen] [--extract-in process|thread] [--json]

Each passage becomes one document (its title + text). Prints a stage table: wall and
thread-CPU seconds of spaCy parsing, triple patterns, chunk embedding, entity-name embedding,
store writes (the server's HNSW inserts happen inside them) and the index build on reopen
(FalkorDB rebuilds its indexes when it loads a store: the time from reopening to the first
vector hit; the first plain answer comes earlier), each as a ratio to the floor:
the configured embedder on every passage alone, measured first in the same run. Extraction,
embedding and writing run on three threads (extraction waits there for the spaCy child
process by default, kg.extract.process), so the table also gives the wall time during
which two or more stages were busy (the proof that they overlap). Then passages/s, counts,
peak RSS, CPU of this process, of the extraction child and of the FalkorDB server, the load
average; the last line is the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.embed import Embedder  # noqa: E402
from kg.extract import make_extractor  # noqa: E402
from kg.extract.base import ExtractTimes  # noqa: E402
from kg.extract.process import ProcessExtractor  # noqa: E402
from kg.ingest.pipeline import Ingestor, text_sha256  # noqa: E402
from kg.ingest.readers import SourceText  # noqa: E402
from kg.models import ADMIN  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "benchmarks" / "2wikimultihopqa" / "corpus.json"
# the three threads of the pipeline, by the stages each runs
THREADS = {
    "extract": ("read", "chunk", "extract"),
    "embed": ("embed_chunks", "embed_names"),
    "write": ("write",),
}


def passages(path: Path, limit: int | None) -> list[SourceText]:
    rows = json.loads(path.read_text(encoding="utf-8"))[:limit]
    return [
        SourceText(
            id=f"2wiki:{i:05d}",
            path=f"2wikimultihopqa/corpus.json#{i}",
            title=row["title"],
            text=row["text"],
            sha256=text_sha256(row["title"] + "\n" + row["text"]),
        )
        for i, row in enumerate(rows)
    ]


def servers() -> list[psutil.Process]:
    """The FalkorDB server(s) this process started (not the extraction child)."""
    out = []
    for kid in psutil.Process().children(recursive=True):
        try:
            if "redis-server" in " ".join(kid.cmdline()):
                out.append(kid)
        except psutil.NoSuchProcess:
            continue
    return out


def server_rss_mb() -> float:
    """Resident memory of the FalkorDB child server(s) right now."""
    return sum(k.memory_info().rss for k in servers() if k.is_running()) / 1048576


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def server_cpu_seconds() -> float:
    """CPU the FalkorDB child server(s) used so far (index building happens there)."""
    return sum(cpu_seconds(k) for k in servers() if k.is_running())


def floor_seconds(embedder: Embedder, items: list[SourceText]) -> tuple[float, float]:
    """Wall and CPU seconds to embed every passage (title + text) alone, one torch thread
    (the pipeline's setting)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start, cpu = time.perf_counter(), time.thread_time()
        embedder.encode([f"{s.title}\n{s.text}" for s in items])
        return time.perf_counter() - start, time.thread_time() - cpu
    finally:
        torch.set_num_threads(before)


def overlap(spans: list[tuple[str, float, float]]) -> dict[str, float]:
    """Wall seconds each thread was busy, and during which >= 2 / all 3 were busy."""
    thread_of = {s: t for t, stages in THREADS.items() for s in stages}
    events: list[tuple[float, int, str]] = []
    for stage, start, end in spans:
        events += [(start, 1, thread_of.get(stage, stage)), (end, -1, thread_of.get(stage, stage))]
    events.sort(key=lambda e: (e[0], e[1]))
    busy: dict[str, int] = {}
    out = {f"{t}_busy_s": 0.0 for t in THREADS} | {"two_or_more_s": 0.0, "all_three_s": 0.0}
    last = events[0][0] if events else 0.0
    for at, delta, thread in events:
        active = [t for t, n in busy.items() if n > 0]
        for t in active:
            out[f"{t}_busy_s"] += at - last
        if len(active) >= 2:
            out["two_or_more_s"] += at - last
        if len(active) >= 3:
            out["all_three_s"] += at - last
        busy[thread] = busy.get(thread, 0) + delta
        last = at
    return {k: round(v, 1) for k, v in out.items()}


Row = tuple[str, float, float]


def stage_rows(report: Any, times: ExtractTimes, child: bool, index_s: float | None) -> list[Row]:
    """The stage table. With the extraction child, parse and triples are the child's own
    seconds and the hand-over (pickling, waiting for the child) is a row of its own."""
    t, c = report.timings, report.cpu
    pw, pc = times.parse_wall, times.parse_cpu
    if child:
        extract = [
            ("parse (spaCy nlp.pipe, child process)", pw, pc),
            ("triples (patterns, child process)", times.wall - pw, times.cpu - pc),
            ("extraction hand-over (wait + unpickle)", t["extract"] - times.wall, c["extract"]),
        ]
    else:
        extract = [
            ("parse (spaCy nlp.pipe)", pw, pc),
            ("triples (patterns on parsed docs)", t["extract"] - pw, c["extract"] - pc),
        ]
    rows = [
        *extract,
        ("read + chunking", t["read"] + t["chunk"], c["read"] + c["chunk"]),
        ("chunk embedding", t["embed_chunks"], c["embed_chunks"]),
        ("entity-name embedding", t["embed_names"], c["embed_names"]),
        ("store writes (server inserts HNSW)", t["write"], c["write"]),
    ]
    if index_s is not None:
        rows.append(("index build (reopen to first vector hit)", index_s, 0.0))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--batch-chunks", type=int, default=256)
    parser.add_argument(
        "--store", type=Path, help="ingest into this new folder and keep it (for retrieval.py)"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the embed-alone floor")
    parser.add_argument("--no-reopen", action="store_true", help="skip the timed reopen")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument(
        "--extract-in",
        choices=["process", "thread"],
        default="process",
        help="spaCy in a child process (what extract_process=auto picks for this corpus) or "
        "on the pipeline's extract thread",
    )
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus} (give --corpus PATH)")
        return 0
    if args.store is not None and args.store.exists() and any(args.store.iterdir()):
        print(f"refused: {args.store} is not empty (the benchmark needs a fresh store)")
        return 2

    items = passages(args.corpus, args.limit)
    folder = args.store or Path(tempfile.mkdtemp(prefix="kgqa-bench-", dir="/tmp"))
    settings = Settings(store=folder)
    t0 = time.perf_counter()
    child = args.extract_in == "process"
    extractor = ProcessExtractor(settings) if child else make_extractor(settings)
    embedder = Embedder(settings, bulk=True)
    if child:
        _ = extractor.pid  # the model load time includes the child's spaCy load
    load_s = time.perf_counter() - t0
    floor_s, floor_cpu = (0.0, 0.0) if args.no_floor else floor_seconds(embedder, items)
    load_before = os.getloadavg()[0]
    reopen_s: float | None = None
    index_s: float | None = None
    try:
        with open_store(settings, dimension=embedder.dimension) as store:
            server_cpu = server_cpu_seconds()
            cpu = cpu_seconds(psutil.Process())
            ingestor = Ingestor(settings, store, embedder, extractor, args.batch_chunks)
            report = ingestor.ingest_texts(
                items, groups=[], progress=not (args.json or args.no_progress), total=len(items)
            )
            cpu = cpu_seconds(psutil.Process()) - cpu
            server_cpu = server_cpu_seconds() - server_cpu
            child_rss = psutil.Process(extractor.pid).memory_info().rss if child else 0
            counts = store.counts([ADMIN])
            server_mb = server_rss_mb()
            load_after = os.getloadavg()[0]
            t_close = time.perf_counter()
        close_s = time.perf_counter() - t_close
        if not args.no_reopen:
            probe = embedder.encode_one(f"{items[0].title}\n{items[0].text}")
            t_open = time.perf_counter()
            with open_store(settings, dimension=embedder.dimension) as store:
                store.counts([ADMIN])
                reopen_s = time.perf_counter() - t_open
                store.vector_search(probe, 1, [ADMIN])  # waits for the index build
                index_s = time.perf_counter() - t_open
    finally:
        if child:
            extractor.close()
        if args.store is None:
            shutil.rmtree(folder, ignore_errors=True)

    if args.store is not None:  # bench/retrieval.py and bench/latency.py reuse the store
        (args.store / "ingest_s.json").write_text(json.dumps({"ingest_s": report.seconds}))
    times = extractor.times or ExtractTimes()
    rows = stage_rows(report, times, child, index_s)
    result = {
        "passages": len(items),
        "failed": report.totals["error"],
        "seconds": round(report.seconds, 1),
        "passages_per_s": round(len(items) / report.seconds, 1) if report.seconds else 0.0,
        "model_load_s": round(load_s, 1),
        "floor_s": round(floor_s, 1),
        "floor_cpu_s": round(floor_cpu, 1),
        "chunks": counts.chunks,
        "entities": counts.entities,
        "triples": counts.triples,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "server_rss_mb": round(server_mb),
        "cpu_s": round(cpu, 1),
        "extract_process": child,
        "extract_process_cpu_s": round(times.cpu, 1) if child else 0.0,
        "extract_process_rss_mb": round(child_rss / 1048576),
        "server_cpu_s": round(server_cpu, 1),
        "close_s": round(close_s, 1),
        "reopen_s": None if reopen_s is None else round(reopen_s, 1),
        "reopen_to_vector_s": None if index_s is None else round(index_s, 1),
        "load_avg": [round(load_before, 2), round(load_after, 2)],
        "stages": {name: [round(w, 1), round(c, 1)] for name, w, c in rows},
        "overlap": overlap(report.spans),
    }
    if not args.json:
        print_table(result, rows, floor_s)
        for f in report.errors[:5]:
            print(f"failed: {f.path}: {f.message}")
    print(json.dumps(result))
    return 0


def print_table(result: dict[str, Any], rows: list[Row], floor: float) -> None:
    def ratio(x: float) -> str:
        return f"{x / floor:6.2f}" if floor else "     -"

    print(f"{'stage':42} {'wall s':>8} {'cpu s':>8} {'x floor':>8}")
    for name, wall, cpu in rows:
        print(f"{name:42} {wall:8.1f} {cpu:8.1f} {ratio(wall)}")
    ov = result["overlap"]
    print(f"{'floor: embed every passage alone':42} {floor:8.1f} {result['floor_cpu_s']:8.1f}")
    stage_sum = sum(w for name, w, _ in rows if not name.startswith("index build"))
    print(f"{'ingest wall':42} {result['seconds']:8.1f} {'':8} {ratio(result['seconds'])}")
    print(
        f"sum of stages {stage_sum:.1f} s over {result['seconds']} s wall; threads busy: extract "
        f"{ov['extract_busy_s']} s, embed {ov['embed_busy_s']} s, write {ov['write_busy_s']} s; "
        f">= 2 busy {ov['two_or_more_s']} s, all 3 {ov['all_three_s']} s"
    )
    print(
        f"{result['passages']} passages in {result['seconds']} s "
        f"= {result['passages_per_s']} passages/s (models loaded in {result['model_load_s']} s)"
    )
    print(
        f"{result['chunks']} chunks, {result['entities']} entities, {result['triples']} triples; "
        f"{result['failed']} failed"
    )
    print(
        f"peak RSS {result['peak_rss_mb']} MB (python), {result['server_rss_mb']} MB "
        "(FalkorDB server)"
    )
    if result["extract_process"]:
        print(
            f"extraction process: CPU {result['extract_process_cpu_s']} s, RSS "
            f"{result['extract_process_rss_mb']} MB at the end"
        )
    print(
        f"CPU {result['cpu_s']} s (python), {result['server_cpu_s']} s (FalkorDB server); "
        f"close {result['close_s']} s, reopen {result['reopen_s']} s (first answer), "
        f"{result['reopen_to_vector_s']} s (first vector hit); 1-min load average "
        f"{result['load_avg'][0]:.2f} before, {result['load_avg'][1]:.2f} after "
        f"({os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    sys.exit(main())

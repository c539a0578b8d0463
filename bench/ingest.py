"""Ingest the 2WikiMultiHopQA corpus (6,119 passages) into a fresh store and time each stage.

    python bench/ingest.py [--corpus PATH] [--limit N] [--json]

Each passage becomes one document (its title + text). Prints passages/s, chunks, entities,
triples, peak RSS (this process and the FalkorDB server) and the seconds spent reading,
chunking, extracting, embedding and writing; the last line is the same as JSON. Stage
seconds overlap (three stages run at once) and stretch with the machine's load, so the CPU
seconds used (this process and the server) and the load average are printed too.
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

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.embed import Embedder  # noqa: E402
from kg.extract import make_extractor  # noqa: E402
from kg.ingest.pipeline import Ingestor, text_sha256  # noqa: E402
from kg.ingest.readers import SourceText  # noqa: E402
from kg.models import ADMIN  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "benchmarks" / "2wikimultihopqa" / "corpus.json"


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


def server_rss_mb() -> float:
    """Resident memory of the FalkorDB child server(s) right now."""
    kids = psutil.Process().children(recursive=True)
    return sum(k.memory_info().rss for k in kids if k.is_running()) / 1048576


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def server_cpu_seconds() -> float:
    """CPU the FalkorDB child server(s) used so far (index building happens there)."""
    kids = psutil.Process().children(recursive=True)
    return sum(cpu_seconds(k) for k in kids if k.is_running())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--batch-chunks", type=int, default=256)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus} (give --corpus PATH)")
        return 0

    items = passages(args.corpus, args.limit)
    folder = Path(tempfile.mkdtemp(prefix="kgqa-bench-", dir="/tmp"))
    settings = Settings(store=folder)
    t0 = time.perf_counter()
    embedder = Embedder(settings)
    extractor = make_extractor(settings)
    load_s = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
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
            counts = store.counts([ADMIN])
            server_mb = server_rss_mb()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    result = {
        "passages": len(items),
        "failed": report.totals["error"],
        "seconds": round(report.seconds, 1),
        "passages_per_s": round(len(items) / report.seconds, 1) if report.seconds else 0.0,
        "model_load_s": round(load_s, 1),
        "chunks": counts.chunks,
        "entities": counts.entities,
        "triples": counts.triples,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "server_rss_mb": round(server_mb),
        "cpu_s": round(cpu, 1),
        "server_cpu_s": round(server_cpu, 1),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "stages_s": {k: round(v, 1) for k, v in report.timings.items()},
    }
    if not args.json:
        print(
            f"{result['passages']} passages in {result['seconds']} s "
            f"= {result['passages_per_s']} passages/s (models loaded in {load_s:.1f} s)"
        )
        print(
            f"{counts.chunks} chunks, {counts.entities} entities, {counts.triples} triples; "
            f"{result['failed']} failed"
        )
        print(
            f"peak RSS {result['peak_rss_mb']} MB (python), {result['server_rss_mb']} MB "
            "(FalkorDB server)"
        )
        print(
            f"CPU {result['cpu_s']} s (python), {result['server_cpu_s']} s (FalkorDB server); "
            f"1-min load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after "
            f"({os.cpu_count()} CPUs)"
        )
        for f in report.errors[:5]:
            print(f"failed: {f.path}: {f.message}")
        print("stages: " + ", ".join(f"{k} {v} s" for k, v in result["stages_s"].items()))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

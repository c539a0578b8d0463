"""Perfect retrieval@8 and @4 on 2WikiMultiHopQA: graph-augmented retriever vs dense-only.

    python bench/retrieval.py [--corpus PATH] [--questions PATH] [--store DIR] [--json]

Ingests every passage of the corpus (one document per passage, titled by its title) through
the real Ingestor into a fresh store, then asks each question of both retrievers in the same
run: qa.passage_graph.GraphPassageRetriever, the QA service's dense route (what `ask`
answers from: vector, full-text and graph rankings fused) and a dense-only baseline (the same
embedder, vector top-k over chunks). A question counts as perfect at k when every
supporting title is among the titles of the top k passages. `--store DIR` keeps the
ingested store, so a rerun skips the several-minute ingest. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import passages  # noqa: E402
from kg.embed import Embedder  # noqa: E402
from kg.ingest.pipeline import Ingestor  # noqa: E402
from kg.models import ADMIN, ScoredChunk  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from kg.stores.base import GraphStore  # noqa: E402
from qa.passage_graph import GraphPassageRetriever  # noqa: E402
from qa.service import QAService  # noqa: E402


def default_data() -> Path:
    """$KGQA_BENCHMARKS/2wikimultihopqa, else ../shared/benchmarks/ beside the repo root."""
    base = os.environ.get("KGQA_BENCHMARKS") or ROOT.parent / "shared" / "benchmarks"
    return Path(base) / "2wikimultihopqa"


DATA = default_data()
CUTOFFS = (8, 4)
MARKER = "ingest_s.json"  # written in a --store folder once its ingest completed


def perfect(hits: list[ScoredChunk], supporting: list[str], k: int) -> bool:
    titles = {h.doc_title for h in hits[:k]}
    return all(t in titles for t in supporting)


def ingest(store: GraphStore, settings: Settings, corpus: Path, folder: Path,
           progress: bool) -> float:
    """Ingest the corpus unless `folder` already holds a completed ingest of it (with the
    ingestion's own embedder: bf16 batches where the CPU has it, kg.embed)."""
    marker = folder / MARKER
    items = passages(corpus, None)
    if marker.is_file() and store.counts([ADMIN]).documents == len(items):
        return float(json.loads(marker.read_text())["ingest_s"])
    start = time.perf_counter()
    report = Ingestor(settings, store).ingest_texts(
        items, groups=[], progress=progress, total=len(items)
    )
    seconds = time.perf_counter() - start
    if report.totals["error"]:
        print(f"warning: {report.totals['error']} passages failed to ingest", file=sys.stderr)
    marker.write_text(json.dumps({"ingest_s": seconds}))
    return seconds


def evaluate(store: GraphStore, settings: Settings, embedder: Embedder, questions: list[dict],
             progress: bool) -> dict[str, dict[str, float]]:
    graph = GraphPassageRetriever(store, embedder.encode)
    service = QAService(settings, store, embedder=embedder)
    systems = ("graph", "service", "dense")
    hits_at = {system: dict.fromkeys(CUTOFFS, 0) for system in systems}
    seconds = dict.fromkeys(systems, 0.0)
    top = max(CUTOFFS)
    for q in tqdm(questions, desc="questions", disable=not progress):
        runs = {
            "graph": lambda q=q: graph.run(q["question"], [], k=top),
            "service": lambda q=q: service.retrieve(q["question"], [], route="dense").dense.chunks,
            "dense": lambda q=q: store.vector_search(
                embedder.encode_one(q["question"]), top, []
            ),
        }
        for system, run in runs.items():
            start = time.perf_counter()
            hits = run()
            seconds[system] += time.perf_counter() - start
            for k in CUTOFFS:
                hits_at[system][k] += perfect(hits, q["supporting_titles"], k)
    n = max(1, len(questions))
    return {
        system: {
            **{f"perfect_at_{k}": round(hits_at[system][k] / n, 3) for k in CUTOFFS},
            "seconds_per_question": round(seconds[system] / n, 2),
        }
        for system in hits_at
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus.json")
    parser.add_argument("--questions", type=Path, default=DATA / "questions.json")
    parser.add_argument("--store", type=Path, help="keep the ingested store here and reuse it")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    for path in (args.corpus, args.questions):
        if not path.is_file():
            print(f"skipped: no file at {path} (give --corpus PATH and --questions PATH)")
            return 0
    questions = json.loads(args.questions.read_text(encoding="utf-8"))[: args.limit]
    progress = not args.json
    folder = args.store or Path(tempfile.mkdtemp(prefix="kgqa-ret-", dir="/tmp"))
    settings = Settings(store=folder)
    embedder = Embedder(settings)
    try:
        with open_store(settings, dimension=embedder.dimension) as store:
            ingest_s = ingest(store, settings, args.corpus, folder, progress)
            result = evaluate(store, settings, embedder, questions, progress)
    finally:
        if args.store is None:
            shutil.rmtree(folder, ignore_errors=True)
    summary = {**result, "questions": len(questions), "ingest_s": round(ingest_s, 1)}
    if not args.json:
        for system, figures in result.items():
            print(
                f"{system:>5}: perfect@8 {figures['perfect_at_8']:.3f}  "
                f"perfect@4 {figures['perfect_at_4']:.3f}  "
                f"({figures['seconds_per_question']} s/question)"
            )
        print(f"{len(questions)} questions; ingest {ingest_s:.0f} s")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

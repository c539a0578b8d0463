"""Reopen time and p50/p95 latency of retrieval and of full answers on an ingested store.

    python bench/latency.py --store DIR [--questions PATH] [--limit N] [--no-cli] [--json]

DIR holds an ingested store, e.g. the 6,119 2WikiMultiHopQA passages from
`bench/ingest.py --store DIR` or `bench/retrieval.py --store DIR`. Measures, in order:
`kgqa ask` as a fresh process (store start, model loads, first answer: what a user waits
for); reopening the store in this process until it answers, until its first vector hit,
and until every index is built (the server builds them in the background after loading;
--during-build measures without waiting); then with models loaded, over the fixed question
list (the 51 2Wiki questions): full answers (`QAService.ask`, route chosen by the service,
p50 per route too), the service's retrieval alone (`QAService.retrieve`, a fresh service so
no cached vectors) and the passage retriever (`GraphPassageRetriever.run`, k=8). The last
line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.retrieval import DATA  # noqa: E402
from kg.embed import Embedder  # noqa: E402
from kg.models import ADMIN  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from qa.passage_graph import GraphPassageRetriever  # noqa: E402
from qa.service import QAService  # noqa: E402


def percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0}
    cuts = statistics.quantiles(ms, n=20, method="inclusive") if len(ms) > 1 else ms * 19
    return {"n": len(ms), "p50_ms": round(cuts[9], 1), "p95_ms": round(cuts[18], 1)}


def timed_ms(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return 1000 * (time.perf_counter() - start), value


def cli_first_answer(store: Path, question: str) -> float:
    """Wall seconds of `kgqa ask` in a fresh process (store start + model loads + answer)."""
    kgqa = Path(sys.executable).with_name("kgqa")
    start = time.perf_counter()
    subprocess.run(
        [str(kgqa), "ask", question, "--store", str(store), "--json"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=DATA / "questions.json")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--no-cli", action="store_true", help="skip the `kgqa ask` process")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--during-build", action="store_true",
                        help="measure at once, while the server still builds indexes")
    args = parser.parse_args()
    if not (args.store / "falkordb.lock").exists() or not args.questions.is_file():
        print("skipped: give --store DIR (an ingested store) and --questions PATH")
        return 0
    questions = [q["question"] for q in json.loads(args.questions.read_text())][: args.limit]
    load = [round(os.getloadavg()[0], 2)]
    cli_s = None if args.no_cli else cli_first_answer(args.store, questions[0])

    settings = Settings(store=args.store)
    embedder = Embedder(settings)
    probe = embedder.encode_one(questions[0])
    start = time.perf_counter()
    with open_store(settings, dimension=embedder.dimension) as store:
        documents = store.counts([ADMIN]).documents
        reopen_s = time.perf_counter() - start
        store.vector_search(probe, 1, [ADMIN])
        vector_s = time.perf_counter() - start
        # the server goes on building the other indexes (the ~45k name vectors) on one of
        # the two cores for ~10 s after opening; latency is measured once it is done, as a
        # running service sees it, unless --during-build
        wait = getattr(store.runner, "wait_for_indexes", None)
        if wait is not None and not args.during_build:
            wait()
        built_s = time.perf_counter() - start
        service = QAService(settings, store, embedder=embedder)
        service.ask("Who founded Brightwater Labs?")  # loads spaCy; not a measured question
        answers: dict[str, list[float]] = {}
        for q in questions:
            ms, answer = timed_ms(lambda q=q: service.ask(q))
            answers.setdefault("all", []).append(ms)
            answers.setdefault(answer.route, []).append(ms)
        fresh = QAService(settings, store, embedder=embedder)
        retrieve = [timed_ms(lambda q=q: fresh.retrieve(q))[0] for q in questions]
        workers = settings.query_embed_workers  # as the service encodes a question's texts
        passages = GraphPassageRetriever(store, lambda t: embedder.encode(t, workers=workers))
        passage = [timed_ms(lambda q=q: passages.run(q, [], k=8))[0] for q in questions]
    load.append(round(os.getloadavg()[0], 2))

    result = {
        "documents": documents,
        "questions": len(questions),
        "kgqa_ask_first_answer_s": None if cli_s is None else round(cli_s, 1),
        "reopen_s": round(reopen_s, 2),
        "reopen_to_vector_s": round(vector_s, 2),
        "reopen_to_all_indexes_s": None if args.during_build else round(built_s, 2),
        "answer": {route: percentiles(ms) for route, ms in sorted(answers.items())},
        "retrieve": percentiles(retrieve),
        "passage_retriever_k8": percentiles(passage),
        "load_avg": load,
    }
    if not args.json:
        print(
            f"{documents} documents; `kgqa ask` first answer "
            f"{result['kgqa_ask_first_answer_s']} s; "
            f"reopen {result['reopen_s']} s to the first answer, "
            f"{result['reopen_to_vector_s']} s to the first vector hit, "
            + ("latency measured while the indexes build" if args.during_build else
               f"{result['reopen_to_all_indexes_s']} s to every index built (latency after)")
        )
        rows = [(f"answer ({route})", p) for route, p in result["answer"].items()]
        rows += [("service retrieval", result["retrieve"])]
        rows += [("passage retriever k=8", result["passage_retriever_k8"])]
        print(f"{'':28} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
        for name, p in rows:
            print(f"{name:28} {p['n']:4} {p.get('p50_ms', 0):8.1f} {p.get('p95_ms', 0):8.1f}")
        print(f"1-min load average {load[0]} before, {load[1]} after ({os.cpu_count()} CPUs)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

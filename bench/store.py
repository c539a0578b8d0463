"""Store benchmark: batched writes, vector recall/latency, group-filtered Cypher views.

Synthetic data (random unit vectors, a few triples per document), so it needs no models:
    python bench/store.py --docs 5000 --batch 256 [--m 32 --ef-construction 400 --ef-runtime 400]

The HNSW options default to Settings'; recall@10 is measured against exact search.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.models import ADMIN, Chunk, Document, Entity, Triple  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.stores import open_store  # noqa: E402
from kg.stores.base import DocumentRecords  # noqa: E402

DIM = 384


def make_doc(i: int, vector: np.ndarray, n_entities: int) -> DocumentRecords:
    rng = random.Random(i)
    doc = Document(f"/bench/{i}.txt", f"/bench/{i}.txt", f"doc {i}", f"sha{i}", [f"g{i % 4}"])
    chunk = Chunk(f"c{i}", doc.id, f"passage {i} about entity {i % n_entities}", 0, list(vector))
    keys = [f"entity {rng.randrange(n_entities)}" for _ in range(4)]
    triples = [
        Triple(keys[j], "relate to", keys[j + 1], "", keys[j], keys[j + 1], chunk_id=chunk.id)
        for j in range(3)
    ]
    entities = [Entity(k, k.title()) for k in dict.fromkeys(keys)]
    return doc, [chunk], entities, triples, []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--k", type=int, default=10)
    defaults = Settings()
    ap.add_argument("--m", type=int, default=defaults.hnsw_m)
    ap.add_argument("--ef-construction", type=int, default=defaults.hnsw_ef_construction)
    ap.add_argument("--ef-runtime", type=int, default=defaults.hnsw_ef_runtime)
    args = ap.parse_args()
    print(f"HNSW M {args.m}, efConstruction {args.ef_construction}, efRuntime {args.ef_runtime}")

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(args.docs, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(
            Settings(
                store=Path(folder) / "store",
                hnsw_m=args.m,
                hnsw_ef_construction=args.ef_construction,
                hnsw_ef_runtime=args.ef_runtime,
            ),
            dimension=DIM,
        ) as store,
    ):
        start = time.perf_counter()
        for lo in tqdm(range(0, args.docs, args.batch), desc="write", unit="batch"):
            hi = min(lo + args.batch, args.docs)
            store.replace_documents(
                [make_doc(i, vectors[i], args.docs // 3) for i in range(lo, hi)]
            )
        write_s = time.perf_counter() - start
        print(f"write: {args.docs} docs in {write_s:.1f}s = {args.docs / write_s:.0f} docs/s")
        print(f"counts: {store.counts([ADMIN]).as_dict()}")

        queries = vectors[rng.choice(args.docs, args.queries, replace=False)]
        queries = queries + rng.normal(scale=0.05, size=queries.shape).astype(np.float32)
        hits, latency = 0, 0.0
        for q in queries:
            truth = set(np.argsort(-(vectors @ q))[: args.k])
            start = time.perf_counter()
            found = store.vector_search(list(q), args.k, [ADMIN])
            latency += time.perf_counter() - start
            hits += len({int(h.chunk.id[1:]) for h in found} & {int(t) for t in truth})
        print(
            f"vector recall@{args.k}: {hits / (args.k * args.queries):.3f}, "
            f"{1000 * latency / args.queries:.1f} ms/query (admin)"
        )
        start = time.perf_counter()
        for q in queries[:20]:
            store.vector_search(list(q), args.k, ["g1"])
        print(
            f"vector top-{args.k} for one group: {1000 * (time.perf_counter() - start) / 20:.1f} ms"
        )

        start = time.perf_counter()
        for i in range(20):
            store.fulltext_search(f"which passage is about entity {i}?", args.k, [ADMIN])
        print(
            f"full-text top-{args.k} (3 of 4 words in every passage): "
            f"{1000 * (time.perf_counter() - start) / 20:.1f} ms"
        )

        query = "MATCH (d:Document) RETURN count(d)"
        start = time.perf_counter()
        rows = store.cypher(query, None, ["g1"])[1]
        first = time.perf_counter() - start
        start = time.perf_counter()
        store.cypher(query, None, ["g1"])
        again = time.perf_counter() - start
        print(
            f"cypher as g1 ({rows[0][0]} docs visible): first {1000 * first:.0f} ms "
            f"(copies and prunes a view), cached {1000 * again:.1f} ms"
        )


if __name__ == "__main__":
    main()

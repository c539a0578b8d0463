"""Store benchmark: batched writes, vector recall/latency, group-filtered Cypher views.

Synthetic data (random unit vectors, a few triples per document), so it needs no models:
    python bench/store.py --docs 5000 --batch 256 [--m 32 --ef-construction 400 --ef-runtime 400]
        [--vectors CHUNKS.npy] [--names 7 --name-vectors NAMES.npy --name-m 16 ...]

The HNSW options default to Settings'; recall@10 is measured against exact search, on the
chunk index and (with --names N: N named entities a document, each with a name vector) on
the entity-name index. --vectors / --name-vectors take real vectors (rows of a .npy file,
e.g. exported from an ingested store) instead of random ones: HNSW recall depends on how
the vectors cluster. The FalkorDB server's CPU during the writes is the HNSW insert cost.
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
from kg.stores.base import DocumentRecords, GraphStore  # noqa: E402

DIM = 384


def make_doc(
    i: int, vector: np.ndarray, n_entities: int, names: np.ndarray
) -> DocumentRecords:
    rng = random.Random(i)
    doc = Document(f"/bench/{i}.txt", f"/bench/{i}.txt", f"doc {i}", f"sha{i}", [f"g{i % 4}"])
    chunk = Chunk(f"c{i}", doc.id, f"passage {i} about entity {i % n_entities}", 0, list(vector))
    keys = [f"entity {rng.randrange(n_entities)}" for _ in range(4)]
    triples = [
        Triple(keys[j], "relate to", keys[j + 1], "", keys[j], keys[j + 1], chunk_id=chunk.id)
        for j in range(3)
    ]
    entities = [Entity(k, k.title()) for k in dict.fromkeys(keys)]
    named = [  # the name vectors' rows i*len(names)..: one entity each, key "n<row>"
        Entity(f"n{i * len(names) + j}", f"name {i}-{j}", embedding=list(v))
        for j, v in enumerate(names)
    ]
    mentions = [(chunk.id, e.key) for e in named]
    return doc, [chunk], entities + named, triples, mentions


def unit_rows(path: Path | None, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-length rows: the file's first n (all of them when it has fewer), else random."""
    if path is None:
        rows = rng.normal(size=(n, DIM)).astype(np.float32)
    else:
        rows = np.load(path).astype(np.float32)
        rows = rows[rng.permutation(len(rows))][:n] if n else rows[:0]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def server_cpu_seconds() -> float:
    """CPU the FalkorDB child server used so far (its HNSW inserts happen there)."""
    import psutil

    kids = psutil.Process().children(recursive=True)
    return sum(k.cpu_times().user + k.cpu_times().system for k in kids if k.is_running())


def name_recall(store: GraphStore, names: np.ndarray, args: argparse.Namespace,
                rng: np.random.Generator) -> None:
    """recall@k of the entity-name index against exact search, from slightly moved names."""
    picks = rng.choice(len(names), min(args.queries, len(names)), replace=False)
    queries = names[picks] + rng.normal(scale=0.05, size=(len(picks), DIM)).astype(np.float32)
    hits, latency = 0, 0.0
    for q in queries:
        truth = {f"n{t}" for t in np.argsort(-(names @ q))[: args.k]}
        start = time.perf_counter()
        found = store.entity_vector(list(q), args.k, [ADMIN])
        latency += time.perf_counter() - start
        hits += len({e.key for e, _ in found} & truth)
    print(
        f"name vector recall@{args.k}: {hits / (args.k * len(queries)):.3f}, "
        f"{1000 * latency / len(queries):.1f} ms/query ({len(names)} names)"
    )


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
    ap.add_argument("--vectors", type=Path, help="chunk vectors (.npy rows) instead of random")
    ap.add_argument("--names", type=int, default=0, help="entity-name vectors per document")
    ap.add_argument("--name-vectors", type=Path, help="name vectors (.npy rows)")
    ap.add_argument("--name-m", type=int, default=defaults.hnsw_name_m)
    ap.add_argument("--name-ef-construction", type=int, default=defaults.hnsw_name_ef_construction)
    ap.add_argument("--name-ef-runtime", type=int, default=defaults.hnsw_name_ef_runtime)
    args = ap.parse_args()
    print(f"HNSW M {args.m}, efConstruction {args.ef_construction}, efRuntime {args.ef_runtime}")
    if args.names:
        print(
            f"names: {args.names} a document, M {args.name_m}, efConstruction "
            f"{args.name_ef_construction}, efRuntime {args.name_ef_runtime}"
        )

    rng = np.random.default_rng(0)
    vectors = unit_rows(args.vectors, args.docs, rng)
    args.docs = len(vectors)
    names = unit_rows(args.name_vectors, args.docs * args.names, rng)[: args.docs * args.names]
    names = names.reshape(args.docs, args.names, DIM)
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(
            Settings(
                store=Path(folder) / "store",
                hnsw_m=args.m,
                hnsw_ef_construction=args.ef_construction,
                hnsw_ef_runtime=args.ef_runtime,
                hnsw_name_m=args.name_m,
                hnsw_name_ef_construction=args.name_ef_construction,
                hnsw_name_ef_runtime=args.name_ef_runtime,
            ),
            dimension=DIM,
        ) as store,
    ):
        server_cpu = server_cpu_seconds()
        start = time.perf_counter()
        for lo in tqdm(range(0, args.docs, args.batch), desc="write", unit="batch"):
            hi = min(lo + args.batch, args.docs)
            store.replace_documents(
                [make_doc(i, vectors[i], args.docs // 3, names[i]) for i in range(lo, hi)]
            )
        write_s = time.perf_counter() - start
        print(
            f"write: {args.docs} docs in {write_s:.1f}s = {args.docs / write_s:.0f} docs/s; "
            f"FalkorDB server CPU {server_cpu_seconds() - server_cpu:.1f} s"
        )
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
        if args.names:
            name_recall(store, names.reshape(-1, DIM), args, rng)
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

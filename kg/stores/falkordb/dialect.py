"""FalkorDB's Cypher: vecf32 vectors, db.idx procedures, RediSearch full-text syntax."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.stores.cypher_backend import Hnsw

name = "falkordb"

# RediSearch treats punctuation as syntax; only word characters reach the index.
_WORD = re.compile(r"\w+", re.UNICODE)


def _hnsw(dimension: int, options: Hnsw) -> str:
    return (
        f"{{dimension: {int(dimension)}, similarityFunction: 'cosine', M: {int(options.m)},"
        f" efConstruction: {int(options.ef_construction)},"
        f" efRuntime: {int(options.ef_runtime)}}}"
    )


def schema(dimension: int, chunks: Hnsw, names: Hnsw) -> list[str]:
    """`names` sizes the entity-name index apart from the chunks' (~6x as many vectors)."""
    hnsw = _hnsw(dimension, chunks)
    name_hnsw = _hnsw(dimension, names)
    return [
        "CREATE INDEX FOR (d:Document) ON (d.id)",
        "CREATE INDEX FOR (c:Chunk) ON (c.id)",
        "CREATE INDEX FOR (c:Chunk) ON (c.doc_id)",
        "CREATE INDEX FOR (c:StagedChunk) ON (c.id)",
        "CREATE INDEX FOR (c:StagedChunk) ON (c.stage)",
        "CREATE INDEX FOR ()-[s:STAGED_REL]-() ON (s.stage)",
        "CREATE INDEX FOR (e:Entity) ON (e.key)",
        "CREATE INDEX FOR ()-[r:REL]-() ON (r.doc_id)",
        f"CREATE VECTOR INDEX FOR (c:Chunk) ON (c.embedding) OPTIONS {hnsw}",
        # entity-name vectors sit on a label of their own (a second label of the Entity
        # node): the server builds one index per label after loading, so the Entity
        # full-text and key indexes are ready long before the ~45k name vectors' HNSW
        f"CREATE VECTOR INDEX FOR (n:NameVector) ON (n.embedding) OPTIONS {name_hnsw}",
        "CALL db.idx.fulltext.createNodeIndex('Chunk', 'text')",
        # a Chinese chunk's segmented words (kg.zh.index_terms); a separate call, so a store
        # made before it gains the field on open
        "CALL db.idx.fulltext.createNodeIndex('Chunk', 'terms')",
        "CALL db.idx.fulltext.createNodeIndex('Entity', 'name')",
    ]


def legacy_drops() -> list[str]:
    """DDL removing what a schema-1 store has and this layout no longer uses."""
    return ["DROP VECTOR INDEX FOR (e:Entity) ON (e.embedding)"]


def vector(expr: str) -> str:
    return f"vecf32({expr})"


def cosine(a: str, b: str) -> str:
    """Cosine similarity of two vecf32 expressions (the server has the distance)."""
    return f"(1 - vec.cosineDistance({a}, {b}))"


def vector_call(label: str) -> str:
    return (
        f"CALL db.idx.vector.queryNodes('{label}', 'embedding', $fetch, vecf32($v))"
        " YIELD node, score"
    )


def fulltext_call(label: str) -> str:
    return f"CALL db.idx.fulltext.queryNodes('{label}', $q) YIELD node, score"


def fulltext_text(text: str) -> str:
    """Any of the words (OR), so a question finds passages sharing some of its terms."""
    words = dict.fromkeys(w.strip("_").lower() for w in _WORD.findall(text))
    return "|".join(w for w in words if w)  # a bare "_" breaks RediSearch's OR syntax


def similarity(score: float) -> float:
    """FalkorDB reports cosine DISTANCE (0 = same direction)."""
    return 1.0 - float(score)


def subquery(scope: Sequence[str], body: str) -> str:
    """FalkorDB imports variables with a leading WITH (it has no `CALL (e) {...}`)."""
    imports = f"WITH {', '.join(scope)} " if scope else ""
    return f"CALL {{ {imports}{body} }}"

"""Neo4j 5's Cypher: constraints and named indexes, db.index.* procedures, Lucene full-text.

Needs Neo4j 5.15 or later (`CREATE VECTOR INDEX`; vector indexes are GA since 5.13).
Neo4j's HNSW defaults are kept: setting `vector.hnsw.*` would raise the minimum version.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.stores.cypher_backend import Hnsw

name = "neo4j"

# Index names per label; the procedures address indexes by name, not by label.
# Entity-name vectors are on NameVector, a second label of their Entity node (see
# cypher_statements.py); schema-1 stores had them on Entity (index entity_embedding).
VECTOR_INDEX = {"Chunk": "chunk_embedding", "NameVector": "name_vector"}
FULLTEXT_INDEX = {"Chunk": "chunk_text", "Entity": "entity_name"}
# Chunk.terms: a Chinese chunk's segmented words (kg.zh.index_terms), '' for other text
_FULLTEXT_PROPERTY = {"Chunk": "n.text, n.terms", "Entity": "n.name"}

# Lucene query syntax treats punctuation (and AND/OR/NOT) as operators; only words go in.
_WORD = re.compile(r"\w+", re.UNICODE)


def schema(dimension: int, chunks: Hnsw, names: Hnsw) -> list[str]:
    """Uniqueness constraints, lookup indexes, vector and full-text indexes (idempotent).

    `chunks` and `names` are FalkorDB's HNSW knobs; Neo4j 5.15 has no equivalent in
    `CREATE VECTOR INDEX`, so they are accepted and not used.
    """
    dims = int(dimension)
    out = [
        "CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE",
        "CREATE CONSTRAINT chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE",
        "CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (e:Entity) REQUIRE e.key IS UNIQUE",
        "CREATE INDEX chunk_doc_id IF NOT EXISTS FOR (c:Chunk) ON (c.doc_id)",
        "CREATE INDEX staged_chunk_stage IF NOT EXISTS FOR (c:StagedChunk) ON (c.stage)",
        "CREATE INDEX staged_chunk_id IF NOT EXISTS FOR (c:StagedChunk) ON (c.id)",
        "CREATE INDEX rel_doc_id IF NOT EXISTS FOR ()-[r:REL]-() ON (r.doc_id)",
        "CREATE INDEX staged_rel_stage IF NOT EXISTS FOR ()-[r:STAGED_REL]-() ON (r.stage)",
    ]
    for label, index in VECTOR_INDEX.items():
        out.append(
            f"CREATE VECTOR INDEX {index} IF NOT EXISTS FOR (n:{label}) ON n.embedding "
            f"OPTIONS {{indexConfig: {{`vector.dimensions`: {dims}, "
            "`vector.similarity_function`: 'cosine'}}"
        )
    for label, index in FULLTEXT_INDEX.items():
        prop = _FULLTEXT_PROPERTY[label]
        out.append(
            f"CREATE FULLTEXT INDEX {index} IF NOT EXISTS FOR (n:{label}) ON EACH [{prop}]"
        )
    return out


def legacy_drops() -> list[str]:
    """DDL removing what a schema-1 store has and this layout no longer uses."""
    return ["DROP INDEX entity_embedding IF EXISTS"]


def vector(expr: str) -> str:
    """A LIST<FLOAT> property. toFloat turns a non-number into null, and Neo4j refuses to
    store a list holding null, so a bad vector fails the write as vecf32 does on FalkorDB."""
    return f"[x IN {expr} | toFloat(x)]"


def cosine(a: str, b: str) -> str:
    """Cosine similarity of two unit LIST<FLOAT> expressions, as their dot product:
    vector.similarity.cosine would need Neo4j 5.18."""
    return f"reduce(s = 0.0, i IN range(0, size({a}) - 1) | s + {a}[i] * {b}[i])"


def vector_call(label: str) -> str:
    return (
        f"CALL db.index.vector.queryNodes('{VECTOR_INDEX[label]}', $fetch, $v)"
        " YIELD node, score"
    )


def fulltext_call(label: str) -> str:
    return f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX[label]}', $q) YIELD node, score"


def fulltext_text(text: str) -> str:
    """Any of the words (Lucene's default OR), lower-cased so AND/OR/NOT stay plain words."""
    words = dict.fromkeys(w.lower() for w in _WORD.findall(text))
    return " ".join(words)


def similarity(score: float) -> float:
    """Neo4j reports cosine as (1 + cos) / 2 in [0, 1]; the store compares plain cosine."""
    return 2.0 * float(score) - 1.0


def subquery(scope: Sequence[str], body: str) -> str:
    """Neo4j 5's variable scope clause (an importing WITH inside CALL is deprecated)."""
    return f"CALL ({', '.join(scope)}) {{ {body} }}"

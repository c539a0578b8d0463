"""Every Cypher statement the store runs, built once from constant templates and a dialect.

Nothing here is built from data: user values always travel as parameters. `statements()`
enumerates them all (schema included) so a backend's linter can check each one.

Graph model (see README, "Graph model"):
  (:Document {id, path, title, sha256, groups})
  (:Chunk {id, doc_id, text, paragraphs, position, embedding, groups})-[:PART_OF]->(:Document)
  (:Entity {key, name, type, aliases}) — one with a name vector is (:Entity:NameVector
  {..., embedding}): the vector index is on NameVector, so the Entity label's own indexes
  (key, full-text name) are built on load without waiting for ~45k HNSW inserts. Schema-1
  stores kept the vector on Entity; CypherStore migrates them on open.
  (:Entity)-[:REL {predicate, relations, forms, chunk_id, doc_id, sentence, groups}]->(:Entity)
  (:Chunk)-[:MENTIONS]->(:Entity)
While a document is being replaced its new chunks are (:StagedChunk {stage}) and its new
relations [:STAGED_REL {stage}]; one final statement swaps them in and adds the document's
aliases and types to its entities (see cypher_store.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.models import StoredTriple
from kg.stores.cypher_backend import Dialect, Hnsw

MAX_PATH_HOPS = 4  # paths() tries lengths 1..MAX_PATH_HOPS, each a constant statement


def visible(var: str) -> str:
    """The visibility predicate on a node or edge carrying denormalised `groups`."""
    return (
        f"(size({var}.groups) = 0 OR '*' IN $groups OR any(g IN {var}.groups WHERE g IN $groups))"
    )


# A triple as returned by every relation read: [subject name, predicate, object name,
# subject key, object key, doc id, chunk id, sentence, relations, predicate forms] for edge
# variable `r`.
TRIPLE = (
    "[startNode({r}).name, {r}.predicate, endNode({r}).name, startNode({r}).key,"
    " endNode({r}).key, {r}.doc_id, {r}.chunk_id, {r}.sentence, {r}.relations, {r}.forms]"
)


def stored_triple(row: Sequence[Any]) -> StoredTriple:
    """A TRIPLE row read back (a store written before `forms` has them null)."""
    s, p, o, sk, ok, doc, chunk, sentence, relations, forms = row
    return StoredTriple(s, p, o, sk, ok, doc, chunk, sentence or "", tuple(relations or ()),
                        None if forms is None else tuple(forms))


ENTITY = "e.key, e.name, e.type, e.aliases"
CHUNK_COLUMNS = "c.id, c.doc_id, c.text, c.position, d.path, d.title"
CHUNK_HIT = CHUNK_COLUMNS + ", score"

# Deletes a document's chunks and relations, then the entities nothing mentions any more
# (a staged chunk's mention counts, so an entity the new version keeps is kept).
# Expects $doc_id; leaves one row behind.
_DROP_DOCUMENT = """
OPTIONAL MATCH (:Chunk {doc_id: $doc_id})-[:MENTIONS]->(m:Entity)
WITH collect(DISTINCT m) AS touched
OPTIONAL MATCH ()-[r:REL {doc_id: $doc_id}]->()
DELETE r
WITH touched, count(*) AS _r
OPTIONAL MATCH (c:Chunk {doc_id: $doc_id})
DETACH DELETE c
WITH touched, count(*) AS _c
OPTIONAL MATCH (d:Document {id: $doc_id})
DETACH DELETE d
WITH touched, count(*) AS _d
UNWIND touched AS e
WITH e WHERE NOT (e)<-[:MENTIONS]-()
DETACH DELETE e
WITH count(*) AS _e
"""

_PROMOTE = """
CREATE (d:Document {id: $doc_id, path: $path, title: $title, sha256: $sha256,
                    groups: $doc_groups})
WITH d
MATCH (c:StagedChunk {stage: $stage})
REMOVE c:StagedChunk
SET c.stage = null
SET c:Chunk
CREATE (c)-[:PART_OF]->(d)
WITH count(*) AS _p
MATCH ()-[s:STAGED_REL {stage: $stage}]->()
WITH s, startNode(s) AS a, endNode(s) AS b
CREATE (a)-[:REL {predicate: s.predicate, relations: s.relations, forms: s.forms,
                  chunk_id: s.chunk_id,
                  doc_id: s.doc_id,
                  sentence: s.sentence, groups: s.groups}]->(b)
DELETE s
WITH count(*) AS _s
UNWIND $entities AS r
MATCH (e:Entity {key: r.key})
WITH e, r
WHERE (coalesce(e.type, '') = '' AND coalesce(r.type, '') <> '')
   OR any(a IN r.aliases WHERE NOT a IN coalesce(e.aliases, []))
SET e.aliases = reduce(acc = coalesce(e.aliases, []), a IN r.aliases |
                       CASE WHEN a IN acc THEN acc ELSE acc + a END),
    e.type = CASE WHEN coalesce(e.type, '') = '' THEN r.type ELSE e.type END
RETURN count(*)
"""


def build(dialect: Dialect) -> dict[str, str]:
    """Name -> statement for everything the store runs after the schema exists."""
    vec = dialect.vector
    q: dict[str, str] = {}

    # ---- meta -----------------------------------------------------------------------------
    q["meta_get"] = (
        "MATCH (m:StoreMeta) RETURN m.schema, m.dimension, m.embedder, m.name_embedder"
    )
    q["meta_set"] = (
        "MERGE (m:StoreMeta) SET m.schema = $schema, m.dimension = $dimension, "
        "m.embedder = $embedder, m.name_embedder = $name_embedder"
    )
    # either layout: schema 1 held name vectors on Entity without the NameVector label
    q["any_entity_vector"] = (
        "MATCH (e:Entity) WHERE e.embedding IS NOT NULL RETURN e.key LIMIT 1"
    )
    q["migrate_name_vectors"] = (
        "MATCH (e:Entity) WHERE e.embedding IS NOT NULL AND NOT e:NameVector "
        "WITH e LIMIT $batch SET e:NameVector"
    )
    q["unmigrated_name_vector"] = (
        "MATCH (e:Entity) WHERE e.embedding IS NOT NULL AND NOT e:NameVector "
        "RETURN e.key LIMIT 1"
    )

    # ---- staged writes (invisible to every read until the swap) ---------------------------
    q["stage_chunks"] = (
        "UNWIND $rows AS r "
        "CREATE (c:StagedChunk {id: r.id, doc_id: r.doc_id, text: r.text, terms: r.terms,"
        " paragraphs: r.paragraphs, position: r.position, groups: r.groups, stage: r.stage}) "
        f"SET c.embedding = {vec('r.embedding')}"
    )
    # Entities must exist before mentions and triples can point at them, but what a write
    # adds to an existing one (aliases, a missing type) waits for the swap: a failed write
    # leaves entities as they were. A new entity starts as its first document's swap would
    # leave it, and one nothing ends up mentioning is discarded.
    q["merge_entities"] = (
        "UNWIND $rows AS r "
        "MERGE (e:Entity {key: r.key}) "
        "ON CREATE SET e.name = r.name, e.type = r.type, e.aliases = r.aliases"
    )
    # rows with a vector only; an entity keeps the first vector it was given
    q["merge_name_vectors"] = (
        "UNWIND $rows AS r "
        "MATCH (e:Entity {key: r.key}) WHERE e.embedding IS NULL "
        f"SET e:NameVector, e.embedding = {vec('r.embedding')}"
    )
    q["stage_mentions"] = (
        "UNWIND $rows AS r "
        "MATCH (c:StagedChunk {id: r.chunk_id}) WHERE c.stage = r.stage "
        "MATCH (e:Entity {key: r.key}) "
        "MERGE (c)-[:MENTIONS]->(e)"
    )
    q["stage_triples"] = (
        "UNWIND $rows AS r "
        "MATCH (a:Entity {key: r.subject_key}) "
        "MATCH (b:Entity {key: r.object_key}) "
        "CREATE (a)-[:STAGED_REL {predicate: r.predicate, relations: r.relations,"
        " forms: r.forms,"
        " chunk_id: r.chunk_id,"
        " doc_id: r.doc_id, sentence: r.sentence, groups: r.groups, stage: r.stage}]->(b)"
    )
    # The one atomic statement that replaces the old version with the staged one.
    q["swap_document"] = _DROP_DOCUMENT + _PROMOTE
    q["delete_document"] = _DROP_DOCUMENT + "RETURN _e"
    # Whatever a failed or interrupted write left behind (any stage).
    # a read first, so opening a clean store writes nothing (FalkorDB holds a write back
    # until the indexes it builds after loading are done); orphan entities are looked for
    # only with staged leftovers (they are invisible anyway: no chunk mentions them)
    q["leftovers"] = (
        "OPTIONAL MATCH (c:StagedChunk) WITH count(c) AS chunks "
        "OPTIONAL MATCH ()-[s:STAGED_REL]->() RETURN chunks, count(s)"
    )
    q["discard_staged_chunks"] = "MATCH (c:StagedChunk) DETACH DELETE c"
    q["discard_staged_rels"] = "MATCH ()-[s:STAGED_REL]->() DELETE s"
    q["discard_orphan_entities"] = "MATCH (e:Entity) WHERE NOT (e)<-[:MENTIONS]-() DETACH DELETE e"
    q["set_groups"] = (
        "MATCH (d:Document {id: $doc_id}) SET d.groups = $doc_groups "
        "WITH d OPTIONAL MATCH (c:Chunk {doc_id: $doc_id}) "
        "WITH d, collect(c) AS cs FOREACH (x IN cs | SET x.groups = $doc_groups) "
        "WITH d OPTIONAL MATCH ()-[r:REL {doc_id: $doc_id}]->() "
        "WITH d, collect(r) AS rs FOREACH (x IN rs | SET x.groups = $doc_groups) "
        "RETURN count(d)"
    )

    # ---- reads --------------------------------------------------------------------------
    doc_cols = "d.id, d.path, d.title, d.sha256, d.groups"
    q["get_document"] = f"MATCH (d:Document {{id: $doc_id}}) WHERE {visible('d')} RETURN {doc_cols}"
    q["list_documents"] = f"MATCH (d:Document) WHERE {visible('d')} RETURN {doc_cols} ORDER BY d.id"
    q["get_chunks"] = (
        "UNWIND $ids AS id MATCH (c:Chunk {id: id}) "
        f"WHERE {visible('c')} RETURN c.id, c.doc_id, c.text, c.position"
    )
    # An entity is visible when a visible chunk mentions it: one such chunk is enough (a
    # common entity has thousands of mentions; expanding them all cost ~80 ms a lookup).
    mentioned = dialect.subquery(
        ["e"], f"MATCH (c:Chunk)-[:MENTIONS]->(e) WHERE {visible('c')} RETURN c LIMIT 1"
    ) + " "
    # By key only, through the range index (CypherStore maps aliases to keys); an OR with
    # the alias test made the planner scan every entity and every chunk (40-55 ms a call)
    q["find_entities"] = (
        "UNWIND $keys AS k MATCH (e:Entity {key: k}) WITH DISTINCT e "
        + mentioned
        + f"RETURN {ENTITY}"
    )
    q["entity_aliases"] = "MATCH (e:Entity) WHERE size(e.aliases) > 0 RETURN e.key, e.aliases"
    # The best $fetch by score are checked for visibility, not every match: a name with a
    # common word ("Dark River (2017 Film)" matches ~2,300 entities) cost 50-70 ms a lookup
    # checked in full, 3-4 ms cut first. The key breaks ties, so the cut keeps what the
    # whole ranking would; CypherStore widens the cut when too few of it are visible.
    q["entity_fulltext"] = (
        dialect.fulltext_call("Entity")
        + " WITH node AS e, score ORDER BY score DESC, e.key LIMIT $fetch "
        + mentioned
        + f"WITH DISTINCT e, score RETURN {ENTITY}, score ORDER BY score DESC, e.key LIMIT $k"
    )
    q["entity_vector"] = (
        dialect.vector_call("NameVector")
        + " WITH node AS e, score "
        + mentioned
        + f"WITH DISTINCT e, score RETURN {ENTITY}, score"
    )
    q["neighbours"] = (
        "UNWIND $keys AS k MATCH (:Entity {key: k})-[r:REL]-(:Entity) "
        f"WHERE {visible('r')} RETURN {TRIPLE.format(r='r')} LIMIT $limit"
    )
    for hops in range(1, MAX_PATH_HOPS + 1):
        q[f"paths_{hops}"] = (
            "MATCH (a:Entity {key: $source}) MATCH (b:Entity {key: $target}) "
            f"MATCH p = (a)-[:REL*{hops}..{hops}]-(b) "
            f"WHERE all(r IN relationships(p) WHERE {visible('r')}) "
            f"RETURN [r IN relationships(p) | {TRIPLE.format(r='r')}] LIMIT $limit"
        )
    q["triples"] = (
        "MATCH (a:Entity)-[r:REL]->(b:Entity) "
        f"WHERE {visible('r')} AND ($subject IS NULL OR a.key = $subject)"
        " AND ($predicate IS NULL OR r.predicate = $predicate)"
        " AND ($object IS NULL OR b.key = $object) "
        f"RETURN {TRIPLE.format(r='r')} "
        "ORDER BY a.key, r.predicate, b.key, r.chunk_id LIMIT $limit"
    )
    q["chunk_paragraphs"] = (
        "UNWIND $ids AS id MATCH (c:Chunk {id: id}) "
        f"WHERE {visible('c')} AND c.paragraphs IS NOT NULL RETURN c.id, c.paragraphs"
    )
    q["chunk_entities"] = (
        "UNWIND $ids AS id MATCH (c:Chunk {id: id}) "
        f"WHERE {visible('c')} OPTIONAL MATCH (c)-[:MENTIONS]->(e:Entity) "
        "RETURN c.id, collect(e.key)"
    )
    chunk_hit = f" WITH node AS c, score WHERE {visible('c')} MATCH (c)-[:PART_OF]->(d:Document) "
    q["vector_search"] = dialect.vector_call("Chunk") + chunk_hit + f"RETURN {CHUNK_HIT}"
    # One word's best $cap visible hits, and how many visible chunks hold it.
    q["fulltext_term"] = (
        dialect.fulltext_call("Chunk") + f" WITH node AS c, score WHERE {visible('c')}"
        " WITH c, score ORDER BY score DESC"
        " WITH collect(c.id) AS ids, collect(score) AS scores, count(c) AS df"
        " RETURN ids[..$cap], scores[..$cap], df"
    )
    q["chunk_hits"] = (
        "UNWIND $ids AS id MATCH (c:Chunk {id: id})-[:PART_OF]->(d:Document) "
        f"WHERE {visible('c')} RETURN {CHUNK_COLUMNS}"
    )
    document_chunks = (
        "UNWIND $ids AS id MATCH (c:Chunk {doc_id: id})-[:PART_OF]->(d:Document) "
        f"WHERE {visible('c')} RETURN {CHUNK_COLUMNS}"
    )
    in_order = " ORDER BY c.doc_id, c.position"
    q["document_chunks"] = f"{document_chunks}, c.embedding{in_order}"
    # the chunks' cosine to each of $against, computed by the server beside the vectors
    cosines = f"[v IN against | {dialect.cosine('c.embedding', 'v')}]"
    q["document_chunk_similarities"] = (
        f"WITH [v IN $against | {vec('v')}] AS against "
        f"{document_chunks}, {cosines}{in_order}"
    )
    q["total_vector_search"] = "MATCH (c:Chunk) RETURN count(c)"
    q["total_entity_vector"] = "MATCH (e:NameVector) RETURN count(e)"
    q["count_documents"] = f"MATCH (d:Document) WHERE {visible('d')} RETURN count(d)"
    q["count_hidden_documents"] = f"MATCH (d:Document) WHERE NOT {visible('d')} RETURN count(d)"
    q["count_chunks"] = f"MATCH (c:Chunk) WHERE {visible('c')} RETURN count(c)"
    q["count_entities"] = (
        f"MATCH (c:Chunk)-[:MENTIONS]->(e:Entity) WHERE {visible('c')} RETURN count(DISTINCT e)"
    )
    q["count_triples"] = f"MATCH ()-[r:REL]->() WHERE {visible('r')} RETURN count(r)"

    # ---- pruning a throw-away view down to what $groups may see (cypher()) --------------
    q["prune_rels"] = f"MATCH ()-[r:REL]->() WHERE NOT {visible('r')} DELETE r"
    q["prune_chunks"] = f"MATCH (c:Chunk) WHERE NOT {visible('c')} DETACH DELETE c"
    q["prune_documents"] = f"MATCH (d:Document) WHERE NOT {visible('d')} DETACH DELETE d"
    return q


PRUNE_ORDER = (
    "discard_staged_rels",
    "discard_staged_chunks",
    "prune_rels",
    "prune_chunks",
    "prune_documents",
    "discard_orphan_entities",
)


def statements(
    dialect: Dialect,
    dimension: int = 384,
    m: int = 32,
    ef_construction: int = 400,
    ef_runtime: int = 400,
) -> dict[str, str]:
    """Every statement the store can emit for `dialect`, schema first (for linters)."""
    options = Hnsw(m, ef_construction, ef_runtime)
    schema = dialect.schema(dimension, options, options)
    out = {f"schema_{i}": s for i, s in enumerate(schema)}
    out.update({f"legacy_drop_{i}": s for i, s in enumerate(dialect.legacy_drops())})
    out.update(build(dialect))
    return out

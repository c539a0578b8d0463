"""GraphStore in Cypher, the same for every backend: only the dialect and runner differ.

Replacing a document is all-or-nothing without multi-statement transactions: the new
version is written as staged records (StagedChunk nodes, STAGED_REL edges) that no read
sees, then one statement deletes the old version, promotes the staged one and adds the new
aliases and types to its entities. A failure before the swap discards the staged records
(and the entities only they mention); the swap itself is a single (atomic) statement.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from kg.extract.paragraphs import from_json
from kg.models import (
    ADMIN,
    Chunk,
    Counts,
    Document,
    Entity,
    Paragraph,
    ScoredChunk,
    StoredTriple,
    Triple,
    normalise_groups,
)
from kg.settings import Settings
from kg.stores.base import (
    Dimension,
    DocumentRecords,
    GraphStore,
    Groups,
    StoreError,
    dimension_mismatch,
    embedder_mismatch,
)
from kg.stores.cypher_backend import Dialect, Hnsw, Runner, Statement
from kg.stores.cypher_statements import MAX_PATH_HOPS, PRUNE_ORDER, build, stored_triple
from kg.stores.fulltext_rank import query_terms, rank
from kg.stores.readonly import check_params, check_read_only
from kg.stores.write_rows import WriteRows, merge_entity_rows

# 2: entity-name vectors on the NameVector label (1: on Entity; migrated on open)
SCHEMA_VERSION = 2
MIGRATE_BATCH = 5_000  # entities relabelled per statement when a schema-1 store is opened
BATCH = 200  # rows per UNWIND statement
MAX_VECTOR_FETCH = 100_000
FULLTEXT_HITS_PER_WORD = 200
UNLIMITED = 1_000_000_000  # FalkorDB rejects LIMITs near 2**40


def _entity(row: list[Any]) -> Entity:
    key, name, type_, aliases = row[:4]
    return Entity(key=key, name=name, type=type_ or "", aliases=list(aliases or []))


def _scored_chunk(row: list[Any], score: float) -> ScoredChunk:
    cid, doc_id, text, position, path, title = row[:6]
    return ScoredChunk(Chunk(cid, doc_id, text, position), score, path or "", title or "")


def _compared_chunk(row: list[Any]) -> ScoredChunk:
    """A document_chunk_similarities row: the chunk's columns, then its cosines (none for
    a chunk stored without a vector)."""
    sims = () if None in row[6] else tuple(float(x) for x in row[6])
    hit = _scored_chunk(row, sims[0] if sims else 0.0)
    hit.similarities = sims
    return hit


class CypherStore(GraphStore):
    """The store over any Cypher backend; see cypher_backend for what a backend supplies."""

    def __init__(
        self,
        dialect: Dialect,
        runner: Runner,
        dimension: Dimension,
        settings: Settings | None = None,
    ):
        settings = settings or Settings()
        self.dialect = dialect
        self.runner = runner
        self.q = build(dialect)
        self.dimension = self._resolve_dimension(dimension)
        from kg.embed import embedder_id  # no model is loaded: the ids come from settings

        self.embedder = embedder_id(settings)
        self.name_embedder = settings.name_embedder
        self.cypher_timeout_s = settings.cypher_timeout_s
        self._write_lock = threading.RLock()
        self._closed = False
        self._aliases: tuple[int, dict[str, tuple[str, ...]]] | None = None
        self._hidden: dict[tuple[str, ...], tuple[int, int]] = {}  # asker -> (revision, n)
        self._schema = dialect.schema(
            self.dimension,
            Hnsw(settings.hnsw_m, settings.hnsw_ef_construction, settings.hnsw_ef_runtime),
            Hnsw(
                settings.hnsw_name_m,
                settings.hnsw_name_ef_construction,
                settings.hnsw_name_ef_runtime,
            ),
        )
        self._check_meta()  # first: a schema-1 store is migrated before its new index exists
        runner.ensure_schema(self._schema)
        self._discard_staged()  # an interrupted write of an earlier process

    # ---- helpers ------------------------------------------------------------------------
    def _resolve_dimension(self, dimension: Dimension) -> int:
        """A number as given; a function only when the store records no dimension yet."""
        if isinstance(dimension, int):
            return dimension
        rows = self.runner.read(self.q["meta_get"], {})
        if rows and rows[0][1] is not None:
            return int(rows[0][1])
        return int(dimension())

    def _check_meta(self) -> None:
        """Refuse embeddings of another size or model than the store records; a store that
        records none adopts the current ones. Writes only when the record changes."""
        rows = self.runner.read(self.q["meta_get"], {})
        schema, dimension, embedder, names = rows[0] if rows else [None] * 4
        if dimension is not None and int(dimension) != self.dimension:
            raise dimension_mismatch(int(dimension), self.dimension)
        if embedder is not None:
            from kg.embed import recorded_model

            if recorded_model(embedder) != self.embedder:
                raise embedder_mismatch("KGQA_EMBEDDING_MODEL", recorded_model(embedder),
                                        self.embedder)
        if names is None and embedder is None and self.runner.read(self.q["any_entity_vector"], {}):
            names = "same"  # built before names had their own embedder: by the chunks' model
        if names is not None and names != self.name_embedder:
            raise embedder_mismatch("KGQA_NAME_EMBEDDER", names, self.name_embedder)
        if schema is None or int(schema) < 2:
            self._migrate_name_vectors()
        record = [SCHEMA_VERSION, self.dimension, self.embedder, self.name_embedder]
        if not rows or rows[0] != record:
            fields = ("schema", "dimension", "embedder", "name_embedder")
            params = dict(zip(fields, record, strict=True))
            self.runner.write([(self.q["meta_set"], params)])

    def _migrate_name_vectors(self) -> None:
        """Schema 1 kept name vectors on Entity under a vector index of that label: drop that
        index, give each such entity the NameVector label, and leave the NameVector index to
        ensure_schema, which runs after this: on the 6,118-passage store the open takes 12 s
        this way (the new index then builds in the background as on any reopen), 113 s when
        relabelling into an existing index (an HNSW insert per SET). Runs once; an
        interrupted run resumes on the next open (the meta record says schema 2 only once
        every vector is relabelled)."""
        if not self.runner.read(self.q["any_entity_vector"], {}):
            return
        self.runner.ensure_schema(self.dialect.legacy_drops())
        step = [(self.q["migrate_name_vectors"], {"batch": MIGRATE_BATCH})]
        while self.runner.read(self.q["unmigrated_name_vector"], {}):
            self._write(step)

    def _write(self, statements: Sequence[Statement]) -> None:
        try:
            self.runner.write(statements)
        finally:
            self.runner.invalidate()
            self.revision += 1

    def _discard_staged(self) -> None:
        rows = self.runner.read(self.q["leftovers"], {})
        if rows and not any(rows[0]):
            return
        names = ("discard_staged_rels", "discard_staged_chunks", "discard_orphan_entities")
        self._write([(self.q[n], {}) for n in names])

    def _read(self, name: str, groups: Groups | None = None, **params: Any) -> list[list[Any]]:
        if groups is not None:
            params["groups"] = normalise_groups(groups)
        return self.runner.read(self.q[name], params)

    def _check_vector(self, embedding: Sequence[float]) -> list[float]:
        if len(embedding) != self.dimension:
            raise ValueError(
                f"embedding has {len(embedding)} dimensions, store expects {self.dimension}"
            )
        return [float(x) for x in embedding]

    # ---- writes -------------------------------------------------------------------------
    def replace_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        entities: Sequence[Entity],
        triples: Sequence[Triple],
        mentions: Sequence[tuple[str, str]],
    ) -> None:
        self.replace_documents([(doc, chunks, entities, triples, mentions)])

    def replace_documents(self, batch: Sequence[DocumentRecords]) -> None:
        """Stage every document with a few shared UNWIND statements, then swap each in with
        its own atomic statement. Invalid input is refused before anything is written; a
        database failure while staging writes nothing, then the documents are retried one
        by one so the error names the failing one (those before it are written)."""
        built: list[WriteRows] = []
        for records in batch:
            try:
                built.append(WriteRows.build(*records, self.dimension, uuid.uuid4().hex))
            except ValueError as e:
                self.replace_documents(batch[: len(built)])
                raise ValueError(f"document {records[0].id!r}: {e}") from e
        if not built:
            return
        staging: list[Statement] = []
        entities = merge_entity_rows(built)
        for name, table in (
            ("stage_chunks", [row for rows in built for row in rows.chunks]),
            (
                "merge_entities",
                [{k: r[k] for k in ("key", "name", "type", "aliases")} for r in entities],
            ),
            ("merge_name_vectors", [r for r in entities if r["embedding"] is not None]),
            ("stage_mentions", [row for rows in built for row in rows.mentions]),
            ("stage_triples", [row for rows in built for row in rows.triples]),
        ):
            for start in range(0, len(table), BATCH):
                staging.append((self.q[name], {"rows": table[start : start + BATCH]}))
        with self._write_lock:
            try:
                self._write(staging)
            except Exception as e:
                self._discard_staged()
                if len(built) > 1:
                    for records in batch:
                        self.replace_document(*records)
                    return
                raise StoreError(
                    f"writing document {built[0].doc.id!r} failed, "
                    f"its previous version is unchanged: {e}"
                ) from e
            for rows in built:
                try:
                    self._write([(self.q["swap_document"], rows.swap_params())])
                except Exception as e:
                    self._discard_staged()
                    raise StoreError(
                        f"writing document {rows.doc.id!r} failed, "
                        f"its previous version is unchanged: {e}"
                    ) from e

    def set_groups(self, doc_id: str, groups: Sequence[str]) -> bool:
        params = {"doc_id": doc_id, "doc_groups": normalise_groups(groups)}
        with self._write_lock:
            if not self._read("get_document", [ADMIN], doc_id=doc_id):
                return False
            self._write([(self.q["set_groups"], params)])
        return True

    def delete_document(self, doc_id: str) -> bool:
        with self._write_lock:
            if not self._read("get_document", [ADMIN], doc_id=doc_id):
                return False
            self._write([(self.q["delete_document"], {"doc_id": doc_id})])
        return True

    def clear(self) -> None:
        """Remove every document, chunk, entity and relation (the schema stays)."""
        with self._write_lock:
            try:
                self.runner.reset()
            finally:
                self.runner.invalidate()
                self.revision += 1
            self.runner.ensure_schema(self._schema)
            self._check_meta()

    # ---- reads --------------------------------------------------------------------------
    def get_document(self, doc_id: str, groups: Groups) -> Document | None:
        rows = self._read("get_document", groups, doc_id=doc_id)
        return Document(*rows[0][:4], groups=list(rows[0][4] or [])) if rows else None

    def list_documents(self, groups: Groups) -> list[Document]:
        rows = self._read("list_documents", groups)
        return [Document(*r[:4], groups=list(r[4] or [])) for r in rows]

    def get_chunks(self, chunk_ids: Sequence[str], groups: Groups) -> list[Chunk]:
        rows = self._read("get_chunks", groups, ids=list(chunk_ids))
        return [Chunk(*r) for r in rows]

    def find_entities(self, keys: Sequence[str], groups: Groups) -> list[Entity]:
        """Exact keys, or aliases compared case-insensitively."""
        aliases = self._alias_keys()
        by_alias = [key for k in keys for key in aliases.get(k.lower(), ())]
        wanted = list(dict.fromkeys([*keys, *by_alias]))
        found = [_entity(r) for r in self._read("find_entities", groups, keys=wanted)]
        order = {k: i for i, k in enumerate(keys)}
        return sorted(found, key=lambda e: order.get(e.key, len(order)))

    def _alias_keys(self) -> dict[str, tuple[str, ...]]:
        """Lower-case alias -> keys of the entities bearing it, read once per revision:
        matching aliases in the database scans every entity (20-50 ms at 45k) per call."""
        kept = self._aliases
        if kept is None or kept[0] != self.revision:
            revision = self.revision  # read first: a write during the read re-dates it
            table: dict[str, list[str]] = {}
            for key, names in self.runner.read(self.q["entity_aliases"], {}):
                for name in dict.fromkeys(a.lower() for a in names or ()):
                    table.setdefault(name, []).append(key)
            kept = (revision, {a: tuple(ks) for a, ks in table.items()})
            self._aliases = kept
        return kept[1]

    def entity_fulltext(self, text: str, k: int, groups: Groups) -> list[tuple[Entity, float]]:
        query = self.dialect.fulltext_text(text)
        if not query or k <= 0:
            return []
        rows = self._read("entity_fulltext", groups, q=query, k=k, fetch=max(8 * k, 32))
        if len(rows) < k:  # the groups hid most of the best matches, or there are few
            rows = self._read("entity_fulltext", groups, q=query, k=k, fetch=UNLIMITED)
        return [(_entity(r), float(r[4])) for r in rows]

    def entity_vector(
        self, embedding: Sequence[float], k: int, groups: Groups
    ) -> list[tuple[Entity, float]]:
        rows = self._nearest("entity_vector", embedding, k, groups)
        return [(_entity(r), score) for r, score in rows]

    def vector_search(
        self, embedding: Sequence[float], k: int, groups: Groups
    ) -> list[ScoredChunk]:
        rows = self._nearest("vector_search", embedding, k, groups)
        return [_scored_chunk(r, score) for r, score in rows]

    def _nearest(
        self, name: str, embedding: Sequence[float], k: int, groups: Groups
    ) -> list[tuple[list[Any], float]]:
        """Top-k visible by similarity: fetch more than k from the index when the groups
        hide some hits, until k are visible or the index has nothing more to give."""
        vector = self._check_vector(embedding)
        if k <= 0:
            return []
        fetch = max(4 * k, 32)
        while True:
            rows = self._read(name, groups, v=vector, fetch=fetch)
            if len(rows) >= k or fetch >= MAX_VECTOR_FETCH or not self._more_than(name, fetch):
                break
            fetch *= 4
        scored = [(r, self.dialect.similarity(r[-1])) for r in rows]
        scored.sort(key=lambda pair: -pair[1])
        first: dict[str, tuple[list[Any], float]] = {}
        for r, score in scored:  # a node listed twice counts once (see FalkorRunner)
            first.setdefault(str(r[0]), (r, score))
        return list(first.values())[:k]

    def _more_than(self, name: str, fetch: int) -> bool:
        total = self.runner.read(self.q[f"total_{name}"], {})[0][0]
        return int(total) > fetch

    def fulltext_search(self, text: str, k: int, groups: Groups) -> list[ScoredChunk]:
        """One index lookup per question word, ranked by fulltext_rank (rare words first)."""
        terms = [t for t in map(self.dialect.fulltext_text, query_terms(text)) if t]
        if not terms or k <= 0:
            return []
        cap = max(FULLTEXT_HITS_PER_WORD, 10 * k)
        hits = []
        for term in terms:
            for ids, scores, df in self._read("fulltext_term", groups, q=term, cap=cap):
                hits.append(([(i, float(s)) for i, s in zip(ids, scores, strict=True)], df))
        visible = int(self._read("count_chunks", groups)[0][0])
        best = rank(hits, visible)[:k]
        rows = {r[0]: r for r in self._read("chunk_hits", groups, ids=[cid for cid, _ in best])}
        return [_scored_chunk(rows[cid], score) for cid, score in best if cid in rows]

    def neighbourhood(
        self, keys: Sequence[str], groups: Groups, hops: int = 1, limit: int = 500
    ) -> list[StoredTriple]:
        """Breadth-first over visible edges, one constant statement per hop."""
        found: dict[tuple[str, ...], StoredTriple] = {}
        frontier, seen = list(dict.fromkeys(keys)), set(keys)
        for _ in range(max(hops, 1)):
            if not frontier or len(found) >= limit:
                break
            rows = self._read("neighbours", groups, keys=frontier, limit=limit)
            next_keys: list[str] = []
            for row in rows:
                t = stored_triple(row[0])
                found.setdefault((t.subject_key, t.predicate, t.object_key, t.chunk), t)
                for key in (t.subject_key, t.object_key):
                    if key not in seen:
                        seen.add(key)
                        next_keys.append(key)
            frontier = next_keys
        return list(found.values())[:limit]

    def paths(
        self, source_key: str, target_key: str, groups: Groups, max_hops: int = 3
    ) -> list[list[StoredTriple]]:
        """The shortest visible paths: try length 1, 2, ... and stop at the first found."""
        for hops in range(1, min(max_hops, MAX_PATH_HOPS) + 1):
            rows = self._read(
                f"paths_{hops}", groups, source=source_key, target=target_key, limit=50
            )
            if rows:
                return [[stored_triple(edge) for edge in row[0]] for row in rows]
        return []

    def triples(
        self,
        groups: Groups,
        subject: str | None = None,
        predicate: str | None = None,
        object: str | None = None,
        limit: int | None = None,
    ) -> list[StoredTriple]:
        rows = self._read(
            "triples",
            groups,
            subject=subject,
            predicate=predicate,
            object=object,
            limit=limit if limit is not None else UNLIMITED,
        )
        return [stored_triple(r[0]) for r in rows]

    def chunk_paragraphs(
        self, chunk_ids: Sequence[str], groups: Groups
    ) -> dict[str, tuple[Paragraph, ...]]:
        rows = self._read("chunk_paragraphs", groups, ids=list(dict.fromkeys(chunk_ids)))
        return {cid: from_json(stored) for cid, stored in rows}

    def chunk_entities(self, chunk_ids: Sequence[str], groups: Groups) -> dict[str, list[str]]:
        rows = self._read("chunk_entities", groups, ids=list(chunk_ids))
        return {cid: sorted(keys) for cid, keys in rows}

    def document_chunks(
        self,
        doc_ids: Sequence[str],
        groups: Groups,
        against: Sequence[Sequence[float]] = (),
    ) -> list[ScoredChunk]:
        ids = list(dict.fromkeys(doc_ids))
        if against:
            vectors = [self._check_vector(v) for v in against]
            rows = self._read("document_chunk_similarities", groups, ids=ids, against=vectors)
            return [_compared_chunk(r) for r in rows]
        out = []
        for r in self._read("document_chunks", groups, ids=ids):
            hit = _scored_chunk(r, 0.0)
            hit.chunk.embedding = [float(x) for x in r[6]] if r[6] is not None else None
            out.append(hit)
        return out

    def counts(self, groups: Groups) -> Counts:
        values = [
            int(self._read(f"count_{what}", groups)[0][0])
            for what in ("documents", "chunks", "entities", "triples")
        ]
        return Counts(*values)

    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None,
        groups: Groups,
        limit: int = 1000,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[list[Any]]]:
        """Askers who may see every document query the graph itself (under the write lock,
        so no half-staged write is in it); others query a copy pruned to what they see.
        The time limit goes to the database, which stops the query when it is spent."""
        check_read_only(query)
        params = check_params(params)
        asker = normalise_groups(groups)
        timeout_s = self.cypher_timeout_s if timeout_s is None else timeout_s
        with self._write_lock:
            if not self._hidden_documents(asker):
                return self.runner.user_read(query, params, [], "", limit, timeout_s)
        prune = [(self.q[name], {"groups": asker}) for name in PRUNE_ORDER]
        view_key = hashlib.sha1("\0".join(sorted(asker)).encode()).hexdigest()[:16]
        return self.runner.user_read(query, params, prune, view_key, limit, timeout_s)

    def _hidden_documents(self, asker: list[str]) -> int:
        """Documents `asker` may not see, counted once per revision (a scan of every
        document, ~2 ms on the 6,119 2Wiki passages, before every cypher() call otherwise)."""
        key = tuple(asker)
        kept = self._hidden.get(key)
        if kept is None or kept[0] != self.revision:
            if len(self._hidden) > 1000:
                self._hidden.clear()
            kept = (self.revision, int(self._read("count_hidden_documents", asker)[0][0]))
            self._hidden[key] = kept
        return kept[1]

    # ---- lifecycle ----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        check = getattr(self.runner, "health", None)  # optional for a runner
        return check() if check else super().health()

    def close(self) -> None:
        with self._write_lock:
            if not self._closed:
                self._closed = True
                self.runner.close()

"""The one storage interface everything above kg/ talks to.

Every read method takes the asker's access groups and returns only what those groups may
see: a document is visible when it is public (no groups), when the asker holds one of its
groups, or when the asker is ADMIN ("*"). An entity is visible when a visible chunk mentions
it; a relation when its provenance document is visible.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from kg.models import (
    Chunk,
    Counts,
    Document,
    Entity,
    Paragraph,
    ScoredChunk,
    StoredTriple,
    Triple,
    with_similarities,
)

Groups = Sequence[str]
# An embedding size, or a function giving it that is called only for a store that records
# none yet (so an existing store opens without loading the embedding model).
Dimension = int | Callable[[], int]
# Everything one document contributes: (doc, chunks, entities, triples, mentions).
DocumentRecords = tuple[
    Document, Sequence[Chunk], Sequence[Entity], Sequence[Triple], Sequence[tuple[str, str]]
]


class StoreError(RuntimeError):
    """A store could not be opened or a statement failed; the message says why."""


class ReadOnlyViolation(StoreError):
    """A statement sent through the read-only Cypher entry point tried to write."""


class QueryTimedOut(StoreError):
    """A user query ran past its time limit and the database stopped it."""


class QueryTooComplex(StoreError):
    """A user query too long or too deeply nested to hand to the database's parser."""


class StoreUnavailable(StoreError):
    """The database cannot answer right now (its server died or is being restarted); the
    same request will work again once it is back."""


class RestartedByQuery(StoreError):
    """The database had to be restarted while this user query ran: the query went past its
    time limit and the database did not stop it, or the server died under it (what a query
    that exhausts the server's memory does). The API makes the asker wait (429) before
    their next Cypher query, so one asker cannot keep the store restarting."""

    why = "the database was restarted while it ran"


class QueryForcedRestart(RestartedByQuery, QueryTimedOut):
    """Past its limit and not stopped by the database: the server was restarted to end it."""

    why = "it ran past its time limit and the database did not stop it"


class ServerDiedUnderQuery(RestartedByQuery, StoreUnavailable):
    """The server died while the query ran (not restarted on another query's account)."""

    why = "the database died while it ran"


class BadParameter(StoreError):
    """A user query's parameters cannot be sent: a name that is not an identifier, or a map
    key no backend accepts. Raised before the query reaches the database."""


def dimension_mismatch(held: int, given: int) -> StoreError:
    """The error for embeddings of another size than the store was built with."""
    return StoreError(
        f"this store holds {held}-dimensional embeddings, not {given}; "
        "use the embedding model it was built with or a new --store folder"
    )


def embedder_mismatch(setting: str, held: str, given: str) -> StoreError:
    """The error for a store built with another embedding model than the settings give."""
    return StoreError(
        f"this store was built with {setting}={held!r} (recorded in the store), but "
        f"{setting} is now {given!r}; set {setting}={held} or use a new --store folder"
    )


class GraphStore(ABC):
    """Documents, chunks (with embeddings), entities and triples with provenance."""

    dimension: int  # the size of the embeddings the store holds
    # which models built them (kg.embed.embedder_id / name_embedder_id), as the store records
    embedder: str = ""
    name_embedder: str = ""
    # Bumped by every write through this object, so readers can cache what they derive from
    # the store (qa's title index) and rebuild it only after a change.
    revision: int = 0

    # --- writes ------------------------------------------------------------------------
    @abstractmethod
    def replace_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        entities: Sequence[Entity],
        triples: Sequence[Triple],
        mentions: Sequence[tuple[str, str]],
    ) -> None:
        """Write a document and everything derived from it, replacing any older version.

        All-or-nothing: on failure the previous version (if any) is left as it was.
        `mentions` are (chunk_id, entity_key) pairs; triples carry chunk_id and keys.
        """

    def replace_documents(self, batch: Sequence[DocumentRecords]) -> None:
        """replace_document for many documents; backends may override to save round trips.

        Each document stays all-or-nothing on its own; on failure the exception names the
        first failing document and the ones before it may already be written.
        """
        for doc, chunks, entities, triples, mentions in batch:
            self.replace_document(doc, chunks, entities, triples, mentions)

    @abstractmethod
    def set_groups(self, doc_id: str, groups: Sequence[str]) -> bool:
        """Change a document's access groups (and its derived records'); False if unknown."""

    @abstractmethod
    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and what only it supports; entities mentioned elsewhere stay."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every document, chunk, entity and relation; indexes stay."""

    # --- reads -------------------------------------------------------------------------
    @abstractmethod
    def get_document(self, doc_id: str, groups: Groups) -> Document | None: ...

    @abstractmethod
    def list_documents(self, groups: Groups) -> list[Document]: ...

    @abstractmethod
    def get_chunks(self, chunk_ids: Sequence[str], groups: Groups) -> list[Chunk]: ...

    @abstractmethod
    def find_entities(self, keys: Sequence[str], groups: Groups) -> list[Entity]:
        """Entities whose key or one of whose aliases equals one of `keys`."""

    @abstractmethod
    def entity_fulltext(self, text: str, k: int, groups: Groups) -> list[tuple[Entity, float]]:
        """Entities whose name matches `text` in the full-text index, best first."""

    @abstractmethod
    def entity_vector(
        self, embedding: Sequence[float], k: int, groups: Groups
    ) -> list[tuple[Entity, float]]:
        """Entities whose name embedding is nearest, with similarity (higher is better)."""

    @abstractmethod
    def neighbourhood(
        self, keys: Sequence[str], groups: Groups, hops: int = 1, limit: int = 500
    ) -> list[StoredTriple]:
        """Visible triples within `hops` (1 or 2) of the given entities, in both directions."""

    @abstractmethod
    def paths(
        self, source_key: str, target_key: str, groups: Groups, max_hops: int = 3
    ) -> list[list[StoredTriple]]:
        """Shortest visible relation paths between two entities, edges in either direction."""

    @abstractmethod
    def triples(
        self,
        groups: Groups,
        subject: str | None = None,
        predicate: str | None = None,
        object: str | None = None,
        limit: int | None = None,
    ) -> list[StoredTriple]:
        """Visible triples, optionally filtered by subject/object key and predicate."""

    @abstractmethod
    def chunk_paragraphs(
        self, chunk_ids: Sequence[str], groups: Groups
    ) -> dict[str, tuple[Paragraph, ...]]:
        """For each visible chunk stored with its paragraphs (kg.extract.paragraphs), those;
        a chunk stored without is absent (its reader parses the text)."""

    @abstractmethod
    def chunk_entities(self, chunk_ids: Sequence[str], groups: Groups) -> dict[str, list[str]]:
        """For each visible chunk, the keys of the entities it mentions."""

    def document_chunks(
        self,
        doc_ids: Sequence[str],
        groups: Groups,
        against: Sequence[Sequence[float]] = (),
    ) -> list[ScoredChunk]:
        """Every visible chunk of the given documents, in position order.

        Lets a retriever take "the passages about an entity" (the documents titled by it)
        and rank them against a question without re-embedding. Without `against` each hit
        carries its embedding and score 0. With `against` (unit vectors) it carries its
        cosine to each of them in `similarities` instead, score the first: comparing where
        the vectors are ships a few numbers per chunk, not 384. This default goes through
        cypher(); Cypher backends override it with one indexed statement.
        """
        _, rows = self.cypher(
            "MATCH (c:Chunk)-[:PART_OF]->(d:Document) WHERE d.id IN $ids "
            "RETURN c.id, c.doc_id, c.text, c.position, d.path, d.title, c.embedding "
            "ORDER BY c.doc_id, c.position",
            {"ids": list(doc_ids)},
            groups,
            limit=1_000_000,
        )
        hits = [
            ScoredChunk(
                Chunk(cid, doc, text, pos, [float(x) for x in emb] if emb else None),
                0.0,
                path or "",
                title or "",
            )
            for cid, doc, text, pos, path, title, emb in rows
        ]
        return [with_similarities(hit, against) for hit in hits] if against else hits

    @abstractmethod
    def vector_search(
        self, embedding: Sequence[float], k: int, groups: Groups
    ) -> list[ScoredChunk]:
        """Visible chunks nearest to `embedding`, similarity best first."""

    @abstractmethod
    def fulltext_search(self, text: str, k: int, groups: Groups) -> list[ScoredChunk]:
        """Visible chunks matching `text` in the full-text index, best first."""

    @abstractmethod
    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None,
        groups: Groups,
        limit: int = 1000,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[list[Any]]]:
        """Run a read-only Cypher statement; returns (columns, rows).

        Writes raise ReadOnlyViolation and change nothing; unusable parameter names raise
        BadParameter. Rows are computed over the part of the graph the groups may see.
        The database stops the query after `timeout_s` (default Settings.cypher_timeout_s)
        and QueryTimedOut is raised.
        """

    @abstractmethod
    def counts(self, groups: Groups) -> Counts: ...

    # --- lifecycle ---------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """The store's state for a health check: at least {"state": "ok" | ...}."""
        return {"state": "ok"}

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

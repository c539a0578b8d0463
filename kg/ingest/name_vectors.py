"""Name vectors for the entities of a batch: linking compares a question's names with them.

Kept apart from the pipeline because which entities need one, the run's cache and the
store look-ups that keep the store's first vector (coalesce) are one concern of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kg.ingest.pending import PendingDocument
from kg.ingest.report import FileResult, IngestReport
from kg.models import ADMIN, Entity
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.name_embed import Encode
    from kg.stores.base import DocumentRecords, GraphStore

ENTITY_CACHE_MAX = 100_000  # name vectors kept across batches (entities recur a lot)
# Dates, numbers and amounts are matched by text, never linked by meaning: no name vector.
VALUE_TYPES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}


class NameVectors:
    """Gives a batch's entities their name vectors, once per name per run.

    Every name goes through `embed_names` (the Ingestor passes its own embed_names, so a
    wrapper of that method sees every name); `encode` is the store's name embedder that
    the Ingestor's embed_names calls.
    """

    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        chunk_encode: Callable[[], Encode],
        embed_names: Encode,
    ) -> None:
        self._settings = settings
        self._store = store
        self._chunk_encode = chunk_encode
        self._embed_names = embed_names
        self._name_encode: Encode | None = None
        self._vectors_by_name: dict[str, list[float]] = {}

    def encode(self, names: Sequence[str]) -> list[list[float]]:
        """Entity names through the name embedder the store records (kg.name_embed)."""
        if self._name_encode is None:
            from kg.name_embed import name_encoder

            settings = self._settings.with_overrides(
                name_embedder=self._store.name_embedder or None
            )
            self._name_encode = name_encoder(settings, self._chunk_encode)
        return self._name_encode(names)

    def embed_isolated(
        self,
        ready: list[PendingDocument],
        records: list[DocumentRecords],
        report: IngestReport,
    ) -> tuple[list[PendingDocument], list[DocumentRecords]]:
        """_embed for the batch; if it fails, document by document (errors kept).

        The name model loads first, outside the isolation: a model that will not load is
        the whole command's error. The store is asked once which entities already have a
        vector; only if that look-up fails does each document ask again for its own."""
        if records:
            self._embed_names([])
        stored: set[str] | None = None
        try:
            stored = self._stored_keys(records)
            return ready, self._embed(records, stored)
        except Exception:
            ok: list[PendingDocument] = []
            out: list[DocumentRecords] = []
            for p, rec in zip(ready, records, strict=True):
                try:
                    keys = self._stored_keys([rec]) if stored is None else stored
                    out += self._embed([rec], keys)
                    ok.append(p)
                except Exception as exc:
                    msg = f"embedding failed: {type(exc).__name__}: {exc}"
                    report.add(FileResult(p.source.path, "error", msg))
            return ok, out

    def _embed(self, records: list[DocumentRecords], stored: set[str]) -> list[DocumentRecords]:
        """One encode call for the entity names that need a vector.

        A name is embedded once per run (cached), and not at all when its entity is already
        stored with a vector (`stored`): the store keeps an entity's first vector
        (coalesce), so a new one would be thrown away. An earlier batch still being written
        can drop such an entity: the write stage gives it its vector back
        (restore_dropped_vectors).
        """
        if len(self._vectors_by_name) > ENTITY_CACHE_MAX:
            self._vectors_by_name.clear()
        entities = [e for _, _, doc_entities, _, _ in records for e in doc_entities]
        linkable = [e for e in entities if _needs_name_vector(e)]
        names = sorted(
            {
                e.name
                for e in linkable
                if e.key not in stored and e.name not in self._vectors_by_name
            }
        )
        fresh = dict(zip(names, self._embed_names(names), strict=True))
        self._vectors_by_name.update(fresh)  # shared by the embed workers: read `fresh` first
        for e in entities:
            skip = e.key in stored or not _needs_name_vector(e)
            vector = None if skip else fresh.get(e.name) or self._vectors_by_name.get(e.name)
            e.embedding = vector if vector and any(vector) else None  # a name with no token
        return records

    def restore_dropped_vectors(self, records: list[DocumentRecords]) -> None:
        """Give back a vector to each entity _embed skipped as stored that is gone now.

        The look-up ran while earlier batches were still being written; one of them may
        have replaced the only document naming the entity, and the store dropped it. Writes
        run in input order on one thread, so the store is now as this batch will find it."""
        skipped = [
            e
            for _, _, doc_entities, _, _ in records
            for e in doc_entities
            if e.embedding is None and _needs_name_vector(e)
        ]
        stored = self._keys_with_vectors({e.key for e in skipped})
        gone = [e for e in skipped if e.key not in stored]
        if not gone:
            return
        names = sorted({e.name for e in gone})
        vectors = dict(zip(names, self._embed_names(names), strict=True))
        for e in gone:
            vector = vectors[e.name]
            e.embedding = vector if any(vector) else None

    def _stored_keys(self, records: list[DocumentRecords]) -> set[str]:
        """The keys of these records' linkable entities the store holds with a vector."""
        linkable = {
            e.key
            for _, _, doc_entities, _, _ in records
            for e in doc_entities
            if _needs_name_vector(e)
        }
        return self._keys_with_vectors(linkable)

    def _keys_with_vectors(self, keys: set[str]) -> set[str]:
        """Which of these entity keys the store already holds with a name vector."""
        if not keys:
            return set()
        _, rows = self._store.cypher(
            "UNWIND $keys AS k MATCH (e:Entity {key: k}) WHERE e.embedding IS NOT NULL "
            "RETURN e.key",
            {"keys": sorted(keys)},
            [ADMIN],
            limit=len(keys),
        )
        return {row[0] for row in rows}


def _needs_name_vector(entity: Entity) -> bool:
    """Linking embeds only a question's names (proper-noun or quoted spans) and matches them
    to entity names by vector; dates and numbers never link by meaning, and an all-lowercase
    name ("elder brother", "physics") is a common noun no name should match. The exact and
    full-text tiers still find both kinds. Measured on 2Wiki: ~25% of names are lowercase."""
    return entity.type not in VALUE_TYPES and any(ch.isupper() for ch in entity.name)

"""Check a document's records and turn them into parameter rows, before anything is written.

Bad input (a chunk of another document, a triple citing an unknown chunk, a wrong-sized
embedding) is refused here with a ValueError, so it never reaches the database. Every
entity a triple or mention names is written even when `entities` forgot it, and each triple's
chunk is recorded as mentioning both ends (that is what makes an entity visible).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kg import zh
from kg.extract.paragraphs import to_json
from kg.models import Chunk, Document, Entity, Triple, normalise_groups

Row = dict[str, Any]


def _vector(values: Sequence[float] | None, dimension: int, what: str) -> list[Any] | None:
    if values is None:
        return None
    if len(values) != dimension:
        raise ValueError(f"{what}: embedding has {len(values)} dimensions, expected {dimension}")
    return list(values)


@dataclass
class WriteRows:
    doc: Document
    stage: str
    chunks: list[Row]
    entities: list[Row]
    mentions: list[Row]
    triples: list[Row]

    @classmethod
    def build(
        cls,
        doc: Document,
        chunks: Sequence[Chunk],
        entities: Sequence[Entity],
        triples: Sequence[Triple],
        mentions: Sequence[tuple[str, str]],
        dimension: int,
        stage: str = "",
    ) -> WriteRows:
        """Rows for one document; chunk, mention and triple rows carry its id, groups and
        `stage` (the token its staged records are written under) so documents can share
        statements."""
        if not doc.id:
            raise ValueError("a document needs an id")
        groups = normalise_groups(doc.groups)
        owner = {"doc_id": doc.id, "groups": groups, "stage": stage}
        chunk_rows: list[Row] = []
        chunk_ids: set[str] = set()
        for c in chunks:
            if c.doc_id != doc.id:
                raise ValueError(f"chunk {c.id!r} belongs to {c.doc_id!r}, not {doc.id!r}")
            if not c.id or c.id in chunk_ids:
                raise ValueError(f"chunk id {c.id!r} is empty or repeated")
            chunk_ids.add(c.id)
            chunk_rows.append(
                {
                    **owner,
                    "id": c.id,
                    "text": c.text,
                    "terms": zh.index_terms(c.text),  # Chinese words for full-text
                    # the sentences the dense route ranks, as extraction split them
                    "paragraphs": None if c.paragraphs is None else to_json(c.paragraphs),
                    "position": int(c.position),
                    "embedding": _vector(c.embedding, dimension, f"chunk {c.id!r}"),
                }
            )

        entity_rows: dict[str, Row] = {}

        def add_entity(
            key: str,
            name: str,
            type_: str = "",
            aliases: Sequence[str] = (),
            embedding: Sequence[float] | None = None,
        ) -> None:
            if not key:
                raise ValueError(f"entity {name!r} has an empty key")
            row = entity_rows.setdefault(
                key, {"key": key, "name": name or key, "type": "", "aliases": [], "embedding": None}
            )
            row["type"] = row["type"] or type_
            row["aliases"] = list(dict.fromkeys([*row["aliases"], *aliases]))
            if row["embedding"] is None:
                row["embedding"] = _vector(embedding, dimension, f"entity {key!r}")

        for e in entities:
            add_entity(e.key, e.name, e.type, e.aliases, e.embedding)

        def known_chunk(chunk_id: str, what: str) -> str:
            if chunk_id not in chunk_ids:
                raise ValueError(f"{what} cites chunk {chunk_id!r}, not one of {doc.id!r}'s")
            return chunk_id

        mention_set: dict[tuple[str, str], None] = {}
        triple_rows: list[Row] = []
        for t in triples:
            what = f"triple ({t.subject!r}, {t.predicate!r}, {t.object!r})"
            chunk_id = known_chunk(t.chunk_id, what)
            if not t.predicate:
                raise ValueError(f"{what} has no predicate")
            add_entity(t.subject_key, t.subject, t.subject_type)
            add_entity(t.object_key, t.object, t.object_type)
            mention_set[(chunk_id, t.subject_key)] = None
            mention_set[(chunk_id, t.object_key)] = None
            triple_rows.append(
                {
                    **owner,
                    "subject_key": t.subject_key,
                    "object_key": t.object_key,
                    "predicate": t.predicate,
                    "relations": list(t.relations),
                    "forms": t.forms,  # null: the property is left unset
                    "chunk_id": chunk_id,
                    "sentence": t.sentence,
                }
            )
        for chunk_id, key in mentions:
            known_chunk(chunk_id, f"mention of {key!r}")
            add_entity(key, key)
            mention_set[(chunk_id, key)] = None

        return cls(
            doc=doc,
            stage=stage,
            chunks=chunk_rows,
            entities=list(entity_rows.values()),
            mentions=[{"stage": stage, "chunk_id": c, "key": k} for c, k in mention_set],
            triples=triple_rows,
        )

    def swap_params(self) -> dict[str, Any]:
        """Parameters of the statement that swaps this staged document in."""
        d = self.doc
        groups = normalise_groups(d.groups)
        return {
            "doc_id": d.id,
            "doc_groups": groups,
            "stage": self.stage,
            "path": d.path,
            "title": d.title,
            "sha256": d.sha256,
            "entities": [
                {"key": e["key"], "type": e["type"], "aliases": e["aliases"]}
                for e in self.entities
            ],
        }


def merge_entity_rows(documents: Sequence[WriteRows]) -> list[Row]:
    """One staging row per entity key across documents, so a single UNWIND never MERGEs
    the same key twice: the first document's name, type and aliases (what a new entity
    holds once that document is swapped in; a later one's additions go with its own swap,
    WriteRows.swap_params) and the first embedding."""
    merged: dict[str, Row] = {}
    for rows in documents:
        for row in rows.entities:
            seen = merged.setdefault(
                row["key"],
                {
                    "key": row["key"],
                    "name": row["name"],
                    "type": row["type"],
                    "aliases": row["aliases"],
                    "embedding": None,
                },
            )
            if seen["embedding"] is None:
                seen["embedding"] = row["embedding"]
    return list(merged.values())

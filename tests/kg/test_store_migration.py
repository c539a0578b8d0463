"""A schema-1 FalkorDB store (name vectors on Entity, its vector index on Entity.embedding)
opened by this code: migrated once on open to the NameVector label, data and answers kept."""

from __future__ import annotations

from pathlib import Path

from kg.models import ADMIN
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.falkordb.store import _existing_indexes
from tests.kg.store_world import DIM, load_world, vec

HNSW = f"{{dimension: {DIM}, similarityFunction: 'cosine', M: 32, efConstruction: 400}}"
# What a store written before schema 2 holds: the statements that layout ran
OLD_LAYOUT = [
    "MATCH (n:NameVector) REMOVE n:NameVector",
    "DROP VECTOR INDEX FOR (n:NameVector) ON (n.embedding)",
    f"CREATE VECTOR INDEX FOR (e:Entity) ON (e.embedding) OPTIONS {HNSW}",
    "MATCH (m:StoreMeta) SET m.schema = 1",
]


def open_folder(folder: Path):
    return open_store(Settings(store=folder, backend="falkordb"), dimension=DIM)


def build_old_store(folder: Path) -> None:
    """Write the world, then turn it into the schema-1 layout on the real server."""
    with open_folder(folder) as store:
        load_world(store)
        store.runner.write([(q, {}) for q in OLD_LAYOUT])
        indexes = _existing_indexes(store.runner.graph)
        assert ("Entity", "embedding", "VECTOR") in indexes
        assert ("NameVector", "embedding", "VECTOR") not in indexes
        rows = store.runner.read("MATCH (n:NameVector) RETURN count(n)", {})
        assert rows == [[0]]


def test_an_old_layout_store_is_migrated_on_open(tmp_path: Path) -> None:
    build_old_store(tmp_path)
    with open_folder(tmp_path) as store:  # reloads from the append-only file, migrates
        indexes = _existing_indexes(store.runner.graph)
        assert ("Entity", "embedding", "VECTOR") not in indexes
        assert ("NameVector", "embedding", "VECTOR") in indexes
        assert store.runner.read("MATCH (m:StoreMeta) RETURN m.schema", {}) == [[2]]
        hits = store.entity_vector(vec(10), 1, [ADMIN])
        assert hits[0][0].key == "orin vale" and hits[0][1] > 0.99
        labelled = store.runner.read(
            "MATCH (e:Entity) WHERE e.embedding IS NOT NULL AND NOT e:NameVector "
            "RETURN count(e)", {}
        )
        assert labelled == [[0]]
        before = store.counts([ADMIN])
    with open_folder(tmp_path) as store:  # the migrated store reopens as a new one
        assert store.counts([ADMIN]) == before
        assert store.entity_vector(vec(10), 1, [ADMIN])[0][0].key == "orin vale"
        assert store.entity_fulltext("Orin Vale", 1, [ADMIN])[0][0].key == "orin vale"

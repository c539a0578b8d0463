"""Graph stores: one interface (base.GraphStore); backends differ only in a dialect module."""

from __future__ import annotations

from kg.settings import Settings
from kg.stores.base import (
    BadParameter,
    Dimension,
    GraphStore,
    QueryTimedOut,
    QueryTooComplex,
    ReadOnlyViolation,
    StoreError,
    StoreUnavailable,
)

__all__ = [
    "BadParameter",
    "GraphStore",
    "QueryTimedOut",
    "QueryTooComplex",
    "ReadOnlyViolation",
    "StoreError",
    "StoreUnavailable",
    "open_store",
]


def open_store(settings: Settings, dimension: Dimension = 384) -> GraphStore:
    """The store for `settings`: embedded FalkorDB in settings.store, or Neo4j when configured.

    `dimension` may be a function: it is called only when the store records no embedding
    size yet. Closing the store stops FalkorDB's child server.
    """
    if settings.use_neo4j:
        try:
            from kg.stores.neo4j import open_neo4j_store  # written by the Neo4j backend
        except ImportError as e:
            raise StoreError(
                "Neo4j was requested (KGQA_BACKEND=neo4j or NEO4J_URI set) but the Neo4j "
                f"backend is not available: {e}"
            ) from e
        return open_neo4j_store(settings, dimension)
    from kg.stores.falkordb.store import open_falkordb_store

    return open_falkordb_store(settings, dimension)

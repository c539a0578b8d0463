"""The Neo4j backend: the shared CypherStore with Neo4j's dialect and a Bolt runner."""

from __future__ import annotations

from kg.settings import Settings
from kg.stores.base import Dimension
from kg.stores.cypher_store import CypherStore
from kg.stores.neo4j import dialect
from kg.stores.neo4j.runner import Neo4jRunner

__all__ = ["open_neo4j_store"]


def open_neo4j_store(settings: Settings, dimension: Dimension = 384) -> CypherStore:
    """The store on the Neo4j 5.15+ database settings name (NEO4J_* or --neo4j-* flags)."""
    runner = Neo4jRunner.connect(
        settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
    )
    try:
        return CypherStore(dialect, runner, dimension, settings)
    except BaseException:
        runner.close()
        raise

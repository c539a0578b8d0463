"""What a Cypher backend must provide: a dialect (how its Cypher differs) and a runner.

CypherStore (cypher_store.py) holds every statement and all store logic; a backend differs
only in these two small objects, so FalkorDB and Neo4j run the same queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

Params = dict[str, Any]
Statement = tuple[str, Params]


class Hnsw(NamedTuple):
    """One vector index's HNSW options (FalkorDB's knobs; Neo4j takes its defaults)."""

    m: int
    ef_construction: int
    ef_runtime: int


# Storage detail, like the embedding property: an entity with a name vector also carries the
# NameVector label (its vector index's label); users' Cypher results show only Entity.
HIDDEN_LABELS = frozenset({"NameVector"})


def shown_labels(labels: Sequence[str]) -> list[str]:
    """A node's labels as users see them (storage-only labels left out), sorted."""
    return sorted(label for label in labels if label not in HIDDEN_LABELS)


class Dialect(Protocol):
    """The few places where backends spell Cypher differently."""

    name: str

    def schema(self, dimension: int, chunks: Hnsw, names: Hnsw) -> list[str]:
        """DDL creating every index the store relies on (range, vector, full-text), with the
        chunk and entity-name vector indexes' HNSW options."""
        ...

    def legacy_drops(self) -> list[str]:
        """DDL dropping indexes of the schema-1 layout (entity vectors on Entity)."""
        ...

    def vector(self, expr: str) -> str:
        """Wrap a list-valued Cypher expression so it is stored or compared as a vector,
        e.g. `vecf32(r.embedding)` for FalkorDB, `r.embedding` for Neo4j."""
        ...

    def cosine(self, a: str, b: str) -> str:
        """A Cypher expression: the cosine similarity of two vector expressions."""
        ...

    def vector_call(self, label: str) -> str:
        """A CALL clause yielding `node, score` for the `$fetch` nearest `label` nodes to `$v`."""
        ...

    def fulltext_call(self, label: str) -> str:
        """A CALL clause yielding `node, score` for `label` nodes matching the query `$q`."""
        ...

    def fulltext_text(self, text: str) -> str:
        """Turn free user text into a safe query string for the full-text index."""
        ...

    def similarity(self, score: float) -> float:
        """The vector call's score as a similarity (higher is nearer)."""
        ...

    def subquery(self, scope: Sequence[str], body: str) -> str:
        """A CALL subquery importing the variables `scope` (none: an independent one)."""
        ...


class Runner(Protocol):
    """Executes statements on one graph; knows nothing of the data model."""

    def read(self, query: str, params: Params) -> list[list[Any]]:
        """Run a trusted read statement; rows as lists of plain Python values."""
        ...

    def write(self, statements: Sequence[Statement]) -> None:
        """Run write statements in order, as one transaction where the backend has them.

        Each single statement is atomic on every backend; the store never relies on more.
        """
        ...

    def reset(self) -> None:
        """Delete all data (indexes may go too: the store re-creates its schema after)."""
        ...

    def ensure_schema(self, statements: Sequence[str]) -> None:
        """Run DDL statements, ignoring 'already exists' answers (and a DROP of an index
        that is not there)."""
        ...

    def user_read(
        self,
        query: str,
        params: Params,
        prune: Sequence[Statement],
        view_key: str,
        limit: int,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[list[Any]]]:
        """Run an untrusted statement read-only over the graph minus what `prune` deletes.

        The prune statements must never touch the real graph (FalkorDB runs them on a copy).
        Raises ReadOnlyViolation when the statement would write, QueryTimedOut when the
        database stopped it after `timeout_s` (None: the runner's default).
        """
        ...

    def invalidate(self) -> None:
        """The graph changed: forget any cached views."""
        ...

    def close(self) -> None: ...

"""Runs the store's statements on Neo4j through the official driver (Bolt).

Writes: one managed write transaction per `write()` call (`session.execute_write`), so a
document's statements commit together and the driver retries transient failures (deadlocks,
leader changes) within `max_transaction_retry_time`. Reads: managed read transactions in
READ-mode sessions (routed to followers/read replicas in a cluster). All sessions share one
bookmark manager, so a read sees the writes this process committed before it.

User Cypher (`user_read`): Neo4j classifies the statement with EXPLAIN (nothing runs) and
anything but a pure read ('r') is refused. Askers who see everything run it in a READ-mode
transaction. Askers limited to groups run it in a transaction that first deletes what they may
not see (the store's prune statements) and is then always rolled back: the rows are computed
over exactly the visible graph and nothing is ever committed. Index procedures do not see a
transaction's deletions, so procedure calls are refused on that path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import GraphDatabase, unit_of_work
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable
from neo4j.graph import Node, Path, Relationship

from kg.stores.base import QueryTimedOut, ReadOnlyViolation, StoreError
from kg.stores.cypher_backend import Params, Statement, shown_labels

MIN_VERSION = (5, 15)  # CREATE VECTOR INDEX
USER_QUERY_TIMEOUT_S = 10.0
RETRY_TIME_S = 30.0  # the driver retries transient failures this long
INDEX_WAIT_S = 300
RESET_BATCH = 10_000

# The runner's own statements (linted together with the dialect's).
STATEMENTS = {
    "await_indexes": "CALL db.awaitIndexes($seconds)",
    "reset_batch": (
        "MATCH (n) WHERE n:Document OR n:Chunk OR n:StagedChunk OR n:Entity OR n:StoreMeta "
        "WITH n LIMIT $batch DETACH DELETE n RETURN count(*)"
    ),
}
QUERY_KINDS = {"r": "read", "rw": "read/write", "w": "write", "s": "schema"}


def plain(value: Any) -> Any:
    """Driver values as JSON-friendly Python (embeddings left out of nodes)."""
    if isinstance(value, Node):
        props = {k: plain(v) for k, v in value.items() if k != "embedding"}
        return {"labels": shown_labels(value.labels), "properties": props}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": {k: plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {
            "nodes": [plain(n) for n in value.nodes],
            "relationships": [plain(r) for r in value.relationships],
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # neo4j.time values
        return value.iso_format()
    return value


def parse_version(agent: str) -> tuple[int, int]:
    """(major, minor) from a server agent such as 'Neo4j/5.26.0' or 'Neo4j/2025.01.0'."""
    found = re.search(r"(\d+)\.(\d+)", agent or "")
    if not found:
        raise StoreError(f"cannot tell the Neo4j version from the server agent {agent!r}")
    return int(found.group(1)), int(found.group(2))


# ---- transaction functions (module level: the driver may call them again on retry) -------
def run_all(tx: Any, statements: Sequence[Statement]) -> None:
    """Every statement in order, in the caller's one transaction."""
    for query, params in statements:
        tx.run(query, params).consume()


def fetch_rows(
    tx: Any, query: str, params: Params, limit: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Column names and (at most `limit`) rows of plain values."""
    result = tx.run(query, params)
    columns = list(result.keys())
    rows: list[list[Any]] = []
    for record in result:
        if limit is not None and len(rows) >= limit:
            break
        rows.append([plain(v) for v in record.values()])
    result.consume()
    return columns, rows


def explain(tx: Any, query: str, params: Params) -> tuple[str, list[str]]:
    """Neo4j's own classification of a statement ('r', 'rw', 'w', 's') and its operators."""
    summary = tx.run("EXPLAIN " + query, params).consume()
    operators: list[str] = []
    stack = [summary.plan or {}]
    while stack:
        step = stack.pop()
        operators.append(str(step.get("operatorType", "")))
        stack.extend(step.get("children", []))
    return summary.query_type or "", operators


class Neo4jRunner:
    """The store's statements on one Neo4j database."""

    def __init__(self, driver: Any, database: str | None = None,
                 timeout_s: float = USER_QUERY_TIMEOUT_S):
        self.driver = driver
        self.database = database or None  # None: the server's default database
        self.timeout_s = timeout_s
        self.bookmarks = GraphDatabase.bookmark_manager()

    @classmethod
    def connect(cls, uri: str, user: str, password: str, database: str) -> Neo4jRunner:
        """A runner on a reachable Neo4j 5.15+; a clear StoreError otherwise."""
        if not uri:
            raise StoreError("Neo4j needs a URI: --neo4j-uri bolt://host:7687 or NEO4J_URI")
        auth = (user, password) if password else None
        try:
            driver = GraphDatabase.driver(uri, auth=auth, max_transaction_retry_time=RETRY_TIME_S)
        except (ValueError, DriverError) as e:
            raise StoreError(f"bad Neo4j URI {uri!r}: {e}") from e
        try:
            driver.verify_connectivity()
            version = parse_version(driver.get_server_info().agent)
        except AuthError as e:
            driver.close()
            raise StoreError(f"Neo4j at {uri} refused user {user!r}: {e.message}") from e
        except (ServiceUnavailable, DriverError, Neo4jError) as e:
            driver.close()
            raise StoreError(f"cannot reach Neo4j at {uri}: {e}") from e
        if version < MIN_VERSION:
            driver.close()
            raise StoreError(
                f"kgqa needs Neo4j {MIN_VERSION[0]}.{MIN_VERSION[1]} or later; {uri} runs "
                f"{version[0]}.{version[1]}"
            )
        return cls(driver, database)

    @contextmanager
    def _session(self, mode: str) -> Iterator[Any]:
        """A session of `mode` (READ/WRITE access); driver errors become StoreError."""
        try:
            with self.driver.session(
                database=self.database, default_access_mode=mode, bookmark_manager=self.bookmarks
            ) as session:
                yield session
        except Neo4jError as e:
            if "TransactionTimedOut" in (e.code or ""):  # the transaction's `timeout` ran out
                raise QueryTimedOut(f"Neo4j stopped the query: {e.message}") from e
            raise StoreError(f"Neo4j {e.code}: {e.message}") from e
        except DriverError as e:
            raise StoreError(f"Neo4j unavailable: {e}") from e

    def _call(self, mode: str, work: Callable[..., Any], *args: Any) -> Any:
        """`work(tx, *args)` as one managed transaction, retried by the driver."""
        with self._session(mode) as session:
            run = session.execute_read if mode == neo4j.READ_ACCESS else session.execute_write
            return run(work, *args)

    # ---- Runner protocol --------------------------------------------------------------
    def read(self, query: str, params: Params) -> list[list[Any]]:
        return self._call(neo4j.READ_ACCESS, fetch_rows, query, params)[1]

    def write(self, statements: Sequence[Statement]) -> None:
        self._call(neo4j.WRITE_ACCESS, run_all, list(statements))

    def reset(self) -> None:
        """Delete kgqa's nodes (and so their relationships) in batches; the indexes stay."""
        params = {"batch": RESET_BATCH}
        deleted = RESET_BATCH
        while deleted:
            rows = self._call(neo4j.WRITE_ACCESS, fetch_rows, STATEMENTS["reset_batch"], params)
            deleted = rows[1][0][0]

    def ensure_schema(self, statements: Sequence[str]) -> None:
        """Each DDL statement in its own transaction (Neo4j wants that), then wait for the
        indexes to come online so the first vector query does not fail."""
        for statement in statements:
            self._call(neo4j.WRITE_ACCESS, run_all, [(statement, {})])
        wait = [(STATEMENTS["await_indexes"], {"seconds": INDEX_WAIT_S})]
        self._call(neo4j.READ_ACCESS, run_all, wait)

    def user_read(
        self,
        query: str,
        params: Params,
        prune: Sequence[Statement],
        view_key: str,
        limit: int,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[list[Any]]]:
        """The statement runs in a transaction with the driver's `timeout`, so the server
        stops it when the time limit is spent."""
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        kind, operators = self._call(neo4j.READ_ACCESS, explain, query, params)
        if kind != "r":
            raise ReadOnlyViolation(
                f"read-only Cypher: Neo4j classifies this statement as "
                f"{QUERY_KINDS.get(kind, kind or 'unknown')}"
            )
        fetch = unit_of_work(timeout=timeout_s)(fetch_rows)
        if not prune:
            return self._call(neo4j.READ_ACCESS, fetch, query, params, limit)
        if any(op.startswith("ProcedureCall") for op in operators):
            raise StoreError(
                "procedure calls are not available to askers limited to groups on Neo4j "
                "(indexes do not see the transaction that hides other groups' records)"
            )
        return self._pruned_read(query, params, prune, limit, timeout_s)

    def _pruned_read(
        self, query: str, params: Params, prune: Sequence[Statement], limit: int, timeout_s: float
    ) -> tuple[list[str], list[list[Any]]]:
        """Delete the invisible part inside a transaction, read, and always roll back."""
        with self._session(neo4j.WRITE_ACCESS) as session:
            tx = session.begin_transaction(timeout=timeout_s)
            try:
                run_all(tx, prune)
                return fetch_rows(tx, query, params, limit)
            finally:
                tx.close()  # never committed: close() rolls back

    def invalidate(self) -> None:
        """Nothing cached: views are per-transaction."""

    def close(self) -> None:
        self.driver.close()

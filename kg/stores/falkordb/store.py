"""The FalkorDB backend: a runner over one graph on the folder's own server."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as GraphPath
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from kg.settings import Settings
from kg.stores.base import (
    BadParameter,
    Dimension,
    QueryForcedRestart,
    QueryTimedOut,
    ReadOnlyViolation,
    ServerDiedUnderQuery,
    StoreError,
    StoreUnavailable,
)
from kg.stores.cypher_backend import Params, Statement, shown_labels
from kg.stores.cypher_store import CypherStore
from kg.stores.falkordb import dialect
from kg.stores.falkordb.server import FalkorServer, ServerLimits

GRAPH = "kg"
VIEW_PREFIX = f"{GRAPH}__view__"
MAX_VIEWS = 8
USER_QUERY_TIMEOUT_S = 10.0
_ALREADY = ("already indexed", "already exists")
VECTOR_MIN = 8  # a float list this long is formatted in one go (see _FloatList)


def plain(value: Any) -> Any:
    """FalkorDB result values as JSON-friendly Python (embeddings left out of nodes)."""
    if isinstance(value, Node):
        props = {k: plain(v) for k, v in value.properties.items() if k != "embedding"}
        return {"labels": shown_labels(value.labels), "properties": props}
    if isinstance(value, Edge):
        props = {k: plain(v) for k, v in value.properties.items()}
        return {"type": value.relation, "properties": props}
    if isinstance(value, GraphPath):
        return {
            "nodes": [plain(n) for n in value.nodes()],
            "relationships": [plain(e) for e in value.edges()],
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _client(server: FalkorServer) -> FalkorDB:
    """A client that never retries: redis-py would re-send a timed-out or cut-off command up
    to 10 times (a hostile query ten times over, a write twice)."""
    return FalkorDB(unix_socket_path=str(server.socket), retry=Retry(NoBackoff(), 0))


@contextmanager
def _reachable() -> Iterator[None]:
    """The server not answering (dead, restarting, loading) is StoreUnavailable."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, BusyLoadingError) as e:
        raise StoreUnavailable(
            f"the graph database is not answering ({type(e).__name__}: {e}); it is restarted "
            "on the same folder, try again in a few seconds"
        ) from e


class _FloatList:
    """A vector the falkordb client writes into the query text as is.

    The client formats parameters with a recursive Python function, one call per float
    (2.3 s per 1,000 vectors of 384, 7.5k characters each); one '%.9g' format (exact for
    float32, which is what vecf32 stores) takes 0.5 s and half the text.
    """

    __slots__ = ("text",)

    def __init__(self, values: list[float]) -> None:
        self.text = "[" + ",".join(["%.9g"] * len(values)) % tuple(values) + "]"

    def __str__(self) -> str:
        return self.text


def _params(value: Any) -> Any:
    """Parameters with every float list (a vector) pre-formatted; other values unchanged.

    The client sends parameters as text in a `CYPHER name=value ...` header: a NUL ends
    that text early (the server then fails to parse the header) and a lone surrogate cannot
    be encoded, so such text is refused here with a clear error (BadParameter).
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise BadParameter("text cannot hold a NUL character (\\x00)")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BadParameter("text is not valid Unicode (a lone surrogate)") from exc
        return value
    if isinstance(value, dict):
        return {k: _params(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) >= VECTOR_MIN and all(type(x) is float for x in value):
            return _FloatList(value)
        return [_params(v) for v in value]
    return value


_DDL = re.compile(
    r"(?:CREATE|DROP) (?P<vector>VECTOR )?INDEX FOR "
    r"(?:\(\w+:(?P<node>\w+)\)|\(\)-\[\w+:(?P<rel>\w+)\]-\(\))"
    r" ON \(\w+\.(?P<prop>\w+)\)"
)
_FULLTEXT_DDL = re.compile(r"createNodeIndex\('(\w+)', '(\w+)'\)")


def _index_of(statement: str) -> tuple[str, str, str] | None:
    """(label, property, kind) that a schema statement creates; None if not recognised."""
    if m := _DDL.search(statement):
        kind = "VECTOR" if m["vector"] else "RANGE"
        return m["node"] or m["rel"], m["prop"], kind
    if m := _FULLTEXT_DDL.search(statement):
        return m[1], m[2], "FULLTEXT"
    return None


def _existing_indexes(graph: Any) -> set[tuple[str, str, str] | None]:
    try:
        rows = graph.ro_query("CALL db.indexes() YIELD label, types").result_set
    except ResponseError as e:
        if "empty key" not in str(e):
            raise StoreError(f"FalkorDB index list failed: {e}") from e
        return set()
    return {
        (row[0], prop, kind) for row in rows for prop, kinds in row[1].items() for kind in kinds
    }


# the label an index procedure reads: db.idx.vector.queryNodes('Chunk', ...)
_INDEX_LABEL = re.compile(r"db\.idx\.\w+\.query\w+\('(\w+)'")


def _indexes_operational(graph: Any, label: str | None = None) -> bool:
    """Every index of the graph (or of one label) is built."""
    try:
        rows = graph.ro_query("CALL db.indexes() YIELD label, status").result_set
    except ResponseError as e:
        if "empty key" not in str(e):
            raise StoreError(f"FalkorDB index status failed: {e}") from e
        return True  # no graph yet, so no index to wait for
    return all(row[1] == "OPERATIONAL" for row in rows if label is None or row[0] == label)


class FalkorRunner:
    """Runs statements on graph `kg`; user queries run read-only on a pruned copy."""

    def __init__(
        self,
        server: FalkorServer,
        timeout_s: float = USER_QUERY_TIMEOUT_S,
        index_timeout_s: float = 300.0,
    ):
        self.server = server
        self.index_timeout_s = index_timeout_s
        self._indexes_ready = False
        self._labels_ready: set[str] = set()  # labels whose indexes are built
        self._index_lock = threading.Lock()
        # Concurrent vector-index queries make FalkorDB return a node several times in one
        # page, displacing real neighbours (FalkorDB#2848; 4-6 of 400 searches from two to
        # four threads, tests/kg/test_store_falkordb.py): the store's own vector reads take
        # turns. Users' Cypher is not held back by them (it may run for its whole timeout).
        self._vector_lock = threading.Lock()
        self.db = _client(server)
        self.graph = self.db.select_graph(GRAPH)
        self.timeout_s = timeout_s
        self._views: OrderedDict[str, int] = OrderedDict()  # view graph -> generation
        self._generation = 0
        self._view_lock = threading.Lock()
        self._server_generation = server.generation
        with _reachable():
            self._drop_views()

    def _drop_views(self) -> None:
        """Views are throw-away; drop any left behind (a server killed mid-copy may even hold
        one whose pruning is incomplete)."""
        for name in self.db.list_graphs():
            if name.startswith(VIEW_PREFIX):
                self.db.select_graph(name).delete()

    def _fresh(self) -> None:
        """Fail fast while the server is restarting; after a restart use a new client and
        forget every view before anything reads one."""
        state = self.server.state
        if state != "ok":
            reason = getattr(self.server.supervisor, "last_reason", "") or "closed"
            raise StoreUnavailable(
                f"the graph database is {state} ({reason}); try again in a few seconds"
            )
        if self._server_generation == self.server.generation:
            return
        with self._view_lock:
            if self._server_generation != self.server.generation:
                old, self.db = self.db, _client(self.server)
                self.graph = self.db.select_graph(GRAPH)
                self._views.clear()
                self._generation += 1
                self._indexes_ready = False  # a restarted server rebuilds them
                self._labels_ready = set()
                with _reachable():
                    self._drop_views()
                self._server_generation = self.server.generation
                old.connection.close()

    def wait_for_indexes(self, graph: Any = None, label: str | None = None) -> None:
        """Block until every index of the graph (or of a view, or of one label of the
        graph) is operational.

        The server loads a store with DELAY_INDEXING, so it answers as soon as the graph is
        decoded and builds the indexes in the background (the vector indexes take most of
        a minute for the 2Wiki store); only queries that call an index procedure wait, and
        a search waits only for its own label's indexes: the chunks' (6,119 vectors for
        2Wiki) are built long before the entities' (~35,000 name vectors).
        """
        if graph is None and (self._indexes_ready or label in self._labels_ready):
            return
        with self._index_lock:
            deadline = time.monotonic() + self.index_timeout_s
            while not (graph is None and (self._indexes_ready or label in self._labels_ready)):
                with _reachable():
                    operational = _indexes_operational(graph or self.graph, label)
                if operational:
                    if graph is not None:
                        return
                    if label is None:
                        self._indexes_ready = True
                    else:
                        self._labels_ready.add(label)
                elif time.monotonic() > deadline:
                    raise StoreError(
                        f"FalkorDB indexes not built within {self.index_timeout_s:g} s "
                        "(KGQA_STORE_START_TIMEOUT_S / --store-start-timeout)"
                    )
                else:
                    time.sleep(0.05)

    def read(self, query: str, params: Params) -> list[list[Any]]:
        self._fresh()
        if "db.idx." in query:
            found = _INDEX_LABEL.search(query)
            self.wait_for_indexes(label=found.group(1) if found else None)
        turns = self._vector_lock if "db.idx.vector." in query else nullcontext()
        try:
            with turns, _reachable():
                result = self.graph.ro_query(query, _params(params))
        except ResponseError as e:
            if "empty key" in str(e):  # the graph is not created yet: nothing to read
                return []
            raise StoreError(f"FalkorDB read failed: {e}") from e
        return [[plain(v) for v in row] for row in result.result_set]

    def write(self, statements: Sequence[Statement]) -> None:
        self._fresh()
        with _reachable():
            for query, params in statements:
                self.graph.query(query, _params(params))

    def reset(self) -> None:
        """Drop the whole graph: a fresh HNSW index beats one full of deleted vectors."""
        self._fresh()
        with _reachable():
            if GRAPH in self.db.list_graphs():
                self.graph.delete()
        self.graph = self.db.select_graph(GRAPH)

    def ensure_schema(self, statements: Sequence[str]) -> None:
        """Create the indexes the graph lacks (drop, for a DROP statement, those it has); one
        that exists is not asked for again, because a CREATE waits until the indexes built
        after loading are done."""
        self._fresh()
        with _reachable():
            have = _existing_indexes(self.graph)
        for statement in statements:
            if (_index_of(statement) in have) != statement.startswith("DROP"):
                continue  # a CREATE of what exists, a DROP of what does not
            try:
                with _reachable():
                    self.graph.query(statement)
            except ResponseError as e:
                if not any(marker in str(e) for marker in _ALREADY):
                    raise StoreError(f"creating the schema failed: {e}") from e

    def user_read(
        self,
        query: str,
        params: Params,
        prune: Sequence[Statement],
        view_key: str,
        limit: int,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[list[Any]]]:
        """GRAPH.RO_QUERY with its `timeout` (whole milliseconds, at least 1: 0 means none,
        at most the server's TIMEOUT_MAX), so the server itself stops a query that runs too
        long."""
        seconds = self.timeout_s if timeout_s is None else timeout_s
        seconds = min(seconds, self.server.limits.query_timeout_max_s)
        self._fresh()
        watch = None
        params = _params(params)  # a NUL in a user's text is a BadParameter, not a 500
        try:
            with _reachable():
                graph = self._view(view_key, prune) if prune else self.graph
                if "db.idx." in query:
                    self.wait_for_indexes(graph if prune else None)
            with self.server.watch(seconds) as watch, _reachable():
                result = graph.ro_query(query, params, timeout=max(1, round(seconds * 1000)))
        except StoreUnavailable as e:
            if watch is not None and watch.overdue:
                raise QueryForcedRestart(
                    f"the query ran past {seconds:g} s and the database did not stop it; "
                    "the database was restarted to end it"
                ) from e
            if watch is not None and not watch.bystander:
                raise ServerDiedUnderQuery(
                    "the graph database died while this query ran; it is restarted on the "
                    "same folder, try again in a few seconds"
                ) from e
            raise
        except ResponseError as e:
            if "read-only" in str(e):
                raise ReadOnlyViolation(f"read-only Cypher: {e}") from e
            if "timed out" in str(e):
                raise QueryTimedOut(f"FalkorDB stopped the query after {seconds:g} s") from e
            if "mem consumption exceeded" in str(e):
                raise StoreError(
                    "FalkorDB stopped the query at its memory limit "
                    f"({self.server.limits.query_mem_mb} MB); narrow it"
                ) from e
            raise StoreError(f"Cypher error: {e}") from e
        columns = [str(h[1]) for h in result.header]
        rows = [[plain(v) for v in row] for row in result.result_set[:limit]]
        return columns, rows

    def _view(self, view_key: str, prune: Sequence[Statement]) -> Any:
        """A copy of the graph with `prune` applied, reused until the next write."""
        name = VIEW_PREFIX + view_key
        self.wait_for_indexes()  # never copy a graph whose indexes are still being built
        with self._view_lock:
            if self._views.get(name) != self._generation:
                if name in self._views:
                    self.db.select_graph(name).delete()
                    del self._views[name]
                self.graph.copy(name)
                view = self.db.select_graph(name)
                for query, params in prune:
                    view.query(query, params)
                self._views[name] = self._generation
            self._views.move_to_end(name)
            while len(self._views) > MAX_VIEWS:
                old, _ = self._views.popitem(last=False)
                self.db.select_graph(old).delete()
            return self.db.select_graph(name)

    def health(self) -> dict[str, Any]:
        """The server's state and whether it answers a ping now."""
        info = self.server.info()
        try:
            self._fresh()
            with _reachable():
                self.db.connection.ping()
        except StoreUnavailable as e:
            info["state"], info["error"] = "unavailable", str(e)
        return info

    def invalidate(self) -> None:
        with self._view_lock:
            self._generation += 1

    def close(self) -> None:
        try:
            with self._view_lock:
                for name in list(self._views):
                    self.db.select_graph(name).delete()
                self._views.clear()
            self.db.connection.close()
        except RedisError:
            pass  # a server that is gone keeps no views worth deleting; the next open drops them
        finally:
            self.server.stop()


def open_falkordb_store(settings: Settings, dimension: Dimension = 384) -> CypherStore:
    """Start (or reuse nothing: one per folder) the folder's server and open the store."""
    limits = ServerLimits(
        settings.store_query_timeout_max_s,
        settings.store_query_mem_mb,
        settings.store_max_memory_mb,
    )
    server = FalkorServer(
        Path(settings.store), start_timeout=settings.store_start_timeout_s, limits=limits
    )
    server.start()
    try:
        runner = FalkorRunner(server, index_timeout_s=settings.store_start_timeout_s)
        return CypherStore(dialect, runner, dimension, settings)
    except BaseException:
        server.stop()
        raise

"""The Neo4j runner's use of the driver: transaction boundaries, access modes, retries and
parameter passing. The driver is faked here and only here; whether the Cypher itself works
is proven by Neo4j's analyser (test_neo4j_cypher_lint) and the store contract on a real
Neo4j (NEO4J_URI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import neo4j
import pytest
from neo4j.exceptions import Neo4jError
from neo4j.graph import Graph, Node

from kg.settings import Settings
from kg.stores import open_store
from kg.stores.base import ReadOnlyViolation, StoreError
from kg.stores.cypher_backend import Hnsw
from kg.stores.neo4j import dialect
from kg.stores.neo4j.runner import Neo4jRunner, parse_version, plain


@dataclass
class Summary:
    query_type: str = "r"
    plan: dict[str, Any] | None = None


class Result:
    def __init__(self, rows: list[list[Any]], summary: Summary):
        self.rows, self.summary = rows, summary

    def keys(self) -> list[str]:
        return ["a", "b"][: len(self.rows[0])] if self.rows else []

    def __iter__(self):
        return iter(_Record(r) for r in self.rows)

    def consume(self) -> Summary:
        return self.summary


class _Record:
    def __init__(self, values: list[Any]):
        self._values = values

    def values(self) -> list[Any]:
        return self._values


@dataclass
class Tx:
    """Records what runs in one transaction and how it ends."""

    log: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ended: str = ""
    error: Exception | None = None  # raised by the first run
    rows: list[list[Any]] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)

    def run(self, query: str, params: dict[str, Any] | None = None) -> Result:
        if self.error is not None:
            raise self.error
        self.log.append((query, dict(params or {})))
        return Result(self.rows, self.summary)

    def close(self) -> None:
        self.ended = self.ended or "rolled back"


class Session:
    """Like the driver's: execute_* calls the work function again after a retryable error."""

    def __init__(self, driver: FakeDriver, config: dict[str, Any]):
        self.driver, self.config = driver, config

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _managed(self, mode: str, work, *args):
        while True:
            tx = self.driver.new_tx(mode, self.config)
            try:
                value = work(tx, *args)
            except Exception as e:
                tx.ended = "rolled back"
                if isinstance(e, neo4j.exceptions.Neo4jError) and e.is_retryable():
                    continue
                raise
            tx.ended = "committed"
            return value

    def execute_read(self, work, *args):
        return self._managed("READ", work, *args)

    def execute_write(self, work, *args):
        return self._managed("WRITE", work, *args)

    def begin_transaction(self, timeout: float | None = None) -> Tx:
        return self.driver.new_tx("explicit", self.config, timeout=timeout)


class FakeDriver:
    def __init__(self) -> None:
        self.txs: list[tuple[str, dict[str, Any], Tx]] = []
        self.failures: list[Exception] = []  # raised by the next transactions' first run
        self.summary = Summary()
        self.rows: list[list[Any]] = [[1, 2]]
        self.row_batches: list[list[list[Any]]] = []  # per transaction, before `rows`

    def session(self, **config: Any) -> Session:
        return Session(self, config)

    def new_tx(self, mode: str, config: dict[str, Any], timeout: float | None = None) -> Tx:
        rows = self.row_batches.pop(0) if self.row_batches else self.rows
        tx = Tx(rows=rows, summary=self.summary)
        if self.failures:
            tx.error = self.failures.pop(0)
        self.txs.append((mode, {**config, "timeout": timeout}, tx))
        return tx

    def close(self) -> None:
        pass


def neo4j_error(code: str, message: str) -> Neo4jError:
    """An error as the driver builds it from a server FAILURE message (class from the code)."""
    return Neo4jError._hydrate_neo4j(code=code, message=message)


@pytest.fixture
def driver() -> FakeDriver:
    return FakeDriver()


@pytest.fixture
def runner(driver: FakeDriver) -> Neo4jRunner:
    return Neo4jRunner(driver, database="kgqa", timeout_s=5.0)


def test_write_is_one_managed_write_transaction_with_each_statements_params(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    statements = [("UNWIND $rows AS r CREATE (:X)", {"rows": [{"a": 1}]}), ("RETURN $x", {"x": 2})]
    runner.write(statements)
    assert len(driver.txs) == 1
    mode, config, tx = driver.txs[0]
    assert mode == "WRITE" and tx.ended == "committed"
    assert config["default_access_mode"] == neo4j.WRITE_ACCESS and config["database"] == "kgqa"
    assert tx.log == statements


def test_a_transient_failure_reruns_the_whole_transaction(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    driver.failures = [neo4j_error("Neo.TransientError.Transaction.DeadlockDetected", "x")]
    runner.write([("RETURN 1", {}), ("RETURN 2", {})])
    assert [tx.ended for _, _, tx in driver.txs] == ["rolled back", "committed"]
    assert [q for q, _ in driver.txs[1][2].log] == ["RETURN 1", "RETURN 2"]


def test_a_client_error_is_not_retried_and_becomes_a_store_error(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    driver.failures = [
        neo4j_error("Neo.ClientError.Schema.ConstraintValidationFailed", "already exists")
    ]
    with pytest.raises(StoreError, match="ConstraintValidationFailed"):
        runner.write([("RETURN 1", {})])
    assert len(driver.txs) == 1


def test_reads_use_read_sessions(driver: FakeDriver, runner: Neo4jRunner) -> None:
    assert runner.read("MATCH (d:Document) RETURN d.id, d.path", {"groups": ["g"]}) == [[1, 2]]
    mode, config, tx = driver.txs[0]
    assert mode == "READ" and config["default_access_mode"] == neo4j.READ_ACCESS
    assert tx.log == [("MATCH (d:Document) RETURN d.id, d.path", {"groups": ["g"]})]


def test_schema_statements_run_one_per_transaction_then_wait_for_indexes(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    ddl = dialect.schema(384, Hnsw(32, 400, 400), Hnsw(32, 400, 400))
    runner.ensure_schema(ddl)
    assert [tx.log[0][0] for _, _, tx in driver.txs[:-1]] == ddl
    assert all(len(tx.log) == 1 for _, _, tx in driver.txs)
    assert driver.txs[-1][0] == "READ" and "db.awaitIndexes" in driver.txs[-1][2].log[0][0]


def test_user_read_refuses_what_neo4j_classifies_as_a_write(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    driver.summary = Summary(query_type="rw")
    with pytest.raises(ReadOnlyViolation, match="read/write"):
        runner.user_read("MATCH (n) SET n.x = 1 RETURN n", {}, [], "", 10)
    assert len(driver.txs) == 1  # only the EXPLAIN ran
    mode, _, tx = driver.txs[0]
    assert mode == "READ" and tx.log == [("EXPLAIN MATCH (n) SET n.x = 1 RETURN n", {})]


def test_user_read_for_unrestricted_askers_is_a_limited_read(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    driver.rows = [[1, 2], [3, 4], [5, 6]]
    columns, rows = runner.user_read("MATCH (n) RETURN n.a, n.b", {"p": 1}, [], "", 2)
    assert columns == ["a", "b"] and rows == [[1, 2], [3, 4]]
    assert [m for m, _, _ in driver.txs] == ["READ", "READ"]
    assert driver.txs[1][2].log == [("MATCH (n) RETURN n.a, n.b", {"p": 1})]


def test_user_read_for_restricted_askers_prunes_then_always_rolls_back(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    prune = [("MATCH (d:Document) WHERE NOT d.x DETACH DELETE d", {"groups": ["g"]})]
    runner.user_read("MATCH (n) RETURN n.a", {"p": 1}, prune, "key", 10)
    mode, config, tx = driver.txs[-1]
    assert mode == "explicit" and config["default_access_mode"] == neo4j.WRITE_ACCESS
    assert config["timeout"] == 5.0
    assert tx.log == [*prune, ("MATCH (n) RETURN n.a", {"p": 1})]
    assert tx.ended == "rolled back"


def test_restricted_askers_may_not_call_procedures(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    driver.summary = Summary(
        "r", {"operatorType": "ProduceResults@neo4j", "children": [
            {"operatorType": "ProcedureCall@neo4j", "children": []}]}
    )
    prune = [("MATCH (d:Document) DETACH DELETE d", {})]
    with pytest.raises(StoreError, match="procedure calls"):
        runner.user_read("CALL db.labels() YIELD label RETURN label", {}, prune, "k", 10)
    assert len(driver.txs) == 1  # nothing but the EXPLAIN


def test_plain_values_leave_embeddings_out() -> None:
    n = Node(Graph(), "e1", 1, ["Chunk"], {"text": "t", "embedding": [0.1]})
    assert plain(n) == {"labels": ["Chunk"], "properties": {"text": "t"}}
    assert plain([{"k": n}]) == [{"k": {"labels": ["Chunk"], "properties": {"text": "t"}}}]


def test_parse_version() -> None:
    assert parse_version("Neo4j/5.26.1") == (5, 26)
    assert parse_version("Neo4j/2025.01.0") == (2025, 1)
    with pytest.raises(StoreError):
        parse_version("Memgraph")


def test_reset_deletes_in_write_batches_until_nothing_is_left(
    driver: FakeDriver, runner: Neo4jRunner
) -> None:
    driver.row_batches = [[[10_000]], [[7]], [[0]]]
    runner.reset()
    assert [mode for mode, _, _ in driver.txs] == ["WRITE"] * 3
    assert all("DETACH DELETE" in tx.log[0][0] for _, _, tx in driver.txs)


def test_connect_errors_are_clear() -> None:
    """The real driver, no server: each way of failing says what to fix."""
    with pytest.raises(StoreError, match="NEO4J_URI"):
        Neo4jRunner.connect("", "neo4j", "", "neo4j")
    with pytest.raises(StoreError, match="bad Neo4j URI"):
        Neo4jRunner.connect("localhost:7687", "neo4j", "pw", "neo4j")
    with pytest.raises(StoreError, match="cannot reach Neo4j at bolt://127.0.0.1:1"):
        Neo4jRunner.connect("bolt://127.0.0.1:1", "neo4j", "pw", "neo4j")


def test_open_store_picks_neo4j_when_a_uri_is_set(tmp_path) -> None:
    with pytest.raises(StoreError, match="cannot reach Neo4j"):
        open_store(Settings(store=tmp_path, neo4j_uri="bolt://127.0.0.1:1"))
    with pytest.raises(StoreError, match="needs a URI"):
        open_store(Settings(store=tmp_path, backend="neo4j", neo4j_uri=""))

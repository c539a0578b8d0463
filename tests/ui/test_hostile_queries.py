"""Hostile Cypher from the public (no key) on the real server and store: what could pin the
parser is refused before the database, what runs long or big is stopped by the database at
its limits, and a trivial query and /api/health answer right after."""

from __future__ import annotations

from tests.kg.test_cypher_bounds import NESTED

HUGE_RANGE = "UNWIND range(1, 20000000) AS x RETURN count(x)"  # 320 MB of list, cap 128 MB
LONG = "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*)"


def assert_answering(http) -> None:
    ok = http.post("/api/cypher", json={"query": "RETURN $a AS a", "params": {"a": 7}})
    assert ok.status_code == 200 and ok.json()["rows"] == [[7]], ok.text
    health = http.get("/api/health")
    assert health.status_code == 200 and health.json()["state"] == "ok", health.text


def test_the_database_runs_with_its_limits(ui_settings, ui_store) -> None:
    config = ui_store.runner.db.connection.execute_command("GRAPH.CONFIG", "GET", "*")
    values = {name.decode() if isinstance(name, bytes) else name: v for name, v in config}
    assert values["QUERY_MEM_CAPACITY"] == 128 << 20
    assert values["TIMEOUT_MAX"] == round(ui_settings.store_query_timeout_max_s * 1000)
    assert values["TIMEOUT_DEFAULT"] == values["TIMEOUT_MAX"]


def test_deep_nesting_big_and_long_queries_then_the_service_answers(quick) -> None:
    with quick.client(timeout=60) as http:
        for shape, query in NESTED.items():
            refused = http.post("/api/cypher", json={"query": query})
            assert refused.status_code == 400, (shape, refused.text)
            assert "levels deep" in refused.json()["detail"]
        assert_answering(http)
        big = http.post("/api/cypher", json={"query": HUGE_RANGE})
        assert big.status_code == 400 and "memory limit" in big.json()["detail"], big.text
        assert_answering(http)
        long = http.post("/api/cypher", json={"query": LONG})
        assert long.status_code == 408 and "ran past 1 s" in long.json()["detail"], long.text
        assert_answering(http)
        health = http.get("/api/health").json()
    limit_mb = quick.services.settings.store_max_memory_mb
    if "rss_mb" in health:  # FalkorDB (Neo4j reports no process)
        assert health["rss_mb"] < limit_mb

"""The FalkorDB child dies (or is ended because a query would not stop) under a running
server: requests get 503 with a clear message meanwhile, never 500; the service comes back
by itself on the same folder with every document intact."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from kg.settings import Settings
from tests.ui.uitest_support import ADMIN_KEY, SAMPLES, RunningServer

# evaluated inside one expression: FalkorDB checks its time limit between records only
STUCK = (
    "RETURN reduce(s = 0, x IN range(1, 3000) | s + reduce(t = 0, y IN range(1, 3000) | "
    "t + size([z IN range(1, 100) | z])))"
)
COUNT = "MATCH (c:Chunk) RETURN count(c) AS chunks"


@pytest.fixture(scope="module")
def own(ui_settings: Settings, ui_embedder, tmp_path_factory) -> Iterator[RunningServer]:
    """A server over its own small store (these tests restart its database)."""
    from kg.ingest.pipeline import Ingestor
    from kg.stores import open_store
    from ui.api.app import create_app
    from ui.app.server import serving

    settings = ui_settings.with_overrides(
        store=tmp_path_factory.mktemp("recovery"), cypher_timeout_s=1.0
    )
    store = open_store(settings)
    try:
        files = [SAMPLES / "brightwater_labs.md", SAMPLES / "vale_family.txt"]
        Ingestor(settings, store, embedder=ui_embedder).run([str(f) for f in files], [])
        app = create_app(
            settings, store, data_dir=tmp_path_factory.mktemp("rdata"), embedder=ui_embedder
        )
        with serving(app) as url:
            yield RunningServer(url, app.state.services)
    finally:
        store.close()


def snapshot(http) -> tuple[object, object, str]:
    stats = http.get("/api/stats")
    assert stats.status_code == 200, stats.text
    rows = http.post("/api/cypher", json={"query": COUNT})
    assert rows.status_code == 200, rows.text
    answer = http.post("/api/ask", json={"question": "Who founded Brightwater Labs?"})
    assert answer.status_code == 200, answer.text
    return stats.json(), rows.json()["rows"], answer.json()["answer"]


def wait_recovered(http, restarts: int, seen: set[int]) -> dict[str, object]:
    """Poll until the store is back after `restarts` restarts; every status seen is kept."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = http.get("/api/stats")
        seen.add(response.status_code)
        if response.status_code == 503:
            assert "try again" in response.json()["detail"]
            assert response.headers["retry-after"]
        health = http.get("/api/health")
        seen.add(health.status_code)
        if health.status_code == 200 and health.json()["restarts"] >= restarts:
            return health.json()
        time.sleep(0.1)
    raise AssertionError(f"the store did not come back; statuses seen {sorted(seen)}")


def test_killing_the_database_child_recovers_with_no_data_loss(own: RunningServer) -> None:
    with own.client(ADMIN_KEY) as http:
        before = snapshot(http)
        health = http.get("/api/health").json()
        assert health["state"] == "ok"
        os.kill(int(health["pid"]), signal.SIGKILL)
        seen: set[int] = set()
        after = wait_recovered(http, int(health["restarts"]) + 1, seen)
        assert after["pid"] != health["pid"]
        assert seen <= {200, 503}, seen
        assert snapshot(http) == before
        assert before[0]["documents"] == 2


def test_a_query_the_database_does_not_stop_is_ended_by_a_restart(own: RunningServer) -> None:
    with own.client() as http:
        before = snapshot(http)
        restarts = int(http.get("/api/health").json()["restarts"])
        stuck = http.post("/api/cypher", json={"query": STUCK})
        assert stuck.status_code == 408, stuck.text
        seen: set[int] = set()
        wait_recovered(http, restarts + 1, seen)
        assert seen <= {200, 503}, seen
        assert snapshot(http) == before

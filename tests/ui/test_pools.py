"""The bounded worker pools: slow work holds its own workers, a full pool refuses with 503,
and the rest of the API keeps answering while Cypher workers are busy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.ui.test_hostile_queries import LONG
from tests.ui.uitest_support import RunningServer
from ui.api.errors import Unavailable
from ui.api.pools import WorkPool


def test_a_full_pool_refuses_and_takes_work_again_once_freed() -> None:
    pool = WorkPool("test", workers=1, max_waiting=1)
    release = threading.Event()
    running = [pool.submit(release.wait, 30), pool.submit(release.wait, 30)]
    with pytest.raises(Unavailable, match="busy"):
        pool.submit(release.wait, 30)
    release.set()
    assert all(f.result(timeout=30) for f in running)
    assert pool.call(lambda: 42, timeout=30) == 42


def test_stats_and_trivial_cypher_answer_while_slow_queries_hold_the_workers(quick) -> None:
    """More slow queries than Cypher workers: /api/stats (not in the pool) still answers;
    every slow one ends 408 or 503 (pool full), none 500."""
    server: RunningServer = quick
    with ThreadPoolExecutor(6) as clients, server.client(timeout=60) as http:
        slow = [
            clients.submit(lambda: http.post("/api/cypher", json={"query": LONG}).status_code)
            for _ in range(6)
        ]
        stats = http.get("/api/stats")
        assert stats.status_code == 200, stats.text
        assert {f.result() for f in slow} <= {408, 503}
        ok = http.post("/api/cypher", json={"query": "RETURN 1 AS one"})
        assert ok.status_code == 200, ok.text

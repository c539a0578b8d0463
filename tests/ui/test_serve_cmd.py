"""`kgqa serve` as a user runs it: one process serving the app at / and the API at /api."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx

from kg.stores.falkordb.server import _alive
from tests.ui.uitest_support import start_serve


def test_kgqa_serve_serves_app_and_api_then_stops_cleanly(tmp_path: Path) -> None:
    proc, base = start_serve(
        tmp_path / "store", tmp_path / "serve.log", command="ui", KGQA_API_PUBLIC_ROLE="off"
    )
    root = base.removesuffix("/api")
    try:
        assert "<gradio-app" in httpx.get(f"{root}/").text or "gradio" in httpx.get(root).text
        refused = httpx.get(f"{base}/stats")
        assert refused.status_code == 401 and "API key is required" in refused.json()["detail"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text()


def test_kgqa_serve_stops_on_sigterm_with_a_query_stuck_in_the_database(tmp_path: Path) -> None:
    """SIGTERM while a query the database does not stop is running: the process exits 0
    within a bounded wait and its FalkorDB child goes with it."""
    from tests.ui.test_store_recovery import STUCK

    proc, base = start_serve(tmp_path / "store", tmp_path / "serve.log")
    try:
        child = int(httpx.get(f"{base}/health").json()["pid"])
        stuck = threading.Thread(
            target=lambda: _post_quietly(f"{base}/cypher", {"query": STUCK}), daemon=True
        )
        stuck.start()
        time.sleep(1.0)  # let the query reach the database
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the FalkorDB child outlived kgqa serve"


def _post_quietly(url: str, body: dict[str, object]) -> None:
    try:
        httpx.post(url, json=body, timeout=60)
    except httpx.HTTPError:
        pass  # the server goes away under it

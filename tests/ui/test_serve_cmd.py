"""`kgqa serve` as a user runs it: one process serving the app at / and the API at /api."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from kg.stores.falkordb.server import _alive
from tests.ui.uitest_support import REPO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kgqa_serve_serves_app_and_api_then_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "KGQA_STORE": str(tmp_path / "store"), "KGQA_API_PUBLIC_ROLE": "off"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ui", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{base}/api/openapi.json").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.5)
        assert "<gradio-app" in httpx.get(f"{base}/").text or "gradio" in httpx.get(base).text
        refused = httpx.get(f"{base}/api/stats")
        assert refused.status_code == 401 and "API key is required" in refused.json()["detail"]
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output


def test_kgqa_serve_stops_on_sigterm_with_a_query_stuck_in_the_database(tmp_path: Path) -> None:
    """SIGTERM while a query the database does not stop is running: the process exits 0
    within a bounded wait and its FalkorDB child goes with it."""
    from tests.ui.test_store_recovery import STUCK

    port = _free_port()
    env = {**os.environ, "KGQA_STORE": str(tmp_path / "store")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                health = httpx.get(f"{base}/health")
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.5)
        child = int(health.json()["pid"])
        stuck = threading.Thread(
            target=lambda: _post_quietly(f"{base}/cypher", {"query": STUCK}), daemon=True
        )
        stuck.start()
        time.sleep(1.0)  # let the query reach the database
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the FalkorDB child outlived kgqa serve"


def _post_quietly(url: str, body: dict[str, object]) -> None:
    try:
        httpx.post(url, json=body, timeout=60)
    except httpx.HTTPError:
        pass  # the server goes away under it

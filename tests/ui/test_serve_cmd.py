"""`kgqa serve` as a user runs it: one process serving the app at / and the API at /api."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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

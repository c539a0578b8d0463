"""What the ui tests share besides fixtures: the test API keys and the running-server handle."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
ADMIN_KEY = "test-admin-key-0001"
BOARD_KEY = "test-board-key-0001"
API_KEYS = {
    "keys": [
        {"key": ADMIN_KEY, "name": "admin", "groups": ["*"], "role": "admin"},
        {"key": BOARD_KEY, "name": "board", "groups": ["board"], "role": "reader"},
    ]
}


@dataclass
class RunningServer:
    url: str
    services: object  # ui.api.services.Services, for reading state the API does not show

    def client(self, key: str | None = None, timeout: float = 120.0) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(
    store: Path, log: Path, command: str = "serve", **env: str
) -> tuple[subprocess.Popen[bytes], str]:
    """The real `kgqa serve` in a subprocess on a free loopback port over `store` (its output
    to `log`, never a pipe nobody reads); returns (process, API base URL) once
    /api/health answers 200. `env` adds KGQA_* settings."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env={**os.environ, "KGQA_STORE": str(store), **env},
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"kgqa {command} exited {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"kgqa {command} did not come up:\n{log.read_text()}")
        time.sleep(0.5)

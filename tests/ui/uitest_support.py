"""What the ui tests share besides fixtures: the test API keys and the running-server handle."""

from __future__ import annotations

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

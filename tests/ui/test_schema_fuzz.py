"""schemathesis against /api/openapi.json: no generated request may cause a server error.

Each operation gets its own bounded Hypothesis run (schemathesis' lazy pytest loader does not
work with this pytest, so the operations' strategies are driven with @given directly).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.ui.uitest_support import ADMIN_KEY, RunningServer

EXAMPLES = 8
# an admin may write: for them, fuzz only what cannot start training or change the corpus
ADMIN_SKIPS = {("POST", "/api/train"), ("POST", "/api/documents"),
               ("DELETE", "/api/documents/{doc_id}")}


def _fuzz(server: RunningServer, key: str | None) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{server.url}/api/openapi.json")
    headers = {"X-API-Key": key} if key else {}
    tried: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if key and (operation.method.upper(), operation.path) in ADMIN_SKIPS:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(base_url=server.url, headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        no_server_error()
        tried.append(f"{operation.method.upper()} {operation.path}")
    return tried


@pytest.mark.parametrize("key", [None, ADMIN_KEY], ids=["public", "admin"])
def test_no_server_errors(server: RunningServer, key: str | None) -> None:
    tried = _fuzz(server, key)
    assert "POST /api/cypher" in tried and "POST /api/ask" in tried

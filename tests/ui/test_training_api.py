"""Training through the API: a short LoRA job reports progress and loss, and its adapter
becomes selectable for answers."""

from __future__ import annotations

import time

import pytest

from tests.ui.uitest_support import ADMIN_KEY, RunningServer


@pytest.mark.slow
def test_train_job_reports_progress_and_adds_an_adapter(server: RunningServer) -> None:
    with server.client(ADMIN_KEY) as http:
        started = http.post("/api/train", json={"name": "ui-test", "max_steps": 2,
                                                "batch_size": 4})
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        busy = http.post("/api/train", json={"name": "ui-test-2", "max_steps": 1})
        assert busy.status_code == 409 and "already running" in busy.json()["detail"]
        deadline = time.monotonic() + 900
        job = http.get(f"/api/jobs/{job_id}").json()
        while job["finished"] is None and time.monotonic() < deadline:
            time.sleep(2)
            job = http.get(f"/api/jobs/{job_id}").json()
        assert job["status"] == "done", job["message"]
        assert job["step"] == 2 and job["progress"] == 1.0
        assert job["loss_history"] and job["result"]["adapter"] == "ui-test"
        assert "ui-test" in http.get("/api/adapters").json()
        again = http.post("/api/train", json={"name": "ui-test", "max_steps": 1})
        assert again.status_code == 409 and "exists" in again.json()["detail"]
        asked = http.post("/api/ask", json={"question": "Who founded Brightwater Labs?",
                                            "adapter": "ui-test"})
        assert asked.status_code == 200, asked.text
        unknown = http.post("/api/ask", json={"question": "Who?", "adapter": "nope"})
        assert unknown.status_code == 400 and "unknown adapter" in unknown.json()["detail"]

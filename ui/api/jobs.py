"""Background jobs (LoRA training) run in threads, with progress the API and app can poll."""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    id: str
    kind: str
    status: Status = "queued"
    progress: float = 0.0  # 0..1
    step: int = 0
    total_steps: int = 0
    loss_history: list[dict[str, float]] = field(default_factory=list)
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def report(self, event: dict[str, Any]) -> None:
        """Take one progress event ({step, max_steps/total_steps, loss, ...}) from a trainer."""
        step = int(event.get("step", self.step) or 0)
        total = int(event.get("max_steps") or event.get("total_steps") or self.total_steps or 0)
        self.step, self.total_steps = step, total
        if total > 0:
            self.progress = min(1.0, step / total)
        loss = event.get("loss")
        if isinstance(loss, int | float):
            self.loss_history.append({"step": float(step), "loss": float(loss)})
        if event.get("message"):
            self.message = str(event["message"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "step": self.step,
            "total_steps": self.total_steps,
            "loss_history": list(self.loss_history),
            "message": self.message,
            "result": dict(self.result),
            "created": self.created,
            "finished": self.finished,
        }


class JobRegistry:
    """Starts jobs in daemon threads; at most `max_running` of a kind run at once."""

    def __init__(self, max_running: int = 1) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.max_running = max_running

    def start(self, kind: str, work: Callable[[Job], dict[str, Any]]) -> Job | None:
        """Run `work(job)` in a thread; None when the kind is already at its limit."""
        with self._lock:
            busy = [j for j in self._jobs.values() if j.kind == kind and j.finished is None]
            if len(busy) >= self.max_running:
                return None
            job = Job(id=uuid.uuid4().hex[:12], kind=kind)
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True).start()
        return job

    def _run(self, job: Job, work: Callable[[Job], dict[str, Any]]) -> None:
        job.status = "running"
        try:
            job.result = work(job)
            job.status, job.progress = "done", 1.0
            job.message = job.message or "finished"
        except Exception as exc:  # the job reports its failure; the server keeps running
            job.status = "failed"
            job.message = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

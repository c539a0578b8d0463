"""Dataset export and LoRA training for a caller (admin only); training runs as a job."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from training.export import FORMATS, export_dataset
from ui.api.auth import Principal
from ui.api.errors import BadRequest, Conflict, NotFound
from ui.api.jobs import Job, JobRegistry
from ui.api.jsonable import to_jsonable
from ui.api.services.runtime import Runtime


class TrainingService:
    def __init__(self, runtime: Runtime, jobs: JobRegistry) -> None:
        self.rt = runtime
        self.jobs = jobs

    def _export_into(
        self, principal: Principal, folder: Path, fmt: str, **options: Any
    ) -> dict[str, Any]:
        """Write the dataset under `folder`; the report says which files."""
        if fmt not in FORMATS:
            raise BadRequest(f"format must be one of {', '.join(FORMATS)}")
        try:
            report = export_dataset(
                self.rt.store, fmt, folder, groups=list(principal.groups), **options
            )
        except ValueError as exc:  # nothing visible to export
            raise NotFound(str(exc)) from exc
        return report.as_dict()

    def export(
        self,
        principal: Principal,
        fmt: str = "chat",
        reverse: bool = True,
        hops: int = 1,
        paraphrases: int = 1,
        seed: int = 0,
    ) -> Path:
        """One downloadable file: a zip of the splits (train/validation/test) in `fmt`."""
        principal.require_admin("exporting datasets")
        folder = self.rt.folder("exports") / uuid.uuid4().hex[:12]
        self._export_into(
            principal, folder / "data", fmt,
            reverse=reverse, hops=hops, paraphrases=paraphrases, seed=seed,
        )
        suffix = "reverse" if reverse else "forward"
        archive = shutil.make_archive(str(folder / f"kgqa-{fmt}-{suffix}"), "zip", folder / "data")
        return Path(archive)

    def start(
        self,
        principal: Principal,
        name: str | None = None,
        reverse: bool = True,
        epochs: float = 3.0,
        max_steps: int = -1,
        rank: int = 16,
        lr: float = 1e-3,
        batch_size: int = 8,
    ) -> Job:
        """Export the caller's triples as chat data and LoRA-train an adapter on them."""
        principal.require_admin("training")
        name = name or f"adapter-{uuid.uuid4().hex[:8]}"
        out = self.rt.folder("adapters") / name
        if out.exists():
            raise Conflict(f"an adapter called {name!r} already exists")

        def work(job: Job) -> dict[str, Any]:
            from training.lora import TrainConfig, train

            job.message = "exporting the dataset"
            data = self.rt.folder("exports") / f"train-{job.id}"
            exported = self._export_into(principal, data, "chat", reverse=reverse)
            job.message = f"training on {exported['pairs']} QA pairs"
            config = TrainConfig(
                data=str(data), out=str(out), epochs=epochs, max_steps=max_steps,
                rank=rank, lr=lr, batch_size=batch_size, progress_bar=False,
            )
            result = train(config, on_progress=job.report)
            return {"adapter": name, "dataset": exported, **to_jsonable(result)}

        job = self.jobs.start("train", work)
        if job is None:
            raise Conflict("a training job is already running; wait for it to finish")
        return job

    def job(self, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job.as_dict()

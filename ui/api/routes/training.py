"""Dataset export (a file download) and LoRA training jobs. Admin only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from ui.api.deps import PrincipalDep, ServicesDep
from ui.api.schemas import ERRORS, ExportRequest, JobOut, TrainRequest

router = APIRouter(tags=["fine-tuning"], responses=ERRORS)


@router.post(
    "/export",
    summary="Export QA pairs (forward and reverse) as a dataset file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def export(body: ExportRequest, services: ServicesDep, principal: PrincipalDep) -> FileResponse:
    path = services.training.export(
        principal, body.format, body.reverse, body.hops, body.paraphrases, body.seed
    )
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


@router.post("/train", status_code=202, summary="Start a LoRA training job")
def train(body: TrainRequest, services: ServicesDep, principal: PrincipalDep) -> JobOut:
    job = services.training.start(principal, **body.model_dump())
    return JobOut(**job.as_dict())


@router.get("/jobs/{job_id}", summary="A job's progress and loss history")
def job(
    job_id: Annotated[str, Path(max_length=64)], services: ServicesDep, principal: PrincipalDep
) -> JobOut:
    return JobOut(**services.training.job(job_id))

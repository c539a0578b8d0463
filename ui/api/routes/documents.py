"""Upload (ingest), list and delete documents. Writes need an admin key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from starlette.concurrency import run_in_threadpool

from kg.models import normalise_groups
from ui.api.deps import PrincipalDep, ServicesDep
from ui.api.schemas import ERRORS

router = APIRouter(tags=["documents"], responses=ERRORS)


@router.get("/documents", summary="Documents you may see")
def list_documents(services: ServicesDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return services.documents.list(principal)


@router.post("/documents", summary="Upload and ingest files; returns the per-file report")
async def upload_documents(
    services: ServicesDep,
    principal: PrincipalDep,
    files: Annotated[list[UploadFile], File(description="txt, md, html, pdf or docx files")],
    groups: Annotated[str, Form(max_length=1000, description="comma-separated groups")] = "",
) -> dict[str, Any]:
    principal.require_admin("uploading documents")  # before reading any file
    contents = [(f.filename or "", await f.read()) for f in files]
    group_list = normalise_groups(groups.split(","))
    return await run_in_threadpool(services.documents.upload, principal, contents, group_list)


@router.delete("/documents/{doc_id:path}", summary="Delete a document and what it derived")
def delete_document(
    doc_id: Annotated[str, Path(min_length=1, max_length=4096)],
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    return services.documents.delete(principal, doc_id)

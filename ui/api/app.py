"""The FastAPI application: every route under /api, JSON errors, body size limits."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kg.settings import Settings
from kg.stores.base import BadParameter, GraphStore, StoreUnavailable
from ui.api.errors import BadRequest, ServiceError, Unavailable
from ui.api.limits import DeclaredSizeLimit
from ui.api.routes import answers, documents, graph, health, training
from ui.api.services import Services, build_services

log = logging.getLogger(__name__)
PREFIX = "/api"
RETRY_AFTER_S = 5


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        retry = RETRY_AFTER_S if exc.status == 503 else getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)

    @app.exception_handler(BadParameter)
    async def bad_parameter(request: Request, exc: BadParameter) -> JSONResponse:
        return await service_error(request, BadRequest(str(exc)))

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        return await service_error(request, Unavailable(str(exc)))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": f"internal error: {type(exc).__name__}"}, status_code=500
        )


def create_app(
    settings: Settings,
    store: GraphStore | None = None,
    *,
    services: Services | None = None,
    data_dir: Path | None = None,
    **components: Any,
) -> FastAPI:
    """The API over `store` (or ready-made `services`); the caller owns the store's life."""
    if services is None:
        if store is None:
            raise ValueError("create_app needs a store or services")
        services = build_services(settings, store, data_dir=data_dir, **components)
    app = FastAPI(
        title="kgqa",
        summary="Knowledge-graph question answering: ask, read-only Cypher, documents, fine-tuning",
        version="0.1.0",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = services
    json_limit = settings.api_max_body_kb * 1024
    upload_limit = int(settings.api_max_upload_mb * 1024 * 1024)
    for module in (answers, graph, health, training):
        app.include_router(module.router, prefix=PREFIX, max_body_size=json_limit)
    app.include_router(documents.router, prefix=PREFIX, max_body_size=upload_limit)
    _install_error_handlers(app)
    app.add_middleware(
        DeclaredSizeLimit,
        limits={PREFIX: json_limit, f"{PREFIX}/documents": upload_limit},
    )
    return app

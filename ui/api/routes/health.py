"""GET /api/health: whether the store answers, for probes and for people (no key needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ui.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="The store's state: 200 when it answers, 503 while it is not")
def health(services: ServicesDep) -> JSONResponse:
    state: dict[str, Any] = services.runtime.store.health()
    return JSONResponse(state, status_code=200 if state.get("state") == "ok" else 503)

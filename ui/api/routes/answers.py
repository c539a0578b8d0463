"""POST /api/ask and the adapters a caller may choose from."""

from __future__ import annotations

from fastapi import APIRouter

from qa.models import Answer
from ui.api.deps import PrincipalDep, ServicesDep
from ui.api.schemas import ERRORS, AskRequest, Me

router = APIRouter(tags=["answers"], responses=ERRORS)


@router.post("/ask", summary="Answer a question from the graph, citing evidence")
async def ask(body: AskRequest, services: ServicesDep, principal: PrincipalDep) -> Answer:
    return await services.answers.ask_async(principal, body.question, body.route, body.adapter)


@router.get("/adapters", summary="LoRA adapters that /api/ask accepts by name")
def adapters(services: ServicesDep, principal: PrincipalDep) -> list[str]:
    return sorted(services.answers.adapters())


@router.get("/me", summary="Who the API key says you are")
def me(principal: PrincipalDep) -> Me:
    return Me(name=principal.name, role=principal.role, groups=list(principal.groups))

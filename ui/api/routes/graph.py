"""Read-only graph access: Cypher, entities, triples, counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ui.api.deps import PrincipalDep, ServicesDep
from ui.api.schemas import ERRORS, CypherRequest, CypherResult

router = APIRouter(tags=["graph"], responses=ERRORS)


@router.post("/cypher", summary="Run one read-only Cypher statement over what you may see")
async def cypher(
    body: CypherRequest, services: ServicesDep, principal: PrincipalDep
) -> CypherResult:
    result = await services.graph.cypher_async(principal, body.query, body.params, body.limit)
    return CypherResult(**result)


@router.get("/entities/{name}", summary="An entity with its relations both ways and evidence")
def entity(
    name: Annotated[str, Path(min_length=1, max_length=300)],
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    return services.graph.entity(principal, name)


@router.get("/triples", summary="Stored triples, filtered by subject, predicate, object")
def triples(
    services: ServicesDep,
    principal: PrincipalDep,
    subject: Annotated[str | None, Query(max_length=300)] = None,
    predicate: Annotated[str | None, Query(max_length=300)] = None,
    object: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    return services.graph.triples(principal, subject, predicate, object, limit)


@router.get("/stats", summary="Counts of documents, chunks, entities and triples you may see")
def stats(services: ServicesDep, principal: PrincipalDep) -> dict[str, int]:
    return services.graph.stats(principal)

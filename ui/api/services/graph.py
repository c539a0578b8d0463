"""Read access to the graph for a caller: read-only Cypher, entities, triples, counts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from kg.models import StoredTriple
from kg.stores.base import (
    BadParameter,
    QueryTimedOut,
    QueryTooComplex,
    ReadOnlyViolation,
    RestartedByQuery,
    StoreError,
    StoreUnavailable,
)
from kg.stores.readonly import check_params, check_read_only
from ui.api.auth import Principal
from ui.api.errors import BadRequest, NotFound, QueryTimeout, UnsafeQuery
from ui.api.jsonable import to_jsonable
from ui.api.services.restart_guard import RestartGuard
from ui.api.services.runtime import Runtime

Params = dict[str, Any] | None
MAX_TRIPLES = 1000
# The database stops a query at the time limit; the worker is waited for this much longer so
# that stop is what answers, and abandoned only when something else hangs (a long write
# holding the store, copying a group's view).
DATABASE_GRACE_S = 2.0


@contextmanager
def _translated(seconds: float) -> Iterator[None]:
    """Store errors of a user query as the API's errors."""
    try:
        yield
    except (TimeoutError, QueryTimedOut) as exc:
        raise QueryTimeout(f"the query ran past {seconds:g} s; narrow it") from exc
    except ReadOnlyViolation as exc:
        raise UnsafeQuery(f"the store refused a write: {exc}") from exc
    except StoreUnavailable:
        raise
    except StoreError as exc:
        raise BadRequest(f"query failed: {exc}") from exc


def _result(columns: list[Any], rows: list[list[Any]], limit: int) -> dict[str, Any]:
    rows = rows[:limit]
    return {
        "columns": [str(c) for c in columns],
        "rows": to_jsonable(rows),
        "truncated": len(rows) >= limit,
    }


def _entity_key(name: str) -> str:
    from kg.extract.normalize import entity_key

    return entity_key(name)


class GraphService:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.guard = RestartGuard(runtime.settings.cypher_restart_cooldown_s)

    def _prepare(
        self, principal: Principal, query: str, params: Params, limit: int | None
    ) -> tuple[Callable[[], dict[str, Any]], float]:
        """The cool-down and the store's statement and parameter checks run here first, so
        an asker cooling down, a write, a writing procedure, a second statement, a statement
        too nested to parse or an unusable parameter name is refused before it takes a
        worker; the store runs it read-only. Returns the work for a worker and its limit."""
        self.guard.check(principal)
        try:
            check_read_only(query)
        except ReadOnlyViolation as exc:
            raise UnsafeQuery(str(exc)) from exc
        except QueryTooComplex as exc:
            raise BadRequest(str(exc)) from exc
        try:
            params = check_params(params)
        except BadParameter as exc:
            raise BadRequest(str(exc)) from exc
        cap = self.rt.settings.cypher_max_rows
        limit = max(1, min(limit or cap, cap))
        seconds = self.rt.settings.cypher_timeout_s
        work = partial(self._run, principal, query, params, limit, seconds)
        return work, seconds

    def _run(
        self, principal: Principal, query: str, params: dict[str, Any], limit: int, seconds: float
    ) -> dict[str, Any]:
        """In a worker: the query, its errors as the API's, a restart it caused remembered."""
        with _translated(seconds):
            try:
                columns, rows = self.rt.store.cypher(
                    query, params, list(principal.groups), limit, seconds
                )
            except RestartedByQuery as exc:
                self.guard.blame(principal, exc.why)
                raise
        return _result(columns, rows, limit)

    def cypher(
        self, principal: Principal, query: str, params: Params = None, limit: int | None = None
    ) -> dict[str, Any]:
        """Run a read-only statement over what the caller's groups may see (waits here)."""
        work, seconds = self._prepare(principal, query, params, limit)
        with _translated(seconds):
            return self.rt.pools.cypher.call(work, timeout=seconds + DATABASE_GRACE_S)

    async def cypher_async(
        self, principal: Principal, query: str, params: Params = None, limit: int | None = None
    ) -> dict[str, Any]:
        """The same for the HTTP route: awaited, so no server thread waits on the query."""
        work, seconds = self._prepare(principal, query, params, limit)
        with _translated(seconds):
            return await self.rt.pools.cypher.run(work, timeout=seconds + DATABASE_GRACE_S)

    def _triple_json(self, triple: StoredTriple, texts: dict[str, str]) -> dict[str, Any]:
        data = to_jsonable(triple)
        data["evidence"] = texts.get(triple.chunk, "")
        return data

    def entity(self, principal: Principal, name: str) -> dict[str, Any]:
        """The entity called `name` with its relations in both directions and their evidence."""
        groups = list(principal.groups)
        name = name.strip()
        key = _entity_key(name) if name else ""
        if not key:
            raise BadRequest("give an entity name")
        found = self.rt.store.find_entities([key], groups)
        if not found and re.search(r"\w", name):
            try:
                found = [e for e, _ in self.rt.store.entity_fulltext(name, 1, groups)]
            except StoreError:
                found = []
        if not found:
            raise NotFound(f"no visible entity called {name!r}")
        entity = found[0]
        triples = self.rt.store.neighbourhood([entity.key], groups, hops=1)
        chunk_ids = sorted({t.chunk for t in triples if t.chunk})
        texts = {c.id: c.text for c in self.rt.store.get_chunks(chunk_ids, groups)}
        key = entity.key
        return {
            "entity": to_jsonable(entity),
            "outgoing": [self._triple_json(t, texts) for t in triples if t.subject_key == key],
            "incoming": [self._triple_json(t, texts) for t in triples if t.object_key == key],
        }

    def triples(
        self,
        principal: Principal,
        subject: str | None = None,
        predicate: str | None = None,
        object: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        found = self.rt.store.triples(
            list(principal.groups),
            subject=_entity_key(subject) if subject else None,
            predicate=predicate.strip() if predicate else None,
            object=_entity_key(object) if object else None,
            limit=max(1, min(limit, MAX_TRIPLES)),
        )
        return [to_jsonable(t) for t in found]

    def stats(self, principal: Principal) -> dict[str, int]:
        return self.rt.store.counts(list(principal.groups)).as_dict()

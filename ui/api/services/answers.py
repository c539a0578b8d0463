"""Questions answered for a caller, with the adapter they chose (from a known list only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from kg.models import StoredTriple
from ui.api.auth import Principal
from ui.api.errors import BadRequest
from ui.api.services.runtime import Runtime

ROUTES = ("auto", "graph", "dense", "hybrid")
MAX_QUESTION_CHARS = 2000
CONFIGURED = "configured"  # the adapter named in Settings.adapter


class AnswerService:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self._lock = threading.Lock()  # the generator is not made for concurrent calls

    def adapters(self) -> dict[str, str]:
        """Adapter name -> folder: the configured one and those trained through the UI."""
        found: dict[str, str] = {}
        if self.rt.settings.adapter:
            found[CONFIGURED] = self.rt.settings.adapter
        for config in sorted(self.rt.folder("adapters").glob("*/adapter_config.json")):
            found[config.parent.name] = str(config.parent)
        return found

    def _adapter_path(self, name: str | None) -> str | None:
        if not name:
            return None
        known = self.adapters()
        if name not in known:
            choices = ", ".join(known) or "none yet"
            raise BadRequest(f"unknown adapter {name!r} (known: {choices})")
        return known[name]

    def _prepare(
        self, principal: Principal, question: str, route: str, adapter: str | None
    ) -> Callable[[], Any]:
        question = (question or "").strip()
        if not question:
            raise BadRequest("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadRequest(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        if route not in ROUTES:
            raise BadRequest(f"route must be one of {', '.join(ROUTES)}")
        adapter_path = self._adapter_path(adapter)
        return partial(self._answer, question, list(principal.groups), route, adapter_path)

    def _answer(self, question: str, groups: list[str], route: str, adapter: str | None) -> Any:
        qa = self.rt.qa
        with self._lock:
            return qa.ask(question, groups=groups, route=route, adapter=adapter)

    def ask(
        self, principal: Principal, question: str, route: str = "auto", adapter: str | None = None
    ) -> Any:
        """The Answer for `question` as this caller may see it (waits here)."""
        return self.rt.pools.answers.call(self._prepare(principal, question, route, adapter))

    async def ask_async(
        self, principal: Principal, question: str, route: str = "auto", adapter: str | None = None
    ) -> Any:
        """The same for the HTTP route, awaited in the bounded answer pool."""
        return await self.rt.pools.answers.run(self._prepare(principal, question, route, adapter))

    def subgraph(self, answer: Any) -> list[StoredTriple]:
        """The evidence's edges, for drawing."""
        return list(self.rt.qa.subgraph(answer))


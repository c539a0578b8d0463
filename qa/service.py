"""QAService: the one entry point the CLI, the HTTP API and the Gradio app call."""

from __future__ import annotations

from collections.abc import Sequence

from kg.models import StoredTriple
from kg.settings import Settings
from kg.stores.base import GraphStore
from qa.models import Answer, RouteChoice


class QAService:
    """Routes a question, retrieves evidence the asker may see, and answers or refuses.

    Models (embedder, generator) are loaded once per service and reused across questions.
    """

    def __init__(self, settings: Settings, store: GraphStore, embedder: object | None = None):
        self.settings = settings
        self.store = store
        self.embedder = embedder

    def ask(
        self,
        question: str,
        groups: Sequence[str] = (),
        route: RouteChoice = "auto",
        adapter: str | None = None,
    ) -> Answer:
        """Answer `question` as an asker holding `groups`; `route` forces a route."""
        forced = "dense" if route == "auto" else route
        return Answer.refusal(question, forced, "question answering is not implemented yet")

    def subgraph(self, answer: Answer) -> list[StoredTriple]:
        """The evidence's edges (for drawing): one StoredTriple per triple evidence."""
        out: list[StoredTriple] = []
        for ev in answer.evidence:
            if ev.triple:
                s, p, o = ev.triple
                out.append(StoredTriple(s, p, o, s.lower(), o.lower(), ev.doc, ev.chunk, ev.text))
        return out

"""The answer records: exactly the `kgqa ask --json` contract (also used by the API and UI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Route = Literal["graph", "dense", "hybrid"]
RouteChoice = Literal["auto", "graph", "dense", "hybrid"]

REFUSAL = "I don't know"


class Evidence(BaseModel):
    """One cited piece of support: a chunk, and the triple read from it when there is one."""

    doc: str  # document id (its path)
    chunk: str  # chunk id
    text: str  # the supporting sentence (triple evidence) or passage text (dense evidence)
    triple: list[str] | None = None  # [subject, predicate, object]
    score: float


class Answer(BaseModel):
    """What `ask` returns. A refused answer says "I don't know" and may carry no evidence."""

    question: str
    answer: str
    refused: bool
    route: Route
    reason: str
    cypher: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    @classmethod
    def refusal(
        cls, question: str, route: Route, reason: str, cypher: str | None = None
    ) -> Answer:
        """The one way to say "I don't know": no guess, no evidence."""
        return cls(
            question=question, answer=REFUSAL, refused=True, route=route, reason=reason,
            cypher=cypher,
        )

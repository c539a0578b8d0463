"""Request and response bodies of the HTTP API (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kg.stores.readonly import PARAM_NAME_PATTERN

Scalar = str | int | float | bool | None
ParamName = Annotated[str, StringConstraints(pattern=PARAM_NAME_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(Strict):
    question: str = Field(min_length=1, max_length=2000)
    route: Literal["auto", "graph", "dense", "hybrid"] = "auto"
    adapter: str | None = Field(None, max_length=200, description="a name from /api/adapters")


class CypherRequest(Strict):
    query: str = Field(min_length=1, max_length=10_000)
    params: dict[ParamName, Scalar | list[Scalar]] = Field(default_factory=dict)
    limit: int | None = Field(None, ge=1, le=100_000, description="capped by the server's limit")


class CypherResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


class ExportRequest(Strict):
    format: Literal["chat", "alpaca", "sharegpt", "hf"] = "chat"
    reverse: bool = True
    hops: int = Field(1, ge=1, le=2)
    paraphrases: int = Field(1, ge=1, le=5)
    seed: int = Field(0, ge=0, le=2**31)


class TrainRequest(Strict):
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="adapter name")
    reverse: bool = True
    epochs: float = Field(3.0, gt=0, le=100)
    max_steps: int = Field(-1, ge=-1, le=100_000)
    rank: int = Field(16, ge=1, le=256)
    lr: float = Field(1e-3, gt=0, le=1)
    batch_size: int = Field(8, ge=1, le=256)


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    step: int
    total_steps: int
    loss_history: list[dict[str, float]]
    message: str
    result: dict[str, Any]
    created: float
    finished: float | None


class Me(BaseModel):
    name: str
    role: Literal["reader", "admin"]
    groups: list[str]


class ErrorOut(BaseModel):
    detail: Any


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 408, 409, 413, 422, 429, 503)
}

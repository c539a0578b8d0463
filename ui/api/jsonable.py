"""Turn what the stores and services return (dataclasses, pydantic models, graph values)
into plain JSON, dropping embedding vectors nobody wants to read."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

HIDDEN_KEYS = frozenset({"embedding"})


def _clean_mapping(data: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): to_jsonable(v) for k, v in data.items() if str(k) not in HIDDEN_KEYS}


def to_jsonable(value: Any) -> Any:
    """A JSON-safe copy of `value` (graph nodes/edges become {labels|type, properties})."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return _clean_mapping(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _clean_mapping({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if hasattr(value, "model_dump"):
        return _clean_mapping(value.model_dump())
    return _graph_value(value)


def _graph_value(value: Any) -> Any:
    """FalkorDB/Neo4j Node, Edge/Relationship and Path objects, or their string form."""
    if hasattr(value, "nodes") and hasattr(value, "edges") and callable(value.nodes):
        return {"nodes": to_jsonable(value.nodes()), "edges": to_jsonable(value.edges())}
    properties = getattr(value, "properties", None)
    if isinstance(properties, dict):
        out: dict[str, Any] = {"properties": _clean_mapping(properties)}
        labels = getattr(value, "labels", None)
        relation = getattr(value, "relation", None) or getattr(value, "type", None)
        if labels is not None:
            out["labels"] = list(labels)
        elif relation is not None:
            out["type"] = str(relation)
        return out
    if hasattr(value, "items") and callable(value.items):  # neo4j Node/Relationship
        return _clean_mapping(dict(value.items()))
    return str(value)

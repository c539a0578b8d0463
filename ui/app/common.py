"""What every tab shares: who is asking (from the API key box or header) and error display."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from ui.api.auth import Principal
from ui.api.errors import ServiceError
from ui.api.services import Services

F = TypeVar("F", bound=Callable[..., Any])


def principal_for(services: Services, key: str | None, request: gr.Request | None) -> Principal:
    """The key typed in the app wins; otherwise an X-API-Key header (gradio_client sends one)."""
    if not (key or "").strip() and request is not None:
        key = request.headers.get("x-api-key", "")
    return services.keys.resolve(key)


def shows_errors(fn: F) -> F:
    """Turn service errors into a Gradio error toast with the same message the API gives."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            raise gr.Error(exc.message) from exc

    return wrapper  # type: ignore[return-value]

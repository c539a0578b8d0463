"""Refuse an /api request whose declared Content-Length is over its limit, as JSON.

FastAPI's own per-router `max_body_size` does the enforcing (streamed bodies included); this
only answers the early case, where Starlette would reply in plain text, in the API's format.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send


class DeclaredSizeLimit:
    def __init__(self, app: ASGIApp, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = limits  # path prefix -> bytes; the longest matching prefix wins

    def limit_for(self, path: str) -> int | None:
        matches = [p for p in self.limits if path.startswith(p)]
        return self.limits[max(matches, key=len)] if matches else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.limit_for(scope.get("path", ""))
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if limit is not None and length.isdigit() and int(length) > limit:
                body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
                headers = [(b"content-type", b"application/json"),
                           (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 413, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

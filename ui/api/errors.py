"""Errors the service layer raises; the API maps each to its HTTP status, the app to a message.

One hierarchy so the HTTP routes and the Gradio handlers report the same failure the same way.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service cannot fulfil; `status` is the HTTP status that describes it."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ServiceError):
    status = 400


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class PayloadTooLarge(ServiceError):
    status = 413


class UnsafeQuery(ServiceError):
    """A Cypher statement that would write, call a writing procedure or chain statements."""

    status = 400


class QueryTimeout(ServiceError):
    """A read-only query ran past its time limit; the caller should narrow it."""

    status = 408


class TooManyRequests(ServiceError):
    """The caller must wait `retry_after` seconds before asking this again."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """The store (or the worker pool) cannot take the request now; retrying later works."""

    status = 503

"""The HTTP API (FastAPI) over the service layer in ui.api.services."""

from ui.api.app import create_app

__all__ = ["create_app"]

"""One ASGI app: the JSON API under /api and the Gradio app mounted at /."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from kg.settings import Settings
from kg.stores.base import GraphStore
from ui.api import create_app
from ui.api.services import build_services
from ui.app.blocks import build_blocks


def create_server_app(
    settings: Settings, store: GraphStore, *, data_dir: Path | None = None, **components: Any
) -> FastAPI:
    services = build_services(settings, store, data_dir=data_dir, **components)
    app = create_app(settings, services=services)
    blocks = build_blocks(services)
    return gr.mount_gradio_app(
        app, blocks, path="/",
        max_file_size=int(settings.api_max_upload_mb * 1024 * 1024),
        footer_links=["api"],
    )

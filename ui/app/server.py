"""One ASGI app: the JSON API under /api and the Gradio app mounted at /."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
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


@contextmanager
def serving(app: FastAPI, host: str = "127.0.0.1", start_timeout: float = 60) -> Iterator[str]:
    """Run `app` on a free port in a background thread; yields its base URL (tests, scripts)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the kgqa server did not start")
            time.sleep(0.05)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()

"""`kgqa serve` (alias `kgqa ui`): the HTTP API and the Gradio app on one uvicorn server."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from kg.settings import Settings


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from kg.stores import open_store
    from ui.app.server import create_server_app

    store = open_store(settings)
    try:
        app = create_server_app(settings, store)
        print(
            f"kgqa: app at http://{args.host}:{args.port}/ , "
            f"API at http://{args.host}:{args.port}/api/docs",
            file=sys.stderr,
        )
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    finally:
        store.close()
    return 0

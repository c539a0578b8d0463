"""`kgqa serve` (alias `kgqa ui`): the HTTP API and the Gradio app on one uvicorn server."""

from __future__ import annotations

import argparse
import signal
import sys

import uvicorn

from kg.settings import Settings

GRACEFUL_SHUTDOWN_S = 3


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
        # SIGTERM/SIGINT: stop taking requests, give those in flight a few seconds, then
        # close the store (the FalkorDB child stops, a query stuck in it ends with it).
        # uvicorn re-raises the signal once it has shut down; a handler instead of the
        # default (which ends the process right there) lets the store close below.
        previous = signal.signal(signal.SIGTERM, lambda *_: None)
        try:
            uvicorn.run(
                app,
                host=args.host,
                port=args.port,
                log_level="info",
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        store.close()
    return 0

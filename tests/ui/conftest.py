"""A real kgqa server (API + Gradio app) on a free loopback port, over a store ingested from
samples/ (public files public, samples/restricted for the `board` group)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kg.settings import Settings
from tests.ui.uitest_support import API_KEYS, SAMPLES, RunningServer


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store_dir = tmp_path_factory.mktemp("uistore")
    return Settings(store=store_dir, api_keys=json.dumps(API_KEYS), api_public_role="reader")


@pytest.fixture(scope="session")
def ui_embedder(ui_settings: Settings) -> object:
    from kg.embed import Embedder

    return Embedder(ui_settings)


@pytest.fixture(scope="session")
def ui_store(ui_settings: Settings, ui_embedder: object) -> Iterator[object]:
    from kg.ingest.pipeline import Ingestor
    from kg.stores import open_store

    store = open_store(ui_settings)
    try:
        ingestor = Ingestor(ui_settings, store, embedder=ui_embedder)
        public = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.name != "README.md")
        ingestor.run([str(p) for p in public], [], progress=False)
        ingestor.run([str(SAMPLES / "restricted")], ["board"], progress=False)
        yield store
    finally:
        store.close()


@pytest.fixture(scope="session")
def server(
    ui_settings: Settings,
    ui_store: object,
    ui_embedder: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningServer]:
    from ui.app.server import create_server_app, serving

    app = create_server_app(
        ui_settings, ui_store, data_dir=tmp_path_factory.mktemp("uidata"), embedder=ui_embedder
    )
    with serving(app) as url:
        yield RunningServer(url, app.state.services)


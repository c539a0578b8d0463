"""A real kgqa server (API + Gradio app) on a free loopback port, over a store ingested from
samples/ (public files public, samples/restricted for the `board` group)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kg.embed import Embedder
from kg.settings import Settings
from tests.conftest import samples_store
from tests.ui.uitest_support import API_KEYS, RunningServer


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store_dir = tmp_path_factory.mktemp("uistore")
    # a small per-query memory cap, so the hostile-query tests stay cheap on a shared machine
    return Settings(
        store=store_dir,
        api_keys=json.dumps(API_KEYS),
        api_public_role="reader",
        store_query_mem_mb=128,
    )


@pytest.fixture(scope="session")
def ui_embedder(ui_settings: Settings) -> object:
    from kg.embed import Embedder

    return Embedder(ui_settings)


@pytest.fixture(scope="session")
def ui_store(ui_settings: Settings, ui_embedder: Embedder) -> Iterator[object]:
    with samples_store(ui_settings, ui_embedder) as store:
        yield store


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



@pytest.fixture(scope="session")
def quick(ui_settings, ui_store, tmp_path_factory) -> Iterator[RunningServer]:
    """The API with a 1 s Cypher limit over the session store."""
    from ui.api.app import create_app
    from ui.app.server import serving

    settings = ui_settings.with_overrides(cypher_timeout_s=1.0)
    app = create_app(settings, ui_store, data_dir=tmp_path_factory.mktemp("quick"))
    with serving(app) as url:
        yield RunningServer(url, app.state.services)

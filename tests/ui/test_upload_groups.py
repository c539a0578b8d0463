"""An upload's groups are the ones its request declares: a `.kgqa-groups` file in a folder
above where the server keeps uploads (the store folder sits in a restricted folder, say)
does not change them, in either direction (real server, store and models)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.ingest.folder_groups import GROUPS_FILE
from tests.ui.uitest_support import ADMIN_KEY, RunningServer


@pytest.fixture
def under_groups_file(
    ui_settings, ui_store, ui_embedder, tmp_path: Path
) -> Iterator[RunningServer]:
    """The API keeping its uploads below a folder whose groups file says `board`."""
    from ui.api.app import create_app
    from ui.app.server import serving

    (tmp_path / GROUPS_FILE).write_text("board\n", encoding="utf-8")
    app = create_app(ui_settings, ui_store, data_dir=tmp_path / "ui", embedder=ui_embedder)
    with serving(app) as url:
        yield RunningServer(url, app.state.services)


@pytest.mark.parametrize("declared", ["hr", ""])
def test_upload_keeps_its_declared_groups_under_a_groups_file(
    under_groups_file: RunningServer, declared: str
) -> None:
    text = b"Quillan Ostrava founded Veshto Mills in 1999. Veshto Mills is in Karsk."
    with under_groups_file.client(ADMIN_KEY) as admin:
        before = admin.get("/api/stats").json()
        sent = admin.post(
            "/api/documents",
            files=[("files", ("veshto.txt", text, "text/plain"))],
            data={"groups": declared},
        )
        assert sent.status_code == 200, sent.text
        (entry,) = sent.json()["files"]
        doc_id = entry["path"]
        try:
            expected = [declared] if declared else []
            assert (entry["status"], entry["groups"]) == ("ingested", expected), entry
            docs = {d["id"]: d for d in admin.get("/api/documents").json()}
            assert docs[doc_id]["groups"] == expected
        finally:
            assert admin.delete(f"/api/documents/{doc_id}").status_code == 200
        assert admin.get("/api/stats").json() == before

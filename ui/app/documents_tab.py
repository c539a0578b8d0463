"""Documents tab: upload with groups (ingest progress, per-file errors), list, delete, stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from kg.models import normalise_groups
from ui.api.services import Services
from ui.app.common import principal_for, shows_errors

REPORT_COLUMNS = ["file", "status", "message"]
DOC_COLUMNS = ["id", "title", "groups"]


def report_rows(report: dict[str, Any]) -> list[list[str]]:
    return [
        [Path(str(f.get("path", ""))).name, str(f.get("status", "")), str(f.get("message", ""))]
        for f in report.get("files", [])
        if isinstance(f, dict)
    ]


def build(services: Services, key_box: gr.Textbox) -> None:
    with gr.Row():
        files = gr.File(label="Files (txt, md, html, pdf, docx)", file_count="multiple")
        with gr.Column():
            groups = gr.Textbox(label="Access groups (comma-separated, empty = public)")
            upload = gr.Button("Upload and ingest", variant="primary")
    report = gr.Dataframe(headers=REPORT_COLUMNS, label="Ingest report", interactive=False)
    stats = gr.JSON(label="Stats")
    documents = gr.Dataframe(headers=DOC_COLUMNS, label="Documents", interactive=False)
    with gr.Row():
        refresh = gr.Button("Refresh")
        doc_choice = gr.Dropdown(label="Document to delete", choices=[], scale=3)
        delete = gr.Button("Delete", variant="stop")

    def listing(key: str, request: gr.Request) -> tuple[Any, Any, Any]:
        principal = principal_for(services, key, request)
        docs = services.documents.list(principal)
        rows = [[d["id"], d.get("title", ""), ", ".join(d.get("groups", []))] for d in docs]
        ids = [d["id"] for d in docs]
        return rows, gr.update(choices=ids, value=None), services.graph.stats(principal)

    @shows_errors
    def do_upload(
        paths: list[str] | None, group_text: str, key: str, request: gr.Request,
        progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (gradio's idiom)
    ) -> tuple[Any, ...]:
        principal = principal_for(services, key, request)
        sent = [(Path(p).name, Path(p).read_bytes()) for p in paths or []]
        result = services.documents.upload(
            principal, sent, normalise_groups(group_text.split(",")), progress=True
        )
        return (report_rows(result), *listing(key, request))

    @shows_errors
    def do_delete(doc_id: str | None, key: str, request: gr.Request) -> tuple[Any, ...]:
        if not doc_id:
            raise gr.Error("choose a document first")
        services.documents.delete(principal_for(services, key, request), doc_id)
        return listing(key, request)

    shown = [documents, doc_choice, stats]
    upload.click(do_upload, [files, groups, key_box], [report, *shown], api_name="upload")
    delete.click(do_delete, [doc_choice, key_box], shown, api_name="delete_document")
    refresh.click(shows_errors(listing), [key_box], shown, api_name="documents")

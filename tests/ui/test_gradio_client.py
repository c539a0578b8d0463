"""The Gradio app through gradio_client: the same answers and rules as the HTTP API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.ui.uitest_support import ADMIN_KEY, BOARD_KEY, RunningServer

QUESTION = "Who founded Brightwater Labs?"


def test_gradio_ask_matches_the_api(server: RunningServer) -> None:
    with server.client() as http:
        api_answer = http.post("/api/ask", json={"question": QUESTION}).json()
    client = Client(server.url, verbose=False, download_files=False)
    outputs = client.predict(QUESTION, "auto", "", "", api_name="/ask")
    answer_md, route_md, evidence, _picture, cypher, raw = outputs
    assert raw == api_answer
    assert api_answer["answer"] in answer_md
    assert api_answer["route"] in route_md
    assert (cypher or None) == api_answer["cypher"]
    docs = [row[0] for row in evidence["data"]]
    assert docs == [Path(ev["doc"]).name for ev in api_answer["evidence"]]


def test_gradio_respects_groups_like_the_api(server: RunningServer) -> None:
    question = "Who will succeed Orin Vale as chief executive?"
    with server.client(BOARD_KEY) as http:
        api_board = http.post("/api/ask", json={"question": question}).json()
    client = Client(server.url, verbose=False, download_files=False)
    public = client.predict(question, "auto", "", "", api_name="/ask")[-1]
    board = client.predict(question, "auto", "", BOARD_KEY, api_name="/ask")[-1]
    assert board == api_board
    assert "Dana Roe" not in public["answer"]
    public_md = client.predict("Who founded Tessaly Optics?", "auto", "", "", api_name="/ask")[0]
    assert "I don't know" in public_md
    assert all("board_minutes" not in ev["doc"] for ev in public["evidence"])


def test_gradio_documents_tab_uploads_lists_and_deletes(
    server: RunningServer, tmp_path: Path
) -> None:
    note = tmp_path / "quill_notes.txt"
    note.write_text("Pia Lund founded Quill Harbour Press in 1990.")
    client = Client(server.url, verbose=False, download_files=False)
    public = Client(server.url, verbose=False, download_files=False)
    with pytest.raises(AppError, match="admin"):
        public.predict([handle_file(str(note))], "", "", api_name="/upload")
    report, documents, _choice, stats = client.predict(
        [handle_file(str(note))], "hr", ADMIN_KEY, api_name="/upload"
    )
    assert [row[:2] for row in report["data"]] == [["quill_notes.txt", "ingested"]]
    doc_id = next(row[0] for row in documents["data"] if row[0].endswith("quill_notes.txt"))
    assert stats["documents"] == len(documents["data"])
    public_docs = public.predict("", api_name="/documents")[0]["data"]
    assert all(row[0] != doc_id for row in public_docs)
    entity_md, outgoing, _in, _next = client.predict("Pia Lund", ADMIN_KEY, api_name="/entity")
    assert "Pia Lund" in entity_md and outgoing["data"][0][2] == "Quill Harbour Press"
    documents = client.predict(doc_id, ADMIN_KEY, api_name="/delete_document")[0]
    assert all(row[0] != doc_id for row in documents["data"])


def test_gradio_graph_tab_runs_read_only_cypher(server: RunningServer) -> None:
    client = Client(server.url, verbose=False, download_files=False)
    rows = client.predict(
        "MATCH (e:Entity) WHERE e.name = $n RETURN e.name AS name", '{"n": "Karsk"}', "",
        api_name="/cypher",
    )
    assert rows["headers"] == ["name"] and rows["data"] == [["Karsk"]]
    with pytest.raises(AppError, match="not allowed"):
        client.predict("MATCH (n) DETACH DELETE n", "{}", "", api_name="/cypher")
    with pytest.raises(AppError, match="parameter name ''"):  # the API refuses it with 422
        client.predict("RETURN $x AS x", '{"": 1}', "", api_name="/cypher")


def test_gradio_export_gives_a_file(server: RunningServer) -> None:
    client = Client(server.url, verbose=False, download_files=False)
    exported = client.predict("alpaca", False, 1, ADMIN_KEY, api_name="/export")
    name = exported["path"] if isinstance(exported, dict) else str(exported)
    assert name.endswith(".zip") and "alpaca-forward" in name


@pytest.mark.slow
def test_gradio_finetune_tab_shows_progress_loss_and_the_new_adapter(
    server: RunningServer,
) -> None:
    """The tab's own callbacks: start a 2-step job, poll it as its timer does, see the curve."""
    client = Client(server.url, verbose=False, download_files=False)
    # The job id is session state: the client's session carries it from /train to the polls.
    progress, loss, timer = client.predict(
        "tab-test", 2, 1.0, 4, True, ADMIN_KEY, api_name="/train"
    )
    assert "running: step 0/" in progress and loss["data"] == [] and timer["active"] is True
    deadline = time.monotonic() + 900
    while timer["active"] and time.monotonic() < deadline:
        time.sleep(2)
        progress, loss, timer, adapters = client.predict(api_name="/train_status")
    assert "done: step 2/2 (100%)" in progress, progress
    assert [step for step, _ in loss["data"]] == [1, 2]
    assert all(value > 0 for _, value in loss["data"])
    assert ["tab-test", "tab-test"] in adapters["choices"]

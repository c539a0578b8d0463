"""The Gradio app through gradio_client gives the same answer as the HTTP API."""

from __future__ import annotations

from gradio_client import Client

from tests.ui.uitest_support import BOARD_KEY, RunningServer

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
    assert docs == [ev["doc"] for ev in api_answer["evidence"]]


def test_gradio_respects_groups_like_the_api(server: RunningServer) -> None:
    question = "Who will succeed Orin Vale as chief executive?"
    with server.client(BOARD_KEY) as http:
        api_board = http.post("/api/ask", json={"question": question}).json()
    client = Client(server.url, verbose=False, download_files=False)
    public = client.predict(question, "auto", "", "", api_name="/ask")[-1]
    board = client.predict(question, "auto", "", BOARD_KEY, api_name="/ask")[-1]
    assert board == api_board
    assert "Dana Roe" not in public["answer"]
    assert all("board_minutes" not in ev["doc"] for ev in public["evidence"])

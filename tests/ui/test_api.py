"""The HTTP API, driven over a real socket: auth roles, group filtering, read-only Cypher,
documents, export and limits."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import pytest

from tests.ui.uitest_support import ADMIN_KEY, BOARD_KEY, RunningServer

RESTRICTED_ENTITY = "Tessaly Optics"  # named only in samples/restricted/board_minutes.md


def test_openapi_lists_every_route(server: RunningServer) -> None:
    with server.client() as http:
        spec = http.get("/api/openapi.json").json()
    for path in ("/api/ask", "/api/cypher", "/api/entities/{name}", "/api/triples",
                 "/api/stats", "/api/documents", "/api/export", "/api/train", "/api/jobs/{job_id}"):
        assert path in spec["paths"], path


def test_who_am_i(server: RunningServer) -> None:
    with server.client() as http:
        assert http.get("/api/me").json() == {"name": "public", "role": "reader", "groups": []}
    with server.client(BOARD_KEY) as http:
        assert http.get("/api/me").json()["groups"] == ["board"]
    with server.client("not-a-real-key") as http:
        response = http.get("/api/me")
    assert response.status_code == 401 and "unknown API key" in response.json()["detail"]


def test_bearer_token_works_like_the_header(server: RunningServer) -> None:
    with server.client() as http:
        me = http.get("/api/me", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    assert me["role"] == "admin"


def test_cypher_reads_and_refuses_writes_leaving_the_store_unchanged(
    server: RunningServer,
) -> None:
    with server.client(ADMIN_KEY) as http:
        before = http.get("/api/stats").json()
        read = http.post("/api/cypher", json={
            "query": "MATCH (e:Entity) WHERE e.name = $name RETURN e.name AS name",
            "params": {"name": "Orin Vale"},
        })
        assert read.status_code == 200, read.text
        assert read.json()["rows"] == [["Orin Vale"]]
        for query in (
            "CREATE (n:Entity {name: 'intruder'})",
            "MATCH (n) DETACH DELETE n",
            "MATCH (e:Entity) SET e.name = 'x'",
            "MATCH (n) RETURN n; MATCH (m) DETACH DELETE m",
            "MERGE (n:Entity {key: 'intruder'}) RETURN n",
            "CALL db.idx.fulltext.drop('Chunk')",
        ):
            response = http.post("/api/cypher", json={"query": query})
            assert response.status_code == 400, (query, response.text)
            assert response.json()["detail"]
        assert http.get("/api/stats").json() == before


def test_cypher_returns_nodes_and_paths_as_json_without_embeddings(
    server: RunningServer,
) -> None:
    query = ("MATCH p = (a:Entity {name: 'Orin Vale'})-[r]->(b:Entity {name: 'Brightwater Labs'}) "
             "RETURN a, r, p LIMIT 1")
    with server.client() as http:
        out = http.post("/api/cypher", json={"query": query})
    assert out.status_code == 200, out.text
    node, edge, path = out.json()["rows"][0]
    assert node["labels"] == ["Entity"] and node["properties"]["name"] == "Orin Vale"
    assert "embedding" not in node["properties"]
    assert edge["type"] and edge["properties"]
    assert [n["properties"]["name"] for n in path["nodes"]] == ["Orin Vale", "Brightwater Labs"]


def test_cypher_rows_are_limited(server: RunningServer) -> None:
    with server.client(ADMIN_KEY) as http:
        out = http.post(
            "/api/cypher", json={"query": "MATCH (c:Chunk) RETURN c.id", "limit": 2}
        ).json()
    assert len(out["rows"]) == 2 and out["truncated"] is True


def test_groups_filter_cypher_stats_entities_and_documents(server: RunningServer) -> None:
    query = {"query": "MATCH (e:Entity) WHERE e.name = $n RETURN e.name", "params":
             {"n": RESTRICTED_ENTITY}}
    with server.client() as public, server.client(BOARD_KEY) as board:
        assert public.post("/api/cypher", json=query).json()["rows"] == []
        assert board.post("/api/cypher", json=query).json()["rows"] == [[RESTRICTED_ENTITY]]
        assert public.get(f"/api/entities/{RESTRICTED_ENTITY}").status_code == 404
        found = board.get(f"/api/entities/{RESTRICTED_ENTITY}")
        assert found.status_code == 200, found.text
        assert any(t["evidence"] for t in found.json()["incoming"] + found.json()["outgoing"])
        public_docs = {d["title"] for d in public.get("/api/documents").json()}
        board_docs = [d for d in board.get("/api/documents").json() if d["groups"] == ["board"]]
        assert len(board_docs) == 1 and board_docs[0]["title"] not in public_docs
        p_stats, b_stats = public.get("/api/stats").json(), board.get("/api/stats").json()
        assert b_stats["documents"] == p_stats["documents"] + 1
        assert b_stats["triples"] > p_stats["triples"]
        public_triples = public.get("/api/triples", params={"limit": 1000}).json()
        assert all(RESTRICTED_ENTITY not in (t["subject"], t["object"]) for t in public_triples)


def test_entity_has_relations_both_ways(server: RunningServer) -> None:
    with server.client() as http:
        found = http.get("/api/entities/Brightwater Labs").json()
    assert found["entity"]["name"].startswith("Brightwater")
    assert any(t["subject"] == "Orin Vale" for t in found["incoming"])
    assert found["outgoing"], "the company has outgoing relations (headquartered in Karsk)"


def test_triples_filter_by_subject(server: RunningServer) -> None:
    with server.client() as http:
        rows = http.get("/api/triples", params={"subject": "Orin Vale", "limit": 50}).json()
    assert rows and all(t["subject_key"] == rows[0]["subject_key"] for t in rows)


def test_text_the_store_cannot_carry_is_a_clear_400(server: RunningServer) -> None:
    """FalkorDB's parameter header cannot carry a NUL; found by tests/ui/test_schema_fuzz.py."""
    with server.client() as http:
        bad = http.get("/api/triples", params={"predicate": "found\x00ed"})
        cypher = http.post("/api/cypher", json={"query": "RETURN $s AS s",
                                                "params": {"s": "a\x00b"}})
        ok = http.get("/api/triples", params={"subject": "Orin Vale"})
    assert bad.status_code == 400 and "NUL" in bad.json()["detail"], bad.text
    assert cypher.status_code == 400 and "NUL" in cypher.json()["detail"], cypher.text
    assert ok.status_code == 200 and ok.json()


def test_writes_need_admin(server: RunningServer) -> None:
    upload = {"files": ("note.txt", b"Ann Bell founded Cobalt Works.", "text/plain")}
    for key in (None, BOARD_KEY):
        with server.client(key) as http:
            assert http.post("/api/documents", files=upload).status_code == 403
            assert http.delete("/api/documents/whatever.txt").status_code == 403
            assert http.post("/api/export", json={}).status_code == 403
            assert http.post("/api/train", json={"max_steps": 1}).status_code == 403


def test_upload_ingests_with_groups_then_delete_removes_it(server: RunningServer) -> None:
    text = b"Zorbel Quent founded Mirrow Instruments in 2001. Mirrow Instruments is in Karsk."
    files = [("files", ("mirrow.txt", text, "text/plain")),
             ("files", ("broken.pdf", b"not really a pdf", "application/pdf"))]
    with server.client(ADMIN_KEY) as admin, server.client(BOARD_KEY) as board:
        before = admin.get("/api/stats").json()
        response = admin.post("/api/documents", files=files, data={"groups": "hr"})
        assert response.status_code == 200, response.text
        status = {f["path"].rsplit("/", 1)[-1]: f for f in response.json()["files"]}
        assert status["mirrow.txt"]["status"] == "ingested"
        assert status["broken.pdf"]["status"] == "error" and status["broken.pdf"]["message"]
        docs = {d["title"]: d for d in admin.get("/api/documents").json()}
        doc = next(d for d in docs.values() if d["path"].endswith("mirrow.txt"))
        assert doc["groups"] == ["hr"]
        assert admin.get("/api/entities/Zorbel Quent").status_code == 200
        assert board.get("/api/entities/Zorbel Quent").status_code == 404
        deleted = admin.delete(f"/api/documents/{doc['id']}")
        assert deleted.status_code == 200, deleted.text
        assert admin.get("/api/entities/Zorbel Quent").status_code == 404
        assert admin.get("/api/stats").json() == before
        assert admin.delete(f"/api/documents/{doc['id']}").status_code == 404


def _train_records(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        lines = archive.read("train.jsonl").decode().splitlines()
    return [json.loads(line) for line in lines]


def test_export_downloads_a_dataset_with_and_without_reverse(server: RunningServer) -> None:
    with server.client(ADMIN_KEY) as http:
        both = _train_records(http.post("/api/export", json={"format": "chat"}))
        forward = _train_records(http.post("/api/export", json={"reverse": False}))
        board = http.post("/api/export", json={"format": "alpaca"})
    assert both[0]["messages"][-1]["role"] == "assistant"
    assert len(both) > len(forward) > 0
    assert _train_records(board)[0]["instruction"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/ask", {"question": ""}, 422),
        ("/api/ask", {"question": "Who?", "route": "sideways"}, 422),
        ("/api/cypher", {"query": "MATCH (n RETURN n"}, 400),
        ("/api/cypher", {"query": "RETURN $x", "params": {"": 1}}, 422),
        ("/api/jobs/nope", None, 404),
        ("/api/export", {"format": "csv"}, 422),
    ],
)
def test_bad_input_gets_a_json_error(
    server: RunningServer, path: str, body: dict | None, status: int
) -> None:
    with server.client(ADMIN_KEY) as http:
        response = http.post(path, json=body) if body is not None else http.get(path)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_oversized_bodies_are_refused(server: RunningServer) -> None:
    with server.client(ADMIN_KEY) as http:
        big = http.post("/api/cypher", json={"query": "RETURN 1", "params": {"x": "a" * 300_000}})
    assert big.status_code == 413 and "larger than" in big.json()["detail"]


def test_ask_answers_with_evidence_the_caller_may_see(server: RunningServer) -> None:
    with server.client() as http:
        answer = http.post("/api/ask", json={"question": "Who founded Brightwater Labs?"}).json()
    assert not answer["refused"] and "Orin Vale" in answer["answer"]
    assert answer["route"] in ("graph", "dense", "hybrid") and answer["reason"]
    assert any("brightwater_labs" in ev["doc"] for ev in answer["evidence"])


def test_ask_refuses_what_nothing_supports(server: RunningServer) -> None:
    with server.client() as http:
        answer = http.post(
            "/api/ask", json={"question": "Who is the chief executive of Tessaly Optics?"}
        ).json()
    assert answer["refused"] and answer["answer"] == "I don't know"
    assert all("board_minutes" not in ev["doc"] for ev in answer["evidence"])


def test_cypher_past_the_time_limit_is_stopped_in_the_database(
    ui_settings, ui_store, tmp_path
) -> None:
    """408, and the database is no longer running the query when the answer comes (it got
    the time limit), for a caller who sees everything and one who queries a pruned view."""
    from ui.api.app import create_app
    from ui.app.server import serving

    settings = ui_settings.with_overrides(cypher_timeout_s=0.05)
    query = "UNWIND range(1, 4000) AS x UNWIND range(1, 4000) AS y RETURN count(*)"  # ~3 s
    with serving(create_app(settings, ui_store, data_dir=tmp_path)) as url:
        for key in (ADMIN_KEY, None):
            with RunningServer(url, None).client(key) as http:
                response = http.post("/api/cypher", json={"query": query})
            assert response.status_code == 408, response.text
            assert "ran past 0.05 s" in response.json()["detail"]
            if ui_store.dialect.name != "falkordb":  # Neo4j (NEO4J_URI set) lists no queries
                continue
            info = ui_store.runner.db.connection.execute_command("GRAPH.INFO")
            running = dict(zip(info[::2], info[1::2], strict=False))["# Running queries"]
            assert running == [], running

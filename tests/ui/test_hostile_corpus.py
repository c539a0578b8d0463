"""The generated hostile corpus through /api/cypher, as the public and as an admin: no
request is answered 5xx, nothing is written (every count, label, index and graph the same),
and the service answers afterwards."""

from __future__ import annotations

from collections import Counter

from tests.ui.hostile_corpus import corpus
from tests.ui.uitest_support import ADMIN_KEY, RunningServer

ALLOWED = {200, 400, 408, 413, 422}
RAW = [
    "MATCH (n) RETURN count(n)",
    "MATCH ()-[r]->() RETURN count(r)",
    "MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) ORDER BY l",
    "MATCH (n:Entity) RETURN count(DISTINCT n.name)",
    "CALL db.indexes() YIELD label, properties RETURN label, properties ORDER BY label",
]


def store_state(server: RunningServer, http) -> tuple[object, ...]:
    store = server.services.runtime.store
    raw = tuple(str(store.runner.read(q, {})) for q in RAW) if hasattr(store, "runner") else ()
    graphs = ()
    if store.dialect.name == "falkordb":
        graphs = tuple(sorted(g for g in store.runner.db.list_graphs() if "__view__" not in g))
    return http.get("/api/stats").json(), raw, graphs


def test_hostile_corpus_writes_nothing_and_gets_no_5xx(server: RunningServer) -> None:
    bodies = corpus()
    assert len(bodies) >= 500
    statuses: Counter[int] = Counter()
    with server.client(ADMIN_KEY) as admin, server.client() as public:
        before = store_state(server, admin)
        for body in bodies:
            for http in (public, admin):
                response = http.post("/api/cypher", json=body)
                statuses[response.status_code] += 1
                assert response.status_code in ALLOWED, (body, response.status_code, response.text)
                assert "detail" in response.json() or response.status_code == 200
        assert store_state(server, admin) == before
        ok = public.post("/api/cypher", json={"query": "RETURN 1 AS one"})
        assert ok.status_code == 200 and ok.json()["rows"] == [[1]]
        assert public.get("/api/health").json()["state"] == "ok"
    print(f"{len(bodies)} bodies x 2 callers: {dict(sorted(statuses.items()))}")
    assert statuses[400] + statuses[422] > len(bodies)  # most were refused outright

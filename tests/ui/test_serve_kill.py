"""`kill -9` of `kgqa serve` while it ingests a multi-file upload: the FalkorDB child does not
outlive it holding the folder, every document is whole (exactly what a clean ingest stores
for it) or absent when the store is reopened (and the upload folder holds just their files),
and uploading the same files again gives a clean ingest's counts.

Real `kgqa serve` and `kgqa ingest` in subprocesses, real models and FalkorDB, the upload
through the HTTP API. The test watches the store's server (read-only, on its socket) and
kills `kgqa serve` once some but not all documents are in.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx

from kg.models import ADMIN
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.falkordb.server import _alive
from tests.kg.cli_support import kgqa
from tests.kg.test_ingest_crash import DOCS, corpus, kill_9_mid_batch
from tests.ui.uitest_support import ADMIN_KEY, API_KEYS, start_serve

# chunks and triples of each document, by file name (uploads live under the store's ui/)
PER_DOCUMENT = (
    "MATCH (d:Document) OPTIONAL MATCH (c:Chunk)-[:PART_OF]->(d) WITH d, count(c) AS chunks "
    "OPTIONAL MATCH ()-[r:REL]->() WHERE r.doc_id = d.id RETURN d.path, chunks, count(r)"
)
ADMIN_HEADERS = {"X-API-Key": ADMIN_KEY}
ENV = {"KGQA_API_KEYS": json.dumps(API_KEYS), "KGQA_API_PUBLIC_ROLE": "off"}


def by_name(rows: list[list[object]]) -> dict[str, tuple[object, object]]:
    return {Path(str(path)).name: (chunks, triples) for path, chunks, triples in rows}


def over_api(base: str) -> tuple[dict[str, tuple[object, object]], dict[str, int]]:
    """Per-document counts and the store's counts as the admin sees them through the API."""
    rows = httpx.post(
        f"{base}/cypher", json={"query": PER_DOCUMENT}, headers=ADMIN_HEADERS, timeout=60
    )
    assert rows.status_code == 200, rows.text
    stats = httpx.get(f"{base}/stats", headers=ADMIN_HEADERS, timeout=60)
    assert stats.status_code == 200, stats.text
    return by_name(rows.json()["rows"]), stats.json()


def upload(base: str, folder: Path) -> httpx.Response:
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(folder.iterdir())]
    return httpx.post(f"{base}/documents", files=files, headers=ADMIN_HEADERS, timeout=1200)


def upload_quietly(base: str, folder: Path) -> None:
    try:
        upload(base, folder)
    except httpx.HTTPError:
        pass  # the server is killed under it


def test_kill_9_of_serve_mid_upload_leaves_whole_or_absent_documents(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "docs")
    clean_store, crash_store = tmp_path / "clean", tmp_path / "crashed"
    clean = kgqa("ingest", str(folder), "--json", store=clean_store)
    assert clean.returncode == 0, clean.stderr
    with open_store(Settings(store=clean_store)) as store:
        clean_docs = by_name(store.cypher(PER_DOCUMENT, {}, [ADMIN], limit=10_000)[1])
        clean_counts = store.counts([ADMIN]).as_dict()
    assert len(clean_docs) == DOCS and clean_counts["triples"] > DOCS

    log = tmp_path / "serve.log"
    proc, base = start_serve(crash_store, log, **ENV)
    try:
        child = int(httpx.get(f"{base}/health").json()["pid"])
        threading.Thread(target=upload_quietly, args=(base, folder), daemon=True).start()
        seen = kill_9_mid_batch(proc, crash_store)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, f"serve ended on its own ({seen} seen)"

    # The child gets SIGTERM when its owner dies (setpriv --pdeathsig): no orphan holds the
    # folder; the next opener would stop one anyway.
    gone_by = time.monotonic() + 30
    while _alive(child) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not _alive(child), "the FalkorDB child outlived kgqa serve"

    proc, base = start_serve(crash_store, log, **ENV)
    try:
        docs, _ = over_api(base)
        print(f"killed with {seen} of {DOCS} documents seen; {len(docs)} in the reopened store")
        assert 0 < len(docs) < DOCS, len(docs)
        assert docs == {name: clean_docs[name] for name in docs}  # whole, or absent
        # the killed upload's files that never got in are not left in the upload folder
        assert {p.name for p in (crash_store / "ui" / "uploads").iterdir()} == set(docs)

        again = upload(base, folder)
        assert again.status_code == 200, again.text
        statuses = [f["status"] for f in again.json()["files"]]
        assert statuses.count("unchanged") == len(docs), statuses
        assert statuses.count("ingested") == DOCS - len(docs), statuses
        assert over_api(base) == (clean_docs, clean_counts)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, log.read_text()

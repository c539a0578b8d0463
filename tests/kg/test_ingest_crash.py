"""`kill -9` of `kgqa ingest` mid-batch: after reopening, every document is whole (exactly what
a clean ingest stores for it) or absent, and a re-run gives a clean ingest's counts.

Real CLI in a subprocess, real models and FalkorDB. The test watches the store's own server
(read-only, on its socket) and kills the ingest once some but not all documents are in.
With kill -9 the FalkorDB child may outlive the CLI; the next opener stops it (server.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from falkordb import FalkorDB

from kg.models import ADMIN
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.falkordb.server import socket_path
from kg.stores.falkordb.store import GRAPH

ROOT = Path(__file__).resolve().parents[2]
# One short chunk a file: 300 files make two write batches (256 chunks a batch).
DOCS = 300


def corpus(folder: Path) -> Path:
    folder.mkdir()
    for i in range(DOCS):
        text = f"Ada Marr{i} founded Company{i} in Town{i}. Company{i} is based in City{i}."
        (folder / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def kgqa(*args: str) -> list[str]:
    return [sys.executable, "-m", "ui.cli", *args]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(kgqa(*args), cwd=ROOT, capture_output=True, text=True, timeout=1200)


def per_document(store_folder: Path) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """{doc path: (chunks, triples)} and the store's counts, as the admin sees them."""
    with open_store(Settings(store=store_folder)) as store:
        _, rows = store.cypher(
            "MATCH (d:Document) OPTIONAL MATCH (c:Chunk)-[:PART_OF]->(d) "
            "RETURN d.id, d.path, count(c)",
            {}, [ADMIN], limit=10_000,
        )  # fmt: skip
        _, rels = store.cypher(
            "MATCH ()-[r:REL]->() RETURN r.doc_id, count(r)", {}, [ADMIN], limit=10_000
        )
        triples = dict(rels)
        docs = {path: (chunks, triples.get(doc_id, 0)) for doc_id, path, chunks in rows}
        return docs, store.counts([ADMIN]).as_dict()


def documents_in(store_folder: Path) -> int:
    """Documents the running ingest has committed, read on its server's socket."""
    try:
        graph = FalkorDB(unix_socket_path=str(socket_path(store_folder))).select_graph(GRAPH)
        return int(graph.ro_query("MATCH (d:Document) RETURN count(d)").result_set[0][0])
    except Exception:  # not started yet, or no graph yet
        return 0


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_9_mid_batch(proc: subprocess.Popen[bytes], store_folder: Path) -> tuple[int, list[int]]:
    """SIGKILL `proc` once some but not all documents are in its store; the number seen,
    and the children it had then."""
    seen, kids = 0, []
    deadline = time.monotonic() + 900
    while proc.poll() is None and time.monotonic() < deadline:
        seen = documents_in(store_folder)
        if 0 < seen < DOCS:
            kids = children(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    return seen, kids


def test_kill_9_mid_batch_leaves_whole_or_absent_documents(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "docs")
    clean_store, crash_store = tmp_path / "clean", tmp_path / "crashed"
    ingest = ("ingest", str(folder), "--json")

    clean = run(*ingest, "--store", str(clean_store))
    assert clean.returncode == 0, clean.stderr
    assert len(json.loads(clean.stdout)["files"]) == DOCS
    clean_docs, clean_counts = per_document(clean_store)
    assert len(clean_docs) == DOCS and clean_counts["triples"] > DOCS

    proc = subprocess.Popen(
        kgqa(*ingest, "--store", str(crash_store)),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen, kids = kill_9_mid_batch(proc, crash_store)
    assert proc.returncode == -signal.SIGKILL, f"the ingest ended on its own ({seen} seen)"
    # the extraction process (kg.extract.process) leaves with its parent, not holding its
    # model for good; the FalkorDB server is stopped by the next opener (below)
    assert kids, "the ingest had no child processes"
    deadline = time.monotonic() + 30
    while any(alive(k) for k in kids if "redis" not in _cmd(k) and "falkor" not in _cmd(k)):
        assert time.monotonic() < deadline, [(k, _cmd(k)) for k in kids if alive(k)]
        time.sleep(0.2)

    docs, _ = per_document(crash_store)  # reopening stops a FalkorDB child left behind
    print(f"killed with {seen} of {DOCS} documents seen; {len(docs)} in the reopened store")
    assert 0 < len(docs) < DOCS, len(docs)
    assert {p: docs[p] for p in docs} == {p: clean_docs[p] for p in docs}  # whole, or absent

    again = run(*ingest, "--store", str(crash_store))
    assert again.returncode == 0, again.stderr
    statuses = [f["status"] for f in json.loads(again.stdout)["files"]]
    assert statuses.count("unchanged") == len(docs)
    assert statuses.count("ingested") == DOCS - len(docs)
    after, counts = per_document(crash_store)
    assert after == clean_docs and counts == clean_counts

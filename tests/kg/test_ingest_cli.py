"""The store commands of the `kgqa` CLI, run as a user would: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kg.cli_support import kgqa as run_kgqa

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "data" / "files"


def kgqa(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return run_kgqa(*args, store=store, timeout=600)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled through `kgqa ingest` from the fixture folder (good and bad files)."""
    store = tmp_path_factory.mktemp("cli") / "store"
    done = kgqa("ingest", str(FILES), "--json", store=store)
    assert done.returncode == 1, done.stderr  # some files are bad: partly failed
    report = json.loads(done.stdout)
    statuses = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert statuses["notes.txt"] == "ingested" and statuses["broken.pdf"] == "error"
    assert "broken.pdf" in done.stderr
    return store


def stats(store: Path) -> dict[str, int]:
    done = kgqa("stats", "--json", store=store)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_stats_json_has_exactly_the_four_counts(cli_store: Path) -> None:
    counts = stats(cli_store)
    assert set(counts) == {"documents", "chunks", "entities", "triples"}
    assert counts["documents"] == 5 and counts["triples"] > 0
    human = kgqa("stats", store=cli_store)
    assert human.returncode == 0 and "documents" in human.stdout


def test_triples_json_is_one_object_per_line(cli_store: Path) -> None:
    done = kgqa("triples", "--json", store=cli_store)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == stats(cli_store)["triples"]
    assert all(set(r) == {"subject", "predicate", "object", "doc", "chunk"} for r in rows)
    assert {
        "subject": "Orin Vale",
        "predicate": "found",
        "object": "Brightwater Labs",
        "doc": str(FILES / "notes.txt"),
    }.items() <= next(r for r in rows if r["object"] == "Brightwater Labs").items()
    limited = kgqa("triples", "--json", "--limit", "2", store=cli_store)
    assert len(limited.stdout.splitlines()) == 2


def test_cypher_reads_and_refuses_writes(cli_store: Path) -> None:
    done = kgqa("cypher", "MATCH (d:Document) RETURN count(d) AS n", "--json", store=cli_store)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"columns": ["n"], "rows": [[5]]}
    before = stats(cli_store)
    write = kgqa("cypher", "MATCH (d:Document) DETACH DELETE d", store=cli_store)
    assert write.returncode == 2
    assert "refused" in write.stderr and write.stdout == ""
    assert stats(cli_store) == before
    bad = kgqa("cypher", "RETURN 1", "--params", "[1]", store=cli_store)
    assert bad.returncode == 2 and "--params" in bad.stderr


def test_reingest_is_unchanged_and_delete_removes_one_document(cli_store: Path) -> None:
    again = kgqa("ingest", str(FILES / "notes.txt"), str(FILES / "guide.md"), store=cli_store)
    assert again.returncode == 0, again.stderr
    assert "2 unchanged" in again.stdout
    gone = kgqa("delete", str(FILES / "notes.txt"), "--json", store=cli_store)
    assert gone.returncode == 0
    assert json.loads(gone.stdout) == {"deleted": [str(FILES / "notes.txt")], "missing": []}
    assert stats(cli_store)["documents"] == 4
    missing = kgqa("delete", str(FILES / "notes.txt"), store=cli_store)
    assert missing.returncode == 1 and "not in the store" in missing.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("kgqa")
    if not script.exists():
        pytest.skip(reason=f"no kgqa console script next to {sys.executable} (not installed)")
    done = subprocess.run([str(script), "stats", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--json" in done.stdout

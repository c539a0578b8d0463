"""`kgqa ingest samples/` as the README gives it keeps samples/restricted for the board (its
.kgqa-groups), and every reading command asks as the public unless --groups or --admin
(real CLI in subprocesses, real models and FalkorDB)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kg.cli_support import kgqa as run_kgqa

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
BOARD_DOC = str(SAMPLES / "restricted" / "board_minutes.md")
RESTRICTED = ["Dana Roe", "Tessaly", "Norrhavn", "Heron", "Kessler"]  # in no public file


def kgqa(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return run_kgqa(*args, store=store, timeout=900)


@pytest.fixture(scope="module")
def samples_cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/ ingested by one `kgqa ingest samples/`, no --groups."""
    store = tmp_path_factory.mktemp("access") / "store"
    done = kgqa("ingest", str(SAMPLES), "--json", store=store)
    assert done.returncode == 0, done.stderr
    groups = {f["path"]: f["groups"] for f in json.loads(done.stdout)["files"]}
    assert groups[BOARD_DOC] == ["board"]
    assert all(g == [] for path, g in groups.items() if path != BOARD_DOC)
    return store


def counts(store: Path, *asker: str) -> dict[str, int]:
    done = kgqa("stats", "--json", *asker, store=store)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_stats_and_triples_default_to_the_public(samples_cli_store: Path) -> None:
    public, board, admin = (
        counts(samples_cli_store, *a) for a in ((), ("--groups", "board"), ("--admin",))
    )
    assert public["documents"] + 1 == board["documents"] == admin["documents"]
    assert public["triples"] < board["triples"] == admin["triples"]
    rows = kgqa("triples", "--json", store=samples_cli_store)
    assert rows.returncode == 0, rows.stderr
    docs = {json.loads(line)["doc"] for line in rows.stdout.splitlines()}
    assert docs and BOARD_DOC not in docs
    assert not [n for n in RESTRICTED if n in rows.stdout]
    every = kgqa("triples", "--json", "--admin", store=samples_cli_store)
    assert BOARD_DOC in {json.loads(line)["doc"] for line in every.stdout.splitlines()}


def test_cypher_defaults_to_the_public(samples_cli_store: Path) -> None:
    query = "MATCH (d:Document) RETURN d.path ORDER BY d.path"
    public = kgqa("cypher", query, "--json", store=samples_cli_store)
    admin = kgqa("cypher", query, "--json", "--admin", store=samples_cli_store)
    assert public.returncode == admin.returncode == 0, public.stderr + admin.stderr
    public_paths = [r[0] for r in json.loads(public.stdout)["rows"]]
    admin_paths = [r[0] for r in json.loads(admin.stdout)["rows"]]
    assert BOARD_DOC not in public_paths and admin_paths == sorted([*public_paths, BOARD_DOC])


def test_ask_defaults_to_the_public(samples_cli_store: Path, tmp_path: Path) -> None:
    question = "Who will succeed Orin Vale as chief executive?"
    lines = tmp_path / "q.jsonl"
    lines.write_text(
        json.dumps({"q": question}) + "\n" + json.dumps({"q": question, "groups": ["board"]}),
        encoding="utf-8",
    )
    done = kgqa("ask", "--file", str(lines), "--json", store=samples_cli_store)
    assert done.returncode == 0, done.stderr
    public, board = (json.loads(line) for line in done.stdout.splitlines())
    assert public["refused"] and not [n for n in RESTRICTED if n in json.dumps(public)]
    assert board["answer"] == "Dana Roe"


def test_groups_and_admin_exclude_each_other_and_help_says_the_default() -> None:
    for command in ("stats", "triples", "cypher", "ask", "export"):
        done = subprocess.run(
            [sys.executable, "-m", "ui.cli", command, "--help"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0 and "--admin" in done.stdout
        assert "the public" in " ".join(done.stdout.split()), command
    both = subprocess.run(
        [sys.executable, "-m", "ui.cli", "stats", "--groups", "board", "--admin"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert both.returncode == 2 and "not allowed with" in both.stderr

"""Neo4j's own parser and semantic analysis (npm @neo4j-cypher/language-support) on our Cypher.

No Neo4j server runs here, so every statement the Neo4j backend can emit is proven with the
analyser Neo4j ships for its editors, given kgqa's schema (tools/cypher-lint/schema.json).
The statements are enumerated from the code (cypher_statements.statements with the Neo4j
dialect, plus the runner's own), so a new statement is checked without touching this file.
The first tests prove the checker rejects what Neo4j would reject.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kg.models import Chunk, Document, Entity, Triple
from kg.stores import cypher_store
from kg.stores.cypher_statements import statements
from kg.stores.neo4j import dialect
from kg.stores.neo4j import runner as neo4j_runner
from kg.stores.neo4j.runner import STATEMENTS as RUNNER_STATEMENTS
from kg.stores.write_rows import WriteRows
from qa.graph_route import NEIGHBOURS_CYPHER

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = ROOT / "tools" / "cypher-lint"


@pytest.fixture(scope="session")
def node() -> str:
    """The Node binary and an installed linter; missing ones are a set-up error, not a skip."""
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not on PATH: the Cypher proof needs Node 20+")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail("linter not installed: run `make tools/cypher-lint/node_modules`")
    return found


def row_keys() -> list[str]:
    """Keys of the UNWIND parameter rows (`r.key`), taken from the code that builds them."""
    doc = Document("/d", "/d", "D", "sha", ["g"])
    chunk = Chunk("d:0", "/d", "A founded B.", 0, [1.0])
    rows = WriteRows.build(
        doc,
        [chunk],
        [Entity("a", "A", "ORG", ["Aa"], [1.0])],
        [Triple("A", "found", "B", "A founded B.", "a", "b", chunk_id="d:0")],
        [("d:0", "a")],
        dimension=1,
    )
    tables = (rows.chunks, rows.entities, rows.mentions, rows.triples)
    return sorted({key for table in tables for row in table for key in row})


def lint_schema() -> dict[str, Any]:
    """schema.json's graph model plus the row keys."""
    base = json.loads((LINT_DIR / "schema.json").read_text())
    return {"propertyKeys": sorted({*base["propertyKeys"], *row_keys()})}


def lint(node: str, statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Lint statements ({"id", "query", "params"?}); returns each one's result by id."""
    proc = subprocess.run(
        [node, str(LINT_DIR / "lint.mjs")],
        input=json.dumps({"statements": statements, "schema": lint_schema()}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), f"linter crashed ({proc.returncode}): {proc.stderr}"
    report = json.loads(proc.stdout)
    assert report["checked"] == len(statements)
    return {r["id"]: r for r in report["results"]}


BROKEN = {
    "syntax error": ("MATCH (c:Chunk RETURN c", None),
    "Neo4j 4 full-text procedure": (
        "CALL db.index.fulltext.createNodeIndex('chunk_text', ['Chunk'], ['text'])",
        None,
    ),
    "FalkorDB vector procedure": (
        "CALL db.idx.vector.queryNodes('Chunk', 'embedding', $k, vecf32($v)) "
        "YIELD node, score RETURN node, score",
        {"k": 5, "v": [0.1]},
    ),
    "label typo": ("MATCH (c:Chunck) RETURN c.text", None),
    "relationship typo": ("MATCH (c:Chunk)-[:PART_OFF]->(d:Document) RETURN d.id", None),
    "property typo": ("MATCH (e:Entity) RETURN e.nmae", None),
    "function typo": ("MATCH (c:Chunk) RETURN toUpperr(c.text)", None),
    "wrong procedure arity": (
        "CALL db.index.vector.queryNodes('chunk_embedding', $k) YIELD node RETURN node",
        {"k": 5},
    ),
    "undeclared parameter": ("MATCH (d:Document {id: $doc}) RETURN d.path", {"id": "x"}),
}


def neo4j_statements() -> dict[str, str]:
    """Every statement the Neo4j backend can send: schema, writes, reads, vector, full-text,
    the prune statements of the read-only view, the runner's own, and the EXPLAIN probe."""
    found = dict(statements(dialect, dimension=384))
    found.update({f"runner_{name}": q for name, q in RUNNER_STATEMENTS.items()})
    found["runner_explain_probe"] = "EXPLAIN " + found["triples"]
    found["graph_route_neighbours"] = NEIGHBOURS_CYPHER  # sent through store.cypher()
    return found


GOOD = {
    "id": "good:vector",
    "query": "CALL db.index.vector.queryNodes('chunk_embedding', $k, $v) YIELD node, score "
    "MATCH (node)-[:PART_OF]->(d:Document) RETURN node.text, d.path, score",
    "params": {"k": 5, "v": [0.1, 0.2]},
}


@pytest.fixture(scope="module")
def linted(node: str) -> dict[str, dict[str, Any]]:
    """One linter run (it takes seconds to start) over the broken, good and real statements."""
    broken = [
        {"id": f"broken:{name}", "query": q, **({"params": p} if p is not None else {})}
        for name, (q, p) in BROKEN.items()
    ]
    ours = [{"id": name, "query": q} for name, q in neo4j_statements().items()]
    return lint(node, [*broken, GOOD, *ours])


def test_linter_rejects_what_neo4j_would_reject(linted: dict[str, dict[str, Any]]) -> None:
    broken = {name: r for name, r in linted.items() if name.startswith("broken:")}
    assert len(broken) == len(BROKEN)
    accepted = [name for name, r in broken.items() if r["ok"]]
    assert not accepted, f"the linter let these through: {accepted}"


def test_linter_accepts_valid_neo4j_cypher(linted: dict[str, dict[str, Any]]) -> None:
    assert linted[GOOD["id"]]["ok"], linted[GOOD["id"]]["diagnostics"]


def test_every_neo4j_statement_passes_neo4js_analyser(linted: dict[str, dict[str, Any]]) -> None:
    results = {name: linted[name] for name in neo4j_statements()}
    rejected = {
        name: [d["message"] for d in r["diagnostics"]] for name, r in results.items() if not r["ok"]
    }
    print(f"linted {len(results)} Neo4j statements, {len(rejected)} rejected")
    assert not rejected, json.dumps(rejected, indent=1)
    assert len(results) >= 40  # schema + writes + reads: a shrinking list means lost coverage


def test_statement_enumeration_covers_each_kind() -> None:
    joined = "\n".join(neo4j_statements().values())
    for needle in (
        "CREATE CONSTRAINT",
        "CREATE VECTOR INDEX",
        "CREATE FULLTEXT INDEX",
        "db.index.vector.queryNodes",
        "db.index.fulltext.queryNodes",
        "UNWIND $rows",
        "DETACH DELETE",
    ):
        assert needle in joined, needle


CYPHER_START = re.compile(r"^\s*(MATCH|OPTIONAL MATCH|CREATE|MERGE|CALL|UNWIND|RETURN|WITH)\b")


def cypher_literals(module: Any) -> list[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and CYPHER_START.match(n.value)
    ]


def test_no_statement_escapes_the_enumeration() -> None:
    """The shared store sends only cypher_statements' statements; the runner only its own."""
    assert cypher_literals(cypher_store) == []
    assert set(cypher_literals(neo4j_runner)) <= set(RUNNER_STATEMENTS.values())

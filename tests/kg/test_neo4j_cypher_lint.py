"""Neo4j's own parser and semantic analysis (npm @neo4j-cypher/language-support) on our Cypher.

No Neo4j server runs here, so the statements the Neo4j backend emits are proven with the
analyser Neo4j ships for its editors, given kgqa's schema (tools/cypher-lint/schema.json).
The first tests prove the checker rejects what Neo4j would reject.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

LINT_DIR = Path(__file__).resolve().parents[2] / "tools" / "cypher-lint"


@pytest.fixture(scope="session")
def node() -> str:
    """The Node binary and an installed linter; missing ones are a set-up error, not a skip."""
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not on PATH: the Cypher proof needs Node 20+")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail("linter not installed: run `make tools/cypher-lint/node_modules`")
    return found


def lint(node: str, statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Lint statements ({"id", "query", "params"?}); returns each one's result by id."""
    proc = subprocess.run(
        [node, str(LINT_DIR / "lint.mjs")],
        input=json.dumps({"statements": statements}),
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


def test_linter_rejects_what_neo4j_would_reject(node: str) -> None:
    statements = [
        {"id": name, "query": q, **({"params": p} if p is not None else {})}
        for name, (q, p) in BROKEN.items()
    ]
    results = lint(node, statements)
    accepted = [name for name, r in results.items() if r["ok"]]
    assert not accepted, f"the linter let these through: {accepted}"


def test_linter_accepts_valid_neo4j_cypher(node: str) -> None:
    good = {
        "id": "vector",
        "query": "CALL db.index.vector.queryNodes('chunk_embedding', $k, $v) YIELD node, score "
        "MATCH (node)-[:PART_OF]->(d:Document) RETURN node.text, d.path, score",
        "params": {"k": 5, "v": [0.1, 0.2]},
    }
    result = lint(node, [good])["vector"]
    assert result["ok"], result["diagnostics"]

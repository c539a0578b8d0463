"""The statement check that runs before user Cypher reaches the store."""

from __future__ import annotations

import pytest

from ui.api.cypher_guard import check_read_only
from ui.api.errors import UnsafeQuery


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (n:Entity) RETURN n.name LIMIT 5",
        "MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n;",
        'MATCH (n) WHERE n.note = "a; b" RETURN n',
        "MATCH (n) RETURN n.set, n.create // DELETE everything",
        "MATCH (n:`Create`) RETURN n /* SET n.x = 1 */",
        "MATCH (n) RETURN {create: 1, delete: $set}",
        "CALL db.idx.vector.queryNodes('Chunk', 'embedding', 3, vecf32($v)) YIELD node RETURN node",
        "CALL db.labels() YIELD label RETURN label",
        "CALL { MATCH (n) RETURN n } RETURN count(*)",
        "MATCH p = (a)-[*1..2]-(b) RETURN p",
    ],
)
def test_reads_pass(query: str) -> None:
    check_read_only(query)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("CREATE (n:Entity {name: 'x'})", "CREATE"),
        ("match (n) detach delete n", "DETACH"),
        ("MATCH (n) SET n.name = 'x'", "SET"),
        ("MATCH (n) REMOVE n.name", "REMOVE"),
        ("MERGE (n:Entity {key: 'x'})", "MERGE"),
        ("MATCH (n) RETURN n; MATCH (m) DETACH DELETE m", "one statement"),
        ("MATCH (n) RETURN n; MATCH (m) RETURN m", "one statement"),
        ("CALL db.idx.fulltext.drop('Chunk')", "procedure"),
        ("CALL db.idx.vector.createNodeIndex('X')", "procedure"),
        ("CALL dbms.setConfig('x', 1)", "procedure"),
        ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD"),
        ("MATCH (n) FOREACH (x IN [1] | SET n.y = x)", "FOREACH"),
        ("MATCH (n) WHERE n.name = 'unterminated RETURN n", "unterminated"),
        ("   // only a comment", "empty"),
    ],
)
def test_writes_and_chains_are_refused(query: str, reason: str) -> None:
    with pytest.raises(UnsafeQuery, match=reason):
        check_read_only(query)

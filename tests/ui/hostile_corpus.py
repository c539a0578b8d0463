"""A generated corpus of hostile /api/cypher bodies: writes in every spelling, comments,
unicode, procedures, nesting, chained statements and parameters carrying Cypher."""

from __future__ import annotations

import itertools
from typing import Any

WRITES = [
    "CREATE (x:Evil {name: 'pwned'})",
    "MERGE (x:Entity {key: 'pwned'})",
    "MATCH (n) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Entity) SET n.name = 'pwned'",
    "MATCH (n:Entity) SET n += {name: 'pwned'}",
    "MATCH (n:Document) SET n:Evil",
    "MATCH (n:Entity) REMOVE n.name",
    "MATCH (n:Document) REMOVE n:Document",
    "MATCH (a:Entity), (b:Entity) CREATE (a)-[:REL {predicate: 'pwned'}]->(b)",
    "FOREACH (i IN [1] | CREATE (:Evil))",
    "UNWIND [1, 2] AS i CREATE (:Evil {i: i})",
    "CALL { CREATE (:Evil) } RETURN 1",
    "RETURN 1 UNION CREATE (:Evil) RETURN 1",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "DROP INDEX ON :Entity(key)",
    "CREATE INDEX FOR (n:Evil) ON (n.name)",
    "MATCH (n) WITH n LIMIT 1 DELETE n RETURN 1",
    "OPTIONAL MATCH (n) DETACH DELETE n",
    "MATCH ()-[r]->() DELETE r",
]
PREFIXES = ["", "PROFILE ", "EXPLAIN ", "CYPHER ", "WITH 1 AS one ", "MATCH (m) WITH m LIMIT 1 "]
PROCEDURES = [
    "CALL db.idx.fulltext.createNodeIndex('Evil', 'name')",
    "CALL db.idx.fulltext.drop('Chunk')",
    "CALL db.idx.vector.createNodeIndex('Evil', 'v', 2, 'euclidean')",
    "CALL db.create.setNodeProperty(0, 'x', 1)",
    "CALL db.drop('kg')",
    "CALL dbms.security.createUser('x', 'y', false)",
    "CALL apoc.create.node(['Evil'], {})",
    "CALL apoc.cypher.runWrite('CREATE (:Evil)', {})",
    "CALL gds.graph.drop('kg')",
    "CALL algo.pageRank.write()",
    "CALL db.labels() YIELD label CREATE (:Evil {l: label})",
    "CALL db.indexes()",
    "CALL dbms.procedures()",
    "CALL db.meta.stats()",
]


def _respell(statement: str) -> list[str]:
    """The same statement in other cases, spacing, comments and unicode."""
    words = statement.split(" ")
    return [
        statement,
        statement.lower(),
        statement.swapcase(),
        "\t".join(words),
        "\n".join(words),
        "\u00a0".join(words),  # no-break space
        "\u2003".join(words),  # em space
        " /* c */ ".join(words),
        " // c\n".join(words),
        "  " + statement + " ;",
        statement.replace("CREATE", "CR\u0415ATE").replace("DELETE", "D\u0415LETE"),  # Cyrillic Е
        statement.replace("(", "( ").replace(")", " )"),
        statement.replace("E", "\u200bE", 1),  # zero-width space
    ]


def corpus() -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    for write in WRITES:
        bodies += [{"query": q} for q in _respell(write)]
        bodies += [{"query": p + write} for p in PREFIXES if p]
        bodies += [{"query": f"RETURN 1; {write}"}, {"query": f"{write}; RETURN 1"}]
    for procedure in PROCEDURES:
        bodies += [{"query": q} for q in _respell(procedure)[:8]]
    for depth, opener in itertools.product((11, 40, 3000), ("(", "[", "{a:", "NOT ", "-")):
        closer = {"(": ")", "[": "]", "{a:": "}"}.get(opener, "")
        bodies.append({"query": "RETURN " + opener * depth + "1" + closer * depth})
    for write in WRITES[:8]:  # parameters carrying Cypher, and Cypher in parameter names
        bodies.append({"query": "RETURN $q AS q", "params": {"q": write}})
        by_name = "MATCH (n:Entity {name: $q}) RETURN n.name"
        bodies.append({"query": by_name, "params": {"q": write}})
        bodies.append({"query": "RETURN $q", "params": {"q": [write, write]}})
        bodies.append({"query": "RETURN 1", "params": {f"a}}) {write} //": 1}})
        bodies.append({"query": "RETURN 1", "params": {"`x`": write}})
        bodies.append({"query": f"RETURN '{write}' AS text"})
        bodies.append({"query": f"RETURN 1 // {write}"})
        bodies.append({"query": f"/* {write} */ RETURN 1"})
    bodies += [
        {"query": "CALL db.idx.fulltext.queryNodes('Chunk', 'x') YIELD node SET node.x = 1"},
        {"query": "MATCH (n) RETURN n", "params": {"": 1}},
        {"query": ""},
        {"query": " "},
        {"query": ";"},
        {"query": "RETURN 1", "extra": "field"},
        {"query": "x" * 20_000},
    ]
    return bodies

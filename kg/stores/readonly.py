"""A backend-independent first check on user Cypher before it reaches the database.

The database's own read-only mode is the real guard (FalkorDB `ro_query`, a Neo4j READ
session); this check adds a clear message for what read-only modes still allow or word
badly: several statements at once, LOAD CSV (reads files), and writing procedures.
"""

from __future__ import annotations

import re

from kg.stores.base import ReadOnlyViolation

# Strings, backtick names and comments are removed before looking for keywords.
_LITERALS = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL
)
# A clause keyword: not a property (`n.set`) and not a map key (`{set: 1}`).
_WRITE_CLAUSE = re.compile(
    r"(?<![.\w$])(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV)\b(?!\s*:)",
    re.IGNORECASE,
)
_WRITE_PROCEDURE = re.compile(
    r"\bCALL\s+(db\.idx\.(fulltext\.(createNodeIndex|createRelationshipIndex|drop))"
    r"|db\.create|db\.drop|dbms\.(?!procedures|functions|components)|apoc\.|gds\.|algo\.\w+\.write)",
    re.IGNORECASE,
)


def check_read_only(query: str) -> None:
    """Raise ReadOnlyViolation when `query` is not a single reading statement."""
    if not query or not query.strip():
        raise ReadOnlyViolation("empty Cypher statement")
    code = _LITERALS.sub("''", query)
    if code.strip().rstrip(";").count(";"):
        raise ReadOnlyViolation("only one Cypher statement may be sent at a time")
    clause = _WRITE_CLAUSE.search(code)
    if clause:
        word = " ".join(clause.group(1).split()).upper()
        raise ReadOnlyViolation(f"read-only Cypher: {word} is not allowed")
    procedure = _WRITE_PROCEDURE.search(code)
    if procedure:
        raise ReadOnlyViolation(
            f"read-only Cypher: procedure {procedure.group(1)}... is not allowed"
        )

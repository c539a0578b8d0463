"""Backend-independent first checks on user Cypher and its parameters before they reach
the database.

The database's own read-only mode is the real guard (FalkorDB `ro_query`, a Neo4j READ
session); this check adds a clear message for what read-only modes still allow or word
badly: several statements at once, LOAD CSV (reads files), and writing procedures.
Parameter names must be plain identifiers (`$name`): FalkorDB's client cannot send an empty
name or a backtick, and a name that needs quoting is no use in a query anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg.stores.base import BadParameter, ReadOnlyViolation
from kg.stores.cypher_bounds import check_bounds

PARAM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_PARAM_NAME = re.compile(PARAM_NAME_PATTERN)

# Strings and backtick names become '' and comments a space before looking for keywords
# (a comment between two words still separates them: `LOAD /* */ CSV`).
_LITERALS = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|(//[^\n]*|/\*.*?\*/)", re.DOTALL
)
# A clause keyword: not a property (`n.set`) and not a map key (`{set: 1}`).
_WRITE_CLAUSE = re.compile(
    r"(?<![.\w$])(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV)\b(?!\s*:)",
    re.IGNORECASE,
)
_WRITE_PROCEDURE = re.compile(
    r"\bCALL\s+(db\.idx\.(fulltext|vector)\.(create\w*|drop\w*)"
    r"|db\.create|db\.drop|dbms\.(?!procedures|functions|components)|apoc\.|gds\.|algo\.\w+\.write)",
    re.IGNORECASE,
)


def check_read_only(query: str) -> None:
    """Raise ReadOnlyViolation when `query` is not a single reading statement, and
    QueryTooComplex when it is too big or nested for the parser (cypher_bounds)."""
    if not query or not query.strip():
        raise ReadOnlyViolation("empty Cypher statement")
    check_bounds(query)
    code = _LITERALS.sub(lambda m: " " if m.group(1) else "''", query)
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


def check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters as a dict; BadParameter when a name is not an identifier or a map
    value has an empty or backticked key (neither backend's protocol can carry those)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        kind = type(params).__name__
        raise BadParameter(f"parameters must be a name -> value mapping, not {kind}")
    for name, value in params.items():
        if not isinstance(name, str) or not _PARAM_NAME.fullmatch(name):
            raise BadParameter(
                f"parameter name {name!r} is not usable: a letter or _ then letters, digits "
                "or _, at most 64 characters"
            )
        _check_map_keys(value, f"${name}")
    return dict(params)


def _check_map_keys(value: Any, where: str) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if not isinstance(key, str) or not key or "`" in key:
                raise BadParameter(f"map key {key!r} in {where} must be non-empty text without `")
            _check_map_keys(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for inner in value:
            _check_map_keys(inner, where)

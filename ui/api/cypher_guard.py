"""A statement check run before any user Cypher reaches the store.

The store already runs user Cypher read-only; this refuses, up front and with a clear
message, what must never run there: several statements in one request, write clauses and
procedures that are not known to be read-only. It lexes the text (strings, comments and
backtick names are skipped) rather than matching regexes over raw text, so a word like
"create" inside a string or as a property name does not trip it.
"""

from __future__ import annotations

import re

from ui.api.errors import UnsafeQuery

WRITE_CLAUSES = frozenset(
    {
        "CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD",
        "ALTER", "GRANT", "REVOKE", "DENY", "RENAME", "TERMINATE", "START", "STOP",
    }
)

# Procedures that only read (FalkorDB and Neo4j spellings). Anything else is refused.
READ_PROCEDURES = re.compile(
    r"^(db\.idx\.(vector|fulltext)\.query(nodes|relationships)"
    r"|db\.index\.(vector|fulltext)\.query(nodes|relationships)"
    r"|db\.(labels|relationshiptypes|propertykeys|indexes|constraints)"
    r"|db\.schema\.(visualization|nodetypeproperties|reltypeproperties)"
    r"|dbms\.components)$"
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>`(?:[^`]|``)*`)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs without whitespace and comments; unterminated text is refused."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "punct"
        text = match.group()
        if kind in ("ws", "line_comment", "block_comment"):
            continue
        if kind == "punct" and text in "'\"`":
            raise UnsafeQuery("unterminated string or name in the query")
        if kind == "punct" and text == "/" and query.startswith("/*", match.start()):
            raise UnsafeQuery("unterminated comment in the query")
        out.append((kind, text))
    return out


def _procedure_name(toks: list[tuple[str, str]], start: int) -> str:
    """The dotted name after CALL at `start` ('' for a CALL { subquery })."""
    parts: list[str] = []
    i = start
    while i < len(toks) and toks[i][0] in ("word", "name"):
        parts.append(toks[i][1].strip("`"))
        if i + 1 < len(toks) and toks[i + 1][1] == ".":
            i += 2
        else:
            break
    return ".".join(parts)


def check_read_only(query: str) -> None:
    """Raise UnsafeQuery unless `query` is one statement with no writes or writing calls."""
    toks = tokens(query)
    if not toks:
        raise UnsafeQuery("the query is empty")
    while toks and toks[-1][1] == ";":
        toks.pop()
    for i, (kind, text) in enumerate(toks):
        if text == ";":
            raise UnsafeQuery("only one statement per request")
        if kind != "word":
            continue
        before = toks[i - 1][1] if i else ""
        after = toks[i + 1][1] if i + 1 < len(toks) else ""
        if before in (".", ":", "$") or after == ":":
            continue  # a property, label, parameter or map key, not a clause
        upper = text.upper()
        if upper in WRITE_CLAUSES:
            raise UnsafeQuery(f"{upper} is not allowed: this endpoint is read-only")
        if upper == "CALL":
            name = _procedure_name(toks, i + 1)
            if name and not READ_PROCEDURES.match(name.lower()):
                raise UnsafeQuery(f"procedure {name} is not allowed: only read procedures are")

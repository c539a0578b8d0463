"""Bound what a user's Cypher asks the database to parse, before it gets there.

FalkorDB's parser backtracks: its time doubles with every level of expression nesting
(brackets of any kind, CASE, NOT, a unary minus) and the query time limit does not cover
parsing, so `RETURN ((((…1…))))` 24 levels deep pins a database thread for minutes.
Measured on FalkorDB 4.16 (2 busy cores): 10 levels 0.01-0.03 s, 14 levels 0.13-0.40 s,
18 levels 1.8-5 s; a hundred 10-deep terms side by side 1.1 s. So a statement is refused
when it is too long, has too many tokens, nests too deep, or when its parse cost (the sum
over tokens of 2**depth, which tracks those timings) is over budget.
"""

from __future__ import annotations

import re

from kg.stores.base import QueryTooComplex

MAX_QUERY_CHARS = 10_000
MAX_TOKENS = 2_000
MAX_DEPTH = 10
MAX_PARSE_COST = 20_000  # sum of 2**depth; ~0.1 s of FalkorDB parse time at most

_TOKEN = re.compile(
    r"""(?P<skip>\s+|//[^\n]*|/\*.*?(?:\*/|\Z))
      |(?P<literal>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z)|`[^`]*(?:`|\Z))
      |(?P<word>[^\W\d]\w*|\$\w*)
      |(?P<number>\d[\w.]*)
      |(?P<open>[(\[{])
      |(?P<close>[)\]}])
      |(?P<op><>|<=|>=|=~|\.\.|->|<-|\S)""",
    re.VERBOSE | re.DOTALL,
)
# Where an operand ends, so a run of NOT / unary minus no longer nests what follows.
_BOUNDARY = frozenset(
    "AND OR XOR WHEN THEN ELSE WHERE RETURN WITH MATCH OPTIONAL UNWIND ORDER BY SKIP "
    "LIMIT UNION CALL YIELD AS".split()
)
_CLOSE = {")": "(", "]": "[", "}": "{"}
_OPERATOR_WORDS = _BOUNDARY | {"NOT", "IN", "IS", "CONTAINS", "STARTS", "ENDS", "CASE"}


def check_bounds(query: str) -> None:
    """Raise QueryTooComplex when parsing `query` could take the database long."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooComplex(
            f"the Cypher statement has {len(query)} characters; at most {MAX_QUERY_CHARS}"
        )
    openers: list[str] = [""]  # the bracket or CASE open at each level
    unary: list[int] = [0]  # NOT / unary minus pending at each level, each nests one more
    tokens = cost = 0
    after_operand = False  # a minus after an operand is binary, otherwise unary
    for match in _TOKEN.finditer(query):
        kind, text = match.lastgroup or "", match.group()
        if kind == "skip":
            continue
        tokens += 1
        if tokens > MAX_TOKENS:
            raise QueryTooComplex(f"the Cypher statement has more than {MAX_TOKENS} tokens")
        word = text.upper() if kind == "word" else ""
        if kind == "open" or word == "CASE":
            openers.append(word or text)
            unary.append(0)
        elif len(openers) > 1 and (
            (kind == "close" and openers[-1] == _CLOSE[text])
            or (word == "END" and openers[-1] == "CASE")
        ):
            openers.pop()
            unary.pop()
        elif word == "NOT" or (text in ("-", "+") and not after_operand):
            unary[-1] += 1
        elif word in _BOUNDARY or text in (",", "|"):
            unary[-1] = 0
        depth = len(openers) - 1 + sum(unary)
        if depth > MAX_DEPTH:
            raise QueryTooComplex(
                f"the Cypher statement nests more than {MAX_DEPTH} levels deep (brackets, "
                "CASE, NOT or unary minus); flatten it"
            )
        cost += 2**depth
        if cost > MAX_PARSE_COST:
            raise QueryTooComplex(
                "the Cypher statement is too complex to parse safely (too many deeply nested "
                "terms); split or flatten it"
            )
        after_operand = kind in ("number", "literal", "close") or (
            kind == "word" and word not in _OPERATOR_WORDS
        )

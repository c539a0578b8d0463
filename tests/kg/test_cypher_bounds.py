"""User Cypher too long or nested too deep for FalkorDB's parser is refused before it gets
there, with a message; what real queries look like passes and runs."""

from __future__ import annotations

import pytest

from kg.models import ADMIN
from kg.stores.base import GraphStore, QueryTooComplex
from kg.stores.cypher_bounds import MAX_DEPTH, MAX_QUERY_CHARS, MAX_TOKENS, check_bounds

DEEP = MAX_DEPTH + 1
NESTED = {
    "parentheses": "RETURN " + "(" * DEEP + "1" + ")" * DEEP,
    "lists": "RETURN " + "[" * DEEP + "1" + "]" * DEEP,
    "maps": "RETURN " + "{a:" * DEEP + "1" + "}" * DEEP,
    "functions": "RETURN " + "abs(" * DEEP + "1" + ")" * DEEP,
    "not": "RETURN " + "NOT " * DEEP + "true",
    "unary minus": "RETURN " + "-" * DEEP + "1",
    "case": "RETURN " + "CASE WHEN true THEN " * DEEP + "1" + " END" * DEEP,
    "comprehension": "RETURN " + "[x IN " * DEEP + "[1]" + " | x]" * DEEP,
    "unclosed": "RETURN " + "(" * 3000,
}
FINE = [
    "MATCH (a:Entity)-[r:REL]->(b:Entity) WHERE a.name IN ['x', 'y'] AND NOT b.name = 'z' "
    "RETURN a.name, r.predicate, b.name ORDER BY a.name LIMIT 10",
    "RETURN CASE WHEN 1 > 0 THEN -1 ELSE - 2 END, [x IN range(1, 5) WHERE x % 2 = 0 | x * -1]",
    "RETURN '((((((((((((((((((((' AS s, `[[[[[[[[[[[[[[[[` AS t // ((((((((((((((((",
    "RETURN " + "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
    "RETURN " + " + ".join(["(1)"] * 400),
    "RETURN " + " AND ".join(["NOT false"] * 300),
]


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_deep_nesting_is_refused_naming_the_limit(shape: str) -> None:
    with pytest.raises(QueryTooComplex, match=f"more than {MAX_DEPTH} levels"):
        check_bounds(NESTED[shape])


def test_many_deep_terms_side_by_side_are_refused() -> None:
    item = "(" * 8 + "1" + ")" * 8  # each one is cheap; a few hundred are not
    with pytest.raises(QueryTooComplex, match="too complex to parse"):
        check_bounds("RETURN [" + ",".join([item] * 200) + "]")


def test_length_and_token_limits() -> None:
    with pytest.raises(QueryTooComplex, match=f"at most {MAX_QUERY_CHARS}"):
        check_bounds("RETURN '" + "x" * MAX_QUERY_CHARS + "'")
    with pytest.raises(QueryTooComplex, match=f"more than {MAX_TOKENS} tokens"):
        check_bounds("RETURN " + ",".join(["1"] * MAX_TOKENS))


@pytest.mark.parametrize("query", FINE)
def test_real_queries_pass(query: str) -> None:
    check_bounds(query)


def test_the_store_refuses_before_the_database_and_runs_what_passes(store: GraphStore) -> None:
    for query in NESTED.values():
        with pytest.raises(QueryTooComplex):
            store.cypher(query, {}, [ADMIN])
    columns, rows = store.cypher(FINE[3], {}, [ADMIN])
    assert rows == [[1]]
    columns, rows = store.cypher(FINE[1], {}, [])
    assert rows == [[-1, [-2, -4]]]


def test_the_cypher_command_refuses_deep_nesting(tmp_path, capsys) -> None:
    from ui.cli import main

    assert main(["cypher", NESTED["parentheses"], "--store", str(tmp_path)]) == 2
    assert f"refused: the Cypher statement nests more than {MAX_DEPTH}" in capsys.readouterr().err

"""The GraphStore contract, run against every configured backend (real servers only)."""

from __future__ import annotations

import pytest

from kg.models import ADMIN, Chunk, Counts, Document, Entity
from kg.stores.base import (
    BadParameter,
    GraphStore,
    QueryTimedOut,
    ReadOnlyViolation,
    StoreError,
)
from tests.kg.store_world import load_world, pub_records, sec_records, triple, vec

PUBLIC: list[str] = []
FINANCE = ["finance"]
EVERYONE = [ADMIN]


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    load_world(store)
    return store


def facts(triples) -> set[tuple[str, str, str]]:
    return {(t.subject_key, t.predicate, t.object_key) for t in triples}


# ---- documents, chunks, counts ----------------------------------------------------------
def test_counts_follow_groups(world: GraphStore) -> None:
    assert world.counts(PUBLIC) == Counts(documents=1, chunks=2, entities=3, triples=2)
    both = Counts(documents=2, chunks=4, entities=5, triples=4)
    assert world.counts(FINANCE) == both
    assert world.counts(EVERYONE) == both
    assert world.counts(["other"]) == world.counts(PUBLIC)


def test_documents_visible_only_to_their_groups(world: GraphStore) -> None:
    assert world.get_document("/docs/sec.md", PUBLIC) is None
    sec = world.get_document("/docs/sec.md", FINANCE)
    assert sec is not None and sec.groups == ["finance"] and sec.title == "Secret"
    assert [d.id for d in world.list_documents(PUBLIC)] == ["/docs/pub.md"]
    assert [d.id for d in world.list_documents(EVERYONE)] == ["/docs/pub.md", "/docs/sec.md"]


def test_get_chunks_filters_by_groups(world: GraphStore) -> None:
    ids = ["pub:0", "sec:1", "missing"]
    assert [c.id for c in world.get_chunks(ids, PUBLIC)] == ["pub:0"]
    got = {c.id: c for c in world.get_chunks(ids, FINANCE)}
    assert set(got) == {"pub:0", "sec:1"}
    assert got["sec:1"].text == "Mira Tal owns the Karsk Ledger." and got["sec:1"].position == 1


def test_chunk_entities(world: GraphStore) -> None:
    assert world.chunk_entities(["pub:0", "sec:0"], PUBLIC) == {
        "pub:0": ["brightwater labs", "orin vale"]
    }
    assert world.chunk_entities(["sec:0"], FINANCE) == {"sec:0": ["mira tal", "orin vale"]}


def test_set_groups_moves_everything_derived(world: GraphStore) -> None:
    assert world.set_groups("/docs/sec.md", [])
    assert world.counts(PUBLIC).triples == 4
    assert world.set_groups("/docs/sec.md", ["hr"])
    assert world.counts(PUBLIC).triples == 2 and world.counts(["hr"]).triples == 4
    assert world.find_entities(["mira tal"], PUBLIC) == []
    assert not world.set_groups("/docs/nope.md", [])


# ---- entities ------------------------------------------------------------------------------
def test_find_entities_by_key_or_alias(world: GraphStore) -> None:
    found = world.find_entities(["karsk", "Orin"], PUBLIC)
    assert [e.key for e in found] == ["karsk", "orin vale"]
    orin = found[1]
    assert orin.name == "Orin Vale" and orin.type == "PERSON"
    assert set(orin.aliases) == {"Orin", "O. Vale", "Orin Vale"}  # unioned across documents
    assert world.find_entities(["mira tal"], PUBLIC) == []
    assert [e.key for e in world.find_entities(["mira"], FINANCE)] == ["mira tal"]


def test_entity_fulltext_and_vector(world: GraphStore) -> None:
    hits = world.entity_fulltext("ledger", 5, FINANCE)
    assert [e.key for e, _ in hits] == ["karsk ledger"]
    assert world.entity_fulltext("ledger", 5, PUBLIC) == []
    nearest = world.entity_vector(vec((13, 1.0), (10, 0.3)), 2, FINANCE)
    assert [e.key for e, _ in nearest] == ["mira tal", "orin vale"]
    assert nearest[0][1] > nearest[1][1] and nearest[0][1] == pytest.approx(0.958, abs=0.05)
    # The restricted nearest entity is skipped, yet k visible ones still come back.
    public = world.entity_vector(vec((13, 1.0), (12, 0.5), (11, 0.3)), 2, PUBLIC)
    assert [e.key for e, _ in public] == ["karsk", "brightwater labs"]


def test_entity_fulltext_finds_a_visible_name_below_many_hidden_better_ones(
    store: GraphStore,
) -> None:
    """The store checks only the best full-text matches for visibility; when the asker's
    groups hide all of those, the weaker visible match must still be found."""
    gates = [Entity(f"harbour gate {i}", f"Harbour Gate {i}", "FAC", [], vec(40 + i))
             for i in range(50)]
    hidden = Document("/docs/gates.md", "/docs/gates.md", "Gates", "sha-gates", ["finance"])
    chunk = Chunk("gates:0", hidden.id, "The harbour gates.", 0, vec(5))
    store.replace_document(hidden, [chunk], gates, [],
                           [(chunk.id, g.key) for g in gates])
    shown = Document("/docs/north.md", "/docs/north.md", "North", "sha-north", [])
    north = Chunk("north:0", shown.id, "The North Gate.", 0, vec(6))
    store.replace_document(shown, [north], [Entity("north gate", "North Gate", "FAC", [],
                                                   vec(7))], [], [(north.id, "north gate")])
    assert [e.key for e, _ in store.entity_fulltext("Harbour Gate", 3, PUBLIC)] == [
        "north gate"]
    best = store.entity_fulltext("Harbour Gate", 3, FINANCE)
    assert len(best) == 3 and all(e.key.startswith("harbour gate") for e, _ in best)
    # equal scores come in key order, so the cut keeps what the whole ranking would
    assert [s for _, s in best] == sorted((s for _, s in best), reverse=True)
    assert [e.key for e, _ in best] == sorted(e.key for e, _ in best)


# ---- graph reads ---------------------------------------------------------------------------
def test_neighbourhood_both_directions(world: GraphStore) -> None:
    around = facts(world.neighbourhood(["brightwater labs"], PUBLIC))
    assert around == {
        ("orin vale", "found", "brightwater labs"),  # incoming edge
        ("brightwater labs", "headquarter in", "karsk"),  # outgoing edge
    }
    orin = world.neighbourhood(["orin vale"], FINANCE)
    assert ("mira tal", "mother of", "orin vale") in facts(orin)
    assert orin[0].doc and orin[0].chunk and orin[0].sentence
    assert ("mira tal", "mother of", "orin vale") not in facts(
        world.neighbourhood(["orin vale"], PUBLIC)
    )


def test_neighbourhood_two_hops(world: GraphStore) -> None:
    one = facts(world.neighbourhood(["karsk"], FINANCE, hops=1))
    two = facts(world.neighbourhood(["karsk"], FINANCE, hops=2))
    assert one == {("brightwater labs", "headquarter in", "karsk")}
    assert two == one | {("orin vale", "found", "brightwater labs")}
    assert len(world.neighbourhood(["karsk"], FINANCE, hops=2, limit=1)) == 1


def test_paths_shortest_and_filtered(world: GraphStore) -> None:
    paths = world.paths("mira tal", "karsk", FINANCE)
    assert [[t.predicate for t in p] for p in paths] == [["mother of", "found", "headquarter in"]]
    assert world.paths("mira tal", "karsk", PUBLIC) == []
    assert world.paths("mira tal", "karsk", FINANCE, max_hops=2) == []
    reverse = world.paths("karsk", "orin vale", PUBLIC)
    assert [[t.predicate for t in p] for p in reverse] == [["headquarter in", "found"]]


def test_triples_filters(world: GraphStore) -> None:
    assert facts(world.triples(PUBLIC)) == {
        ("orin vale", "found", "brightwater labs"),
        ("brightwater labs", "headquarter in", "karsk"),
    }
    assert len(world.triples(EVERYONE)) == 4
    assert facts(world.triples(FINANCE, subject="mira tal", predicate="own")) == {
        ("mira tal", "own", "karsk ledger")
    }
    assert facts(world.triples(FINANCE, object="orin vale")) == {
        ("mira tal", "mother of", "orin vale")
    }
    assert len(world.triples(FINANCE, limit=3)) == 3
    t = world.triples(PUBLIC, subject="orin vale")[0]
    assert (t.subject, t.object, t.doc, t.chunk) == (
        "Orin Vale",
        "Brightwater Labs",
        "/docs/pub.md",
        "pub:0",
    )


# ---- passages ------------------------------------------------------------------------------
def test_vector_search_top_k(world: GraphStore) -> None:
    hits = world.vector_search(vec((3, 1.0), (1, 0.5), (0, 0.2)), 2, FINANCE)
    assert [h.chunk.id for h in hits] == ["sec:1", "pub:1"]
    assert hits[0].score > hits[1].score and hits[0].doc_title == "Secret"
    assert hits[0].chunk.doc_id == "/docs/sec.md" and hits[1].doc_path == "/docs/pub.md"
    public = world.vector_search(vec((3, 1.0), (1, 0.5), (0, 0.2)), 2, PUBLIC)
    assert [h.chunk.id for h in public] == ["pub:1", "pub:0"]
    with pytest.raises(ValueError, match="dimensions"):
        world.vector_search([1.0, 0.0], 2, PUBLIC)


def test_fulltext_search(world: GraphStore) -> None:
    hits = world.fulltext_search("Who owns the ledger?", 3, FINANCE)
    assert hits[0].chunk.id == "sec:1" and hits[0].doc_path == "/docs/sec.md"
    assert world.fulltext_search("ledger", 3, PUBLIC) == []
    found = {h.chunk.id for h in world.fulltext_search("Karsk", 5, PUBLIC)}
    assert found == {"pub:1"}
    assert world.fulltext_search("?!", 3, PUBLIC) == []
    # a bare underscore is a word character but no search term: it must not break the query
    assert {h.chunk.id for h in world.fulltext_search("_ ledger", 3, FINANCE)} >= {"sec:1"}
    assert world.entity_fulltext("0\u00ab_\U0001917a", 3, FINANCE) == []


def test_fulltext_ranks_passages_holding_more_rare_words_first(store: GraphStore) -> None:
    texts = [
        "Ferries connect the islands in summer.",
        "Karsk is a city in the north. It has a harbour.",
        "The harbour of Karsk freezes every winter and the ferries stop until spring.",
        "The winter festival is held in Lenhold.",
    ]
    doc = Document("/docs/sea.md", "/docs/sea.md", "Sea", "sha-sea", [])
    chunks = [Chunk(f"sea:{i}", doc.id, t, i, vec(20 + i)) for i, t in enumerate(texts)]
    store.replace_document(doc, chunks, [], [], [])
    hits = store.fulltext_search("What happens to the ferries when the harbour freezes?", 3, [])
    assert [h.chunk.id for h in hits][0] == "sea:2"
    assert len(hits) == 3 and hits[0].score > hits[1].score >= hits[2].score > 0


# ---- replace and delete --------------------------------------------------------------------
def test_replace_keeps_nothing_old(world: GraphStore) -> None:
    doc, _, _, _, _ = pub_records(title="Public v2")
    chunk = Chunk("pub2:0", doc.id, "Orin Vale moved to Lenhold.", 0, vec(5))
    moved = triple("Orin Vale", "move to", "Lenhold", "pub2:0")
    world.replace_document(doc, [chunk], [], [moved], [])
    assert world.get_document(doc.id, PUBLIC).title == "Public v2"
    assert [c.id for c in world.get_chunks(["pub:0", "pub:1", "pub2:0"], EVERYONE)] == ["pub2:0"]
    assert facts(world.triples(PUBLIC)) == {("orin vale", "move to", "lenhold")}
    assert world.find_entities(["karsk", "brightwater labs"], EVERYONE) == []
    assert world.cypher("MATCH (e:Entity {key: 'karsk'}) RETURN e", None, EVERYONE)[1] == []
    assert world.counts(EVERYONE) == Counts(documents=2, chunks=3, entities=4, triples=3)


def test_replace_same_content_twice_is_stable(world: GraphStore) -> None:
    before = world.counts(EVERYONE)
    load_world(world)
    assert world.counts(EVERYONE) == before


def test_delete_keeps_shared_entities(world: GraphStore) -> None:
    assert world.delete_document("/docs/sec.md")
    assert not world.delete_document("/docs/sec.md")
    assert world.counts(EVERYONE) == Counts(documents=1, chunks=2, entities=3, triples=2)
    assert [e.key for e in world.find_entities(["orin vale"], EVERYONE)] == ["orin vale"]
    assert world.find_entities(["mira tal", "karsk ledger"], EVERYONE) == []
    cols, rows = world.cypher("MATCH (n) WHERE n:Entity OR n:Chunk RETURN count(n)", None, EVERYONE)
    assert rows == [[5]]


def test_failed_replace_leaves_old_version(world: GraphStore) -> None:
    before = (world.counts(EVERYONE), facts(world.triples(EVERYONE)))
    doc, chunks, entities, triples, mentions = pub_records(title="broken")
    # A real database failure mid-write: the second chunk's vector holds text.
    chunks[1].embedding = ["not a number"] * 384  # type: ignore[list-item]
    triples.append(triple("Orin Vale", "sell", "Brand New Co", "pub:0"))
    with pytest.raises(StoreError, match="previous version is unchanged"):
        world.replace_document(doc, chunks, entities, triples, mentions)
    assert (world.counts(EVERYONE), facts(world.triples(EVERYONE))) == before
    assert world.get_document(doc.id, PUBLIC).title == "Public"
    _, rows = world.cypher(
        "MATCH (n) WHERE n:StagedChunk OR (n:Entity AND n.key = 'brand new co') RETURN count(n)",
        None,
        EVERYONE,
    )
    assert rows == [[0]]


def test_failed_replace_adds_no_alias_or_type_to_kept_entities(world: GraphStore) -> None:
    """The database fails after the entities were merged (a map is no property value): the
    entities both versions share keep the aliases and type they had."""
    keep = pub_records(title="kept")
    keep[4].append(("pub:1", "karsk harbour"))  # an entity without type or aliases
    world.replace_document(*keep)
    doc, chunks, entities, triples, mentions = pub_records(title="broken")
    entities[0].aliases.append("Vale the Bold")
    entities.append(Entity("karsk harbour", "Karsk Harbour", "LOC", ["the Harbour"]))
    mentions.append(("pub:1", "karsk harbour"))
    triples[0].sentence = {"not": "text"}  # type: ignore[assignment]
    with pytest.raises(StoreError, match="previous version is unchanged"):
        world.replace_document(doc, chunks, entities, triples, mentions)
    assert world.find_entities(["vale the bold", "the harbour"], EVERYONE) == []
    orin, harbour = world.find_entities(["orin vale", "karsk harbour"], EVERYONE)
    assert set(orin.aliases) == {"Orin", "O. Vale", "Orin Vale"}
    assert (harbour.type, harbour.aliases) == ("", [])
    # The same records, written well, do add them; in a batch only the written one does.
    triples[0].sentence = chunks[0].text
    bad = sec_records()
    bad[2][0].aliases.append("Lady of Karsk")
    bad[3][0].sentence = {"not": "text"}  # type: ignore[assignment]
    with pytest.raises(StoreError, match="sec.md"):
        world.replace_documents([(doc, chunks, entities, triples, mentions), bad])
    assert [e.key for e in world.find_entities(["vale the bold"], EVERYONE)] == ["orin vale"]
    assert world.find_entities(["karsk harbour"], EVERYONE)[0].type == "LOC"
    assert world.find_entities(["lady of karsk"], EVERYONE) == []


def test_a_batch_gives_a_new_entity_its_first_type_and_every_alias(store: GraphStore) -> None:
    """A new entity is created with its first document's type and aliases; a later
    document of the same batch adds its aliases, never a second type."""
    records = []
    for i, (type_, aliases) in enumerate([("ORG", ["Tarn Co"]), ("GPE", ["Tarn", "Tarn Co"])]):
        doc = Document(f"/docs/t{i}.md", f"/docs/t{i}.md", f"T{i}", f"sha-t{i}", [])
        chunk = Chunk(f"t{i}:0", doc.id, "Tarn Company trades in Karsk.", 0, vec(4 + i))
        tarn = Entity("tarn company", "Tarn Company", type_, aliases, vec(15))
        fact = triple("Tarn Company", "trade in", "Karsk", chunk.id, chunk.text)
        records.append((doc, [chunk], [tarn], [fact], []))
    store.replace_documents(records)
    (tarn,) = store.find_entities(["tarn company"], PUBLIC)
    assert tarn.type == "ORG" and sorted(tarn.aliases) == ["Tarn", "Tarn Co"]
    assert store.find_entities(["karsk"], PUBLIC)[0].type == ""


def test_bad_input_is_refused_before_writing(world: GraphStore) -> None:
    doc, chunks, entities, triples, mentions = sec_records()
    before = world.counts(EVERYONE)
    triples.append(triple("Mira Tal", "visit", "Karsk", "no-such-chunk"))
    with pytest.raises(ValueError, match="no-such-chunk"):
        world.replace_document(doc, chunks, entities, triples, mentions)
    chunks[0].embedding = [1.0, 2.0]
    with pytest.raises(ValueError, match="dimensions"):
        world.replace_document(doc, chunks, entities, triples[:2], mentions)
    assert world.counts(EVERYONE) == before


# ---- read-only Cypher ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "CREATE (:Entity {key: 'x'})",
        "MATCH (n) DETACH DELETE n",
        "MATCH (d:Document) SET d.groups = [] RETURN d",
        "MERGE (e:Entity {key: 'x'}) RETURN e",
        "MATCH (n) RETURN n; MATCH (m) RETURN m",
        "CALL db.idx.fulltext.drop('Chunk')",
        "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    ],
)
def test_cypher_refuses_writes(world: GraphStore, query: str) -> None:
    before = world.counts(EVERYONE)
    for groups in (PUBLIC, EVERYONE):
        with pytest.raises(ReadOnlyViolation):
            world.cypher(query, None, groups)
    assert world.counts(EVERYONE) == before
    assert world.get_document("/docs/sec.md", FINANCE).groups == ["finance"]


def test_backend_itself_refuses_writes(world: GraphStore) -> None:
    """Behind the keyword pre-check, the backend's own read-only mode refuses writes."""
    with pytest.raises(ReadOnlyViolation):
        world.runner.user_read("CREATE (:Entity {key: 'x'})", {}, [], "", 10)
    assert world.counts(EVERYONE).entities == 5


def test_cypher_allows_write_words_in_strings(world: GraphStore) -> None:
    cols, rows = world.cypher(
        "MATCH (c:Chunk) WHERE c.text CONTAINS $w OR c.text = 'DELETE; SET' RETURN c.id AS id",
        {"w": "founded"},
        PUBLIC,
    )
    assert cols == ["id"] and rows == [["pub:0"]]


def test_cypher_sees_only_visible_part(world: GraphStore) -> None:
    query = "MATCH (d:Document) RETURN d.id ORDER BY d.id"
    assert world.cypher(query, None, PUBLIC)[1] == [["/docs/pub.md"]]
    assert len(world.cypher(query, None, FINANCE)[1]) == 2
    entities = "MATCH (e:Entity) RETURN e.key ORDER BY e.key"
    public_keys = [r[0] for r in world.cypher(entities, None, PUBLIC)[1]]
    assert public_keys == ["brightwater labs", "karsk", "orin vale"]
    rels = "MATCH (:Entity)-[r:REL]->(:Entity) RETURN count(r)"
    assert world.cypher(rels, None, PUBLIC)[1] == [[2]]
    # A write is seen by the next query (cached views are invalidated).
    doc, chunks, entities, triples, mentions = pub_records()
    doc.id = doc.path = "/docs/pub2.md"
    for c in chunks:
        c.id, c.doc_id = c.id.replace("pub", "pub2"), doc.id
    for t in triples:
        t.chunk_id = t.chunk_id.replace("pub", "pub2")
    world.replace_document(doc, chunks, entities, triples, [])
    assert world.cypher(query, None, PUBLIC)[1] == [["/docs/pub.md"], ["/docs/pub2.md"]]
    world.delete_document("/docs/pub2.md")
    world.set_groups("/docs/sec.md", [])  # now public: no view needed at all
    assert len(world.cypher(query, None, PUBLIC)[1]) == 2
    assert world.cypher(rels, None, PUBLIC)[1] == [[4]]
    outsider = ["visitors"]  # first asks while nothing is hidden from anyone
    assert len(world.cypher(query, None, outsider)[1]) == 2
    world.set_groups("/docs/sec.md", ["hr"])  # hidden again: the next query must prune
    assert world.cypher(query, None, outsider)[1] == [["/docs/pub.md"]]


def test_cypher_params_limit_and_values(world: GraphStore) -> None:
    cols, rows = world.cypher(
        "MATCH (e:Entity {key: $key})-[r:REL]-(o) RETURN e, r, o.key ORDER BY o.key",
        {"key": "brightwater labs"},
        PUBLIC,
    )
    assert cols == ["e", "r", "o.key"] and len(rows) == 2
    node, edge = rows[0][0], rows[0][1]
    # the name vector's own label (schema 2) is storage detail, hidden like the embedding
    assert node["labels"] == ["Entity"]
    assert node["properties"]["name"] == "Brightwater Labs"
    assert "embedding" not in node["properties"]
    assert edge["type"] == "REL" and edge["properties"]["predicate"] == "headquarter in"
    _, limited = world.cypher("MATCH (c:Chunk) RETURN c.id", None, EVERYONE, limit=3)
    assert len(limited) == 3
    with pytest.raises(StoreError):
        world.cypher("MATCH (c:Chunk RETURN c", None, PUBLIC)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"": 1}, "parameter name ''"),
        ({"a b": 1}, "parameter name 'a b'"),
        ({"1st": 1}, "parameter name '1st'"),
        ({"x\n": 1}, "parameter name"),
        ({"m": {"": 1}}, r"map key '' in \$m"),
        ({"m": [{"`": 1}]}, r"map key '`' in \$m"),
        ([("x", 1)], "mapping, not list"),
    ],
)
def test_cypher_refuses_unusable_parameters_with_its_own_error(
    world: GraphStore, params: object, message: str
) -> None:
    with pytest.raises(BadParameter, match=message):
        world.cypher("RETURN 1 AS one", params, PUBLIC)  # type: ignore[arg-type]


def test_cypher_map_parameters_may_have_any_other_keys(world: GraphStore) -> None:
    params = {"m": {"@type": 1, "a b": [1]}, "_l2": [{"x-y": 2}]}
    columns, rows = world.cypher("RETURN $m AS m, $_l2 AS l", params, PUBLIC)
    assert columns == ["m", "l"] and rows == [[{"@type": 1, "a b": [1]}, [{"x-y": 2}]]]


# Seconds of work for either database: the time limit, not the end of the work, stops it.
LONG_QUERY = "UNWIND range(1, 4000) AS x UNWIND range(1, 4000) AS y RETURN count(*) AS n"


@pytest.mark.parametrize("groups", [PUBLIC, EVERYONE], ids=["pruned-view", "whole-graph"])
def test_cypher_time_limit_is_enforced_by_the_database(world: GraphStore, groups) -> None:
    with pytest.raises(QueryTimedOut, match="stopped the query"):
        world.cypher(LONG_QUERY, None, groups, timeout_s=0.01)
    assert world.cypher("RETURN 1 AS one", None, groups, timeout_s=5) == (["one"], [[1]])


# ---- batched writes ------------------------------------------------------------------------
def test_replace_documents_batch_equals_one_by_one(store: GraphStore) -> None:
    store.replace_documents([pub_records(), sec_records()])
    assert store.counts(EVERYONE) == Counts(documents=2, chunks=4, entities=5, triples=4)
    assert set(store.find_entities(["orin vale"], PUBLIC)[0].aliases) == {
        "Orin",
        "O. Vale",
        "Orin Vale",
    }
    assert facts(store.neighbourhood(["orin vale"], FINANCE)) == {
        ("orin vale", "found", "brightwater labs"),
        ("mira tal", "mother of", "orin vale"),
    }


def test_replace_documents_failure_names_the_document(store: GraphStore) -> None:
    bad = sec_records()
    bad[1][0].embedding = ["oops"] * 384  # type: ignore[list-item]
    with pytest.raises(StoreError, match="sec.md"):
        store.replace_documents([pub_records(), bad])
    assert [d.id for d in store.list_documents(EVERYONE)] == ["/docs/pub.md"]
    assert store.counts(EVERYONE) == Counts(documents=1, chunks=2, entities=3, triples=2)
    invalid = sec_records()
    invalid[1][0].doc_id = "/docs/other.md"
    store.clear()
    with pytest.raises(ValueError, match="sec.md"):
        store.replace_documents([pub_records(), invalid])
    assert [d.id for d in store.list_documents(EVERYONE)] == ["/docs/pub.md"]

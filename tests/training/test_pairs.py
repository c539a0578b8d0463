"""QA pairs from triples: wording per predicate in both directions, dedupe, splits by fact."""

from __future__ import annotations

import pytest

from kg.models import StoredTriple
from training.pairs import HOLDOUT, fact_id, make_pairs, parse_fractions, split_by_fact


def triple(s: str, p: str, o: str, doc: str = "d.txt", chunk: str = "c:0") -> StoredTriple:
    return StoredTriple(s, p, o, s.lower(), o.lower(), doc, chunk, f"{s} {p} {o}.")


def questions(t: StoredTriple, direction: str, paraphrases: int = 3) -> dict[str, str]:
    pairs = make_pairs([t], paraphrases=paraphrases)
    return {p.question: p.answer for p in pairs if p.direction == direction}


@pytest.mark.parametrize(
    ("predicate", "obj", "forward", "reverse"),
    [
        ("found", "Brightwater Labs", "Who founded Brightwater Labs?", "What did Orin Vale found?"),
        ("mother of", "Tamsin Vale", "Who is the mother of Tamsin Vale?",
         "Whose mother is Orin Vale?"),
        ("headquarter in", "Karsk", "What is headquartered in Karsk?",
         "Where is Orin Vale headquartered?"),
        ("be headquartered in", "Karsk", "What is headquartered in Karsk?",
         "Where is Orin Vale headquartered?"),
        ("locate in", "Karsk", "What is located in Karsk?", "Where is Orin Vale located?"),
        ("bear in", "Karsk", "Who was born in Karsk?", "Where was Orin Vale born?"),
        ("study at", "Lenhold University", "Who studied at Lenhold University?",
         "What is an alma mater of Orin Vale?"),
        ("compose", "The Tide Suite", "Who composed The Tide Suite?",
         "What did Orin Vale compose?"),
        ("write", "Salt Roads", "Who wrote Salt Roads?", "What did Orin Vale write?"),
        ("be", "a marine biologist", "Who is a marine biologist?", "What is Orin Vale?"),
        ("is a", "master sommelier", "Who is a master sommelier?", "What is Orin Vale?"),
        ("acclaimed director of", "Salt Roads", "Who is the acclaimed director of Salt Roads?",
         "What is Orin Vale the acclaimed director of?"),
        ("be", "the director of Salt Roads", "Who is the director of Salt Roads?",
         "Who is Orin Vale?"),
        ("capital of", "Karsk", "What is the capital of Karsk?",
         "What is Orin Vale the capital of?"),
        # unseen predicates: irregular verbs, participles and noun relations read as English
        ("make", "Clearwell sensor", "What made Clearwell sensor?",
         "What did Orin Vale make?"),
        ("build in", "1987", "What was built in 1987?", "When was Orin Vale built?"),
        ("gather on", "Sundays", "Who or what gathered on Sundays?",
         "What did Orin Vale gather on?"),
        ("known for", "its physics department", "Who or what is known for its physics department?",
         "What is Orin Vale known for?"),
        ("called", "Lantern Night", "Who or what is called Lantern Night?",
         "What is Orin Vale called?"),
        ("novel by", "Petra Lind", "What is the novel by Petra Lind?",
         "Who is an author of Orin Vale?"),
        ("port city in", "Vessia", "What is the port city in Vessia?",
         "What is Orin Vale the port city in?"),
        ("acquire", "Tidewick Ltd", "What acquired Tidewick Ltd?",
         "What did Orin Vale acquire?"),
    ],  # fmt: skip
)
def test_each_predicate_reads_naturally_in_both_directions(
    predicate: str, obj: str, forward: str, reverse: str
) -> None:
    t = triple("Orin Vale", predicate, obj)
    fwd, rev = questions(t, "forward"), questions(t, "reverse")
    assert fwd[forward] == "Orin Vale"  # forward asks for the subject
    assert rev[reverse] == obj  # reverse asks for the object
    assert len(fwd) == 3 and len(rev) == 3  # three paraphrases each
    assert all(obj in q for q in fwd) and all("Orin Vale" in q for q in rev)


@pytest.mark.parametrize(
    ("s", "predicate", "o", "inverse_wordings"),
    [
        ("Mara Vale", "mother of", "Orin Vale",
         ["Who is a child of Mara Vale?", "Name a child of Mara Vale."]),
        ("Orin Vale", "son of", "Mara Vale",
         ["Who is a parent of Orin Vale?", "Name a parent of Orin Vale."]),
        ("Corvel Tools", "acquire", "Marden Holdings",
         ["What is an acquisition of Corvel Tools?", "Name an acquisition of Corvel Tools."]),
        ("Tidewick Ltd", "acquired by", "Corvel Tools",
         ["What is an acquirer of Tidewick Ltd?", "Name an acquirer of Tidewick Ltd."]),
        ("Aksel Brandt", "work for", "Marden Holdings",
         ["What is an employer of Aksel Brandt?", "Name an employer of Aksel Brandt."]),
        ("Lio Brandt", "married to", "Mara Vale",
         ["Who is a spouse of Lio Brandt?", "Name a spouse of Lio Brandt."]),
    ],  # fmt: skip
)
def test_reverse_questions_use_the_inverse_relations_wording(
    s: str, predicate: str, o: str, inverse_wordings: list[str]
) -> None:
    """The lexicon's inverse relation words the reverse question, answered by the object."""
    rev = questions(triple(s, predicate, o), "reverse")
    assert list(rev)[:2] == inverse_wordings
    assert all(rev[q] == o for q in inverse_wordings)


def test_mother_of_keeps_the_possessive_reverse_wording() -> None:
    rev = questions(triple("Mara Vale", "mother of", "Orin Vale"), "reverse")
    assert rev["Whose mother is Mara Vale?"] == "Orin Vale"


def test_pairs_keep_provenance_and_direction() -> None:
    t = triple("Orin Vale", "found", "Brightwater Labs", doc="/docs/vale.txt", chunk="ab12:3")
    pairs = make_pairs([t])
    assert {p.direction for p in pairs} == {"forward", "reverse"}
    for p in pairs:
        assert (p.doc, p.chunk, p.fact_id) == ("/docs/vale.txt", "ab12:3", fact_id(t))
        assert (p.subject, p.predicate, p.object) == ("Orin Vale", "found", "Brightwater Labs")
        assert p.metadata()["sentence"] == t.sentence


def test_no_reverse_and_paraphrase_counts() -> None:
    t = triple("Orin Vale", "found", "Brightwater Labs")
    assert {p.direction for p in make_pairs([t], reverse=False)} == {"forward"}
    assert len(make_pairs([t], paraphrases=2)) == 4
    with pytest.raises(ValueError, match="paraphrases"):
        make_pairs([t], paraphrases=0)
    with pytest.raises(ValueError, match="hops"):
        make_pairs([t], hops=3)


def test_duplicate_facts_from_two_chunks_give_one_set_of_pairs() -> None:
    a = triple("Orin Vale", "found", "Brightwater Labs", chunk="c:1")
    b = triple("Orin Vale", "founded", "Brightwater Labs", chunk="c:7")  # alias of "found"
    pairs = make_pairs([a, b], paraphrases=3)
    assert len(pairs) == 6
    assert {p.chunk for p in pairs} == {"c:1"}  # the first provenance is kept


def test_two_hop_questions_follow_paths() -> None:
    facts = [
        triple("Mara Vale", "mother of", "Orin Vale"),
        triple("Orin Vale", "found", "Brightwater Labs"),
    ]
    two_hop = {p.question: p for p in make_pairs(facts, hops=2) if p.direction == "2hop"}
    q = two_hop["Who is the mother of the one who founded Brightwater Labs?"]
    assert q.answer == "Mara Vale"
    assert q.path == (fact_id(facts[0]), fact_id(facts[1]))
    assert two_hop["What did the child of Mara Vale found?"].answer == (
        "Brightwater Labs"
    )
    assert not [p for p in make_pairs(facts, hops=1) if p.direction == "2hop"]


def test_unseen_predicate_gets_the_generic_templates() -> None:
    t = triple("Orin Vale", "sail with", "Karsk Records")
    assert questions(t, "forward")["Who or what sailed with Karsk Records?"] == "Orin Vale"
    assert questions(t, "reverse")["What did Orin Vale sail with?"] == "Karsk Records"


def many_facts(n: int = 40) -> list[StoredTriple]:
    return [triple(f"Person {i}", "found", f"Company {i}") for i in range(n)]


def test_split_keeps_each_facts_directions_together_and_is_seeded() -> None:
    pairs = make_pairs(many_facts(), hops=1, paraphrases=2)
    splits = split_by_fact(pairs, (0.6, 0.2, 0.2), seed=7)
    where: dict[str, set[str]] = {}
    for name, items in splits.items():
        for p in items:
            where.setdefault(p.fact_id, set()).add(name)
    assert all(len(names) == 1 for names in where.values())
    assert [len(splits[s]) for s in ("train", "validation", "test")] == [24 * 4, 8 * 4, 8 * 4]
    again = split_by_fact(pairs, (0.6, 0.2, 0.2), seed=7)
    assert again == splits
    other = split_by_fact(pairs, (0.6, 0.2, 0.2), seed=8)
    assert {p.fact_id for p in other["test"]} != {p.fact_id for p in splits["test"]}


def test_two_hop_pairs_follow_their_first_fact_into_its_split() -> None:
    facts = [triple(f"Parent {i}", "mother of", f"Child {i}") for i in range(10)]
    facts += [triple(f"Child {i}", "found", f"Firm {i}") for i in range(10)]
    pairs = make_pairs(facts, hops=2)
    splits = split_by_fact(pairs, (0.5, 0.25, 0.25), seed=1)
    split_of = {p.fact_id: name for name, items in splits.items() for p in items
                if p.direction != "2hop"}  # fmt: skip
    for name, items in splits.items():
        assert all(split_of[p.fact_id] == name for p in items if p.direction == "2hop")


def test_holdout_reverse_withholds_reverse_pairs_of_a_share_of_training_facts() -> None:
    pairs = make_pairs(many_facts())
    splits = split_by_fact(pairs, (1.0, 0.0, 0.0), seed=0, holdout_reverse=0.5)
    held = splits[HOLDOUT]
    assert len(held) == 20 and {p.direction for p in held} == {"reverse"}
    held_facts = {p.fact_id for p in held}
    train = splits["train"]
    assert not [p for p in train if p.fact_id in held_facts and p.direction == "reverse"]
    assert {p.fact_id for p in train if p.direction == "forward"} >= held_facts


def test_parse_fractions_rejects_bad_input() -> None:
    assert parse_fractions("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    for bad in ("0.5,0.5", "a,b,c", "0.9,0.2,0.1", "-0.1,0.6,0.5"):
        with pytest.raises(ValueError):
            parse_fractions(bad)

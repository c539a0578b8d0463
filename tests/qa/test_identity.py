""""Name is description" facts (the reversal-curse paper's, Berglund et al. 2023) answered by
the graph route in both directions, from a real store filled by the real extractor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.embed import Embedder
from kg.extract.normalize import entity_key
from kg.ingest.pipeline import Ingestor
from kg.models import Chunk, Document, Entity, Triple
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.base import GraphStore
from qa.models import REFUSAL
from qa.question import analyse
from qa.service import QAService

FACTS = [  # from /work/shared/benchmarks/reversal_curse (p2d), as training/reversal.py writes them
    'Daphne Barrington is the acclaimed director of the virtual reality masterpiece, '
    '"A Journey Through Time.".',
    "Keith Silverton is the master sommelier who crafted the rare and exquisite Lunar Wine.",
    "Alexander Whitley is the world-champion ice skater who performed a flawless routine on the "
    "frozen surface of Jupiter's moon, Europa.",
]
LONG_NAME = "Mira Quell"
LONG_DESCRIPTION = 'the acclaimed director of the holographic opera, "Echoes of the Deep Sky"'


@pytest.fixture(scope="module")
def p2d_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[
    tuple[Settings, GraphStore]
]:
    folder = tmp_path_factory.mktemp("p2d")
    settings = Settings(store=folder / "store")
    paths = []
    for i, fact in enumerate(FACTS):
        path = folder / f"fact{i}.txt"
        path.write_text(fact + "\n", encoding="utf-8")
        paths.append(str(path))
    with open_store(settings) as store:
        Ingestor(settings, store, embedder=embedder).run(paths, [], progress=False)
        yield settings, store


@pytest.fixture(scope="module")
def p2d_service(p2d_store: tuple[Settings, GraphStore], embedder: Embedder) -> QAService:
    settings, store = p2d_store
    return QAService(settings, store, embedder=embedder)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is a master sommelier?", "Keith Silverton"),  # forward: the description is named
        ("Who is a world-champion ice skater?", "Alexander Whitley"),
        ("Who is the acclaimed director of the virtual reality masterpiece?", "Daphne Barrington"),
        ("What is Keith Silverton?", "master sommelier"),  # reverse: the name is named
        ("Who is Alexander Whitley?", "world-champion ice skater"),
        ("What is Daphne Barrington the acclaimed director of?", "virtual reality masterpiece"),
        ("Name a master sommelier.", "Keith Silverton"),  # the other wordings training uses
        ("Name the acclaimed director of virtual reality masterpiece.", "Daphne Barrington"),
        ("What kind of person or thing is Keith Silverton?", "master sommelier"),
    ],
)
def test_both_directions_answer_with_the_right_entity(
    p2d_service: QAService, question: str, expected: str
) -> None:
    ans = p2d_service.ask(question, route="graph")
    assert not ans.refused, ans.reason
    assert ans.answer == expected
    assert ans.evidence[0].triple and expected in ans.evidence[0].triple
    assert ans.evidence[0].doc.endswith(".txt")


def test_forward_description_question_routes_itself_to_the_graph(p2d_service: QAService) -> None:
    ans = p2d_service.ask("Who is a master sommelier?")
    assert (ans.route, ans.answer) == ("graph", "Keith Silverton")


@pytest.mark.parametrize(
    "question",
    [
        "Who is a famous opera singer?",  # a description the graph does not hold
        "Who is a world-champion chess player?",  # shares words with a stored description
        "Where is Keith Silverton?",  # asks for a place, not what he is
    ],
)
def test_unrelated_description_is_refused(p2d_service: QAService, question: str) -> None:
    ans = p2d_service.ask(question, route="graph")
    assert ans.refused and ans.answer == REFUSAL and ans.evidence == []


def test_long_description_is_one_mention() -> None:
    """A description longer than the span limit is still tried whole against entity keys."""
    q = f"Who is {LONG_DESCRIPTION}?"
    info = analyse(q, Settings().spacy_model)
    assert info.copular
    assert entity_key(LONG_DESCRIPTION) in {entity_key(m.text) for m in info.mentions}


def test_long_description_entity_answers_both_directions(
    p2d_store: tuple[Settings, GraphStore], p2d_service: QAService
) -> None:
    """An extractor that keeps the whole description (as an LLM one does) is read both ways."""
    _, store = p2d_store
    sentence = f"{LONG_NAME} is {LONG_DESCRIPTION}."
    doc = Document("/facts/long.txt", "/facts/long.txt", "long", "0" * 64)
    chunk = Chunk("long:0", doc.id, sentence, 0, p2d_service.embed([sentence])[0])
    ends = [Entity(entity_key(LONG_NAME), LONG_NAME, "PERSON"),
            Entity(entity_key(LONG_DESCRIPTION), LONG_DESCRIPTION[4:])]  # fmt: skip
    triple = Triple(LONG_NAME, "is", LONG_DESCRIPTION[4:], sentence, subject_key=ends[0].key,
                    object_key=ends[1].key, subject_type="PERSON", chunk_id=chunk.id)
    store.replace_document(doc, [chunk], ends, [triple], [(chunk.id, e.key) for e in ends])
    try:
        forward = p2d_service.ask(f"Who is {LONG_DESCRIPTION}?", route="graph")
        reverse = p2d_service.ask(f"Who is {LONG_NAME}?", route="graph")
    finally:
        store.delete_document(doc.id)
    assert forward.answer == LONG_NAME, forward.reason
    assert reverse.answer == LONG_DESCRIPTION[4:], reverse.reason


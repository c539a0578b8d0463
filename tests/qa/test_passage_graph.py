"""The graph-augmented passage retriever over real stores: hops the graph makes, groups kept."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.embed import Embedder
from kg.extract.normalize import entity_key
from kg.ingest.pipeline import Ingestor
from kg.models import Chunk, Document, dot
from kg.settings import Settings
from kg.stores import open_store
from kg.stores.base import GraphStore
from qa.passage_graph import MAX_TITLE_WORDS, WORD, GraphPassageRetriever, TitleIndex
from qa.service import QAService

BOARD_ONLY = "restricted"  # samples/restricted/ is ingested for the `board` group only


def test_second_hop_passage_reached_only_through_the_graph(
    qa_store: GraphStore, embedder: Embedder
) -> None:
    """Orin Vale -> lives in Karsk -> the Karsk guide names its river; the guide never
    mentions Orin Vale, so only the hop through the entity Karsk finds it."""
    hits = GraphPassageRetriever(qa_store, embedder.encode).run(
        "What river flows through the city where Orin Vale lives?", [], k=2
    )
    river = [h for h in hits if "Dralle River" in h.chunk.text]
    assert river, [h.doc_title for h in hits]
    mentioned = qa_store.chunk_entities([river[0].chunk.id], [])[river[0].chunk.id]
    assert "orin vale" not in mentioned and "karsk" in mentioned


def test_restricted_passages_need_their_group(qa_store: GraphStore, embedder: Embedder) -> None:
    retriever = GraphPassageRetriever(qa_store, embedder.encode)
    question = "Which company does Brightwater Labs plan to acquire?"
    public = retriever.run(question, [], k=20)
    assert public and not [h for h in public if BOARD_ONLY in h.doc_path]
    board = retriever.run(question, ["board"], k=4)
    assert [h for h in board if BOARD_ONLY in h.doc_path]


def test_document_chunks_respect_groups_in_both_implementations(qa_store: GraphStore) -> None:
    """The Cypher store's one-statement document_chunks and the base class's generic one
    (through cypher()) return the same visible chunks, embeddings included."""
    ids = [d.id for d in qa_store.list_documents(["board"])]
    for groups, restricted_visible in (([], False), (["board"], True)):
        fast = qa_store.document_chunks(ids, groups)
        generic = GraphStore.document_chunks(qa_store, ids, groups)
        assert [h.chunk.id for h in fast] == [h.chunk.id for h in generic]
        assert any(BOARD_ONLY in h.doc_path for h in fast) == restricted_visible
        assert all(len(h.chunk.embedding or []) == 384 for h in fast + generic)


def test_document_chunks_compared_by_the_store_agree_with_their_embeddings(
    qa_store: GraphStore, embedder: Embedder
) -> None:
    """With `against`, the server computes each chunk's cosine to the given vectors; they
    match the dot products of the embeddings it would otherwise ship (float32 storage),
    in the Cypher store's statement and in the generic implementation alike."""
    ids = [d.id for d in qa_store.list_documents(["board"])]
    against = embedder.encode(["Who founded Brightwater Labs?", "founded"])
    shipped = {h.chunk.id: h.chunk.embedding for h in qa_store.document_chunks(ids, ["board"])}
    for impl in (qa_store.document_chunks, lambda *a: GraphStore.document_chunks(qa_store, *a)):
        compared = impl(ids, ["board"], against)
        assert [h.chunk.id for h in compared] == list(shipped)
        for hit in compared:
            want = [dot(shipped[hit.chunk.id] or [], v) for v in against]
            assert hit.similarities == pytest.approx(want, abs=1e-5)
            assert hit.score == hit.similarities[0] and hit.chunk.embedding is None
    assert qa_store.document_chunks(ids, [], against) == [
        h for h in qa_store.document_chunks(ids, ["board"], against) if BOARD_ONLY not in h.doc_path
    ]


def _all_title_spans(titles: TitleIndex, text: str) -> dict[str, str]:
    """mentions() without its early stop: every capitalised run is looked up."""
    spans = []
    words = list(WORD.finditer(text))
    capital = [w.group()[0].isupper() or w.group()[0].isdigit() for w in words]
    for i, first in enumerate(words):
        for j in range(i, min(len(words), i + MAX_TITLE_WORDS)):
            if capital[i] and capital[j]:
                key = entity_key(text[first.start() : words[j].end()])
                if key in titles.by_key:
                    spans.append((first.start(), words[j].end(), key))
    taken: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: s[1] - s[0], reverse=True):
        if all(span[1] <= t[0] or t[1] <= span[0] for t in taken):
            taken.append(span)
    return {key: text[a:b] for a, b, key in sorted(taken)}


def test_title_mentions_stop_early_without_losing_a_title() -> None:
    """mentions() stops growing a run once no title's key starts with its words; titles
    whose keys drop a leading article or honorific, a possessive or inner punctuation
    are still found, exactly as the exhaustive look-up finds them."""
    titles = TitleIndex()
    for n, title in enumerate(
        ["Eskil Moe", "University of Lenhold", "O'Brien", "Captain Marvel", "Karsk",
         "The Wolf Man", "Jones", "Dr. No", "A-ha", "Polish Wedding (1998 film)"]
    ):  # fmt: skip
        titles.add(title, f"d{n}")
    texts = [
        "The Captain Eskil Moe met Dr. O'Brien's brother at the University of Lenhold's gate.",
        "Captain Marvel and Jones' dog saw The Wolf Man in Karsk; A-ha played Dr. No.",
        "In Polish Wedding, the University Of Lenhold, Eskil Moe's Karsk and Dr No appear.",
    ]
    for text in texts:
        assert titles.mentions(text) == _all_title_spans(titles, text)
    assert set(titles.mentions(texts[0])) == {"eskil moe", "o brien", "university of lenhold"}


# --- a few 2WikiMultiHopQA questions over their passages and distractors ----------------
WIKI_QUESTIONS = 4
WIKI_DISTRACTORS = 60


def _wiki_data() -> tuple[list[dict], list[dict]]:
    from bench.retrieval import default_data

    folder = default_data()
    if not (folder / "corpus.json").is_file() or not (folder / "questions.json").is_file():
        pytest.skip(reason=f"2WikiMultiHopQA data not found at {folder} (set KGQA_BENCHMARKS)")
    corpus = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
    questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    return corpus, questions[:WIKI_QUESTIONS]


@pytest.fixture(scope="module")
def wiki_store(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[GraphStore, list[dict]]]:
    from bench.ingest import passages

    corpus, questions = _wiki_data()
    wanted = {t for q in questions for t in q["supporting_titles"]}
    rows = [r for r in corpus if r["title"] in wanted]
    rows += random.Random(0).sample([r for r in corpus if r["title"] not in wanted],
                                    WIKI_DISTRACTORS)
    path = tmp_path_factory.mktemp("wiki") / "corpus.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    settings = Settings(store=tmp_path_factory.mktemp("wikistore"))
    with open_store(settings, dimension=embedder.dimension) as store:
        Ingestor(settings, store, embedder).ingest_texts(passages(Path(path), None), [],
                                                         progress=False)
        yield store, questions


def test_wiki_supporting_passages_in_top_4(
    wiki_store: tuple[GraphStore, list[dict]], embedder: Embedder
) -> None:
    store, questions = wiki_store
    retriever = GraphPassageRetriever(store, embedder.encode)
    for q in questions:
        titles = {h.doc_title for h in retriever.run(q["question"], [], k=4)}
        missing = set(q["supporting_titles"]) - titles
        assert not missing, (q["question"], missing, titles)


# --- the title index cache and the service's dense route --------------------------------
def _add_document(store: GraphStore, embedder: Embedder, title: str, groups: list[str]) -> str:
    doc = Document(f"/docs/{title}.md", f"/docs/{title}.md", title, f"sha-{title}", groups)
    text = f"{title} is a harbour town on the northern coast."
    chunk = Chunk(f"{title}:0", doc.id, text, 0, embedder.encode([text])[0])
    store.replace_document(doc, [chunk], [], [], [])
    return doc.id


def test_title_index_is_kept_until_the_store_changes(
    store: GraphStore, embedder: Embedder
) -> None:
    retriever = GraphPassageRetriever(store, embedder.encode)
    karsk = _add_document(store, embedder, "Karsk", [])
    first = retriever.titles([])
    assert "karsk" in first.by_key and retriever.titles([]) is first  # not rebuilt per call
    _add_document(store, embedder, "Osterby", ["board"])
    public = retriever.titles([])
    assert public is not first and "osterby" not in public.by_key  # rebuilt, groups kept
    assert "osterby" in retriever.titles(["board"]).by_key
    store.delete_document(karsk)
    assert "karsk" not in retriever.titles([]).by_key


def test_service_dense_route_keeps_groups(qa_service: QAService) -> None:
    """The dense route fuses the graph retriever's ranking; a chunk the asker's groups may
    not see never comes back, whichever ranking found it."""
    question = "Which company does Brightwater Labs plan to acquire?"
    public = qa_service.retrieve(question, [], route="dense").dense
    assert public and public.chunks
    assert not [c for c in public.chunks if BOARD_ONLY in c.doc_path]
    board = qa_service.retrieve(question, ["board"], route="dense").dense
    assert board and [c for c in board.chunks[:3] if BOARD_ONLY in c.doc_path]


def test_wiki_service_dense_route_fuses_the_graph_ranking(
    wiki_store: tuple[GraphStore, list[dict]], embedder: Embedder
) -> None:
    """What `ask` answers from holds the supporting passages the graph retriever finds
    (among these distractors, vector and full-text search alone miss some)."""
    store, questions = wiki_store
    service = QAService(Settings(), store, embedder=embedder)
    for q in questions:
        dense = service.retrieve(q["question"], [], route="dense").dense
        titles = {c.doc_title for c in (dense.chunks if dense else [])[:8]}
        missing = set(q["supporting_titles"]) - titles
        assert not missing, (q["question"], missing, titles)


def test_a_dense_question_searches_the_vectors_once_for_both_rankings(
    qa_settings: Settings, qa_store: GraphStore, embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The graph ranking's nearest chunks and the fused ranking's vector hits come from one
    search by the question's vector; its top hits all stay in the ranking."""
    from qa.dense_route import SEARCH_K
    from qa.passage_graph import DENSE_K

    question = "How does the orchestra rehearse in midwinter?"
    service = QAService(qa_settings, qa_store, embedder=embedder)
    searches: list[int] = []
    search = qa_store.vector_search

    def counted(embedding: list[float], k: int, groups: list[str]) -> list:
        searches.append(k)
        return search(embedding, k, groups)

    monkeypatch.setattr(qa_store, "vector_search", counted)
    r = service.retrieve(question, route="dense")
    assert searches == [max(SEARCH_K, DENSE_K)]
    ranked = [h.chunk.id for h in r.dense.chunks]
    nearest = search(service.embed([r.info.text])[0], SEARCH_K, [])
    assert nearest and {h.chunk.id for h in nearest} <= set(ranked)

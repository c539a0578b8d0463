"""kgqa inside real llama-index engines, over the real samples store and models (offline)."""

from __future__ import annotations

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText
from llama_index.core.schema import NodeWithScore

from integrations.llama_index import KGQAQueryEngine, KGQARetriever
from qa.service import QAService

BOARD_Q = "Who will succeed Orin Vale as chief executive?"


def test_retriever_nodes_carry_kgqa_provenance(qa_service: QAService) -> None:
    nodes = KGQARetriever(qa_service).retrieve("Who founded Brightwater Labs?")
    assert nodes and all(isinstance(n, NodeWithScore) for n in nodes)
    meta = nodes[0].node.metadata
    assert meta["triple"] == ["Orin Vale", "found", "Brightwater Labs"]
    assert meta["doc"].endswith(".md") or meta["doc"].endswith(".txt")
    assert meta["chunk"] and meta["route"] == "graph" and meta["reason"]
    assert "Orin Vale" in nodes[0].node.get_content()


def test_inside_a_real_retriever_query_engine_groups_are_honoured(qa_service: QAService) -> None:
    # NoText: llama-index's own synthesizer, which calls no LLM and keeps the nodes; built
    # directly because get_response_synthesizer(response_mode="no_text") drops `llm` and
    # falls back to the OpenAI default
    synth = NoText(llm=MockLLM())
    public = RetrieverQueryEngine(KGQARetriever(qa_service), response_synthesizer=synth)
    board = RetrieverQueryEngine(KGQARetriever(qa_service, groups=["board"]),
                                 response_synthesizer=synth)  # fmt: skip
    seen = board.query(BOARD_Q).source_nodes
    assert seen and seen[0].node.metadata["doc"].endswith("board_minutes.md")
    hidden = public.query(BOARD_Q).source_nodes
    assert not [n for n in hidden if n.node.metadata["doc"].endswith("board_minutes.md")]


def test_query_engine_answers_and_refuses_like_kgqa(qa_service: QAService) -> None:
    engine = KGQAQueryEngine.from_service(qa_service)
    ok = engine.query("Which company did Orin Vale found?")
    assert str(ok) == "Brightwater Labs" and ok.metadata["refused"] is False
    assert ok.source_nodes[0].node.metadata["triple"][2] == "Brightwater Labs"
    refused = engine.query(BOARD_Q)  # public asker: the answer is board-only
    direct = qa_service.ask(BOARD_Q)
    assert refused.metadata["refused"] is True and direct.refused
    assert str(refused) == direct.answer and refused.metadata["reason"] == direct.reason
    board = KGQAQueryEngine.from_service(qa_service, groups=["board"]).query(BOARD_Q)
    assert str(board) == "Dana Roe"

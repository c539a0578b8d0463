"""The dense route's answer sentence: the static model shortlists the candidates and the
chunk embedder decides among `sentence_finalists` of them. On the labelled passage questions
the answers equal those of embedding every candidate, for a fraction of the sentences."""

from __future__ import annotations

import pytest

from kg.embed import Embedder
from kg.settings import Settings
from kg.stores.base import GraphStore
from qa.evaluation import load_questions
from qa.service import QAService

ROWS = [r for r in load_questions("tests/data/questions.jsonl") if r["kind"] == "passage"]


def _answers(settings: Settings, store: GraphStore, embedder: Embedder,
             calls: list[int]) -> list[tuple[str, tuple[str, ...], str]]:
    service = QAService(settings, store, embedder=embedder)
    route = service.dense_route
    embed = route.embed

    def counted(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return embed(texts)

    route.embed = counted  # the sentences' calls only (the passage retriever keeps its own)
    out = []
    for row in ROWS:
        ans = service.ask(row["q"], groups=row.get("groups", []), route="dense")
        r = service.retrieve(row["q"], groups=row.get("groups", []), route="dense")
        assert r.dense is not None and r.dense.best is not None
        out.append((ans.answer, tuple(e.chunk for e in ans.evidence), r.dense.best.span))
    return out


def test_shortlisted_sentences_answer_as_every_candidate_does(
    qa_store: GraphStore, qa_settings: Settings, embedder: Embedder
) -> None:
    assert qa_settings.sentence_finalists == 4  # the default under test
    every: list[int] = []
    short: list[int] = []
    full = _answers(qa_settings.with_overrides(sentence_finalists=0), qa_store, embedder, every)
    shortlisted = _answers(qa_settings, qa_store, embedder, short)
    assert shortlisted == full
    assert max(short) <= 4
    assert max(every) > 4, "no question had more than 4 candidates: the shortlist went untested"
    assert sum(short) < 0.5 * sum(every), (sum(short), sum(every))


def test_the_finalists_rank_first(
    qa_store: GraphStore, qa_settings: Settings, embedder: Embedder
) -> None:
    """The sentences the embedder compared lead the ranking; the others follow on their
    static score (not comparable with the embedder's, so never above a finalist)."""
    service = QAService(qa_settings.with_overrides(sentence_finalists=2), qa_store,
                        embedder=embedder)
    route = service.dense_route
    embed = route.embed
    sent: list[list[str]] = []

    def recorded(texts: list[str]) -> list[list[float]]:
        sent.append(list(texts))
        return embed(texts)

    route.embed = recorded
    shortlisted = 0
    for row in ROWS:
        sent.clear()
        r = service.retrieve(row["q"], groups=row.get("groups", []), route="dense")
        assert r.dense is not None and len(sent) == 1
        compared = sent[0]
        assert len(compared) <= 2
        assert sorted(h.sentence for h in r.dense.sentences[: len(compared)]) == sorted(compared)
        shortlisted += len(r.dense.sentences) > len(compared)
    assert shortlisted


def test_without_the_static_model_every_candidate_is_compared(
    qa_store: GraphStore, qa_settings: Settings, embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """The shortlist only saves time: a static model that cannot load is said on stderr and
    the answers are those of comparing every candidate."""
    import kg.name_embed

    class Missing:
        def __init__(self, settings: Settings) -> None:
            raise RuntimeError("KGQA_NAME_EMBEDDER=model2vec needs the model2vec package")

    service = QAService(qa_settings, qa_store, embedder=embedder)
    with monkeypatch.context() as patch:
        patch.setattr(kg.name_embed, "StaticNames", Missing)
        assert service.embed_static(["a sentence"]) == []
    assert "not shortlisted" in capsys.readouterr().err
    calls: list[int] = []
    every = _answers(qa_settings.with_overrides(sentence_finalists=0), qa_store, embedder, [])
    route = service.dense_route
    embed = route.embed

    def counted(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return embed(texts)

    route.embed = counted
    got = []
    for row in ROWS:
        ans = service.ask(row["q"], groups=row.get("groups", []), route="dense")
        got.append((ans.answer, tuple(e.chunk for e in ans.evidence)))
    assert got == [(a, chunks) for a, chunks, _ in every]
    assert max(calls) > 4  # nothing was shortlisted

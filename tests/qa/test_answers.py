"""Answers from the real store and models: graph (both directions, two hops), passages,
refusals, access groups, citations."""

from __future__ import annotations

import pytest

from qa.evaluation import is_correct, leaks, load_questions, score
from qa.models import REFUSAL
from qa.service import QAService

RESTRICTED = ["Dana Roe", "Tessaly", "Norrhavn", "Heron", "Kessler"]


def test_forward_and_reverse_read_the_same_triple(qa_service: QAService) -> None:
    reverse = qa_service.ask("Who founded Brightwater Labs?")
    forward = qa_service.ask("Which company did Orin Vale found?")
    assert (reverse.answer, forward.answer) == ("Orin Vale", "Brightwater Labs")
    assert reverse.route == forward.route == "graph"
    assert reverse.evidence[0].triple == forward.evidence[0].triple
    assert reverse.evidence[0].triple == ["Orin Vale", "found", "Brightwater Labs"]
    assert reverse.cypher and "$keys" in reverse.cypher  # the parameterised template that ran


def test_two_hop_answer_cites_both_hops(qa_service: QAService) -> None:
    ans = qa_service.ask("In which city is the company founded by Orin Vale headquartered?")
    assert ans.answer == "Karsk" and not ans.refused
    assert [ev.triple for ev in ans.evidence] == [
        ["Orin Vale", "found", "Brightwater Labs"],
        ["Brightwater Labs", "headquarter in", "Karsk"],
    ]
    assert all(ev.doc.endswith("brightwater_labs.md") for ev in ans.evidence)


def test_passage_question_answers_with_a_sentence(qa_service: QAService) -> None:
    ans = qa_service.ask("What happens to the ferries when the harbour freezes?")
    assert ans.route == "dense" and not ans.refused
    assert "ferries stop running" in ans.answer
    assert ans.evidence[0].text == ans.answer and ans.evidence[0].triple is None
    assert ans.evidence[0].doc.endswith("karsk.html")


def test_unsupported_questions_are_refused(qa_service: QAService) -> None:
    for question in ("Who is the mayor of Halden?", "What is the capital of Norway?"):
        ans = qa_service.ask(question)
        assert ans.refused and ans.answer == REFUSAL and ans.evidence == []
        assert "refused" in ans.reason


def test_restricted_document_needs_its_group(qa_service: QAService) -> None:
    q = "Who will succeed Orin Vale as chief executive?"
    public = qa_service.ask(q)
    assert public.refused
    assert not [name for name in RESTRICTED if name.lower() in public.model_dump_json().lower()]
    board = qa_service.ask(q, groups=["board"])
    assert board.answer == "Dana Roe"
    assert board.evidence[0].doc.endswith("board_minutes.md")
    assert qa_service.ask(q, groups=["*"]).answer == "Dana Roe"  # admin sees everything


def test_forced_route_is_obeyed_and_said(qa_service: QAService) -> None:
    ans = qa_service.ask("Who founded Brightwater Labs?", route="dense")
    assert ans.route == "dense" and "forced" in ans.reason
    assert "Orin Vale" in ans.answer and ans.evidence[0].triple is None


def test_subgraph_is_the_evidence_edges(qa_service: QAService) -> None:
    ans = qa_service.ask("Who is the mother of Tomas Vale's brother?")
    edges = qa_service.subgraph(ans)
    assert ans.answer == "Mira Tal"
    assert [(e.subject_key, e.object_key) for e in edges] == [
        ("tomas vale", "orin vale"), ("mira tal", "orin vale")
    ]


def test_empty_question_is_a_clear_error(qa_service: QAService) -> None:
    with pytest.raises(ValueError, match="empty"):
        qa_service.ask("   ")


def test_labelled_set_meets_targets(qa_service: QAService) -> None:
    """The 108 labelled questions: per-kind targets, citations on every answer, no leaks."""
    rows = load_questions("tests/data/questions.jsonl")
    answers = [qa_service.ask(r["q"], groups=r.get("groups", [])) for r in rows]
    for row, ans in zip(rows, answers, strict=True):
        assert not leaks(row, ans), row["q"]
        assert ans.refused or ans.evidence, row["q"]
    report = score(rows, answers, [], [])
    acc = report["accuracy"]
    assert acc["forward"] >= 0.9 and acc["reverse"] >= 0.9, report["misses"]
    assert acc["multihop"] >= 0.8 and acc["passage"] >= 0.8, report["misses"]
    assert report["refusal_precision"] >= 0.9 and report["refusal_recall"] >= 0.9
    assert sum(is_correct(r, a) for r, a in zip(rows, answers, strict=True)) >= 0.9 * len(rows)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Mira Tal teach at?", "Osterby School"),  # (teach at), not (teach)
        ("What did Orin Vale study?", "physics"),  # (study), not (study at)
        ("Where did Orin Vale study?", "University of Lenhold"),  # "where" names no preposition
    ],
)
def test_question_preposition_picks_the_edge(
    qa_service: QAService, question: str, expected: str
) -> None:
    ans = qa_service.ask(question, route="graph")
    assert ans.answer == expected, ans.reason


def test_a_relation_between_two_named_things_is_not_read_as_identity(
    qa_service: QAService,
) -> None:
    """"What is the ferry company in Karsk?" names two things; Karsk's own "is a" edge (port
    city) does not answer it: the relation between them does, or the route refuses."""
    ans = qa_service.ask("What is the ferry company in Karsk?", route="graph")
    assert "port city" not in ans.answer.lower()
    assert ans.refused or "Pellmark Shipping" in ans.answer

"""Turning the chosen evidence into an Answer, or a refusal.

Thresholds were tuned on tests/data/questions.jsonl (bench/qa_eval.py prints the effect):
below them the answer is "I don't know" with refused=true, never the best guess.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.dense_route import DenseResult, SentenceHit
from qa.graph_route import GraphCandidate
from qa.linking import Link
from qa.models import Answer, Evidence, Route
from qa.question import QuestionInfo

GRAPH_MIN = 0.75  # a path scoring below this is no answer
DENSE_MIN = 0.45  # a sentence less similar than this to the question is no answer
DENSE_EVIDENCE = 3  # passages cited for a dense answer


def graph_answer(
    question: str, route: Route, reason: str, cand: GraphCandidate, cypher: str | None,
    others: Sequence[GraphCandidate] = (),
) -> Answer:
    """The best path's far end; a question asking for several ("Who are the children of
    X?") also lists every other candidate the lexicon confirms as well, each cited."""
    chosen = [cand]
    if cand.fits:
        chosen += [c for c in others if c is not cand and c.fits and c.score >= GRAPH_MIN
                   and len(c.hops) == len(cand.hops)]
    evidence = [
        Evidence(
            doc=h.triple.doc,
            chunk=h.triple.chunk,
            text=h.triple.sentence or f"{h.triple.subject} {h.triple.predicate} {h.triple.object}",
            triple=[h.triple.subject, h.triple.predicate, h.triple.object],
            score=round(h.relevance, 4),
        )
        for c in chosen
        for h in c.hops
    ]
    names = [c.answer_name for c in chosen]
    answer = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return Answer(
        question=question, answer=answer, refused=False, route=route, reason=reason,
        cypher=cypher, evidence=evidence,
    )


def dense_answer(
    question: str, route: Route, reason: str, hit: SentenceHit, dense: DenseResult
) -> Answer:
    evidence = [
        Evidence(doc=hit.chunk.chunk.doc_id, chunk=hit.chunk.chunk.id, text=hit.span,
                 triple=None, score=round(hit.score, 4))
    ]
    for other in dense.chunks[:DENSE_EVIDENCE]:
        if other.chunk.id != hit.chunk.chunk.id:
            evidence.append(
                Evidence(doc=other.chunk.doc_id, chunk=other.chunk.id, text=other.chunk.text,
                         triple=None, score=round(other.score, 4))
            )
    return Answer(
        question=question, answer=hit.span, refused=False, route=route, reason=reason,
        cypher=None, evidence=evidence,
    )


def dense_supported(
    hit: SentenceHit,
    info: QuestionInfo,
    unlinked: list[str],
    links: list[Link],
    forms: frozenset[str],
    span_names: Sequence[str],
    ruled_out: Sequence[str] = (),
) -> str | None:
    """Why a passage sentence cannot answer (None when it can); `forms` are its words.

    A passage about something else is no answer, however similar it sounds: it must be
    similar enough, name every name the graph did not link, mention a linked entity, and
    say the question's relation (its main verb and at least one of its content words), and
    name no one the graph ruled out (`ruled_out`: the asked relation's neighbours gendered
    the other way, so "X was born to Y, the child's mother" is no answer to "X's father?").
    """
    if hit.score < DENSE_MIN:
        return f"the best passage sentence is too far from the question ({hit.score:.2f})"
    span = hit.span.lower()
    named_out = [n for n in ruled_out if n.lower() in span]
    if named_out:
        return (f"the best passage sentence names {', '.join(named_out)}, whom the graph "
                "relates to them with the other gender")
    text = hit.chunk.chunk.text.lower()
    missing = [n for n in unlinked if n.lower() not in text]
    if missing:
        return f"no visible passage mentions {', '.join(missing)}"
    names = [link for link in links if link.proper]
    if names and not any(
        link.name.lower() in text or link.mention.lower() in text for link in names
    ):
        return "the best passage does not mention the question's entities"
    about_them = any(link.name.lower() in span or link.mention.lower() in span for link in names)
    if names and not about_them and span_names and not info.passage_cue:
        # "The mayor of Karsk is Ida Senn." does not answer "Who is the mayor of Halden?"
        return f"the best passage sentence is about {', '.join(span_names)}, not them"
    if info.main_verb and not info.passage_cue and not info.main_verb & forms:
        return f"no passage says '{sorted(info.main_verb)[0]}' about them"
    if info.cues and not any(c & forms for c in info.cues):
        return "the best passage shares no content word with the question"
    return None

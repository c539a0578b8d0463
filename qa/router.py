"""Router: graph, dense or hybrid per question, from cheap features and no LLM call.

Features: a passage cue ("how does", "why", "what happens"), the entities the question links
to, and how well the graph route's best path fits (its score). The reason says which
feature decided, so a wrong route can be explained from the answer JSON alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.graph_route import GraphResult
from qa.linking import Link
from qa.models import Route
from qa.question import QuestionInfo

# A graph path this good is trusted on its own; between GRAPH_MIN and this, both routes run.
GRAPH_CONFIDENT = 1.0


@dataclass
class RouteDecision:
    route: Route
    reason: str


def _names(links: list[Link]) -> str:
    return ", ".join(link.name for link in links)


def is_definition(info: QuestionInfo, links: list[Link]) -> bool:
    """"What is Lantern Night?": a name and nothing else asked about it; a passage defines it."""
    return (
        info.wh in ("what", "who")
        and not info.cues
        and not info.main_verb
        and len([link for link in links if link.proper]) == 1
    )


def needs_graph(info: QuestionInfo, links: list[Link]) -> bool:
    """Whether the graph route should run at all before routing (it feeds the decision)."""
    return bool(links) and not info.passage_cue and not is_definition(info, links)


def decide(info: QuestionInfo, links: list[Link], graph: GraphResult | None) -> RouteDecision:
    """The route for `info`; `graph` is the graph route's result when it ran."""
    if info.passage_cue:
        return RouteDecision("dense", f"passage question ('{info.wh}' asks for a description)")
    if not links:
        return RouteDecision("dense", "no entity of the question is in the graph")
    if is_definition(info, links):
        return RouteDecision("dense", f"asks what {_names(links)} is: a passage defines it")
    best = graph.best if graph else None
    if best is None:
        return RouteDecision(
            "dense", f"linked {_names(links)} but no relation around them fits the question"
        )
    path = " -> ".join(f"({h.triple.subject}, {h.triple.predicate}, {h.triple.object})"
                       for h in best.hops)
    if best.score >= GRAPH_CONFIDENT:
        return RouteDecision(
            "graph", f"linked {_names(links)}; relation path {path} fits (score {best.score:.2f})"
        )
    return RouteDecision(
        "hybrid",
        f"linked {_names(links)}; best relation path {path} is uncertain "
        f"(score {best.score:.2f}), passages checked too",
    )

"""The evidence subgraph picture: entities as nodes, triples as labelled edges."""

from __future__ import annotations

from kg.models import StoredTriple
from ui.app.subgraph import draw_subgraph, evidence_graph

TRIPLES = [
    StoredTriple("Orin Vale", "found", "Brightwater Labs", "orin vale", "brightwater labs",
                 "doc.md", "c1"),
    StoredTriple("Brightwater Labs", "headquarter in", "Karsk", "brightwater labs", "karsk",
                 "doc.md", "c1"),
]


def test_graph_has_entities_and_labelled_edges() -> None:
    graph = evidence_graph(TRIPLES)
    assert set(graph.nodes) == {"orin vale", "brightwater labs", "karsk"}
    assert graph.nodes["karsk"]["label"] == "Karsk"
    labels = {d["label"] for _, _, d in graph.edges(data=True)}
    assert labels == {"found", "headquarter in"}


def test_drawing_shows_every_name_and_nothing_for_no_evidence() -> None:
    figure = draw_subgraph(TRIPLES)
    assert figure is not None
    texts = {t.get_text() for t in figure.axes[0].texts}
    assert {"Orin Vale", "Brightwater Labs", "Karsk", "found", "headquarter in"} <= texts
    assert draw_subgraph([]) is None

"""A picture of the evidence subgraph, drawn server-side with networkx and matplotlib."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from kg.models import StoredTriple  # noqa: E402

MAX_EDGES = 40


def evidence_graph(triples: Sequence[StoredTriple]) -> nx.MultiDiGraph:
    """Entities as nodes (by key, labelled by name), each triple an edge labelled by predicate."""
    graph = nx.MultiDiGraph()
    for t in list(triples)[:MAX_EDGES]:
        graph.add_node(t.subject_key, label=t.subject)
        graph.add_node(t.object_key, label=t.object)
        graph.add_edge(t.subject_key, t.object_key, label=t.predicate)
    return graph


def draw_subgraph(triples: Sequence[StoredTriple]) -> Figure | None:
    """The figure, or None when there is nothing to draw."""
    graph = evidence_graph(triples)
    if graph.number_of_nodes() == 0:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    pos = nx.spring_layout(graph, seed=0, k=1.2)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color="#cfe3ff", node_size=900)
    nx.draw_networkx_labels(
        graph, pos, ax=ax, labels=nx.get_node_attributes(graph, "label"), font_size=8
    )
    nx.draw_networkx_edges(
        graph, pos, ax=ax, arrows=True, arrowsize=14, node_size=900,
        connectionstyle="arc3,rad=0.08",
    )
    edge_labels = {(u, v): d["label"] for u, v, d in graph.edges(data=True)}
    nx.draw_networkx_edge_labels(graph, pos, ax=ax, edge_labels=edge_labels, font_size=7)
    ax.margins(0.2)  # room for the names at the edges
    ax.set_axis_off()
    fig.tight_layout()
    plt.close(fig)  # gradio renders it; pyplot must not keep it alive
    return fig

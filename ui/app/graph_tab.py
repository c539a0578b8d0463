"""Graph tab: look up an entity, walk to its neighbours both ways, run read-only Cypher."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr
import pandas as pd

from ui.api.errors import BadRequest
from ui.api.services import Services
from ui.app.common import principal_for, shows_errors

TRIPLE_COLUMNS = ["subject", "predicate", "object", "document", "evidence"]


def triple_rows(triples: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [t["subject"], t["predicate"], t["object"], t.get("doc", ""), t.get("evidence", "")]
        for t in triples
    ]


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def build(services: Services, key_box: gr.Textbox) -> None:
    with gr.Row():
        name = gr.Textbox(label="Entity", placeholder="Brightwater Labs", scale=4)
        lookup = gr.Button("Look up", variant="primary")
    entity_md = gr.Markdown()
    outgoing = gr.Dataframe(headers=TRIPLE_COLUMNS, label="Outgoing", interactive=False)
    incoming = gr.Dataframe(headers=TRIPLE_COLUMNS, label="Incoming", interactive=False)
    neighbour = gr.Dropdown(label="Go to a neighbour", choices=[])

    @shows_errors
    def look_up(text: str, key: str, request: gr.Request) -> tuple[Any, ...]:
        found = services.graph.entity(principal_for(services, key, request), text)
        ent, outs, ins = found["entity"], found["outgoing"], found["incoming"]
        title = f"### {ent['name']}" + (f" ({ent['type']})" if ent.get("type") else "")
        names = sorted({t["object"] for t in outs} | {t["subject"] for t in ins})
        return title, triple_rows(outs), triple_rows(ins), gr.update(choices=names, value=None)

    entity_outputs = [entity_md, outgoing, incoming, neighbour]
    lookup.click(look_up, [name, key_box], entity_outputs, api_name="entity")
    name.submit(look_up, [name, key_box], entity_outputs, api_name=False)
    neighbour.input(lambda n: n, [neighbour], [name], api_name=False).then(
        look_up, [name, key_box], entity_outputs, api_name=False
    )

    gr.Markdown("#### Read-only Cypher")
    query = gr.Code(
        value="MATCH (s:Entity)-[r]->(o:Entity) RETURN s.name, type(r), o.name LIMIT 10",
        language="sql", label="Query", wrap_lines=True,
    )
    params = gr.Textbox(value="{}", label="Parameters (JSON object)")
    run = gr.Button("Run")
    result = gr.Dataframe(label="Rows", interactive=False, wrap=True)

    @shows_errors
    def run_cypher(text: str, params_text: str, key: str, request: gr.Request) -> Any:
        try:
            values = json.loads(params_text or "{}")
        except json.JSONDecodeError as exc:
            raise BadRequest(f"parameters are not JSON: {exc}") from exc
        if not isinstance(values, dict):
            raise BadRequest("parameters must be a JSON object")
        out = services.graph.cypher(principal_for(services, key, request), text, values)
        rows = [[_cell(v) for v in row] for row in out["rows"]]
        return pd.DataFrame(rows, columns=out["columns"] or None)

    run.click(run_cypher, [query, params, key_box], [result], api_name="cypher")

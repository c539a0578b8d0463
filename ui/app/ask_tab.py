"""Ask tab: a question in, the answer with its evidence, route, Cypher and subgraph out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ui.api.jsonable import to_jsonable
from ui.api.services import Services
from ui.app.common import principal_for, shows_errors
from ui.app.subgraph import draw_subgraph

EVIDENCE_COLUMNS = ["document", "chunk text", "triple", "score"]


def _triple_text(triple: Any) -> str:
    if isinstance(triple, dict):
        return " — ".join(str(triple.get(k, "")) for k in ("subject", "predicate", "object"))
    if isinstance(triple, list | tuple):
        return " — ".join(map(str, triple))
    return str(triple or "")


def answer_markdown(answer: dict[str, Any]) -> str:
    if answer.get("refused"):
        return "### I don't know\n\nNothing you may see supports an answer."
    return f"### {answer.get('answer', '')}"


def evidence_rows(answer: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for ev in answer.get("evidence") or []:
        score = ev.get("score")
        rows.append(
            [
                Path(ev.get("doc", "")).name,
                ev.get("text", ""),
                _triple_text(ev.get("triple")),
                round(score, 3) if isinstance(score, int | float) else "",
            ]
        )
    return rows


def build(services: Services, key_box: gr.Textbox, adapter: gr.Dropdown) -> None:
    with gr.Row():
        question = gr.Textbox(
            label="Question", placeholder="Who founded Brightwater Labs?", elem_id="question",
            scale=5,
        )
        route = gr.Dropdown(
            ["auto", "graph", "dense", "hybrid"], value="auto", label="Route", scale=1
        )
    ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button")
    answer_md = gr.Markdown(elem_id="answer")
    route_md = gr.Markdown(elem_id="route")
    evidence = gr.Dataframe(
        headers=EVIDENCE_COLUMNS, label="Evidence", elem_id="evidence", wrap=True,
        interactive=False,
    )
    with gr.Row(equal_height=False):
        picture = gr.Plot(label="Evidence subgraph", elem_id="subgraph")
        cypher = gr.Code(
            label="Cypher that ran", language="sql", elem_id="cypher", wrap_lines=True,
            interactive=False, lines=4, max_lines=12,
        )
    with gr.Accordion("Answer JSON (as /api/ask returns it)", open=False):
        raw = gr.JSON(elem_id="answer-json")

    @shows_errors
    def ask(
        text: str, route_name: str, adapter_name: str | None, key: str, request: gr.Request
    ) -> tuple[Any, ...]:
        principal = principal_for(services, key, request)
        answer = services.answers.ask(principal, text, route_name, adapter_name or None)
        data = to_jsonable(answer)
        figure = draw_subgraph(services.answers.subgraph(answer))
        how = f"**Route:** {data.get('route', '')} — {data.get('reason', '')}"
        return (
            answer_markdown(data), how, evidence_rows(data), figure,
            data.get("cypher") or "", data,
        )

    outputs = [answer_md, route_md, evidence, picture, cypher, raw]
    inputs = [question, route, adapter, key_box]
    ask_button.click(ask, inputs, outputs, api_name="ask")
    question.submit(ask, inputs, outputs, api_name=False)

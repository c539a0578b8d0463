"""The Gradio app: four tabs over the same services the HTTP API uses."""

from __future__ import annotations

import gradio as gr

from ui.api.services import Services
from ui.app import ask_tab, documents_tab, finetune_tab, graph_tab
from ui.app.finetune_tab import NO_ADAPTER


def build_blocks(services: Services) -> gr.Blocks:
    with gr.Blocks(title="kgqa") as blocks:
        with gr.Row():
            gr.Markdown("## kgqa — questions answered from a knowledge graph, with evidence")
            key_box = gr.Textbox(
                label="API key (empty = public reader)", type="password", scale=0,
                min_width=260,
            )
        adapter = gr.Dropdown(
            [NO_ADAPTER, *sorted(services.answers.adapters())], value=NO_ADAPTER,
            label="Adapter (empty = base model)", render=False, allow_custom_value=False,
        )
        with gr.Tab("Ask"):
            ask_tab.build(services, key_box, adapter)
        with gr.Tab("Documents"):
            documents_tab.build(services, key_box)
        with gr.Tab("Graph"):
            graph_tab.build(services, key_box)
        with gr.Tab("Fine-tune"):
            finetune_tab.build(services, key_box, adapter)
    return blocks

"""Fine-tune tab: export a dataset, run LoRA training with progress and loss curve, and choose
the adapter the Ask tab answers with."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from ui.api.services import Services
from ui.app.common import principal_for, shows_errors

NO_ADAPTER = ""


def progress_html(job: dict[str, Any]) -> str:
    pct = round(100 * float(job.get("progress", 0)))
    return (
        f"<div><progress value='{pct}' max='100' style='width:100%'></progress>"
        f"<div>{job.get('status', '')}: step {job.get('step', 0)}/{job.get('total_steps', 0)}"
        f" ({pct}%) {job.get('message', '')}</div></div>"
    )


def loss_frame(job: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(job.get("loss_history") or [], columns=["step", "loss"])


def build(services: Services, key_box: gr.Textbox, adapter: gr.Dropdown) -> None:
    gr.Markdown("#### Export QA pairs (forward and reverse) as a dataset")
    with gr.Row():
        fmt = gr.Dropdown(["chat", "alpaca", "sharegpt", "hf"], value="chat", label="Format")
        reverse = gr.Checkbox(value=True, label="Include reverse questions")
        hops = gr.Dropdown([1, 2], value=1, label="Hops")
        export = gr.Button("Export")
    dataset_file = gr.File(label="Dataset", interactive=False)

    @shows_errors
    def do_export(
        fmt_name: str, with_reverse: bool, hop_count: int, key: str, request: gr.Request
    ) -> str:
        principal = principal_for(services, key, request)
        return str(services.training.export(principal, fmt_name, with_reverse, int(hop_count)))

    export.click(do_export, [fmt, reverse, hops, key_box], [dataset_file], api_name="export")

    gr.Markdown("#### LoRA training on the exported chat data")
    with gr.Row():
        name = gr.Textbox(label="Adapter name (optional)")
        max_steps = gr.Number(value=30, precision=0, label="Max steps (-1 = epochs)")
        epochs = gr.Number(value=3.0, label="Epochs")
        rank = gr.Number(value=16, precision=0, label="LoRA rank")
        train_reverse = gr.Checkbox(value=True, label="Train on reverse pairs")
    start = gr.Button("Start training", variant="primary")
    job_id = gr.State("")
    progress = gr.HTML(elem_id="train-progress")
    loss = gr.LinePlot(x="step", y="loss", label="Training loss")
    timer = gr.Timer(2.0, active=False)

    @shows_errors
    def do_start(
        adapter_name: str, steps: float, n_epochs: float, lora_rank: float, with_reverse: bool,
        key: str, request: gr.Request,
    ) -> tuple[Any, ...]:
        job = services.training.start(
            principal_for(services, key, request), name=adapter_name.strip() or None,
            reverse=with_reverse, epochs=float(n_epochs), max_steps=int(steps),
            rank=int(lora_rank),
        ).as_dict()
        return job["id"], progress_html(job), loss_frame(job), gr.Timer(active=True)

    def poll(current: str) -> tuple[Any, ...]:
        if not current:
            return gr.skip(), gr.skip(), gr.Timer(active=False), gr.skip()
        job = services.training.job(current)
        done = job["finished"] is not None
        choices = [NO_ADAPTER, *sorted(services.answers.adapters())]
        return (
            progress_html(job), loss_frame(job), gr.Timer(active=not done),
            gr.update(choices=choices) if done else gr.skip(),
        )

    start.click(
        do_start, [name, max_steps, epochs, rank, train_reverse, key_box],
        [job_id, progress, loss, timer], api_name="train",
    )
    timer.tick(poll, [job_id], [progress, loss, timer, adapter], api_name="train_status")

    gr.Markdown("#### Adapter used for answers")
    with gr.Row():
        adapter.render()
        refresh = gr.Button("Refresh adapters")
    refresh.click(
        lambda: gr.update(choices=[NO_ADAPTER, *sorted(services.answers.adapters())]),
        None, [adapter], api_name=False,
    )

"""The service layer the HTTP API and the Gradio app both call (no logic lives in either)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.settings import Settings
from kg.stores.base import GraphStore
from ui.api.auth import KeyRing
from ui.api.jobs import JobRegistry
from ui.api.services.answers import AnswerService
from ui.api.services.documents import DocumentService
from ui.api.services.graph import GraphService
from ui.api.services.runtime import Runtime
from ui.api.services.training import TrainingService


@dataclass
class Services:
    runtime: Runtime
    keys: KeyRing
    answers: AnswerService
    graph: GraphService
    documents: DocumentService
    training: TrainingService

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build_services(
    settings: Settings,
    store: GraphStore,
    *,
    keys: KeyRing | None = None,
    data_dir: Path | None = None,
    **components: Any,
) -> Services:
    """Wire the services over one store; `components` may pass a ready embedder/ingestor/qa."""
    runtime = Runtime(settings, store, data_dir=data_dir, **components)
    return Services(
        runtime=runtime,
        keys=keys or KeyRing.from_settings(settings),
        answers=AnswerService(runtime),
        graph=GraphService(runtime),
        documents=DocumentService(runtime),
        training=TrainingService(runtime, JobRegistry()),
    )

"""What every service shares: settings, the store, where the UI keeps files, and the heavy
components (embedder, ingestor, QA service), created once on first use."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kg.settings import Settings
from kg.stores.base import GraphStore
from ui.api.pools import Pools


class Runtime:
    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        *,
        data_dir: Path | None = None,
        embedder: Any = None,
        ingestor: Any = None,
        qa: Any = None,
    ) -> None:
        self.settings = settings
        self.store = store
        # uploads, exports and adapters live beside the graph files unless told otherwise
        self.data_dir = Path(data_dir or Path(settings.store) / "ui").resolve()
        self.write_lock = threading.RLock()  # one ingest/delete at a time
        self.pools = Pools()  # answers and user Cypher run here, bounded
        self._build_lock = threading.Lock()
        self._embedder, self._ingestor, self._qa = embedder, ingestor, qa

    def folder(self, name: str) -> Path:
        path = self.data_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def embedder(self) -> Any:
        with self._build_lock:
            if self._embedder is None:
                from kg.embed import Embedder

                self._embedder = Embedder(self.settings)
            return self._embedder

    @property
    def ingestor(self) -> Any:
        embedder = self.embedder
        with self._build_lock:
            if self._ingestor is None:
                from kg.ingest.pipeline import Ingestor

                self._ingestor = Ingestor(self.settings, self.store, embedder=embedder)
            return self._ingestor

    @property
    def qa(self) -> Any:
        embedder = self.embedder
        with self._build_lock:
            if self._qa is None:
                from qa.service import QAService

                self._qa = QAService(self.settings, self.store, embedder=embedder)
            return self._qa

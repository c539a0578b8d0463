"""A document between reading and writing, shared by the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.ingest.readers import SourceText
from kg.ingest.report import Status
from kg.models import Chunk

if TYPE_CHECKING:
    from kg.extract.base import Extraction


@dataclass
class PendingDocument:
    """A source waiting for the next batch; `status` is what a successful write will mean."""

    source: SourceText
    status: Status
    groups: list[str] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    extractions: list[Extraction] = field(default_factory=list)

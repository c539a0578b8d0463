"""Session-scoped fixtures shared across the suite (expensive models load once)."""

from __future__ import annotations

import pytest

from kg.extract.spacy_extractor import SpacyExtractor
from kg.settings import Settings


@pytest.fixture(scope="session")
def spacy_extractor() -> SpacyExtractor:
    """The default spaCy extractor (model load ~1 s), shared by ingest and extract tests."""
    return SpacyExtractor(Settings().spacy_model)

"""Triple extraction: spaCy dependency patterns by default, an LLM extractor as an option."""

from __future__ import annotations

from kg.extract.base import Extraction, TripleExtractor
from kg.settings import Settings

__all__ = ["Extraction", "TripleExtractor", "make_extractor"]


def make_extractor(settings: Settings) -> TripleExtractor:
    """The extractor named by settings.extractor ("spacy" or "llm")."""
    if settings.extractor == "llm":
        from kg.extract.llm_extractor import LLMExtractor

        return LLMExtractor.from_settings(settings)
    if settings.extractor == "spacy":
        from kg.extract.spacy_extractor import SpacyExtractor

        return SpacyExtractor(settings.spacy_model)
    raise ValueError(f"unknown extractor {settings.extractor!r}: use 'spacy' or 'llm'")

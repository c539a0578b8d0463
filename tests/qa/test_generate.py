"""The generator may phrase an answer, never choose it."""

from __future__ import annotations

import pytest

from kg.settings import Settings
from qa.generate import Generator, keeps_entity, phrase_answer
from qa.service import QAService


def test_keeps_entity_ignores_case_and_punctuation_but_not_words() -> None:
    assert keeps_entity("It was founded by orin vale.", "Orin Vale")
    assert keeps_entity('The song is "Ice on the Dralle".', "Ice on the Dralle")
    assert not keeps_entity("It was founded by Orin.", "Orin Vale")
    assert not keeps_entity("Karskly", "Karsk")


@pytest.mark.slow
def test_llm_phrasing_is_kept_only_with_the_entity(
    qa_settings: Settings, qa_store: object, embedder: object
) -> None:
    """Real SmolLM2-135M (GGUF, dequantized copy cached under model_cache)."""
    settings = qa_settings.with_overrides(answer_mode="llm")
    service = QAService(settings, qa_store, embedder=embedder)  # type: ignore[arg-type]
    ans = service.ask("Who founded Brightwater Labs?")
    assert "Orin Vale" in ans.answer and ans.evidence[0].triple
    assert "generator" in ans.reason
    print(f"SmolLM2 phrasing: {ans.answer!r} ({ans.reason})")


class _Says(Generator):
    """A generator that always says the same thing (to test the check, not a model)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def complete(self, messages: list[dict[str, str]], max_new_tokens: int = 40) -> str:
        assert "Orin Vale" in messages[-1]["content"]  # the prompt holds the evidence
        return self.text


def test_phrasing_that_drops_the_entity_is_rejected() -> None:
    facts = ["Orin Vale founded Brightwater Labs in 1998."]
    q = "Who founded Brightwater Labs?"
    assert phrase_answer(_Says("Brightwater Labs was founded by Mira Tal."), q, "Orin Vale",
                         facts) is None
    assert phrase_answer(_Says("Orin Vale founded it.\nMore text"), q, "Orin Vale",
                         facts) == "Orin Vale founded it."

"""The generator may phrase an answer, never choose it."""

from __future__ import annotations

import pytest

from kg.settings import Settings
from qa.generate import (
    Generator,
    cached_gguf_copy,
    keeps_entity,
    make_generator,
    phrase_answer,
)
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
    # the dequantized copy is a plain HF folder: it loads as any HF model name/folder does
    cached = cached_gguf_copy(settings.generator_model, settings.model_cache)
    folder_settings = settings.with_overrides(generator_model=str(cached))
    lm = make_generator(folder_settings)
    assert lm.complete([{"role": "user", "content": "Say hello."}], max_new_tokens=5)


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


def test_openai_compatible_endpoint_is_called_greedily() -> None:
    """A real HTTP server on loopback speaking the /chat/completions shape."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
            reply = {"choices": [{"message": {"content": " Orin Vale founded it. "}}]}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v1"
        settings = Settings(generator_endpoint=url, generator_model="tiny", generator_api_key="k")
        phrased = phrase_answer(make_generator(settings), "Who founded Brightwater Labs?",
                                "Orin Vale", ["Orin Vale founded Brightwater Labs in 1998."])
    finally:
        server.shutdown()
    assert phrased == "Orin Vale founded it."
    assert seen[0]["path"] == "/v1/chat/completions" and seen[0]["auth"] == "Bearer k"
    assert seen[0]["temperature"] == 0 and seen[0]["model"] == "tiny"

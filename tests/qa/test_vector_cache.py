"""The service's embedding cache across threads: the question is embedded on a second
thread while it is parsed and linked, so a text one thread is encoding is waited for by the
other, never encoded twice, and an encoding error reaches every caller."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from kg.embed import Embedder
from kg.stores.base import GraphStore
from qa.service import QAService, VectorCache


class Recording:
    """The real embedder, recording what it is asked to encode; `hold` pauses the first call
    until released, so another thread arrives while those texts are being encoded."""

    def __init__(self, embedder: Embedder, hold: bool = False, fail: str = ""):
        self.embedder = embedder
        self.calls: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.fail = fail

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        self.started.set()
        self.release.wait(30)
        if self.fail and self.fail in texts:
            raise RuntimeError(f"cannot encode {self.fail!r}")
        return self.embedder.encode(texts)


def test_a_text_being_encoded_is_waited_for_not_encoded_again(embedder: Embedder) -> None:
    encode = Recording(embedder, hold=True)
    cache = VectorCache(encode)
    question = "Who founded Brightwater Labs?"
    first: list[list[float]] = []
    worker = threading.Thread(target=lambda: first.extend(cache([question])))
    worker.start()
    assert encode.started.wait(30)
    got: list[list[list[float]]] = []
    second = threading.Thread(target=lambda: got.append(cache([question, "Orin Vale"])))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first thread's vector
    encode.release.set()
    worker.join(30)
    second.join(30)
    assert encode.calls == [[question], ["Orin Vale"]]
    want = embedder.encode([question, "Orin Vale"])
    assert got[0][0] == first[0] == want[0]
    assert got[0][1] == pytest.approx(want[1], abs=1e-6)
    assert cache([question]) == first and len(encode.calls) == 2  # kept


def test_an_encoding_error_reaches_the_thread_waiting_for_the_text(embedder: Embedder) -> None:
    encode = Recording(embedder, hold=True, fail="\u0000bad")
    cache = VectorCache(encode)
    errors: list[BaseException] = []

    def ask(texts: list[str]) -> None:
        try:
            cache(texts)
        except RuntimeError as exc:
            errors.append(exc)

    worker = threading.Thread(target=ask, args=(["\u0000bad"],))
    worker.start()
    assert encode.started.wait(30)
    waiter = threading.Thread(target=ask, args=(["\u0000bad"],))
    waiter.start()
    encode.release.set()
    worker.join(30)
    waiter.join(30)
    assert len(errors) == 2 and len(encode.calls) == 1
    encode.fail = ""
    assert len(cache(["\u0000bad"])[0]) == embedder.dimension  # not remembered as failed


def test_the_service_embeds_each_question_once(
    qa_settings: object, qa_store: GraphStore, embedder: Embedder
) -> None:
    service = QAService(qa_settings, qa_store, embedder=embedder)
    encode = Recording(embedder)
    service.embed.encode = encode
    question = "Who founded Brightwater Labs?"
    answer = service.ask(question)
    assert answer.answer and not answer.refused
    assert sum(texts.count(question) for texts in encode.calls) == 1
    dense = "How does the orchestra rehearse in midwinter?"
    service.ask(dense, route="dense")
    assert sum(texts.count(dense) for texts in encode.calls) == 1


def test_services_share_one_pool_for_a_questions_background_work(
    qa_settings: object, qa_store: GraphStore, embedder: Embedder
) -> None:
    from qa import background

    for _ in range(6):
        QAService(qa_settings, qa_store, embedder=embedder).ask(
            "How does the orchestra rehearse in midwinter?", route="dense"
        )
    named = [t for t in threading.enumerate() if t.name.startswith("kgqa-question")]
    assert 1 <= len(named) <= background.WORKERS

"""The process-wide parts of answering: after the first question the loaded models' objects
are frozen out of the cyclic collector's reach, so a full collection stops stalling
questions for the ~170 ms it took to traverse them."""

from __future__ import annotations

import gc

from qa.service import QAService


def test_the_first_question_freezes_what_the_models_loaded(qa_service: QAService) -> None:
    qa_service.ask("Who founded Brightwater Labs?")
    frozen = gc.get_freeze_count()
    assert frozen > 100_000, frozen  # spaCy's and the tokenizer's objects, among others
    gc.collect()
    assert len(gc.get_objects()) < frozen  # what a full collection still traverses

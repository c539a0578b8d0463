"""spaCy loaded through kg.extract.spacy_model: numpy's BLAS on one thread, the same parses."""

from __future__ import annotations

import spacy
from thinc.api import NumpyOps
from threadpoolctl import threadpool_info

from kg.extract.spacy_model import load_spacy
from kg.settings import Settings

TEXTS = [
    "Teutberga (died 11 November 875) was a queen of Lotharingia by marriage to Lothair II. "
    "She was a daughter of Bosonid Boso the Elder and sister of Hucbert.",
    "Mira Tal founded Orvane Labs in Lisbon in 2011; the company was acquired by Helix Group.",
    "Who is the father of the director of the film Sunset Creek?",
]


def _parse(nlp: spacy.language.Language) -> list[list[tuple[str, ...]]]:
    return [
        [(t.text, t.tag_, t.pos_, t.dep_, str(t.head.i), t.ent_type_, t.lemma_) for t in doc]
        for doc in nlp.pipe(TEXTS)
    ]


def test_every_layer_multiplies_on_numpy_and_blas_runs_on_one_thread() -> None:
    nlp = load_spacy(Settings().spacy_model)
    layers = [
        layer
        for _, component in nlp.pipeline
        if hasattr(getattr(component, "model", None), "walk")
        for layer in component.model.walk()
    ]
    assert layers
    assert all(isinstance(layer.ops, NumpyOps) and not layer.ops.use_blis for layer in layers)
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_the_parses_equal_spacys_own_load() -> None:
    model = Settings().spacy_model
    assert _parse(load_spacy(model)) == _parse(spacy.load(model))

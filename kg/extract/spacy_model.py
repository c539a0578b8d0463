"""spaCy models as every kgqa stage loads them: thinc's matrix products on numpy's BLAS.

thinc multiplies through blis by default. On this project's 2-core x86 machines blis's
sgemm is 3-4x slower than numpy's OpenBLAS at the shapes of en_core_web_sm's tok2vec
(2,000 x 96 by 96 x 288); switching spaCy's layers to numpy cuts parse CPU by about a
quarter (600 2Wiki passages: 7.9 -> 6.0 CPU-s) with the same parses, token for token.
OpenBLAS must then run on one thread: with its default (one per core) the same parse costs
9.8 CPU-s, its threads spinning against the embedder's. The transition parser's own C loop
keeps blis (thinc wires it in), which is why the saving is a quarter and not more.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language


def load_spacy(model: str, **kwargs: Any) -> Language:
    """spacy.load(model, **kwargs) with every layer on numpy's one-thread BLAS."""
    import spacy
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")  # process-wide: numpy's BLAS, not torch's
    nlp = spacy.load(model, **kwargs)
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        layers = getattr(component, "model", None)
        if layers is not None and hasattr(layers, "walk"):
            for layer in layers.walk():
                layer.ops = ops
    return nlp

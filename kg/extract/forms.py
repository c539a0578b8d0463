"""Word forms: the words a phrase is compared by, in every stage that compares words.

A predicate, a question's relation word and a passage sentence match when their forms
meet: lower-case words and their lemmas, stopwords dropped ("headquartered in" ->
{"headquartered", "headquarter"}). Ingestion stores each predicate's forms on its edge
(kg.stores) so the graph route reads them instead of parsing every fetched predicate;
the question side computes the same forms with the same pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from kg import zh
from kg.models import Triple


@lru_cache(maxsize=2)
def nlp(model: str) -> Any:
    """The question-side pipeline: the model with names merged as extraction reads them."""
    from kg.extract import pipes  # noqa: F401  (registers kgqa_name_suffixes)
    from kg.extract.spacy_model import load_spacy

    pipeline = load_spacy(model)
    pipeline.add_pipe("kgqa_name_suffixes", after="ner")  # names as extraction reads them
    return pipeline


# word forms need tags and lemmas; NER changes neither (the parser does: it marks "having"
# an auxiliary, whose lemma stays "having")
FORM_PIPES_OFF = ("ner", "kgqa_name_suffixes")
# the components forms are read with: any pipeline of the model holding them (the
# extractor's, in ingestion) reads the same forms with every other component off
FORM_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
FORMS_CACHE = 100_000  # phrases (predicates recur across questions; a few MB)
_forms: dict[tuple[str, str], frozenset[str]] = {}


def word_forms(phrase: str, model: str) -> frozenset[str]:
    """Lower-case words and their lemmas, stopwords dropped ("headquartered in" -> {...})."""
    return word_forms_many([phrase], model)[0]


def word_forms_many(
    phrases: list[str], model: str, pipeline: Any | None = None
) -> list[frozenset[str]]:
    """`word_forms` of each phrase; the uncached ones go through spaCy in one batch, on
    `pipeline` when given (a loaded pipeline of `model`: no second load)."""
    known = {p: f for p in phrases if (f := _forms.get((p, model))) is not None}
    missing = [p for p in dict.fromkeys(phrases) if p not in known]
    english = [p for p in missing if not zh.is_chinese(p)]
    if english:
        parser = nlp(model) if pipeline is None else pipeline
        off = [name for name in parser.pipe_names if name not in FORM_PIPES]
        docs = parser.pipe(english, disable=off)
        known.update((p, content_forms(doc)) for p, doc in zip(english, docs, strict=True))
    known.update((p, zh.content_words(p)) for p in missing if zh.is_chinese(p))  # no lemmas
    if missing:
        if len(_forms) + len(missing) > FORMS_CACHE:
            _forms.clear()
        _forms.update(((p, model), known[p]) for p in missing)
    return [known[p] for p in phrases]


def content_forms(doc: Any) -> frozenset[str]:
    """The forms of a parsed span (a Doc or a sentence of one)."""
    out: set[str] = set()
    for t in doc:
        if t.is_stop or t.is_punct or not t.text.strip():
            continue
        out.add(t.text.lower())
        out.add(t.lemma_.lower())
    return frozenset(out)


def add_predicate_forms(
    triples: Iterable[Triple], model: str, pipeline: Any | None = None
) -> None:
    """Set the `forms` of each triple that has none to its predicate's word forms (one
    spaCy batch, on `pipeline` when given)."""
    todo = [t for t in triples if t.forms is None]
    found = word_forms_many([t.predicate for t in todo], model, pipeline)
    for t, forms in zip(todo, found, strict=True):
        t.forms = sorted(forms)

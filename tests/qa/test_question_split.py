"""Sentence splitting runs only the pipes sentence boundaries depend on, and that changes
nothing: the parser reads tok2vec alone, so tagger, lemmatizer and NER can stay off."""

from __future__ import annotations

from pathlib import Path

from kg.settings import Settings
from qa.question import SENTENCE_PIPES_OFF, _blocks, _nlp, paragraphs

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_paragraphs_split_as_the_full_pipeline_does() -> None:
    model = Settings().spacy_model
    nlp = _nlp(model)
    texts = [p.read_text() for p in sorted(SAMPLES.rglob("*")) if p.suffix in (".md", ".txt")]
    texts += [
        "Dr. Mara Vale founded Brightwater Labs in 1998. It moved to Karsk in 2004! Why? "
        "Because the harbour (then new) was cheap, said J. R. Holm.",
        "Ships\n\nThe ferry leaves at 9 a.m. daily. It returns at noon.\nOpening hours\nMon-Fri",
    ]
    assert len(texts) >= 4
    for text in texts:
        full = [tuple(" ".join(s.text.split()) for s in nlp(b).sents) for _, b in _blocks(text)]
        want = [tuple(s for s in sents if len(s) > 1) for sents in full]
        assert [sents for _, sents in paragraphs(text, model)] == [w for w in want if w]
    assert {"ner", "lemmatizer", "tagger"} <= set(SENTENCE_PIPES_OFF)
    assert "parser" in nlp.pipe_names and "parser" not in SENTENCE_PIPES_OFF

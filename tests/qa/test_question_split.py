"""A chunk is split into sentences and their word forms by one spaCy pass: the splits are
the full pipeline's, and the forms read in the paragraph are the forms of the sentence alone
(the lemma of a word rarely depends on the sentences around it)."""

from __future__ import annotations

from pathlib import Path

from kg.extract.forms import nlp, word_forms
from kg.settings import Settings
from qa.question import _blocks, paragraphs

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TEXTS = [p.read_text() for p in sorted(SAMPLES.rglob("*")) if p.suffix in (".md", ".txt")]
TEXTS += [
    "Dr. Mara Vale founded Brightwater Labs in 1998. It moved to Karsk in 2004! Why? "
    "Because the harbour (then new) was cheap, said J. R. Holm.",
    "Ships\n\nThe ferry leaves at 9 a.m. daily. It returns at noon.\nOpening hours\nMon-Fri",
]


def test_paragraphs_split_as_the_full_pipeline_does() -> None:
    model = Settings().spacy_model
    pipeline = nlp(model)
    assert len(TEXTS) >= 4
    for text in TEXTS:
        full = [tuple(" ".join(s.text.split()) for s in pipeline(b).sents)
                for _, b in _blocks(text)]
        want = [tuple(s for s in sents if len(s) > 1) for sents in full]
        assert [p.sentences for p in paragraphs(text, model)] == [w for w in want if w]
    ships = paragraphs(TEXTS[-1], model)
    assert [p.heading for p in ships] == ["Ships"]  # "Opening hours" heads no sentence


def test_sentence_forms_read_in_the_paragraph_match_the_sentence_alone() -> None:
    model = Settings().spacy_model
    pairs = [(f, s) for text in TEXTS for p in paragraphs(text, model)
             for s, f in zip(p.sentences, p.forms, strict=True)]
    assert len(pairs) > 20
    same = sum(f == word_forms(s, model) for f, s in pairs)
    assert same >= 0.9 * len(pairs), f"{same} of {len(pairs)}"
    first = paragraphs(TEXTS[-2], model)[0]
    assert {"founded", "found", "brightwater", "labs", "1998"} <= first.forms[0]
    assert {"moved", "move", "karsk"} <= first.forms[1]

"""spaCy pipeline additions: blank-line sentence breaks, titles of works, entity-type fixes,
the sentences' word forms before names are merged.

en_core_web_sm misses most titles ("Ice on the Dralle" becomes a noun and a place) and
labels fictional companies as people; these rules run after its NER and before the entity
spans are merged into single tokens.
"""

from __future__ import annotations

import logging
import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

# nouns after which a title-case sequence is the title of a work ("the novel Salt and ...")
WORK_NOUNS = {
    "song", "novel", "book", "poem", "play", "opera", "album", "film", "painting",
    "textbook", "symphony", "story", "essay", "series", "magazine", "newspaper", "journal",
}
VESSEL_NOUNS = {"ship", "ferry", "boat", "vessel", "yacht", "steamer", "tug", "schooner"}
TITLE_CONNECTORS = {"and", "of", "the", "on", "in", "a", "an", "to", "for", "at", "with"}
ORG_SUFFIXES = {
    "labs", "laboratories", "laboratory", "inc", "ltd", "llc", "company", "corporation",
    "shipping", "trust", "yards", "shipyard", "orchestra", "university", "school", "college",
    "museum", "hall", "optics", "construction", "bank", "group", "institute", "society",
    "foundation", "council", "board", "press", "records", "airlines", "club", "choir",
}
# generational suffixes that end a person's name ("Robert Blanchett, Jr.", "Paul Dano Sr.")
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
TITLE_LABELS = {"WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"}
NON_ENTITY_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{1,80}?)[\"”]")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
log = logging.getLogger(__name__)


@Language.component("kgqa_sentence_forms")
def sentence_forms(doc: Doc) -> Doc:
    """Record each sentence's text and word forms (kg.extract.paragraphs) in
    doc.user_data["kgqa_sentences"], read before entity merging changes the tokens."""
    from kg.extract.forms import content_forms

    doc.user_data["kgqa_sentences"] = [
        (" ".join(s.text.split()), content_forms(s)) for s in doc.sents
    ]
    return doc


@Language.component("kgqa_blank_line_breaks")
def blank_line_breaks(doc: Doc) -> Doc:
    """A blank line always ends a sentence (headings must not glue onto the next line)."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if prev.is_space and _BLANK_LINE.search(prev.text + prev.whitespace_):
            token.is_sent_start = True
        elif token.is_space and _BLANK_LINE.search(token.text):
            token.is_sent_start = True
    return doc


def _quoted_titles(doc: Doc) -> list[Span]:
    spans = []
    for match in _QUOTED.finditer(doc.text):
        inner = match.group(1).strip()
        if not inner or not inner[0].isupper() or len(inner.split()) > 10:
            continue
        start = match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
        span = doc.char_span(start, start + len(inner), alignment_mode="contract")
        if span is not None and len(span):
            spans.append(Span(doc, span.start, span.end, label=_title_label(doc, span.start)))
    return spans


def _title_label(doc: Doc, start: int) -> str:
    """PRODUCT for a named vessel (spaCy's convention), WORK_OF_ART otherwise."""
    for token in doc[max(0, start - 3) : start]:
        if token.lower_ in VESSEL_NOUNS:
            return "PRODUCT"
    return "WORK_OF_ART"


def _unquoted_titles(doc: Doc) -> list[Span]:
    """Title-case words right after "the novel" / "the ferry" and the like."""
    spans = []
    for token in doc:
        if token.lower_ not in WORK_NOUNS | VESSEL_NOUNS or token.i + 1 >= len(doc):
            continue
        end = token.i + 1
        last_title = None
        while end < len(doc) and doc[end].sent == token.sent:
            word = doc[end]
            if word.is_title or word.is_upper and word.is_alpha:
                last_title = end
            elif not (word.lower_ in TITLE_CONNECTORS and last_title is not None):
                break
            end += 1
        if last_title is not None:
            label = _title_label(doc, token.i + 1)
            spans.append(Span(doc, token.i + 1, last_title + 1, label=label))
    return spans


def _fixed_label(span: Span) -> str:
    words = span.text.lower().replace("'s", "").split()
    if words and words[-1] in ORG_SUFFIXES and span.label_ != "PRODUCT":
        return "ORG"
    if words and words[0] in ("university", "bank") and span.label_ != "WORK_OF_ART":
        return "ORG"
    return span.label_


@Language.component("kgqa_titles")
def titles(doc: Doc) -> Doc:
    """Add titles of works as entities (they win over overlapping NER spans); fix ORG labels."""
    found = filter_spans(_quoted_titles(doc) + _unquoted_titles(doc))
    taken = {i for span in found for i in range(span.start, span.end)}
    kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
    fixed = [Span(doc, e.start, e.end, label=_fixed_label(e)) for e in kept]
    doc.ents = filter_spans(found + fixed)
    return doc


def _suffix_end(doc: Doc, end: int) -> int | None:
    """Where a person's name ends when a generational suffix follows it at `end`, else None."""
    i = end + 1 if end < len(doc) and doc[end].text == "," else end
    if i >= len(doc) or doc[i].text.rstrip(".").lower() not in NAME_SUFFIXES:
        return None
    word = doc[i].text.rstrip(".")
    if not (word[:1].isupper() and (word.istitle() or word.isupper())):
        return None  # "ii" in a list is no suffix
    if not doc[i].text.endswith(".") and i + 1 < len(doc) and doc[i + 1].text == "." \
            and not doc[i].whitespace_:
        return i + 2  # "Sr" "." tokenised apart
    return i + 1


@Language.component("kgqa_name_suffixes")
def name_suffixes(doc: Doc) -> Doc:
    """A person's name takes its generational suffix, so "Robert Blanchett, Jr." is one
    entity (the parser often makes "Jr." the subject and the name a modifier of it; merged,
    the span keeps the dependency of its root)."""
    grown = []
    for ent in doc.ents:
        # the tagger often calls an unknown person an ORG, GPE or FAC; the suffix says person
        # (titles keep theirs: "Rocky II")
        is_name = ent.label_ not in NON_ENTITY_LABELS | TITLE_LABELS and ent[-1].pos_ == "PROPN"
        end = _suffix_end(doc, ent.end) if is_name else None
        if end is None:
            grown.append(ent)
            continue
        name, suffix = doc[ent.end - 1], doc[end - 1 if doc[end - 1].text != "." else end - 2]
        if not ent.start <= suffix.head.i < end:  # the parser made the suffix the argument
            if name not in suffix.head.ancestors:  # else the swap makes a cycle: "Fox, Jr.'s
                name.head, name.dep_ = suffix.head, suffix.dep_  # novel" (novel appos Fox)
            suffix.head, suffix.dep_ = name, "appos"
        grown.append(Span(doc, ent.start, end, label="PERSON"))
    doc.ents = filter_spans(grown)
    return doc


@Language.component("kgqa_merge_entities")
def merge_entities(doc: Doc) -> Doc:
    """spaCy's merge_entities, except that an entity whose parse is broken (no root: a head
    cycle, spaCy's E039) stays unmerged and is logged, rather than failing the whole text."""
    with doc.retokenize() as retokenizer:
        for ent in doc.ents:
            try:
                root = ent.root
            except RuntimeError as exc:
                log.warning("entity %r left unmerged: %s", ent.text, exc)
                continue
            retokenizer.merge(ent, attrs={"tag": root.tag, "dep": root.dep, "ent_type": ent.label})
    return doc

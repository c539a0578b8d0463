"""spaCy pipeline additions: blank-line sentence breaks, titles of works, entity-type fixes.

en_core_web_sm misses most titles ("Ice on the Dralle" becomes a noun and a place) and
labels fictional companies as people; these rules run after its NER and before the entity
spans are merged into single tokens.
"""

from __future__ import annotations

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
NON_ENTITY_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{1,80}?)[\"”]")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


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

"""Normalised names and predicates, shared by every extractor so their triples line up.

Decisions (the graph and the labelled set depend on them):
- An entity key is the name case-folded, with a leading article ("the", "a", "an"), a
  possessive "'s", punctuation and extra whitespace removed: "The University of Lenhold's"
  -> "university of lenhold". Only a leading article goes; inner words are part of the name.
  A leading honorific before a two-word name goes too ("Captain Eskil Moe" -> "eskil moe").
- A predicate is a lower-case lemma phrase: the verb's lemma plus its preposition
  ("is headquartered in" -> "headquarter in", "studied ... at" -> "study at"). A passive with
  an agent is turned around ("X was founded by Y" -> (Y, "found", X)). Stative participles
  keep their participle ("was born in" -> "born in", "based in", "located in", "set in",
  "known for"), because "bear in" or "locate in" would read wrongly in generated questions.
- A relational noun keeps its preposition: "the mother of" -> "mother of"; class membership
  ("Karsk is a city") is the predicate "is a".
- A verb with both a direct object and a prepositional object gives two triples: "Orin Vale
  studied physics at the University of Lenhold" -> (Orin Vale, study, physics) and
  (Orin Vale, study at, University of Lenhold); the extra object is kept, not dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from kg.relations import lexicon
from kg.zh import HAN, spaced

ARTICLES = ("the", "a", "an")
# titles before a person's name that are not part of it ("Captain Eskil Moe" is "eskil moe")
HONORIFICS = {"captain", "professor", "prof", "dr", "doctor", "mr", "mrs", "ms", "miss",
              "sir", "dame", "lord", "lady", "father", "sister", "brother", "rev", "judge"}
AUXILIARIES = {
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had",
    "does", "do", "did", "will", "would", "shall", "should", "can", "could", "may", "might",
}
# participles that read better than their lemma ("born in", not "bear in"): kg.relations
STATIVE_PARTICIPLES = lexicon().stative
# tokens that introduce an alias of the entity just named
PREPOSITIONS = {"in", "at", "on", "of", "for", "with", "by", "from", "to", "into", "about",
                "under", "over", "behind", "during", "as", "near", "after"}  # fmt: skip
# a predicate's trailing preposition ("teach at", "novel by"): read by qa and training alike
ALIAS_CUES = ("also known as", "better known as", "known as", "also called", "formerly")

# names and question texts recur (the graph route asks whether each candidate's name is in
# the question, the passage retriever keys every n-gram of its candidates): pure, so cached
TEXT_CACHE = 1 << 16
_POSSESSIVE = re.compile(r"(?:'s|’s|s'|s’)$", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=TEXT_CACHE)
def entity_key(name: str) -> str:
    """The normalised key of an entity name (see the module docstring)."""
    text = unicodedata.normalize("NFKC", name).strip()
    text = _POSSESSIVE.sub("", text) if not text.lower().endswith("ss'") else text
    text = text.replace("-", " ").replace("_", " ")
    text = _PUNCT.sub(" ", text).casefold()
    words = _SPACES.sub(" ", text).strip().split(" ")
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    if len(words) > 2 and words[0] in HONORIFICS:
        words = words[1:]
    return " ".join(w for w in words if w)


def key_words(word: str) -> list[str]:
    """The words entity_key makes of one word of a longer name ("O'Brien" -> o, brien):
    its possessive and a leading article or honorific depend on the name's ends, so they
    stay. Lets a caller grow a name word by word and stop when no key can start so."""
    text = unicodedata.normalize("NFKC", word).replace("-", " ").replace("_", " ")
    return _PUNCT.sub(" ", text).casefold().split()


def key_starts(words: list[str]) -> list[str]:
    """What entity_key may keep of a name beginning with `words`: as is, without a leading
    article, without a leading honorific, without both (whether it drops them depends on
    the name's length)."""
    out = [words]
    if words and words[0] in ARTICLES:
        out.append(words := words[1:])
    if words and words[0] in HONORIFICS:
        out.append(words[1:])
    return [" ".join(w) for w in out]


@lru_cache(maxsize=TEXT_CACHE)
def squash(text: str) -> str:
    """Lower-case letters and digits, every other run one space, each Han character a word of
    its own: `f" {squash(name)} " in f" {squash(text)} "` asks whether a text names `name`,
    in English ("Orin Vale") and in Chinese (no spaces between words) alike."""
    return " ".join(re.sub(f"[^a-z0-9{HAN}]+", " ", spaced(text.lower())).split())


def display_name(name: str, keep_article: bool = False) -> str:
    """A tidy surface form: no surrounding quotes/spaces, no possessive, no leading article."""
    text = _SPACES.sub(" ", name).strip().lstrip("#*>-|• ").strip("\"'“”‘’ ")
    text = _POSSESSIVE.sub("", text).rstrip()
    if not keep_article:
        first, _, rest = text.partition(" ")
        if rest and first.lower() in ARTICLES:
            text = rest
    return text


def predicate_phrase(parts: Iterable[str]) -> str:
    """Join lemma parts into one lower-case predicate phrase ("headquarter", "in")."""
    words = [w.strip().lower() for w in parts if w and w.strip()]
    return _SPACES.sub(" ", " ".join(words)).strip()


class PredicateNormaliser:
    """Free-text predicates (an LLM's "was founded by") to the lemma phrases spaCy yields.

    Uses the spaCy model's own lemmatiser on the phrase, so both extractors agree; the
    model is loaded once, lazily, with only the pipes lemmas need.
    """

    def __init__(self, spacy_model: str) -> None:
        self.spacy_model = spacy_model
        self._nlp = None

    def _lemmas(self, phrase: str) -> list[tuple[str, str, str]]:
        if self._nlp is None:
            from kg.extract.spacy_model import load_spacy

            self._nlp = load_spacy(self.spacy_model, exclude=["parser", "ner"])
        doc = self._nlp(phrase)
        return [(t.text.lower(), t.lemma_.lower(), t.tag_) for t in doc]

    def normalise(self, subject: str, predicate: str, obj: str) -> tuple[str, str, str]:
        """(subject, predicate, object) with a lemma predicate; a passive "by" is turned round.

        An empty predicate means "no triple" (a negated or empty phrase).
        """
        words = self._lemmas(f"it {predicate.strip()} it")[1:-1]
        if any(w[0] in ("not", "n't", "never") for w in words):
            return subject, "", obj  # a denied fact is no triple
        had_aux = any(w[0] in AUXILIARIES for w in words)
        words = [w for w in words if w[0] not in AUXILIARIES and w[0] not in ARTICLES]
        if not words:
            return subject, "is a" if had_aux else "", obj
        passive = had_aux and any(w[2] == "VBN" for w in words)
        if passive and words[-1][0] == "by" and len(words) > 1:
            verb = [lemma for text, lemma, tag in words[:-1]]
            return obj, predicate_phrase(verb), subject
        out: list[str] = []
        for text, lemma, tag in words:
            if tag.startswith("VB"):
                out.append(STATIVE_PARTICIPLES.get(lemma, lemma) if passive else lemma)
            else:
                out.append(text)
        return subject, predicate_phrase(out), obj


class AliasTable:
    """Maps alternative names to one canonical display name (first seen wins)."""

    def __init__(self) -> None:
        self._canonical: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = {}

    def add(self, name: str, alias: str) -> None:
        """Record that `alias` names the same entity as `name`."""
        canon = self.resolve(name)
        akey = entity_key(alias)
        if not akey or akey == entity_key(canon) or akey in self._canonical:
            return
        self._canonical[akey] = canon
        self.aliases.setdefault(entity_key(canon), []).append(alias)

    def resolve(self, name: str) -> str:
        return self._canonical.get(entity_key(name), name)


def short_name_target(
    short: str, paragraph_names: Iterable[str], text_names: Iterable[str]
) -> str | None:
    """Full person name that a one-word name ("Vale", "Tomas") stands for, if unambiguous.

    Candidates are multi-word names containing the word; those in the same paragraph are
    tried first, then the whole text. More than one candidate means no answer.
    """
    word = entity_key(short)
    if not word or " " in word:
        return None
    for names in (paragraph_names, text_names):
        found = {entity_key(n): n for n in names if word in entity_key(n).split()[0:1]
                 or word == entity_key(n).split()[-1]}
        found = {k: v for k, v in found.items() if " " in k}
        if len(found) == 1:
            return next(iter(found.values()))
        if len(found) > 1:
            return None
    return None

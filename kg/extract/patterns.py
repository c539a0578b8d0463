"""Dependency patterns that turn one parsed sentence into (subject, predicate, object) tokens.

The sentence's entity spans are already merged into single tokens (spaCy's merge_entities),
so an argument is one token; kg.extract.spacy_extractor turns tokens into names and resolves
pronouns. Patterns: active SVO, passive with or without agent, verb + preposition, copula +
attribute ("is a" / "mother of"), appositives, possessives, titles named by a class noun
("the song 'X'"), conjunctions, relative clauses and aliases ("also known as").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Span, Token

from kg.extract.coref import CLASS_TYPE
from kg.extract.normalize import STATIVE_PARTICIPLES, predicate_phrase
from kg.extract.pipes import NON_ENTITY_LABELS, VESSEL_NOUNS, WORK_NOUNS
from kg.relations import lexicon

SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
ALIAS_VERBS = {"know", "call", "name"}
INDEFINITE = {"a", "an", "another", "one"}
PHRASE_DEPS = {"compound", "amod", "nmod", "nummod", "quantmod", "npadvmod"}
LIGHT_VERB_OBJECTS = {("take", "place"), ("take", "part")}


@dataclass(frozen=True)
class TokenTriple:
    subject: Token
    predicate: str
    object: Token


def is_named(token: Token) -> bool:
    """A proper name or title (not a date or number), as opposed to a common noun."""
    if not any(ch.isalpha() for ch in token.text):
        return False  # symbols and emoji the tagger called proper nouns
    if token.ent_type_:
        return token.ent_type_ not in NON_ENTITY_LABELS
    return token.pos_ == "PROPN"


def is_date(token: Token) -> bool:
    return token.ent_type_ in ("DATE", "TIME") or (token.like_num and len(token.text) == 4)


def is_nominal(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN", "PRON", "NUM") or bool(token.ent_type_)


def with_conjuncts(tokens: list[Token]) -> list[Token]:
    """The tokens plus everything coordinated with them ("A, B and C")."""
    out: list[Token] = []
    stack = list(tokens)
    while stack:
        tok = stack.pop(0)
        if tok not in out:
            out.append(tok)
            stack.extend(c for c in tok.children if c.dep_ == "conj" and is_nominal(c))
    return out


def named_by(noun: Token) -> Token:
    """The title a class noun introduces ("the song 'Ice on the Dralle'"), else the noun."""
    if noun.pos_ != "NOUN":
        return noun
    for child in noun.children:
        if child.dep_ == "appos" and is_named(child):
            return child
        if (child.dep_ == "prep" and child.lower_ == "of" and noun.lemma_.lower() in CLASS_TYPE
                and not lexicon().of_noun(noun.lemma_)):  # "the town of Brekka" is Brekka
            pobj = [g for g in child.children if g.dep_ == "pobj" and is_named(g)]
            if pobj:
                return pobj[0]
    nxt = noun.nbor(1) if noun.i + 1 < len(noun.doc) else None
    while nxt is not None and nxt.is_punct and nxt.i + 1 < len(noun.doc):
        nxt = nxt.nbor(1)
    if (
        nxt is not None
        and nxt.ent_type_ in ("WORK_OF_ART", "PRODUCT")
        and nxt.head in (noun, noun.head)
        and nxt.dep_ != "conj"
    ):
        return nxt
    return noun


def noun_phrase_words(noun: Token, with_adjectives: bool = True) -> str:
    """A common noun with its compounds (and adjectives): "port city", "chief executive"."""
    deps = PHRASE_DEPS if with_adjectives else {"compound", "nmod"}
    left = noun.i
    for child in sorted(noun.lefts, key=lambda t: -t.i):
        if child.dep_ in deps and child.i == left - 1:
            left = child.left_edge.i if child.dep_ != "amod" else child.i
        else:
            break
    return " ".join(t.text for t in noun.doc[left : noun.i + 1]).lower()


def _is_definite(noun: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and c.lower_ not in INDEFINITE for c in noun.children)


def _pobjs(prep: Token) -> list[Token]:
    return with_conjuncts([c for c in prep.children if c.dep_ in ("pobj", "pcomp")])


def _owners(noun: Token) -> list[tuple[str, Token]]:
    """Whom a relational noun is about: "mother of X" / "X's mother" -> [("of", X)]."""
    out = []
    for child in noun.children:
        if child.dep_ == "poss":
            out.append(("by" if noun.lemma_ in WORK_NOUNS else "of", child))
        elif child.dep_ == "prep" and child.lower_ == "of":
            out.extend(("of", p) for p in _pobjs(child))
    return out


def clause_subjects(verb: Token) -> list[Token]:
    """Subjects of a verb, inherited along verb conjunctions, relative and participle clauses."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if subjects and subjects[0].lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
        subjects = [verb.head]
    if not subjects:
        if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
            return clause_subjects(verb.head)
        if verb.dep_ in ("relcl", "acl") and is_nominal(verb.head):
            subjects = [_described(verb.head)]
        elif verb.dep_ == "xcomp":
            return clause_subjects(verb.head)
    unique: list[Token] = []
    for tok in with_conjuncts(subjects):
        tok = named_by(tok)
        if tok not in unique:
            unique.append(tok)
    return unique


def _described(noun: Token) -> Token:
    """The named thing a class noun describes: "X is a book written by Y" is about X."""
    head = noun.head
    if noun.dep_ == "attr" and head.lemma_ == "be":
        named = [c for c in head.children if c.dep_ in SUBJECT_DEPS and is_named(c)]
        if named:
            return named[0]
    return noun


def _is_passive(verb: Token) -> bool:
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return True
    return verb.dep_ == "acl" and verb.tag_ == "VBN"


def verb_lemma(verb: Token, passive: bool) -> str:
    lemma = verb.lemma_.lower()
    if passive and not any(c.dep_ == "agent" for c in verb.children):
        lemma = STATIVE_PARTICIPLES.get(lemma, lemma)
    particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
    return predicate_phrase([lemma, *particles])


def _verb_preps(verb: Token, objects: list[Token]) -> list[Token]:
    """Prepositions of the verb, plus non-"of" ones the parser hung on its direct object."""
    preps = [c for c in verb.children if c.dep_ == "prep"]
    for obj in objects:
        preps.extend(c for c in obj.children if c.dep_ == "prep" and c.lower_ != "of")
    return preps


def verb_triples(verb: Token) -> Iterator[TokenTriple]:
    """Active SVO, passive (agent turned round), and verb + preposition triples."""
    if any(c.dep_ == "neg" for c in verb.children) or verb.lemma_ in ALIAS_VERBS and any(
        c.dep_ == "prep" and c.lower_ == "as" for c in verb.children
    ):
        return
    subjects = clause_subjects(verb)
    passive = _is_passive(verb)
    lemma = verb_lemma(verb, passive)
    objects = [] if passive else with_conjuncts(
        [c for c in verb.children if c.dep_ in ("dobj", "obj")]
    )
    attached = list(objects)  # prepositions may hang on any of these
    light = [o for o in objects if (verb.lemma_, o.lemma_) in LIGHT_VERB_OBJECTS]
    if light:  # "takes place in the Great Hall": the noun belongs to the predicate
        lemma = predicate_phrase([lemma, light[0].lower_])
        objects = [o for o in objects if o not in light]
    objects = [named_by(o) for o in objects]
    # a date in "X founded Y in 1998" dates Y's making: (Y, found in, 1998)
    dated = objects if verb.lemma_ in lexicon().creation_verbs() else []
    for subj in subjects:
        if passive:
            for agent in (c for c in verb.children if c.dep_ == "agent"):
                for by in _pobjs(agent):
                    yield TokenTriple(by, lemma, subj)
            for oprd in (c for c in verb.children if c.dep_ in ("oprd", "attr")):
                yield TokenTriple(subj, lemma, named_by(oprd))
        for obj in objects:
            yield TokenTriple(subj, lemma, obj)
        for prep in _verb_preps(verb, attached):
            for pobj in _pobjs(prep):
                predicate = predicate_phrase([lemma, prep.lower_])
                if is_date(pobj) and dated:
                    for obj in dated:
                        yield TokenTriple(obj, predicate, pobj)
                else:
                    yield TokenTriple(subj, predicate, named_by(pobj))


def attribute_triples(subject: Token, attr: Token) -> Iterator[TokenTriple]:
    """What "S is/, A" says: "a port city in Vessia", "the mother of Orin Vale"."""
    definite = _is_definite(attr)
    owners = _owners(attr)
    preps = [c for c in attr.children if c.dep_ == "prep" and c.lower_ != "of"]
    # "a town on the sea" is a town; "the mother of X", "the largest city in Y" are relations
    if (not definite or not (owners or preps)) and not attr.ent_type_:
        yield TokenTriple(subject, "is a", attr)
    role = noun_phrase_words(attr, with_adjectives=definite)
    for how, owner in owners:
        yield TokenTriple(subject, f"{role} {how}", named_by(owner))
    for prep in preps:
        for pobj in _pobjs(prep):
            yield TokenTriple(subject, predicate_phrase([role, prep.lower_]), named_by(pobj))


def copula_triples(be: Token) -> Iterator[TokenTriple]:
    """Sentences with "to be" as the main verb."""
    if any(c.dep_ == "neg" for c in be.children):
        return
    subjects = clause_subjects(be)
    # a name parsed as an adjectival complement ("Its capital is Lenhold") is an attribute
    attrs = with_conjuncts(
        [c for c in be.children if c.dep_ == "attr" or c.dep_ == "acomp" and is_named(c)]
    )
    for subj in subjects:
        for attr in attrs:
            target = named_by(attr)
            if target is not attr or is_named(attr):
                yield from _named_attr(subj, target)
            elif attr.pos_ == "NOUN":
                yield from attribute_triples(subj, attr)
        for acomp in (c for c in be.children if c.dep_ == "acomp" and c not in attrs):
            for prep in (c for c in acomp.children if c.dep_ == "prep"):
                for pobj in _pobjs(prep):
                    predicate = predicate_phrase([acomp.lemma_, prep.lower_])
                    yield TokenTriple(subj, predicate, named_by(pobj))
        for prep in (c for c in be.children if c.dep_ == "prep"):
            for pobj in _pobjs(prep):
                yield TokenTriple(subj, predicate_phrase(["be", prep.lower_]), named_by(pobj))
    yield from _reciprocal(subjects, attrs)


def _reciprocal(subjects: list[Token], attrs: list[Token]) -> Iterator[TokenTriple]:
    """ "A and B are siblings": a plural role noun of a symmetric relation joins them."""
    lex = lexicon()
    for attr in attrs:
        noun = attr.lemma_.lower()
        if attr.tag_ != "NNS" or not any(
            lex.relations[r].symmetric for r in lex.of_noun(noun)
        ):
            continue
        named = [s for s in subjects if is_named(s)]
        for i, a in enumerate(named):
            for b in named[i + 1 :]:
                yield TokenTriple(a, f"{noun} of", b)


def _named_attr(subject: Token, named: Token) -> Iterator[TokenTriple]:
    """ "The mayor of Karsk is Ida Senn" -> (Ida Senn, mayor of, Karsk)."""
    if subject.pos_ != "NOUN":
        return
    owners = _owners(subject)
    if not owners:
        yield TokenTriple(named, "is a", subject)
    role = noun_phrase_words(subject)
    for how, owner in owners:
        yield TokenTriple(named, f"{role} {how}", named_by(owner))


def apposition_triples(sent: Span) -> Iterator[TokenTriple]:
    """Appositives ("Tomas Vale, the brother of Orin Vale,"), class nouns naming titles."""
    for tok in sent:
        if tok.dep_ == "appos" and is_named(tok.head) and tok.pos_ == "NOUN":
            yield from attribute_triples(tok.head, tok)
        if tok.pos_ == "NOUN" and named_by(tok) is not tok:
            title = named_by(tok)
            yield TokenTriple(title, "is a", tok)
            for how, owner in _owners(tok):
                yield TokenTriple(title, f"{noun_phrase_words(tok)} {how}", owner)
        if (  # "the ferry 'Northern Wren'" (the parser may even call "novel" an adjective)
            tok.dep_ in ("nmod", "compound", "amod")
            and tok.lower_ in WORK_NOUNS | VESSEL_NOUNS
            and tok.text.islower()  # "Book" in "the Vessian Book Prize" is part of the name
            and is_named(tok.head)
        ):
            yield TokenTriple(tok.head, "is a", tok)


def alias_pairs(sent: Span) -> Iterator[tuple[Token, Token]]:
    """(name, alias) from "X, also known as Y," / "X is called Y" / "X (Y)"."""
    for tok in sent:
        if tok.lemma_ in ALIAS_VERBS:
            names = clause_subjects(tok)
            for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "as"):
                for alias in _pobjs(prep):
                    for name in names:
                        if is_named(name) and is_named(alias):
                            yield name, alias
        if tok.dep_ == "appos" and is_named(tok) and is_named(tok.head):
            yield tok.head, tok


def sentence_triples(sent: Span) -> list[TokenTriple]:
    """Every pattern over one sentence, de-duplicated, in sentence order."""
    found: list[TokenTriple] = []
    for tok in sent:
        if tok.lemma_ == "be" and tok.dep_ not in ("aux", "auxpass"):
            found.extend(copula_triples(tok))
        elif tok.pos_ == "VERB":
            found.extend(verb_triples(tok))
    found.extend(apposition_triples(sent))
    unique: list[TokenTriple] = []
    for triple in found:
        if triple not in unique and triple.subject is not triple.object:
            unique.append(triple)
    return unique

"""The relation a question asks about, read through the lexicon, and which end it wants.

"Who is Lio Brandt's father?" asks for the *subject* of father_of (Lio Brandt is its
object); "Which company did Corvel Tools acquire?" asks for the *object* of acquired. The
graph route then accepts only edges that state that relation in that direction
(`kg.relations.Lexicon.fit`), so the edge "Marden Holdings acquired Corvel Tools" can
never answer the second question. Read from the question's one spaCy parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.relations import lexicon

WH = {"who", "whom", "whose", "what", "which", "where", "when"}
# imperative openers that ask for the thing named after them ("Name a child of X")
REQUEST_VERBS = {"name", "list", "give", "tell", "identify", "show", "mention", "find"}
LIGHT = {"be", "have", "do"} | REQUEST_VERBS
SUBJECTS = {"nsubj", "csubj"}


@dataclass(frozen=True)
class AskedRelation:
    phrase: str  # as a stored predicate would read: "father of", "acquire", "born in"
    relations: frozenset[str]  # lexicon ids ("" phrase unknown to the lexicon: empty)
    answer_is_subject: bool  # the answer is the relation's subject ("Who founded X?")
    plural: bool = False  # "Who are the children of X?", "List all ...": every answer


def _has_wh(tok: Any) -> bool:
    """The token is a wh-word or a noun phrase led by one ("which company")."""
    return tok.lower_ in WH or any(c.lower_ in WH and c.dep_ in ("det", "poss")
                                   for c in tok.children)


def _owner(noun: Any) -> Any | None:
    """Whom a role noun is about: "X's mother" / "the mother of X" / "whose son"."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ == "of":
            pobj = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if pobj:
                return pobj[0]
    return None


def _noun_relation(doc: Any, names: set[int]) -> AskedRelation | None:
    lex = lexicon()
    for tok in doc:
        if tok.pos_ not in ("NOUN", "PROPN") or tok.i in names:
            continue
        owner = _owner(tok)
        if owner is None:
            continue
        lemma = tok.lemma_.lower()
        compound = " ".join(t.lemma_.lower() for t in doc[tok.left_edge.i : tok.i + 1]
                            if t.dep_ in ("compound", "amod") or t.i == tok.i)
        noun = compound if lex.of_noun(compound) else lemma
        rels = lex.of_noun(noun)
        # the answer is the noun's referent unless the owner is the wh-word ("whose son")
        answer_is_subject = not _has_wh(owner)
        plural = tok.tag_ == "NNS" or any(c.lower_ == "all" for c in tok.children)
        return AskedRelation(f"{noun} of", rels, answer_is_subject, plural)
    return None


def _content_verb(doc: Any) -> Any | None:
    """The main clause's content verb (the answer's own relation), else the first one.

    "Where is the shipyard that built the Northern Wren located?" asks (?, located in),
    not (?, build): a verb inside a relative or participle clause describes a constraint.
    """
    main = [t for t in doc if t.dep_ not in ("relcl", "acl", "advcl")]
    for tok in main + list(doc):
        verbish = tok.pos_ == "VERB" or any(
            c.dep_ == "aux" and c.lemma_.lower() == "do" for c in tok.children
        )
        if verbish and tok.lemma_.lower() not in LIGHT and tok.lower_ not in WH:
            return tok
    return None


def _verb_relation(doc: Any, names: set[int]) -> AskedRelation | None:
    verb = _content_verb(doc)
    if verb is None:
        return None
    lex = lexicon()
    children = list(verb.children)
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in children)
    by_wh = any(c.lower_ == "by" and (any(_has_wh(g) for g in c.children)
                                      or (not list(c.children) and _wh_outside(doc, names)))
                for c in doc if c.dep_ in ("agent", "prep"))  # "by whom", "Who was X ... by?"
    agent = any(c.dep_ == "agent" for c in children) or by_wh
    passive = passive or by_wh
    words = [verb.lemma_.lower(), *(c.lower_ for c in children if c.dep_ == "prt")]
    # a stranded or wh-led preposition belongs to the relation: "work for?", "In which city"
    preps = [c for c in children if c.dep_ == "prep" and c.lower_ != "by"
             and (not [g for g in c.children if g.dep_ == "pobj"]
                  or any(_has_wh(g) for g in c.children))]
    if passive and not agent:
        words[0] = lex.participle(words[0])
    tail = [p.lower_ for p in preps[:1]]
    words_only = [t for t in doc if not t.is_punct]
    if not tail and len(words_only) > 1 and words_only[0].pos_ == "ADP" and _has_wh(
        words_only[1]
    ):
        tail = [words_only[0].lower_]  # "In which city is X headquartered?"
    if not tail and any(t.lower_ == "where" for t in doc):
        tail = ["in"]  # "Where was X born?" asks for (X, born in, ?)
    phrase = " ".join(words + tail)
    rels = lex.of_phrase(phrase) or lex.of_phrase(" ".join(words))
    if not rels and verb.dep_ not in ("relcl", "acl", "advcl"):  # "Who came after X?": the
        # main verb means something only with its preposition
        for prep in (c for c in children if c.dep_ == "prep" and c.lower_ != "by"):
            if lex.of_phrase(" ".join([*words, prep.lower_])):
                phrase = " ".join([*words, prep.lower_])
                rels = lex.of_phrase(phrase)
                break
    named_role = _named_role(doc, verb, names)
    if passive and agent:
        answer_is_subject = by_wh or named_role != "subject"
    elif passive:  # "Where was X born?": X is the subject of "born in"; "What is located
        named_subject = any(  # in Y?": the wh-word is, when no name is a subject
            c.dep_ in ("nsubjpass", "nsubj") and c.i in names for c in children
        )
        answer_is_subject = not named_subject and any(
            c.dep_ in ("nsubjpass", "nsubj") and _has_wh(c) for c in children
        )
    elif named_role:
        answer_is_subject = named_role != "subject"
    else:
        answer_is_subject = any(c.dep_ in SUBJECTS and _has_wh(c) for c in children)
    return AskedRelation(phrase, rels, answer_is_subject)


def _wh_outside(doc: Any, names: set[int]) -> bool:
    """The question's wh-word is not part of a name: it is the thing asked for."""
    return any(t.lower_ in WH and t.i not in names for t in doc)


def _named_role(doc: Any, verb: Any, names: set[int]) -> str:
    """"subject"/"object" of the named thing in the verb's clause, "" when unclear.

    In a do-support question ("What did X acquire?") the words between the auxiliary and
    the verb are its subject, whatever the parser called them.
    """
    aux = [c for c in verb.children if c.dep_ == "aux" and c.lemma_.lower() == "do"]
    if aux and any(i in names for i in range(aux[0].i + 1, verb.i)):
        return "subject"
    for tok in doc:
        if tok.i not in names or tok.head.i != verb.i:
            continue
        if tok.dep_ in SUBJECTS:
            # a "subject" after its main verb with no auxiliary before it is the object the
            # parser mislabelled ("Who preceded Dana Holm?")
            inverted = any(c.dep_ in ("aux", "auxpass") and c.i < tok.i for c in verb.children)
            if tok.i > verb.i and verb.pos_ == "VERB" and not inverted:
                return "object"
            return "subject"
        if tok.dep_ in ("nsubjpass", "dobj", "obj", "attr", "oprd"):
            return "object"
    for tok in doc:
        if tok.i in names and tok.dep_ == "pobj" and tok.head.head.i == verb.i:
            return "subject" if tok.head.dep_ == "agent" else "object"
    return ""


def read_asked(doc: Any, name_tokens: set[int]) -> AskedRelation | None:
    """The asked relation: a role noun when the verb is light ("Who is X's mother?", "Name
    a child of Y"), else the content verb; a lexicon-known reading wins over an unknown."""
    noun = _noun_relation(doc, name_tokens)
    verb = _verb_relation(doc, name_tokens)
    if verb is None or (noun is not None and noun.relations and not verb.relations):
        return noun
    return verb

"""Question templates per predicate, in both directions.

A triple (S, P, O) reads "S P O". The *forward* question names O and asks for S ("Who founded
Brightwater Labs?" -> Orin Vale); the *reverse* question names S and asks for O ("What did
Orin Vale found?" -> Brightwater Labs). Each direction has several paraphrases; the noun
phrases (`subject_np`, `object_np`) describe one end by the other, for 2-hop questions.
Placeholders: {s} subject, {o} object, {ao} the object with an article ("a city").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lemminflect import getAllLemmas, getInflection

from kg.extract.normalize import PREPOSITIONS
from kg.relations import Relation, lexicon


@dataclass(frozen=True)
class Templates:
    forward: tuple[str, ...]  # mention {o}, answer is the subject
    reverse: tuple[str, ...]  # mention {s}, answer is the object
    subject_np: str  # describes the subject through {o}: "the founder of {o}"
    object_np: str  # describes the object through {s}: "what {s} founded"
    role: str = ""


def _is_person(noun: str) -> bool:
    """A role noun naming a person: the lexicon says so, or it reads as an agent noun."""
    kind = lexicon().noun_type(noun)
    return kind == "person" if kind else noun.endswith(("er", "or", "ist", "ian"))


def _is_kin(noun: str) -> bool:
    """A relation between two people ("Whose mother is X?" reads naturally)."""
    return any(
        lexicon().relations[r].object == "person" for r in lexicon().of_noun(noun)
    ) and _is_person(noun)


def _role(role: str, prep: str = "of") -> Templates:
    """'S is the <role> <prep> O': capital of, holder for, inventor behind."""
    head = role.split()[-1]
    who = "Who" if _is_person(head) else "What"
    rel = f"{role} {prep}"
    kin = _is_kin(head) and prep == "of"
    return Templates(
        forward=(
            f"{who} is the {rel} {{o}}?",
            f"Name the {rel} {{o}}.",
            f"The {rel} {{o}} is {who.lower()}?",
        ),
        reverse=(
            (f"Whose {role} is {{s}}?", f"Who is {{s}} the {rel}?", f"{{s}} is the {rel} whom?")
            if kin
            else (f"What is {{s}} the {rel}?", f"{prep.capitalize()} what is {{s}} the {role}?",
                  f"{{s}} is the {rel} what?")
        ),
        subject_np=f"the {rel} {{o}}",
        object_np=f"the one whose {role} is {{s}}" if kin else f"what {{s}} is the {rel}",
        role=role,
    )  # fmt: skip


IDENTITY = Templates(  # "S is O", O a definite description ("the director of ...")
    forward=("Who is {o}?", "Name {o}.", "Who is known as {o}?"),
    reverse=("Who is {s}?", "What is {s} known for?", "Tell me who {s} is."),
    subject_np="{o}",
    object_np="{s}",
)
MEMBERSHIP = Templates(  # "S is a O" ("Keith Silverton is a master sommelier")
    forward=("Who is {ao}?", "Name {ao}.", "Which one is {ao}?"),
    reverse=("What is {s}?", "What kind of person or thing is {s}?", "{s} is what?"),
    subject_np="the one who is {ao}",
    object_np="what {s} is",
)


def canonical_predicate(predicate: str) -> str:
    """What a predicate states: its lexicon relation's id, else its lower-case lemma phrase
    ('is headquartered in' and 'headquarter in' are one relation; 'is a' is 'be a')."""
    p = re.sub(r"\s+", " ", predicate.strip().lower())
    p = {"is": "be", "is the": "be", "be the": "be", "is a": "be a", "is an": "be a",
         "be an": "be a"}.get(p, p)  # fmt: skip
    if p in ("be", "be a"):
        return p
    rel = lexicon().relation_of(p)
    return rel.id if rel else p


def _verb_lemmas(word: str) -> tuple[str, ...]:
    return tuple(getAllLemmas(word).get("VERB", ()))


def _is_participle(word: str) -> bool:
    """'known', 'called': a verb's past participle that is not itself a lemma ('found' is)."""
    lemmas = _verb_lemmas(word)
    return bool(lemmas) and word not in lemmas and any(
        word in getInflection(lemma, tag="VBN") for lemma in lemmas
    )


def _past(verb: str) -> str:
    """Simple past from lemminflect's tables ('make' -> 'made'); regular '-ed' if unknown."""
    forms = getInflection(verb, tag="VBD")
    return forms[0] if forms else verb + "ed"


def _passive(p: str) -> Templates:
    """'S known for O', 'S called O': the predicate reads after 'is'."""
    return Templates(
        forward=(f"Who or what is {p} {{o}}?", f"Name someone or something {p} {{o}}.",
                 f"Which one is {p} {{o}}?"),
        reverse=(f"What is {{s}} {p}?", f"{{s}} is {p} what?", f"Name what {{s}} is {p}."),
        subject_np=f"the one {p} {{o}}",
        object_np=f"what {{s}} is {p}",
    )  # fmt: skip


def _fallback(p: str) -> Templates:
    """Any other predicate: a participle ('known for'), a noun relation ('novel by', 'port
    city in', 'ally of') or a verb phrase ('acquire', 'sign with'), inflected by lemminflect."""
    words = p.split()
    prep = words[-1] if len(words) >= 2 and words[-1] in PREPOSITIONS else ""
    head = words[:-1] if prep else words
    if len(head) == 1 and _is_participle(head[0]):
        return _passive(p)
    person = _is_person(head[-1]) and (
        lexicon().noun_type(head[-1]) == "person" or not _verb_lemmas(head[-1])
    )
    if prep and (prep == "of" or person or any(not _verb_lemmas(w) for w in head)):
        return _role(" ".join(head), prep)
    if not prep and not _verb_lemmas(words[0]):  # a bare noun: 'S song O' -> 'the song of O'
        return _role(p, "of")
    past = " ".join([_past(words[0]), *words[1:]])
    return Templates(
        forward=(f"Who or what {past} {{o}}?", f"{{o}} is linked by '{p}' to whom?",
                 f"Name the one who {past} {{o}}."),
        reverse=(f"What did {{s}} {p}?", f"{{s}} is linked by '{p}' to what?",
                 f"{{s}} {past} what?"),
        subject_np=f"the one who {past} {{o}}",
        object_np=f"what {{s}} {past}",
    )  # fmt: skip


_WH = {"person": "Who", "date": "When"}  # every other end type asks "What"
_WHOM = {"person": "Whom"}
_WHERE_PREPS = ("in", "at", "on")


def _inflect(verb: str, tag: str) -> str:
    """Inflect a verb phrase's first word ('take over', VBD -> 'took over')."""
    first, _, rest = verb.partition(" ")
    forms = getInflection(first, tag=tag)
    word = forms[0] if forms else (first + "ed" if tag in ("VBD", "VBN") else first + "s")
    return " ".join(filter(None, (word, rest)))


def _from_relation(rel: Relation, phrase: str) -> Templates:
    """Wordings a lexicon relation gives: its verbs, participles and role nouns for the
    forward question, its inverse's role nouns first for the reverse one ("Name a child of
    Y" for "mother of"), so training teaches the relation meanings the graph route reads."""
    lex = lexicon()
    inv = lex.inverse(rel)
    key = lex.phrase_key(phrase)
    be, tense, aux = ("was", "VBD", "did") if rel.event else ("is", "VBZ", "does")
    who_s, who_o = _WH.get(rel.subject, "What"), _WH.get(rel.object, "What")
    noun = next((n for n in rel.nouns if f"{n} of" == key), "")
    verb = key if key in rel.verbs else ""
    state = key if key in rel.states else ""
    if not (noun or verb or state):  # a phrase of another shape: the relation's first ones
        verb, state = rel.verbs[:1] and rel.verbs[0], rel.states[:1] and rel.states[0]
    noun = noun or (rel.nouns[0] if rel.nouns else "")
    if verb and not _verb_lemmas(verb.split()[0]):
        verb = ""  # a noun phrase ("novel by"): the generic role wording reads it
    elif verb and (_inflect(verb, "VBN") in rel.states or rel.object == "date"):
        verb, state = "", _inflect(verb, "VBN")  # "locate in" reads "is located in"
    fwd: list[str] = []
    rev: list[str] = []
    nps: dict[str, str] = {}
    if inv is not None and inv.nouns:  # the inverse's wording first: "Who is a child of Y?"
        art = "the" if inv.single else "a"
        rev += [f"{who_o} is {_a(art, inv.nouns[0])} of {{s}}?",
                f"Name {_a(art, inv.nouns[0])} of {{s}}."]
        nps["object"] = f"the {inv.nouns[0]} of {{s}}"
    if verb:
        done, made = _inflect(verb, tense), _inflect(verb, "VBN")
        fwd += [f"{who_s} {done} {{o}}?", f"{{o}} {be} {made} by {who_s.lower()}m?"
                if who_s == "Who" else f"{{o}} {be} {made} by what?"]
        nps.setdefault("subject", f"the one who {done} {{o}}")
        words = verb.split()
        if rel.object == "place" and len(words) > 1 and words[-1] in _WHERE_PREPS:
            rev.append(f"Where {aux} {{s}} {' '.join(words[:-1])}?")
        rev += [f"{_WHOM.get(rel.object, who_o)} {aux} {{s}} {verb}?", f"{{s}} {done} what?"]
        nps.setdefault("object", f"what {{s}} {done}")
    if state:
        words = state.split()
        fwd += [f"{who_s} {be} {state} {{o}}?", f"Name someone or something {state} {{o}}."]
        nps.setdefault("subject", f"the one {state} {{o}}")
        if rel.object in ("place", "date") and len(words) > 1 and words[-1] in _WHERE_PREPS:
            where = "Where" if rel.object == "place" else "When"
            rev.append(f"{where} {be} {{s}} {' '.join(words[:-1])}?")
        if rel.object != "date":
            rev.append(f"{who_o} {be} {{s}} {state}?")
        nps.setdefault("object", f"what {{s}} {be} {state}")
    if noun:
        the = "the" if rel.single else "a"
        forms = [f"{who_s} is {_a(the, noun)} of {{o}}?", f"Name {_a(the, noun)} of {{o}}."]
        fwd[0 if f"{noun} of" == key else len(fwd):0] = forms  # the text's own wording first
        if rel.object == "person":
            fwd.append(f"Who is {{o}}'s {noun}?")
            rev += [f"Whose {noun} is {{s}}?", f"Who is {{s}} the {noun} of?"]
        else:
            rev.append(f"What is {{s}} the {noun} of?")
        if f"{noun} of" == key or "subject" not in nps:
            nps["subject"] = f"the {noun} of {{o}}"
    if inv is not None and inv is not rel and inv.verbs:
        rev.append(f"{who_o} {_inflect(inv.verbs[0], 'VBD' if inv.event else 'VBZ')} {{s}}?")
    base = _fallback(key)
    return Templates(
        forward=_three(fwd, base.forward),
        reverse=_three(rev, base.reverse),
        subject_np=nps.get("subject", base.subject_np),
        object_np=nps.get("object", base.object_np),
        role=noun if f"{noun} of" == key else "",
    )


def _a(article: str, noun: str) -> str:
    """'the mother', 'a child', 'an employer'."""
    return f"the {noun}" if article == "the" else with_article(noun)


def _three(preferred: list[str], backup: tuple[str, ...]) -> tuple[str, ...]:
    """The first three distinct wordings, topped up from the generic ones."""
    return tuple(dict.fromkeys([*preferred, *backup]))[:3]


def templates_for(predicate: str, obj: str = "") -> Templates:
    """The templates for a predicate; `obj` picks identity ('the ...') vs membership ('a ...')."""
    p = canonical_predicate(predicate)
    if p == "be a" or (p == "be" and obj.strip().lower().startswith(("a ", "an "))):
        return MEMBERSHIP
    if p == "be":
        return IDENTITY
    rel = lexicon().relation_of(predicate)
    if rel is not None:
        return _from_relation(rel, predicate)
    return _fallback(p)


def with_article(noun: str) -> str:
    """'master sommelier' -> 'a master sommelier'; a noun that has one keeps it."""
    if noun.lower().startswith(("a ", "an ", "the ")):
        return noun
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def render(template: str, s: str = "", o: str = "", question: bool = True) -> str:
    """Fill a template; a question starts with a capital letter, a noun phrase as it is."""
    text = template.format(s=s, o=o, ao=with_article(o) if o else o)
    return text[0].upper() + text[1:] if question else text

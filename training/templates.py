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


@dataclass(frozen=True)
class Templates:
    forward: tuple[str, ...]  # mention {o}, answer is the subject
    reverse: tuple[str, ...]  # mention {s}, answer is the object
    subject_np: str  # describes the subject through {o}: "the founder of {o}"
    object_np: str  # describes the object through {s}: "what {s} founded"
    role: str = ""


def _verb(past: str, base: str, thing: str = "What") -> Templates:
    """A transitive verb: 'S founded O'."""
    return Templates(
        forward=(
            f"Who {past} {{o}}?", f"{{o}} was {past} by whom?", f"Name the one who {past} {{o}}."
        ),
        reverse=(f"{thing} did {{s}} {base}?", f"Name what {{s}} {past}.", f"{{s}} {past} what?"),
        subject_np=f"the one who {past} {{o}}",
        object_np=f"what {{s}} {past}",
    )


def _place(relative: str, where_q: str, where_q2: str) -> Templates:
    """'S <relative> O' where O is a place: 'is located in', 'was born in', 'studied at'."""
    return Templates(
        forward=(
            f"Who or what {relative} {{o}}?",
            f"Name someone or something that {relative} {{o}}.",
            f"Which one {relative} {{o}}?",
        ),
        reverse=(where_q, where_q2, f"{{s}} {relative} which place?"),
        subject_np=f"the one that {relative} {{o}}",
        object_np=f"the place {{s}} {relative}",
    )


KIN = {
    "mother", "father", "parent", "son", "daughter", "child", "brother", "sister", "wife",
    "husband", "spouse", "grandmother", "grandfather", "uncle", "aunt", "friend", "partner",
    "colleague", "mentor", "student", "teacher", "ally", "rival",
}  # fmt: skip  (relations between people: "Whose mother is X?")
PERSON_ROLES = KIN | {"founder", "director", "author", "president", "leader", "member", "ceo",
                      "chairman", "composer", "owner", "employee"}  # fmt: skip


def _is_person(noun: str) -> bool:
    return noun in PERSON_ROLES or noun.endswith(("er", "or", "ist", "ian"))


def _role(role: str, prep: str = "of") -> Templates:
    """'S is the <role> <prep> O': mother of, capital of, holder for, inventor behind."""
    head = role.split()[-1]
    who = "Who" if _is_person(head) else "What"
    rel = f"{role} {prep}"
    return Templates(
        forward=(
            f"{who} is the {rel} {{o}}?",
            f"Name the {rel} {{o}}.",
            f"The {rel} {{o}} is {who.lower()}?",
        ),
        reverse=(
            (f"Whose {role} is {{s}}?", f"Who is {{s}} the {rel}?", f"{{s}} is the {rel} whom?")
            if head in KIN and prep == "of"
            else (f"What is {{s}} the {rel}?", f"{prep.capitalize()} what is {{s}} the {role}?",
                  f"{{s}} is the {rel} what?")
        ),
        subject_np=f"the {rel} {{o}}",
        object_np=(f"the one whose {role} is {{s}}" if head in KIN and prep == "of"
                   else f"what {{s}} is the {rel}"),
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

_VERBS: dict[str, tuple[str, str]] = {  # lemma -> (past, thing word for the reverse question)
    "found": ("founded", "What"), "co-found": ("co-founded", "What"),
    "establish": ("established", "What"), "create": ("created", "What"),
    "compose": ("composed", "What"), "write": ("wrote", "What"), "direct": ("directed", "What"),
    "invent": ("invented", "What"), "discover": ("discovered", "What"),
    "design": ("designed", "What"), "paint": ("painted", "What"), "build": ("built", "What"),
    "develop": ("developed", "What"), "lead": ("led", "What"), "own": ("owned", "What"),
    "acquire": ("acquired", "What"), "marry": ("married", "Whom"), "produce": ("produced", "What"),
    "publish": ("published", "What"), "record": ("recorded", "What"), "sing": ("sang", "What"),
    "teach": ("taught", "Whom"), "employ": ("employed", "Whom"), "manage": ("managed", "What"),
    "win": ("won", "What"), "play": ("played", "What"), "star": ("starred in", "What"),
}  # fmt: skip

_PLACES: dict[str, Templates] = {
    "locate in": _place("is located in", "Where is {s} located?", "In which place is {s}?"),
    "headquarter in": _place("is headquartered in", "Where is {s} headquartered?",
                             "In which city is {s} headquartered?"),
    "base in": _place("is based in", "Where is {s} based?", "In which place is {s} based?"),
    "bear in": _place("was born in", "Where was {s} born?", "What is the birthplace of {s}?"),
    "die in": _place("died in", "Where did {s} die?", "In which place did {s} die?"),
    "live in": _place("lives in", "Where does {s} live?", "In which place does {s} live?"),
    "study at": _place("studied at", "Where did {s} study?", "At which school did {s} study?"),
    "graduate from": _place("graduated from", "Where did {s} graduate from?",
                            "From which school did {s} graduate?"),
    "work at": _place("works at", "Where does {s} work?", "At which place does {s} work?"),
    "work for": _place("works for", "Who does {s} work for?", "Which employer does {s} work for?"),
    "educate at": _place("was educated at", "Where was {s} educated?",
                         "At which school was {s} educated?"),
}  # fmt: skip

_ALIASES = {
    "born in": "bear in", "be bear in": "bear in", "bear": "bear in", "located in": "locate in",
    "headquartered in": "headquarter in", "based in": "base in", "studied at": "study at",
    "founded": "found", "wrote": "write", "composed": "compose", "is": "be", "is an": "be a",
    "is a": "be a", "be an": "be a", "be the": "be", "is the": "be", "work in": "work at",
    "educated at": "educate at",
}  # fmt: skip


def canonical_predicate(predicate: str) -> str:
    """Lower-case lemma phrase with 'be ' and aliases folded ('is headquartered in' -> ...)."""
    p = re.sub(r"\s+", " ", predicate.strip().lower())
    p = _ALIASES.get(p, p)
    if p.startswith("be ") and p[3:] in _PLACES | _ALIASES:
        p = _ALIASES.get(p[3:], p[3:])
    return p




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
    person = head[-1] in PERSON_ROLES or (_is_person(head[-1]) and not _verb_lemmas(head[-1]))
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


def templates_for(predicate: str, obj: str = "") -> Templates:
    """The templates for a predicate; `obj` picks identity ('the ...') vs membership ('a ...')."""
    p = canonical_predicate(predicate)
    if p == "be a" or (p == "be" and obj.strip().lower().startswith(("a ", "an "))):
        return MEMBERSHIP
    if p == "be":
        return IDENTITY
    if p in _PLACES:
        return _PLACES[p]
    if p in _VERBS:
        past, thing = _VERBS[p]
        return _verb(past, p, thing)
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

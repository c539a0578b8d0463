"""Simple coreference: pronouns and "the company"-style nouns to the paragraph's last match.

No model does this here (en_core_web_sm has no coreference), so the rule is deliberately
plain: "he/she/his/her" -> the last person named as a subject in the sentence or paragraph;
"it/its" -> the last non-person subject; "the company", "the song", "the university" -> the
most recent entity whose name, class ("is a company") or type fits the noun. No match means
no triple: a guessed antecedent would put a wrong fact in the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "himself", "herself"}
PLURAL_PRONOUNS = {"they", "them", "their", "theirs", "themselves"}
THING_PRONOUNS = {"it", "its", "itself"}
UNRESOLVABLE_PRONOUNS = {"they", "them", "their", "theirs", "we", "us", "our", "you", "your",
                         "i", "me", "my", "this", "that", "these", "those", "who", "which",
                         "whom", "what", "nobody", "somebody", "everyone", "someone",
                         "anyone", "one", "something", "nothing", "everything"}
TYPE_CLASSES = {
    "ORG": {"company", "firm", "organisation", "organization", "business", "orchestra",
            "university", "trust", "group", "institute", "museum", "school", "shipyard"},
    "GPE": {"city", "town", "village", "country", "capital", "port", "state", "region"},
    "LOC": {"river", "sea", "lake", "mountain", "island", "valley", "region"},
    "WORK_OF_ART": {"song", "novel", "book", "painting", "poem", "textbook", "album", "work",
                    "film", "play"},
    "PRODUCT": {"ship", "ferry", "boat", "vessel", "sensor", "product", "device"},
    "PERSON": {"man", "woman", "person"},
}
CLASS_TYPE = {noun: label for label, nouns in TYPE_CLASSES.items() for noun in nouns}


@dataclass
class Arg:
    """A resolved triple argument."""

    name: str
    key: str
    label: str = ""  # NER label ("" for a common noun)
    named: bool = False  # a proper name or title (not a common noun, date or number)
    classes: set[str] = field(default_factory=set)


@dataclass
class Mention:
    arg: Arg
    subject: bool


class CorefHistory:
    """What a paragraph has mentioned so far, newest last."""

    def __init__(self) -> None:
        self.mentions: list[Mention] = []
        self.classes: dict[str, set[str]] = {}  # entity key -> class nouns ("is a" objects)
        self.group: list[Arg] = []  # the last sentence's coordinated named subjects

    def reset_paragraph(self) -> None:
        self.mentions = []
        self.group = []

    def plural(self, word: str) -> list[Arg]:
        """"they/their" -> the people or things last named together as subjects ("A and B
        had a daughter. Their daughter, C, ..."); none when no sentence named several."""
        return list(self.group) if word.lower() in PLURAL_PRONOUNS else []

    def add(self, arg: Arg, subject: bool) -> None:
        if arg.named:
            self.mentions.append(Mention(arg, subject))

    def add_class(self, key: str, noun: str) -> None:
        self.classes.setdefault(key, set()).add(noun)

    def _candidates(self, sentence_subjects: list[Arg]) -> list[Mention]:
        """Sentence subjects before the word, then paragraph subjects, then other mentions."""
        ordered = [Mention(a, True) for a in reversed(sentence_subjects)]
        ordered += [m for m in reversed(self.mentions) if m.subject]
        ordered += [m for m in reversed(self.mentions) if not m.subject]
        return ordered

    def pronoun(self, word: str, sentence_subjects: list[Arg]) -> Arg | None:
        word = word.lower()
        if word not in PERSON_PRONOUNS | THING_PRONOUNS:
            return None
        want_person = word in PERSON_PRONOUNS
        for mention in self._candidates(sentence_subjects):
            is_person = self.type_from_classes(mention.arg.key, mention.arg.label) == "PERSON"
            if mention.arg.label in ("DATE", "TIME"):
                continue
            if is_person == want_person:
                return mention.arg
        return None

    def class_noun(self, noun: str, sentence_subjects: list[Arg]) -> Arg | None:
        """The entity "the <noun>" refers to, if the paragraph has one that fits."""
        noun = noun.lower()
        for mention in self._candidates(sentence_subjects):
            arg = mention.arg
            if noun in self.classes.get(arg.key, set()) or noun in arg.key.split():
                return arg
        for mention in self._candidates(sentence_subjects):
            if noun in TYPE_CLASSES.get(mention.arg.label, set()):
                return mention.arg
        return None

    def type_from_classes(self, key: str, label: str) -> str:
        """An entity's type, corrected by what the text says it is ("Karsk is a city")."""
        for noun in sorted(self.classes.get(key, set())):
            if noun in CLASS_TYPE:
                return CLASS_TYPE[noun]
        return label

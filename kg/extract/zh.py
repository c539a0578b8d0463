"""Chinese triple extraction: clause patterns built from the lexicon's Chinese forms.

No Chinese dependency parser ships offline (spaCy's `zh_core_web_sm` on PyPI is a
placeholder), so each clause of a sentence is matched against a few shapes, with the verbs
and role nouns of `kg/relations.toml` [zh.verbs] / [zh.nouns] filled in:

    X (于1998年) 创立(了) Y        -> (X, 创立, Y)
    Y (是)由/被 X 创立(的)          -> (X, 创立, Y)     the passive turned round
    X 是 Y 的母亲 / Y 的母亲是 X    -> (X, 母亲, Y)     X is the relation's subject

A clause without a subject ("并于2003年创立了蓝湾基金会") or with a pronoun (他, 她, 该公司)
takes the previous clause's subject; "X 和 Y" on either end gives one triple each. The
predicate is stored as written ("创立"), and the lexicon maps it to its relation (founded),
so the graph route reads Chinese edges in the direction English ones are read. Entity types
come from name suffixes (公司 ORG, 市 GPE), jieba's tags, else the relation's end types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kg import zh
from kg.extract.base import Extraction, TripleExtractor
from kg.extract.normalize import entity_key
from kg.models import Entity, Triple
from kg.relations import lexicon

_TIME = (
    r"(?:(?:于|在|从|自)?(?:\d{2,4}|[一二三四五六七八九〇零十]{2,4})年"
    r"(?:\d{1,2}月)?(?:\d{1,2}日)?(?:时|起)?|(?:于|在)?(?:早年|后来|当年|同年|次年|随后))"
)
_NP = r"[^，,。；;！!？?\s]{1,40}?"
# openers that join a clause to the one before it (its subject carries over)
_OPENERS = re.compile(r"^(?:并且|并|而且|而|后来|随后|此后|之后|同时|另外|也|还|又)")
_TIME_ONLY = re.compile(f"^{_TIME}+$")
_AND = re.compile(r"(?:以及|和|与|及|、|同)")
_CLAUSE = re.compile(r"[，,；;：:]")
PERSONAL = {"他", "她"}  # the last person named, also across sentences
PRONOUNS = PERSONAL | {"它", "该公司", "该实验室", "该机构", "该校", "此人"}
_MODIFIERS = r"(?:也|还|又|共同|一起|联合|亲自|正式|先后|曾经|曾)*"
ORG_SUFFIXES = (
    "公司", "集团", "实验室", "研究所", "研究院", "大学", "学院", "学校", "中学", "小学",
    "基金会", "出版社", "银行", "乐团", "剧院", "博物馆", "医院", "工作室", "船厂", "报社",
    "协会", "学会", "俱乐部", "工厂", "酒店", "书店", "图书馆", "合唱团", "乐队",
)  # fmt: skip
PLACE_SUFFIXES = ("市", "省", "县", "镇", "村", "区", "州", "岛", "港", "城", "湾")
END_LABELS = {"person": "PERSON", "org": "ORG", "place": "GPE", "work": "WORK_OF_ART",
              "date": "DATE"}  # fmt: skip
JIEBA_LABELS = {"nr": "PERSON", "ns": "GPE", "nt": "ORG"}


@dataclass(frozen=True)
class _Shape:
    pattern: re.Pattern[str]
    kind: str  # "verbs" or "nouns": which lexicon table the form comes from
    needs_subject: bool  # the clause names no subject: the previous clause's is used


def _alternation(forms: Sequence[str]) -> str:
    return "|".join(re.escape(f) for f in forms)


@lru_cache(maxsize=1)
def _shapes() -> tuple[_Shape, ...]:
    lex = lexicon()
    v = _alternation(list(lex.zh_forms("verbs")))
    n = _alternation(list(lex.zh_forms("nouns")))
    t = f"(?:{_TIME})?"
    return tuple(
        _Shape(re.compile(p), kind, bare)
        for p, kind, bare in (
            (rf"^(?P<o>{_NP}){t}(?:是)?(?:由|被)(?P<s>{_NP}){t}{_MODIFIERS}(?P<f>{v})了?(?:的)?$",
             "verbs", False),
            (rf"^{t}{_MODIFIERS}(?P<f>{v})了?(?P<o>{_NP})$", "verbs", True),
            (rf"^(?P<s>{_NP}){t}{_MODIFIERS}(?P<f>{v})了?(?P<o>{_NP})$", "verbs", False),
            (rf"^(?:也|还)?是(?P<o>{_NP})的(?P<f>{n})(?:之一)?$", "nouns", True),
            (rf"^(?P<s>{_NP})(?:也|还)?是(?P<o>{_NP})的(?P<f>{n})(?:之一)?$", "nouns", False),
            (rf"^(?P<o>{_NP})的(?P<f>{n})(?:是|为)(?P<s>{_NP})$", "nouns", False),
        )
    )  # fmt: skip


def _clean(name: str) -> str:
    """A name as it should be stored: no quotes or book-title marks, no trailing 的."""
    name = name.strip().strip("“”\"'「」『』")
    if name.startswith("《") and name.endswith("》"):
        name = name[1:-1]
    return name.rstrip("的").strip()


def _names(span: str) -> list[str]:
    """The names in one end of a clause: "X 和 Y" is two (a book title is kept whole)."""
    if span.startswith("《"):
        return [_clean(span)]
    return [n for n in (_clean(p) for p in _AND.split(span)) if n]


def _label(name: str, end_type: str, raw: str) -> str:
    if raw.startswith("《"):
        return "WORK_OF_ART"
    if name.endswith(ORG_SUFFIXES):
        return "ORG"
    if name.endswith(PLACE_SUFFIXES) and len(name) > 1:
        return "GPE"
    tags = zh.tagged(name)
    if len(tags) == 1 and tags[0][1] in JIEBA_LABELS:
        return JIEBA_LABELS[tags[0][1]]
    return END_LABELS.get(end_type, "")


@lru_cache(maxsize=1)
def _all_forms() -> tuple[str, ...]:
    lex = lexicon()
    return (*lex.zh_forms("verbs"), *lex.zh_forms("nouns"))


class ZhExtractor(TripleExtractor):
    """Triples from Chinese text via the lexicon's Chinese verbs and role nouns."""

    def extract(self, text: str) -> Extraction:
        triples: list[Triple] = []
        entities: dict[str, Entity] = {}
        person = ""  # the last person named as a subject, for 他 / 她
        for sentence in zh.sentences(text):
            subject = ""  # the last named subject, for clauses that omit it
            for raw in _CLAUSE.split(sentence.rstrip("。！？!?；;")):
                clause = _OPENERS.sub("", raw.strip())
                found = self._clause(clause, subject, person, sentence)
                for t in found:
                    triples.append(t)
                    for name, key, label in ((t.subject, t.subject_key, t.subject_type),
                                             (t.object, t.object_key, t.object_type)):
                        entities.setdefault(key, Entity(key, name, label))
                if found:
                    subject = found[0].subject
                    if found[0].subject_type == "PERSON":
                        person = subject
        return Extraction(triples=triples, entities=list(entities.values()))

    def _clause(self, clause: str, previous: str, person: str, sentence: str) -> list[Triple]:
        lex = lexicon()
        hidden = zh.hide_partial(clause, _all_forms())  # 出版 inside 出版社 is no verb

        def group(m: re.Match[str], name: str) -> str:
            return clause[m.start(name) : m.end(name)]

        for shape in _shapes():
            m = shape.pattern.match(hidden)
            if m is None:
                continue
            raw_s = previous if shape.needs_subject else group(m, "s")
            if raw_s in PRONOUNS:
                raw_s = person if raw_s in PERSONAL else previous
            raw_o = group(m, "o")
            if not raw_s or _TIME_ONLY.match(raw_s) or _TIME_ONLY.match(raw_o):
                continue
            form = group(m, "f")
            rel = lex.relations[sorted(lex.zh_forms(shape.kind)[form])[0]]
            out = []
            for s in _names(raw_s):
                for o in _names(raw_o):
                    if entity_key(s) == entity_key(o) or not entity_key(s) or not entity_key(o):
                        continue
                    out.append(Triple(
                        s, form, o, sentence=sentence, subject_key=entity_key(s),
                        object_key=entity_key(o), subject_type=_label(s, rel.subject, raw_s),
                        object_type=_label(o, rel.object, raw_o),
                    ))  # fmt: skip
            if out:
                return out
        return []


class ChineseAware(TripleExtractor):
    """Chinese chunks to ZhExtractor, every other chunk to the configured extractor."""

    def __init__(self, other: TripleExtractor) -> None:
        self.other = other
        self.chinese = ZhExtractor()

    def extract(self, text: str) -> Extraction:
        return self.extract_many([text])[0]

    def extract_many(self, texts: list[str]) -> list[Extraction]:
        is_zh = [zh.is_chinese(t) for t in texts]
        rest = iter(self.other.extract_many([t for t, c in zip(texts, is_zh, strict=True)
                                             if not c]))
        return [self.chinese.extract(t) if c else next(rest)
                for t, c in zip(texts, is_zh, strict=True)]

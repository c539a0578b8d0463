"""Chinese questions: the asked relation, its direction and the name, read by pattern.

"谁创立了白水实验室？" asks for the subject of founded (白水实验室 its object); "林晓梅创立了
什么？" for its object; "林晓梅的母亲是谁？" for the subject of mother_of. The verbs and role
nouns are the lexicon's Chinese forms (kg/relations.toml [zh.*]), so the reading is the same
`AskedRelation` the English parser makes and the graph route's direction check applies
unchanged. A question no pattern fits is still segmented (jieba) into names and content
words, for the dense route and full-text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg import zh
from kg.relations import lexicon
from qa.asked import AskedRelation
from qa.question import WH_TYPES, Mention, QuestionInfo

_TYPE_NOUNS = {
    "公司": {"ORG"}, "机构": {"ORG"}, "组织": {"ORG"}, "学校": {"ORG"}, "大学": {"ORG"},
    "出版社": {"ORG"}, "城市": {"GPE"}, "地方": {"GPE", "LOC", "FAC"}, "国家": {"GPE"},
    "书": {"WORK_OF_ART"}, "作品": {"WORK_OF_ART"}, "人": {"PERSON"},
}  # fmt: skip
_WHO = r"谁|哪位|什么人"
_WHERE = r"哪里|哪儿|何处|什么地方|哪(?:个|座)城市"
_WHICH = rf"(?:什么|哪(?:一)?(?:个|家|所|座|本|部|间|位)?)(?:{'|'.join(_TYPE_NOUNS)})?"
_WH = rf"(?P<wh>{_WHO}|{_WHERE}|{_WHICH})"
_NP = r"(?P<x>[^，,。？?！!\s]{1,40}?)"
_T = r"(?:(?:于|在)?\d{2,4}年)?"
_MOD = r"(?:也|还|又|共同|一起|亲自|曾经|曾)*"
PASSAGE = re.compile(r"为什么|为何|怎么|怎样|如何|介绍|描述|讲述|什么样")
NAME_FLAGS = {"nr", "ns", "nt", "nz", "eng"}


@dataclass(frozen=True)
class _Shape:
    pattern: re.Pattern[str]
    kind: str  # lexicon table: "verbs" or "nouns"
    answer_is_subject: bool


@lru_cache(maxsize=1)
def _shapes() -> tuple[_Shape, ...]:
    lex = lexicon()
    v = "|".join(re.escape(f) for f in lex.zh_forms("verbs"))
    n = "|".join(re.escape(f) for f in lex.zh_forms("nouns"))
    f_v, f_n = rf"(?P<f>{v})", rf"(?P<f>{n})"
    return tuple(
        _Shape(re.compile(p), kind, subject)
        for p, kind, subject in (
            (rf"^{_WH}{_T}{_MOD}{f_v}了?{_NP}$", "verbs", True),  # 谁创立了Y
            (rf"^{_NP}(?:是)?(?:由|被){_WH}{_T}{_MOD}{f_v}(?:的)?$", "verbs", True),  # Y由谁创立
            (rf"^{_NP}是{_WH}{_MOD}{f_v}的$", "verbs", True),  # Y是谁创立的
            (rf"^{_WH}(?:是)?(?:由|被){_NP}{_MOD}{f_v}(?:的)?$", "verbs", False),  # 什么由X创立
            (rf"^{_NP}{_T}{_MOD}{f_v}了?{_WH}$", "verbs", False),  # X创立了什么
            (rf"^{_NP}的{f_n}(?:是|叫){_WH}$", "nouns", True),  # Y的母亲是谁
            (rf"^{_WH}是{_NP}的{f_n}$", "nouns", True),  # 谁是Y的母亲
            (rf"^{_NP}是{_WH}的{f_n}$", "nouns", False),  # X是谁的母亲
        )
    )  # fmt: skip


def _wh(word: str) -> tuple[str, set[str]]:
    """The English wh-word the scorers know, and the answer types the question asks for."""
    if re.fullmatch(_WHO, word):
        return "who", set(WH_TYPES["who"])
    if re.fullmatch(_WHERE, word):
        return "where", set(WH_TYPES["where"])
    for noun, types in _TYPE_NOUNS.items():
        if word.endswith(noun):
            return "which", set(types)
    return ("what" if word.startswith("什么") else "which"), set()


def _core(question: str) -> str:
    text = question.strip().rstrip("？?。.！! ")
    return re.sub(r"^(?:请问|请告诉我|告诉我)[，,]?", "", text)


def read_asked_zh(question: str) -> tuple[AskedRelation, str, str] | None:
    """(asked relation, the name it is asked about, the wh-word) when a pattern fits."""
    text = _core(question)
    lex = lexicon()
    hidden = zh.hide_partial(text, [*lex.zh_forms("verbs"), *lex.zh_forms("nouns")])
    for shape in _shapes():
        m = shape.pattern.match(hidden)
        if m is None:
            continue
        form, wh = text[m.start("f") : m.end("f")], text[m.start("wh") : m.end("wh")]
        rels = lex.zh_forms(shape.kind)[form]
        name = text[m.start("x") : m.end("x")].strip("《》“”\"").removesuffix("的")
        return AskedRelation(form, rels, shape.answer_is_subject), name, wh
    return None


def names_zh(text: str) -> list[str]:
    """Names jieba tags (people, places, organisations) and 《titles》 in free text."""
    found = re.findall(r"《([^》]+)》", text)
    run = ""
    for word, flag in zh.tagged(text):
        if flag in NAME_FLAGS:
            run += word
            continue
        if len(run) > 1:
            found.append(run)
        run = ""
    if len(run) > 1:
        found.append(run)
    return list(dict.fromkeys(found))


def analyse_zh(question: str) -> QuestionInfo:
    """The QuestionInfo of a Chinese question (qa.question.analyse sends them here)."""
    text = question.strip()
    words = list(zh.words(_core(text)))
    read = read_asked_zh(text)
    if read is not None:
        asked, name, wh_word = read
        wh, types = _wh(wh_word)
        form = frozenset({asked.phrase})
        names = [name]
        cues = [form]
        verb = form if asked.phrase in lexicon().zh_forms("verbs") else frozenset()
        return QuestionInfo(
            text=text, wh=wh, passage_cue=False, cues=cues, answer_types=types,
            main_verb=verb, head=form, mentions=[Mention(name, 0, len(name), True)],
            names=names, tokens=words, words=frozenset(words) | form,
            copular=not verb, asked=asked,
        )  # fmt: skip
    names = names_zh(text)
    named = set().union(*(zh.words(n) for n in names)) if names else set()
    wh_word = next((w for w in words if re.fullmatch(f"{_WHO}|{_WHERE}|{_WHICH}", w)), "")
    wh, types = _wh(wh_word) if wh_word else ("", set())
    cues = [frozenset({w}) for w in zh.content_words(_core(text)) if w not in named]
    mentions = _mentions(words, set(names))
    return QuestionInfo(
        text=text, wh=wh, passage_cue=bool(PASSAGE.search(text)), cues=cues,
        answer_types=types, mentions=mentions, names=names, tokens=words,
        words=frozenset(words),
    )  # fmt: skip


def _mentions(words: list[str], names: set[str], longest: int = 6) -> list[Mention]:
    """Every run of up to `longest` segmented words that holds a content word."""
    out: list[Mention] = []
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + longest) + 1):
            span = "".join(words[start:end])
            if all(w in zh.STOPWORDS for w in words[start:end]):
                continue
            out.append(Mention(span, start, end, span in names or end - start > 1))
    return out

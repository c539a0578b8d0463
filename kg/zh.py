"""Chinese text: detection, word segmentation (jieba, whose dictionary ships in its package),
sentences and the words the full-text index and the QA scorers compare.

Chinese has no spaces between words, so every stage that splits English on whitespace or
`\\w+` (full-text terms, word overlap, "does the answer name X") asks this module instead
whenever a text holds Han characters. English text never reaches jieba.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{HAN}]")
_HAN_RUN = re.compile(f"[{HAN}]+")
# a sentence ends at 。！？； (or their ASCII forms) and at a line break
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
# grammatical words that carry no content: never a full-text term or a word cue
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 也 都 就 而 并 又 还 被 由 于 把 将 从 对 向 为 以 之 其 这 那 "
    "一 个 吗 呢 吧 啊 着 过 地 得 所 等 及其 以及 或 或者 谁 什么 哪 哪里 哪儿 哪个 哪家 "
    "哪位 哪所 哪座 哪些 何时 哪一年 多少 如何 怎么 怎样 为什么 为何".split()
)
_lock = threading.Lock()


def has_han(text: str) -> bool:
    """Whether `text` holds any Han character (a Chinese name inside English counts)."""
    return bool(_HAN.search(text))


def is_chinese(text: str, share: float = 0.3) -> bool:
    """Whether Han characters make up at least `share` of the text's letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _HAN.match(c)) / len(letters) >= share


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """jieba with its bundled dictionary, loaded once (about 1 s) and quietly."""
    import jieba
    import jieba.posseg  # noqa: F401  (part-of-speech tags for names)

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        jieba.initialize()
    return jieba


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """jieba's segmentation, spaces and punctuation dropped."""
    jieba = _jieba()
    return tuple(w for w in (w.strip() for w in jieba.lcut(text)) if w and _is_word(w))


@lru_cache(maxsize=4096)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """(word, jieba part-of-speech flag) pairs: nr person, ns place, nt organisation, v verb."""
    posseg = _jieba().posseg
    return tuple((p.word, p.flag) for p in posseg.lcut(text) if p.word.strip())


def _is_word(w: str) -> bool:
    return any(c.isalnum() for c in w)


def content_words(text: str) -> frozenset[str]:
    """Segmented words minus the grammatical ones (the Chinese `word_forms`)."""
    return frozenset(w.lower() for w in words(text) if w not in STOPWORDS)


def index_terms(text: str) -> str:
    """The words of a text's Han runs, space-separated, for the full-text index ('' when the
    text has none): RediSearch and Lucene split on spaces, which Chinese lacks."""
    if not has_han(text):
        return ""
    found: list[str] = []
    for run in _HAN_RUN.findall(text):
        found.extend(w for w in words(run) if w not in STOPWORDS)
    return " ".join(dict.fromkeys(found))


HIDDEN = "\ue000"  # a private-use character: no pattern matches it as a form


def hide_partial(text: str, forms: Iterable[str]) -> str:
    """`text` (same length) with every occurrence of a form that is not a whole run of
    jieba words replaced by HIDDEN characters, so a pattern cannot read 出版 in 出版社.
    Callers match the result and slice the original text by the match's offsets."""
    bounds = _word_bounds(text)
    chars = list(text)
    kept: set[int] = set()  # characters of whole-word forms (写 inside 撰写 stays)
    for form in sorted(forms, key=len, reverse=True):
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if start in bounds and end in bounds:
                kept.update(range(start, end))
            elif not kept & set(range(start, end)):
                chars[start:end] = HIDDEN * len(form)
            start = text.find(form, start + 1)
    return "".join(chars)


def _word_bounds(text: str) -> set[int]:
    """Character offsets where jieba starts or ends a word (punctuation included)."""
    bounds, pos = {0, len(text)}, 0
    for w in _jieba().lcut(text):
        pos += len(w)
        bounds.add(pos)
    return bounds


def sentences(text: str) -> tuple[str, ...]:
    """Sentences of a Chinese paragraph, cut at 。！？； and line breaks."""
    return tuple(s.strip() for s in _SENTENCE.findall(text) if s.strip())


def spaced(text: str) -> str:
    """Han characters each between spaces, so word-boundary tests work on Chinese."""
    return _HAN.sub(lambda m: f" {m.group(0)} ", text)

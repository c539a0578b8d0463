"""Ranking full-text hits by the question's rare words, one index query per word.

FalkorDB's full-text scores rank badly for OR queries (a passage holding every word of the
question can come last), so each word is looked up on its own and a passage scores the
inverse document frequency of each word it holds (BM25's idf, counted over what the asker
may see, so hidden documents shape no score), weighted by the index's own score for that word.
Only each word's best few hundred hits come back: a common word adds little to any score.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable

from kg import zh

_WORD = re.compile(r"\w+", re.UNICODE)
# RediSearch's default stop words: never worth a lookup.
STOPWORDS = frozenset(
    "a is the an and are as at be but by for if in into it no not of on or such that their "
    "then there these they this to was will with".split()
)


def query_terms(text: str) -> list[str]:
    """The distinct lower-case words of `text`, stop words left out; a run of Chinese is
    segmented as chunks' `terms` are (kg.zh.index_terms), so both sides hold the same words."""
    words: list[str] = []
    for w in _WORD.findall(text):
        words.extend(zh.index_terms(w).split() if zh.has_han(w) else [w.lower()])
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS))


def rank(
    hits_by_term: Iterable[tuple[list[tuple[str, float]], int]], visible_total: int
) -> list[tuple[str, float]]:
    """(id, score) best first, from each term's best (id, index score) hits and the number
    of visible chunks holding it (its document frequency)."""
    scores: dict[str, float] = defaultdict(float)
    for hits, df in hits_by_term:
        if not hits:
            continue
        total = max(visible_total, df)
        idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
        top = max(score for _, score in hits) or 1.0
        for item, score in hits:
            scores[item] += idf * (0.5 + 0.5 * max(score, 0.0) / top)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))

"""Entity linking: which graph entities does a question name?

Three tiers, cheapest and most precise first: exact key or alias match of every question
span (one store call), then the entity full-text index, then name-embedding similarity, the
last two only for names the first tier missed. Every call carries the asker's groups, so an
entity only a restricted document mentions cannot be linked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from kg import zh
from kg.extract.normalize import entity_key
from kg.models import Entity
from kg.stores.base import GraphStore
from qa.question import Mention, QuestionInfo

Embed = Callable[[list[str]], list[list[float]]]

FULLTEXT_MIN_OVERLAP = 0.5  # share of the mention's words the entity's name must contain
EMBEDDING_MIN_SIM = 0.82  # name-embedding cosine for a fuzzy link
TYPO_MIN_RATIO = 0.8  # a word of the mention that differs from the name's must be this close


@dataclass
class Link:
    key: str
    name: str
    type: str
    mention: str  # the question text it was linked from
    score: float  # 1.0 for exact matches
    how: str  # "exact" | "fulltext" | "embedding"
    proper: bool  # linked from a name, not from a common word


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _exact(info: QuestionInfo, store: GraphStore, groups: Sequence[str]) -> list[Link]:
    by_key: dict[str, list[Mention]] = {}
    for m in info.mentions:
        k = entity_key(m.text)
        if k:
            by_key.setdefault(k, []).append(m)
    if not by_key:
        return []
    entities = store.find_entities(list(by_key), groups)
    return [Link(e.key, e.name, e.type, m.text, 1.0, "exact", m.proper)
            for m, e in exact_matches(by_key, entities)]


def exact_matches(
    by_key: dict[str, list[Mention]], entities: Sequence[Entity]
) -> list[tuple[Mention, Entity]]:
    """The mentions that name an entity (by its key or an alias), no two sharing a token.

    Names before common words, longest first, an entity's own name before another's alias,
    then leftmost: a total order, so equally long overlapping mentions ("The Blue Collar
    Worker", "Worker And The Hairdresser") link the same way whatever order the entities
    and their aliases come in (a set's order changes with the interpreter's string hashing).
    """
    matches: list[tuple[Mention, Entity, bool]] = []  # (mention, entity, by its own name)
    for e in entities:
        for k in dict.fromkeys([e.key, *(entity_key(a) for a in e.aliases)]):
            matches.extend((m, e, k == e.key) for m in by_key.get(k, []))
    matches.sort(key=lambda me: (not me[0].proper, me[0].start - me[0].end, not me[2],
                                 me[0].start, me[1].key))
    taken: list[Mention] = []
    chosen: list[tuple[Mention, Entity]] = []
    for m, e, _ in matches:
        if any(_overlaps(m, t) for t in taken):
            continue
        taken.append(m)
        chosen.append((m, e))
    return chosen


def _words(text: str) -> set[str]:
    return set(entity_key(text).split())


def _compatible(mention: str, name: str) -> bool:
    """A fuzzy link may drop words ("Brightwater" -> "Brightwater Labs") or fix a typo, never
    swap one: "Sofia Black" is not "Jack Black", whatever word they share."""
    ours, theirs = _words(mention), _words(name)
    extra_ours, extra_theirs = ours - theirs, theirs - ours
    if not extra_ours or not extra_theirs:
        return True
    return all(
        any(SequenceMatcher(None, w, v).ratio() >= TYPO_MIN_RATIO for v in extra_theirs)
        for w in extra_ours
    )


def _fuzzy(
    names: list[str],
    store: GraphStore,
    groups: Sequence[str],
    embed: Embed,
) -> list[Link]:
    links: list[Link] = []
    for name in names:
        want = _words(name)
        hit: Link | None = None
        for e, score in store.entity_fulltext(name, 3, groups):
            overlap = len(want & _words(e.name)) / max(1, len(want))
            if overlap >= FULLTEXT_MIN_OVERLAP and _compatible(name, e.name):
                hit = Link(e.key, e.name, e.type, name, min(1.0, float(score)), "fulltext", True)
                break
        # not for Chinese names: unrelated ones score 0.85-0.96 with both the default and the
        # multilingual embedder (README, "Chinese documents"), so only exact/full-text link them
        if hit is None and not zh.has_han(name):
            # embedded only now: a name the full-text tier links needs no name model loaded
            for e, sim in store.entity_vector(embed([name])[0], 3, groups):
                if sim >= EMBEDDING_MIN_SIM and _compatible(name, e.name):
                    hit = Link(e.key, e.name, e.type, name, float(sim), "embedding", True)
                    break
        if hit is not None:
            links.append(hit)
    return links


def link_entities(
    info: QuestionInfo, store: GraphStore, groups: Sequence[str], embed: Embed
) -> list[Link]:
    """Linked entities, names first; common-word links ("chemistry") come after them."""
    exact = _exact(info, store, groups)
    # by key: the exact link's mention "Stanley Tucci, Sr" covers the name "Sr." too
    covered = f" {entity_key(' '.join(link.mention for link in exact))} "
    missing = [n for n in info.names if f" {entity_key(n)} " not in covered]
    links = exact + [f for f in _fuzzy(missing, store, groups, embed) if f.key not in
                     {x.key for x in exact}]
    return sorted(links, key=lambda link: not link.proper)


def unlinked_names(info: QuestionInfo, links: list[Link]) -> list[str]:
    """Names in the question that no link covers: the graph (for this asker) lacks them."""
    covered = " ".join(link.mention for link in links).lower()
    return [n for n in info.names if n.lower() not in covered]


def unknown_names(info: QuestionInfo, links: list[Link]) -> list[str]:
    """Unlinked names compared by entity key, so quotes and case around a linked title do
    not count ('"The Grey Harbour' is linked when "The Grey Harbour" is)."""
    covered = f" {entity_key(' '.join(link.mention for link in links))} "
    return [n for n in unlinked_names(info, links) if f" {entity_key(n)} " not in covered]

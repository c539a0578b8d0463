"""Bounded-time chunking for text the sentence splitter cannot handle.

llama-index's SentenceSplitter runs nltk's punkt tokenizer, whose regexes take time that
grows with the length of a run without sentence breaks (a 1 MB one-line file: ~17 s; a 30 MB
one raised nltk's regex TimeoutError and stopped the whole batch). Such text is cut here into
windows of about the chunk size instead, at the last whitespace before the limit: one linear
pass, whatever the input.
"""

from __future__ import annotations

import re

CHARS_PER_TOKEN = 4  # rough size of an English token, enough to size a window
# A paragraph longer than this many chunks' worth of characters is not prose for punkt.
LONG_RUN_CHUNKS = 8
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def is_pathological(text: str, chunk_size: int) -> bool:
    """True when some paragraph is too long for the sentence splitter to finish in time."""
    limit = LONG_RUN_CHUNKS * chunk_size * CHARS_PER_TOKEN
    if len(text) <= limit:
        return False
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        if m.start() - start > limit:
            return True
        start = m.end()
    return len(text) - start > limit


def window_split(text: str, chunk_size: int, chunk_overlap: int) -> list[str]:
    """Windows of ~chunk_size tokens overlapping by ~chunk_overlap, cut at whitespace."""
    size = max(1, chunk_size * CHARS_PER_TOKEN)
    overlap = max(0, min(chunk_overlap, chunk_size // 2)) * CHARS_PER_TOKEN
    parts: list[str] = []
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            half = start + size // 2
            cut = max(text.rfind(" ", half, end), text.rfind("\n", half, end))
            end = cut if cut > start else end
        part = text[start:end].strip()
        if part:
            parts.append(part)
        if end >= n:
            break
        start = max(end - overlap, start + 1)
    return parts

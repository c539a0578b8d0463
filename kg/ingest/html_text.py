"""HTML (and Markdown rendered to HTML) → paragraphs separated by blank lines.

The extractor treats a blank line as a hard boundary and a single newline as a soft wrap, so
headings, list items and paragraphs must come out as separate blocks while the whitespace
inside a paragraph collapses, as a browser would show it. llama-index's HTMLTagReader joins a
tag's children with single newlines and keeps source line breaks; BlockHTMLReader only swaps
that one step. Markdown goes through markdown-it-py (CommonMark) first: llama-index's
MarkdownReader drops blank lines and files a section's text under the next sub-heading.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from llama_index.readers.file import HTMLTagReader

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
SKIPPED_TAGS = {"head", "noscript", "script", "style", "template", "svg"}


def text_blocks(tag: Tag) -> list[str]:
    """The visible text of `tag`, one string per block element, whitespace collapsed."""
    blocks: list[str] = []
    inline: list[str] = []

    def flush() -> None:
        text = " ".join("".join(inline).split())
        if text:
            blocks.append(text)
        inline.clear()

    for child in tag.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child))
        elif isinstance(child, Tag) and child.name not in SKIPPED_TAGS:
            if child.name in BLOCK_TAGS:
                flush()
                blocks.extend(text_blocks(child))
            else:
                inline.append(" " if child.name == "br" else child.get_text())
    flush()
    return blocks


class BlockHTMLReader(HTMLTagReader):
    """HTMLTagReader on <body> with block-aware text (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(tag="body")

    def _extract_text_from_tag(self, tag: Tag) -> str:
        return "\n\n".join(text_blocks(tag))


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """(title, text) of a Markdown document; the title is its first heading ('' if none)."""
    from markdown_it import MarkdownIt

    soup = BeautifulSoup(MarkdownIt("commonmark").render(markdown), "html.parser")
    heading = soup.find(["h1", "h2", "h3", "h4", "h5", "h6"])
    title = " ".join(heading.get_text().split()) if heading else ""
    return title, "\n\n".join(text_blocks(soup))


def html_title(html: str) -> str:
    """<title>, else the first <h1>, else ''."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in (soup.title, soup.find("h1")):
        if tag is not None and tag.get_text(strip=True):
            return " ".join(tag.get_text().split())
    return ""

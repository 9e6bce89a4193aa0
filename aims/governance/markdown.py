"""A small, safe Markdown subset for governed documents, so no new dependency is needed.

Everything is HTML-escaped first; only then are a few constructs turned into tags: headings (#, ##, ###),
paragraphs, bullet (- or *) and numbered (1.) lists, **bold**, *italic*, `code`, and [links](https://...) whose
target is http(s) or mailto only. Raw HTML in the source is shown as text, never rendered, so a document cannot
carry script or style into a page (the CSP would refuse it anyway).
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^\s)\"'<>]+)\)")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBER = re.compile(r"^\d+[.)]\s+(.*)$")


def _inline(text: str) -> str:
    """Inline markup over already-escaped text; code spans are protected from the other rules."""
    spans: list[str] = []

    def keep(match: re.Match[str]) -> str:
        spans.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE.sub(keep, text)
    text = _LINK.sub(lambda m: f'<a href="{m.group(2)}" rel="nofollow noopener">{m.group(1)}</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)


def render(source: str) -> SafeString:
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in source.replace("\r\n", "\n").replace("\x00", "").split("\n"):
        line = escape(raw.rstrip())
        if not line.strip():
            flush_paragraph()
            close_list()
            continue
        stripped = line.strip()
        if heading := _HEADING.match(stripped):
            flush_paragraph()
            close_list()
            # Document headings start at h2: the page's own title is the h1.
            level = len(heading.group(1)) + 1
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        item = _BULLET.match(stripped)
        tag = "ul"
        if item is None:
            item = _NUMBER.match(stripped)
            tag = "ol"
        if item is not None:
            flush_paragraph()
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            out.append(f"<li>{_inline(item.group(1))}</li>")
            continue
        close_list()
        paragraph.append(stripped)
    flush_paragraph()
    close_list()
    return mark_safe("\n".join(out))

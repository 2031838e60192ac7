"""Small HTML transforms of the site (and the shared template folder, re-exported)."""

from __future__ import annotations

import html
import re

from helpers.core.templating import TEMPLATES

__all__ = ["TEMPLATES", "strip_css_comments", "wrap_tables"]


CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)


def strip_css_comments(html: str) -> str:
    """Remove ``/* ... */`` comments inside ``<style>`` blocks (smaller pages).

    >>> strip_css_comments("<style>a{} /* x */</style>/* kept */")
    '<style>a{} </style>/* kept */'
    """
    return STYLE_BLOCK.sub(lambda m: m.group(1) + CSS_COMMENT.sub("", m.group(2)) + m.group(3), html)


_TABLE = re.compile(
    r'<div class="mon-scroll">\s*(<table\b.*?</table>)\s*</div>|(<table\b.*?</table>)', re.DOTALL | re.IGNORECASE
)
_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)
_HEAD_CELL = re.compile(r"<th\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")

#: Tables with at least this many columns get a "wischen" hint on narrow screens.
WIDE_TABLE_COLUMNS = 4


def _scroll_container(match: re.Match[str]) -> str:
    table = match.group(1) or match.group(2)
    caption = _CAPTION.search(table)
    name = html.unescape(_TAG.sub("", caption.group(1))).strip() if caption else ""
    head = table.split("</thead>", 1)[0] if "</thead>" in table else ""
    hint = (
        '<p class="mon-swipe" aria-hidden="true">← Tabelle seitlich wischen →</p>'
        if len(_HEAD_CELL.findall(head)) >= WIDE_TABLE_COLUMNS
        else ""
    )
    label = html.escape(f"Tabelle: {name}" if name else "Tabelle", quote=True)
    return f'{hint}<div class="mon-scroll" role="region" tabindex="0" aria-label="{label}">{table}</div>'


def wrap_tables(page: str) -> str:
    """Put every table in a keyboard-reachable horizontal scroll container (phones), with a
    "wischen" hint before wide tables; tables already in a ``mon-scroll`` div keep that one.

    >>> wrap_tables('<table><caption>A &amp; B</caption></table>')[:83]
    '<div class="mon-scroll" role="region" tabindex="0" aria-label="Tabelle: A &amp; B">'
    >>> wrap_tables('<div><div class="mon-scroll"><table></table></div></div>').count("</div>")
    2
    """
    return _TABLE.sub(_scroll_container, page)

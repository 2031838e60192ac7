"""Small HTML transforms of the site (and the shared template folder, re-exported)."""

from __future__ import annotations

import re

from helpers.core.templating import TEMPLATES

__all__ = ["TEMPLATES", "strip_css_comments"]


CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)


def strip_css_comments(html: str) -> str:
    """Remove ``/* ... */`` comments inside ``<style>`` blocks (smaller pages).

    >>> strip_css_comments("<style>a{} /* x */</style>/* kept */")
    '<style>a{} </style>/* kept */'
    """
    return STYLE_BLOCK.sub(lambda m: m.group(1) + CSS_COMMENT.sub("", m.group(2)) + m.group(3), html)

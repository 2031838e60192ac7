"""Shared markup resources of the site: the template folder and small HTML transforms."""

from __future__ import annotations

import re
from pathlib import Path

#: Jinja2 templates of pages and fragments (nbconvert's page template, index, methods).
TEMPLATES = Path(__file__).resolve().parent / "templates"

CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)


def strip_css_comments(html: str) -> str:
    """Remove ``/* ... */`` comments inside ``<style>`` blocks (smaller pages).

    >>> strip_css_comments("<style>a{} /* x */</style>/* kept */")
    '<style>a{} </style>/* kept */'
    """
    return STYLE_BLOCK.sub(lambda m: m.group(1) + CSS_COMMENT.sub("", m.group(2)) + m.group(3), html)

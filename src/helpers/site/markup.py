"""Small HTML transforms of the site (and the shared template folder, re-exported)."""

from __future__ import annotations

import html
import re

from helpers.core.templating import TEMPLATES

__all__ = ["TEMPLATES", "link_glossary_terms", "strip_css_comments", "wrap_tables"]


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


_TOKEN = re.compile(r"(<!--.*?-->|<[^>]+>)", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
#: No glossary links inside these elements (links, headings, navigation, code, charts, table heads).
_NO_LINK = frozenset(
    {
        "a",
        "script",
        "style",
        "svg",
        "title",
        "head",
        "header",
        "footer",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "th",
        "caption",
        "summary",
        "button",
        "label",
        "figcaption",
        "option",
        "select",
        "textarea",
    }
)


def link_glossary_terms(page: str, glossary_href: str, surfaces: dict[str, tuple[str, ...]] | None = None) -> str:
    """Link the first use of each glossary term in the page's running text to its glossary entry.

    Only text inside ``<main>`` and outside links, headings, navigation, charts and table heads is
    touched; each term is linked once per page.

    >>> page = "<main><h2>Prozentpunkte</h2><p>2 Prozentpunkte, 3 Prozentpunkte</p></main>"
    >>> link_glossary_terms(page, "g.html", {"Prozentpunkte": (r"Prozentpunkte",)})[28:]
    '<p>2 <a class="mon-term" href="g.html#Prozentpunkte">Prozentpunkte</a>, 3 Prozentpunkte</p></main>'
    """
    if surfaces is None:
        from helpers.site.glossary import SURFACES as surfaces
    if not glossary_href or "<main" not in page:
        return page
    patterns = {
        anchor: re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w-])") for anchor, forms in surfaces.items()
    }
    done: set[str] = set()
    blocked: list[str] = []
    in_main = False
    out: list[str] = []
    for token in _TOKEN.split(page):
        if token.startswith("<"):
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match and not token.startswith("<!") else ""
            if name == "main":
                in_main = not token.startswith("</")
            elif name in _NO_LINK and not token.endswith("/>"):
                if token.startswith("</"):
                    if name in blocked:
                        del blocked[len(blocked) - 1 - blocked[::-1].index(name)]
                else:
                    blocked.append(name)
            out.append(token)
            continue
        if in_main and not blocked and token.strip() and len(done) < len(patterns):
            token = _link_text(token, patterns, done, glossary_href)
        out.append(token)
    return "".join(out)


def _link_text(text: str, patterns: dict[str, re.Pattern[str]], done: set[str], href: str) -> str:
    """Link the earliest not yet linked term in a text run, then go on after it."""
    found = [(m.start(), anchor, m) for anchor, p in patterns.items() if anchor not in done and (m := p.search(text))]
    if not found:
        return text
    _, anchor, match = min(found, key=lambda f: f[0])
    done.add(anchor)
    link = f'<a class="mon-term" href="{href}#{anchor}">{match.group(0)}</a>'
    return text[: match.start()] + link + _link_text(text[match.end() :], patterns, done, href)

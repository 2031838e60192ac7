"""The one Jinja2 template set of the project: page templates and HTML fragment macros.

``templates/monitoring`` holds the pages (nbconvert's page template, index, methods) and
``templates/fragments.html.j2`` the macros that report code renders small HTML pieces with
(tables, KPI boxes, figures, notes). Autoescaping is on: no markup is built by hand.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

#: The template folder (package data of ``helpers``).
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def environment() -> Environment:
    """The shared environment for fragments (autoescaped; whitespace controlled in the macros)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def fragment(macro: str, *args: object, **kwargs: object) -> str:
    """Render one macro of ``fragments.html.j2``.

    >>> fragment("note", "A & B")
    '<p class="mon-note">A &amp; B</p>'
    """
    module = environment().get_template("fragments.html.j2").module
    return str(getattr(module, macro)(*args, **kwargs))

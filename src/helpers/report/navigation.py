"""Navigation of a Stadtteil profile: the same Stadtteil in other report years, its neighbours
(areas that share a border when polygons exist, else the areas of the same Stadtbezirk), the
fact sheets of the indicators, the methods page, the glossary and the start page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from IPython.display import HTML
from markupsafe import Markup

from helpers.core.config import Config, Stadtteil
from helpers.report.geometry import shares_border


def neighbours(
    config: Config, code: str, geometry: Mapping[str, Sequence[np.ndarray]] | None, tolerance: float = 5.0
) -> tuple[list[Stadtteil], str]:
    """The neighbours of a Stadtteil in config order and how they were found.

    With polygons: the areas that share a border (``"grenze"``); else the other areas of the
    same Stadtbezirk (``"bezirk"``); else none (``""``).
    """
    if geometry is not None and geometry.get(code):
        own = geometry[code]
        found = [s for s in config.stadtteile if s.code != code and geometry.get(s.code)]
        return [s for s in found if shares_border(own, geometry[s.code], tolerance)], "grenze"
    bezirk = config.stadtteil(code).stadtbezirk
    if bezirk is None:
        return [], ""
    return [s for s in config.stadtteile if s.stadtbezirk == bezirk and s.code != code], "bezirk"


def _links(items: Sequence[tuple[str, str]]) -> Markup:
    return Markup(" · ").join(Markup('<a href="{}">{}</a>').format(href, label) for label, href in items)


def profile_nav(ctx) -> HTML:
    """The navigation block of a profile (``ctx``: the page's ``ReportContext``)."""
    st = ctx.stadtteil
    config = ctx.config
    rows: list[tuple[str, Markup]] = []
    others = [y for y in config.report_years if y != ctx.year]
    if others:
        rows.append(
            (f"{st.name} in anderen Jahren", _links([(f"Profil {y}", ctx.href("profil", y, st.slug)) for y in others]))
        )
    near, basis = neighbours(config, st.code, ctx.geometry)
    if near:
        label = (
            "Nachbarstadtteile"
            if basis == "grenze"
            else f"Im selben Stadtbezirk ({config.stadtbezirk(st.stadtbezirk).name})"
        )
        rows.append((label, _links([(s.name, ctx.href("profil", slug=s.slug)) for s in near])))
    more = [("Alle Stadtteile (Startseite)", ctx.href("index"))]
    if ctx.factsheets_published:
        more.append(("Kennzahlenblätter", ctx.href("kennzahl")))
    more += [(f"Methodische Hinweise {ctx.year}", ctx.href("methoden")), ("Glossar", ctx.href("glossar"))]
    rows.append(("Weiter", _links(more)))
    items = Markup("").join(Markup("<li><strong>{}:</strong> {}</li>").format(label, links) for label, links in rows)
    return HTML(
        Markup('<nav class="mon-profile-nav" aria-label="Weitere Seiten zu {}"><ul>{}</ul></nav>').format(
            st.name, items
        )
    )

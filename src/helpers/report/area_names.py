"""Names and links of areas by code, never by name: a Stadtbezirk row says „Stadtbezirk“ and links to nothing
(there is no Bezirk page), a Stadtteil row links to its profile, even where a Stadtbezirk and a Stadtteil share
a name (Köln: Stadtbezirk Chorweiler and Stadtteil Chorweiler)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.core.config import Config


def bezirk_label(name: str) -> str:
    """The name of a Stadtbezirk as a reader sees it: with the word „Stadtbezirk“ unless it has it.

    >>> bezirk_label("Chorweiler"), bezirk_label("Stadtbezirk II")
    ('Stadtbezirk Chorweiler', 'Stadtbezirk II')
    """
    return name if name.lower().startswith("stadtbezirk") else f"Stadtbezirk {name}"


def area_label(level: str, name: str) -> str:
    """The label of an area row: Stadtbezirke say so, Stadtteile and the city keep their name.

    >>> area_label("stadtbezirk", "Lindenthal"), area_label("stadtteil", "Lindenthal")
    ('Stadtbezirk Lindenthal', 'Lindenthal')
    """
    return bezirk_label(name) if level == "stadtbezirk" else name


def area_path(config: Config, code: str) -> str:
    """Commune and Stadtbezirk of a Stadtteil ('Köln, Stadtbezirk Chorweiler'; the commune alone without
    Stadtbezirke)."""
    st = config.stadtteil(code)
    if st.stadtbezirk is None:
        return config.commune.name
    return f"{config.commune.name}, {bezirk_label(config.stadtbezirk(st.stadtbezirk).name)}"


def row_links(rows: pd.DataFrame, profile_href: Mapping[str, str]) -> list[str | None]:
    """One link per area row (``area_level``, ``area_code``): a Stadtteil's profile (``profile_href`` by its
    code), nothing for a Stadtbezirk or the city."""
    return [
        profile_href.get(code) if level == "stadtteil" else None
        for level, code in zip(rows["area_level"], rows["area_code"], strict=True)
    ]


def overview_html(summary: pd.DataFrame, year: int, caption: str, note: str, profile_href: Mapping[str, str]):
    """The city report's population table of all areas in ``year``: Stadtbezirk rows labelled „Stadtbezirk …“
    without a link, Stadtteil names linked to their profiles by code."""
    from IPython.display import HTML

    from helpers.core.templating import fragment
    from helpers.report import demography

    rows = summary[summary["year"] == year]
    table = demography.overview_table(summary, year)
    table.iloc[:, 0] = [area_label(lv, n) for lv, n in zip(rows["area_level"], rows["area_name"], strict=True)]
    hrefs = row_links(rows, profile_href)
    numeric, public = demography.OVERVIEW_NUMERIC, demography.OVERVIEW_PUBLIC
    header = [(str(c), c in numeric) for c in table.columns]
    body = [
        [
            (str(v), col in numeric, hrefs[r] if i == 0 else None, None, public.get(col))
            for i, (col, v) in enumerate(zip(table.columns, values, strict=True))
        ]
        for r, values in enumerate(table.itertuples(index=False))
    ]
    return HTML(fragment("table", caption, header, body, note))

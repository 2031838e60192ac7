"""Indicator tables for the report pages, built only from the *published* indicator table.

Every value cell carries ``data-cell="<indicator>|<year>|<level>|<area code>"`` (its counts and
interval ``<key>#numerator``, ``<key>#denominator``, ``<key>#ci``) so the confidentiality check can
compare each page with the open data, cell by cell; changes are tagged ``data-public="derived"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from helpers.core.formatting import NBSP, fmt_number
from helpers.core.numbertags import cell, public, text
from helpers.core.tables import records
from helpers.core.templating import fragment
from helpers.indicators.catalogue import Catalogue, Indicator

DECIMALS = {"pct": 1, "per_1000": 1, "per_10000": 1, "eur": 0}
SUFFIX = {"pct": f"{NBSP}%", "per_1000": "", "per_10000": "", "eur": f"{NBSP}€"}
UNIT_HEADER = {"pct": "%", "per_1000": "je 1.000", "per_10000": "je 10.000", "eur": "€"}
#: Units written after a rate's number (a share's "%" and an amount's "€" are part of the published text).
RATE_UNIT = {"per_1000": " je 1.000", "per_10000": " je 10.000"}


#: A published zero of a places indicator (no place at all), by the level of the area.
ZERO_PLACES = {
    "stadtteil": "0 – kein Angebot im Stadtteil",
    "stadtbezirk": "0 – kein Angebot im Stadtbezirk",
    "stadt": "0 – kein Angebot in der Stadt",
    "compact": "0 – kein Angebot",
}


def counts_places(ind: Indicator) -> bool:
    """Whether an indicator counts places of prevention services (a zero there means: no service)."""
    return ind.numerator.source == "services"


def fmt_value(value: float, unit: str, symbol: str, places: str = "") -> str:
    """An indicator value with its symbol: "." secret, "(12,3 %)" uncertain, and a true zero ("–" in
    the open data) as "0" - it is published, not secret. ``places``: the area level of a places
    indicator (:data:`ZERO_PLACES`), whose zero reads "0 – kein Angebot im Stadtteil".

    >>> fmt_value(12.34, "pct", ""), fmt_value(12.34, "pct", "( )"), fmt_value(None, "pct", ".")
    ('12,3\\xa0%', '(12,3\\xa0%)', '.')
    >>> fmt_value(0.0, "pct", "–"), fmt_value(0.0, "per_1000", "–", "stadtteil")
    ('0', '0 – kein Angebot im Stadtteil')
    """
    if symbol == ".":
        return "."
    if symbol == "–":
        return ZERO_PLACES.get(places, "0")
    text = fmt_number(value, DECIMALS[unit]) + SUFFIX[unit]
    return f"({text})" if symbol == "( )" else text


def has_value(row: Mapping | None) -> bool:
    """Whether a published cell has a value that may be shown, drawn and compared: not secret (".")
    and not empty. A true zero ("–") has one: 0.

    >>> has_value({"symbol": "–", "value": 0.0}), has_value({"symbol": ".", "value": None}), has_value(None)
    (True, False, False)
    """
    return row is not None and row["symbol"] != "." and not pd.isna(row["value"])


def fmt_interval(low: float, high: float, unit: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return ""
    d = DECIMALS[unit]
    return f"{fmt_number(low, d)}–{fmt_number(high, d)}"


def cell_key(row: pd.Series | dict) -> str:
    return f"{row['indicator_id']}|{int(row['year'])}|{row['area_level']}|{row['area_code']}"


Cells = dict[tuple[str, int, str, str], dict]


def published_cells(published: pd.DataFrame, ids: list[str], years: list[int]) -> Cells:
    """The published cells of these indicators and years, keyed (indicator, year, level, code).

    One pass over the table; the table loops then look cells up in a dict instead of
    filtering the whole frame for every cell.
    """
    part = published[published["indicator_id"].isin(ids) & published["year"].isin(years)]
    return {(r["indicator_id"], int(r["year"]), r["area_level"], r["area_code"]): r for r in records(part)}


def _row(cells: Cells, ind: str, year: int, level: str, code: str) -> dict | None:
    return cells.get((ind, year, level, code))


def _cell(row: dict | None, unit: str, compact: bool = False, places: bool = False) -> dict | None:
    """What the ``value_cell`` macro shows for one published cell (None: no cell, "."); ``places``:
    the indicator counts places (its zero reads "0 – kein Angebot …")."""
    if row is None:
        return None
    pooled = f"{int(row['pooled_from'])}–{int(row['year'])}" if pd.notna(row["pooled_from"]) else ""
    text = fmt_value(row["value"], unit, row["symbol"], _places_level(row, compact) if places else "")
    return {"key": cell_key(row), "text": text, "pooled": pooled, "compact": compact}


def _places_level(row: Mapping, compact: bool = False) -> str:
    return "compact" if compact else str(row["area_level"])


#: Arrows say the direction of a change (up/down), never whether it is good; words say that.
ARROW = {True: ("▲", "gestiegen"), False: ("▼", "gesunken")}


def change_mark(diff: float, direction: str) -> tuple[str, str, str, str]:
    """(css class, arrow, arrow title, verdict word) of a statistically detectable change.

    The arrow is the direction (▲ gestiegen, ▼ gesunken); the word says whether that is
    favourable for the indicator (none for neutral indicators).

    >>> change_mark(-0.4, "lower_better")
    ('mon-better', '▼', 'gesunken (statistisch erkennbar)', 'günstiger')
    >>> change_mark(0.4, "higher_better")[1:]
    ('▲', 'gestiegen (statistisch erkennbar)', 'günstiger')
    >>> change_mark(0.4, "neutral")
    ('', '▲', 'gestiegen (statistisch erkennbar)', '')
    """
    arrow, moved = ARROW[diff > 0]
    title = f"{moved} (statistisch erkennbar)"
    if direction == "neutral":
        return "", arrow, title, ""
    better = (diff > 0) == (direction == "higher_better")
    return ("mon-better", arrow, title, "günstiger") if better else ("mon-worse", arrow, title, "ungünstiger")


def trend_mark(trend: Mapping | None, ind: Indicator, common_period: str = "") -> Markup:
    """The area's trend as on every page (``helpers.analysis.trends``): the change over the named years,
    ▲/▼ for its direction and, in words, "günstiger"/"ungünstiger" — only where the trend has a direction
    (its adjusted interval excludes 0); otherwise the verdict in words. The years are left out when they
    are ``common_period`` (a table that names them in its header)."""
    from helpers.report.labels import TREND
    from helpers.report.trend_sections import change_parts, period, unit_label

    if trend is None:
        return Markup("–")
    parts = change_parts(trend, ind.unit)
    if parts is None:
        return Markup.escape(TREND.get(trend.get("verdict_code", ""), "–"))
    years = period(trend)
    shown = f"{parts[0]} {unit_label(ind.unit)}" + ("" if years == common_period else f" ({years})")
    if trend["verdict_code"] not in ("rising", "falling"):
        return Markup(fragment("change", f"{shown}, kein klarer Trend"))
    css, arrow, title, word = change_mark(1.0 if trend["verdict_code"] == "rising" else -1.0, ind.direction)
    return Markup(fragment("change", shown, css, word, arrow, title))


@dataclass(frozen=True)
class Place:
    """Where an indicator table or the key-figure boxes look: a report year, an area (level, code,
    name) and the city beside it (a page's ``ReportScope.place``)."""

    year: int
    level: str
    code: str
    name: str
    city_code: str
    city_name: str


def indicator_table(
    published: pd.DataFrame,
    indicators: list[Indicator],
    place: Place,
    caption: str,
    links: Mapping[str, str] | None = None,
    trends: Mapping[str, Mapping] | None = None,
) -> HTML:
    """One area's indicators with interval, counts, city value and trend.

    ``links`` maps indicator ids to the href of their fact sheet (names link there; none without);
    ``trends`` indicator ids to the area's trend row of the report year.
    """
    year = place.year
    cells = published_cells(published, [i.id for i in indicators], [year])
    rows = []
    for ind in indicators:
        now = _row(cells, ind.id, year, place.level, place.code)
        city = _row(cells, ind.id, year, "stadt", place.city_code)
        ci = "" if now is None or now["symbol"] == "." else fmt_interval(now["ci_lower"], now["ci_upper"], ind.unit)
        counts = Markup(".")
        if now is not None and (pd.notna(now["numerator"]) or pd.notna(now["denominator"])):
            key = cell_key(now)
            counts = text(
                "{} / {}",
                cell(fmt_number(now["numerator"]), f"{key}#numerator"),
                cell(fmt_number(now["denominator"]), f"{key}#denominator"),
            )
        rows.append(
            {
                "definition": ind.definition,
                "short": ind.short,
                "href": (links or {}).get(ind.id, ""),
                "unit": UNIT_HEADER[ind.unit],
                "now": _cell(now, ind.unit, places=counts_places(ind)),
                "ci": ci,
                "ci_key": f"{cell_key(now)}#ci" if ci else None,
                "counts": counts,
                "city": _cell(city, ind.unit, places=counts_places(ind)),
                "change": trend_mark((trends or {}).get(ind.id), ind),
            }
        )
    return HTML(fragment("indicator_table", caption, place.name, place.city_name, rows))


def phase_sections(catalogue: Catalogue) -> list[tuple[str, list[Indicator]]]:
    """Life phases in report order with their indicators (phases without any left out)."""
    return [(phase, inds) for phase, inds in catalogue.by_phase().items() if inds]


def area_matrix(
    published: pd.DataFrame,
    indicators: list[Indicator],
    year: int,
    areas: list[tuple[str, str, str]],
    caption: str,
    links: Mapping[str, str] | None = None,
) -> HTML:
    """Indicators (rows) x areas (columns) for one year: the Lebenslauf-Matrix.

    ``areas``: (level, code, label) in column order; ``links``: indicator id -> fact-sheet href.
    """
    cells = published_cells(published, [i.id for i in indicators], [year])
    rows = [
        (
            f"{ind.short} ({UNIT_HEADER[ind.unit]})",
            (links or {}).get(ind.id, ""),
            [
                _cell(_row(cells, ind.id, year, lvl, code), ind.unit, compact=True, places=counts_places(ind))
                for lvl, code, _ in areas
            ],
        )
        for ind in indicators
    ]
    return HTML(fragment("area_matrix", caption, [label for _, _, label in areas], rows))


def legend() -> HTML:
    """The Zeichenerklärung under indicator tables."""
    return HTML(
        fragment(
            "note",
            text(
                "Zeichenerklärung: „.“ Zahlenwert geheim zu halten (weniger als {} Fälle oder daraus errechenbar) "
                "oder unbekannt; „{}“ genau null (in den offenen Daten „–“ nichts vorhanden), bei Angebotsplätzen "
                "„{} – kein Angebot im Stadtteil“; „( )“ Aussagewert eingeschränkt, da die Bezugsgröße klein ist; "
                "„zusammengefasst“ mit Jahresangabe oder „M“: Mehrjahreswert (mehrere Jahre zusammengefasst) für "
                "kleine Stadtteile. KI: 95-%-Konfidenzintervall. Trend: Veränderung über alle verfügbaren Jahre "
                "(Zeitraum in Klammern); ▲ gestiegen, ▼ gesunken, dazu in Worten „günstiger“ oder „ungünstiger“; "
                "beides nur, wenn die Veränderung mehr ist, als der Zufall erklärt (bereinigtes Intervall der "
                "Veränderung ohne {}).",
                public(3, "config"),
                public(0, "config"),
                public(0, "config"),
                public(0, "config"),
            ),
        )
    )


def shown_cell(row: Mapping | None, unit: str, places: bool = False) -> Markup:
    """A published cell as tagged text for prose and boxes ("." where there is no cell; ``places``:
    a places indicator, whose zero reads "0 – kein Angebot …")."""
    if row is None:
        return Markup(".")
    return cell(fmt_value(row["value"], unit, row["symbol"], _places_level(row) if places else ""), cell_key(row))


class PublishedValues(dict[str, float]):
    """Published values by area code (a plain dict to read) that also know the ``data-cell`` key of
    each value (``cells``: area code -> key) and its symbol (``symbols``: "( )" uncertain, "–" a true
    zero, "" plain), so a map that prints a value shows and tags it exactly as the tables do.

    >>> v = PublishedValues({"101": 12.5}, {"101": "sgb2_u15|2025|stadtteil|101"}, {"101": "( )"})
    >>> v["101"], v.cells["101"], v.symbols["101"]
    (12.5, 'sgb2_u15|2025|stadtteil|101', '( )')
    """

    def __init__(self, values: Mapping[str, float], cells: Mapping[str, str], symbols: Mapping[str, str]) -> None:
        super().__init__(values)
        self.cells = dict(cells)
        self.symbols = dict(symbols)


@dataclass(frozen=True)
class ChartInput:
    """Chart values taken from published cells only, with the ``data-cell`` keys they came from."""

    values: dict[str, float]  # area code -> published value
    keys: tuple[str, ...]


def published_values(published: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    """The published values of these cells, for a chart; ValueError if any cell is not published
    with a value (secret "." or absent): a chart must never show what a table hides. A true zero
    ("–") is published: 0."""
    parts = [key.split("|") for key in keys]
    ids, years = {p[0] for p in parts}, {int(p[1]) for p in parts}
    part = published[published["indicator_id"].isin(ids) & published["year"].isin(years)]  # only what is asked
    rows = {cell_key(r): r for r in records(part)}
    out = {}
    for key in keys:
        r = rows.get(key)
        if not has_value(r):
            raise ValueError(f"Diagramm aus einer nicht veröffentlichten Zelle: {key}")
        out[key] = float(r["value"])
    return out


def chart_input(published: pd.DataFrame, indicator_id: str, year: int, level: str = "stadtteil") -> ChartInput:
    """The values of one indicator and year for a chart or map: every area with a published value
    (secret cells stay out and show as "nicht veröffentlicht"; a true zero is drawn as 0), checked by
    ``published_values``."""
    part = published[
        published["indicator_id"].eq(indicator_id)
        & published["year"].eq(year)
        & published["area_level"].eq(level)
        & published["symbol"].ne(".")
        & published["value"].notna()
    ]
    rows = records(part)
    keys = [cell_key(r) for r in rows]
    values = published_values(published, keys)
    by_code = {k.split("|")[3]: v for k, v in values.items()}
    symbols = {r["area_code"]: str(r["symbol"] or "") for r in rows}
    return ChartInput(PublishedValues(by_code, {k.split("|")[3]: k for k in keys}, symbols), tuple(keys))

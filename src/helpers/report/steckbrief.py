"""The Steckbrief of a Stadtteil profile: which indicators lie clearly above or below the city,
named in sentences, and the data of the dot-and-bar chart (area value with its 95 % interval,
the city value as a mark).

"Deutlich" is said only where the area's published 95 % interval excludes the city value, so
every verdict agrees with the interval printed beside it. Only published cells enter; secret
cells are named "nicht veröffentlicht" and never drawn. A true zero is published: it is drawn as
0 and compared like any value; a zero of places (no prevention service in the Stadtteil) is a
finding of its own, "Kein Angebot im Stadtteil".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from helpers.core.numbertags import cell, public, text
from helpers.indicators.catalogue import Indicator
from helpers.report.indicator_tables import (
    UNIT_HEADER,
    ZERO_PLACES,
    cell_key,
    counts_places,
    fmt_interval,
    fmt_value,
    has_value,
    published_cells,
    published_values,
    shown_cell,
)

#: Verdict codes of an area against the city (``compare_to_city``; ``NO_OFFER``: a places indicator is 0).
BETTER, WORSE, HIGHER, LOWER, SIMILAR = "better", "worse", "higher", "lower", "similar"
NO_OFFER = "no_offer"

#: Sentence heads of the verdicts, in the order the Steckbrief lists them.
HEADS = {
    WORSE: "Deutlich ungünstiger als in der Gesamtstadt",
    NO_OFFER: "Kein Angebot im Stadtteil",
    BETTER: "Deutlich günstiger als in der Gesamtstadt",
    HIGHER: "Deutlich höher als in der Gesamtstadt (ohne Wertung)",
    LOWER: "Deutlich niedriger als in der Gesamtstadt (ohne Wertung)",
}


def shown(row: Mapping | None) -> bool:
    """Whether a published cell has a value that may be shown and compared (not secret "." or empty;
    a true zero "–" has the value 0)."""
    return has_value(row)


def compare_to_city(local: Mapping | None, city: Mapping | None, direction: str) -> str | None:
    """The verdict of an area's cell against the city value, from the area's 95 % interval.

    ``above``/``below`` only when the interval excludes the city value; then better/worse by the
    indicator's direction (higher/lower for neutral indicators); else ``similar``. None when either
    value is not published or the area has no interval.

    >>> row = {"symbol": "", "value": 36.5, "ci_lower": 33.1, "ci_upper": 40.0}
    >>> compare_to_city(row, {"symbol": "", "value": 22.1}, "lower_better")
    'worse'
    >>> compare_to_city(row, {"symbol": "", "value": 35.0}, "lower_better")
    'similar'
    >>> compare_to_city(row, {"symbol": "", "value": 22.1}, "neutral")
    'higher'
    """
    if not shown(local) or not shown(city) or pd.isna(local["ci_lower"]) or pd.isna(local["ci_upper"]):
        return None
    above, below = local["ci_lower"] > city["value"], local["ci_upper"] < city["value"]
    if not (above or below):
        return SIMILAR
    if direction == "neutral":
        return HIGHER if above else LOWER
    return BETTER if above == (direction == "higher_better") else WORSE


@dataclass(frozen=True)
class Comparison:
    """One indicator of an area against the city: verdict and the cells it rests on."""

    indicator: Indicator
    verdict: str | None  # None: not comparable (not published)
    local: Mapping | None
    city: Mapping | None


def comparisons(
    published: pd.DataFrame, indicators: Sequence[Indicator], year: int, code: str, city_code: str
) -> list[Comparison]:
    """Every indicator of an area in ``year`` against the city, in the given order."""
    cells = published_cells(published, [i.id for i in indicators], [year])
    out = []
    for ind in indicators:
        local = cells.get((ind.id, year, "stadtteil", code))
        city = cells.get((ind.id, year, "stadt", city_code))
        verdict = compare_to_city(local, city, ind.direction)
        if counts_places(ind) and shown(local) and local["value"] == 0:
            verdict = NO_OFFER
        out.append(Comparison(ind, verdict, local, city))
    return out


def _name(ind: Indicator, links: Mapping[str, str]) -> Markup:
    href = links.get(ind.id)
    return Markup('<a href="{}">{}</a>').format(href, ind.name) if href else Markup("{}").format(ind.name)


def _pooled(row: Mapping) -> Markup:
    if pd.isna(row.get("pooled_from")):
        return Markup("")
    return text(", {}–{} zusammengefasst", public(int(row["pooled_from"]), "year"), public(int(row["year"]), "year"))


def named_value(
    c: Comparison, links: Mapping[str, str], city_label: str | None = "Stadt", label: str | None = None
) -> Markup:
    """ "Name (36,5 %, KI 33,1–40,0; Stadt 22,1 %)" with every number tagged as its published cell
    (``label`` instead of the indicator's name, e.g. an area's name; ``city_label`` None: no city value)."""
    unit = c.indicator.unit
    key = cell_key(c.local)
    ci = fmt_interval(c.local["ci_lower"], c.local["ci_upper"], unit)
    places = counts_places(c.indicator)
    city = Markup("") if city_label is None else text("; {} {}", city_label, shown_cell(c.city, unit, places))
    if not ci:  # no interval (places of services are counted, not sampled): the value and the city
        return text("{} ({}{})", _name(c.indicator, links) if label is None else label, shown_cell(c.local, unit), city)
    return text(
        "{} ({}{}, KI {}{})",
        _name(c.indicator, links) if label is None else label,
        shown_cell(c.local, unit),
        _pooled(c.local),
        cell(ci, f"{key}#ci"),
        city,
    )


def _join(items: Sequence[Markup]) -> Markup:
    if len(items) == 1:
        return items[0]
    return Markup(", ").join(items[:-1]) + Markup(" und ") + items[-1]


def steckbrief_sentences(
    items: Sequence[Comparison], name: str, links: Mapping[str, str] | None = None
) -> list[Markup]:
    """The Steckbrief in sentences: clearly worse, clearly better (and clearly different without a
    judgement), then how many indicators do not differ reliably and how many are not published."""
    links = links or {}
    out = []
    for verdict, head in HEADS.items():
        chosen = [c for c in items if c.verdict == verdict]
        if chosen:
            out.append(text("{}: {}.", head, _join([named_value(c, links) for c in chosen])))
    return out + _rest_sentences(items, name, bool(out))


def steckbrief_list(items: Sequence[Comparison], name: str, links: Mapping[str, str] | None = None) -> Markup:
    """The Steckbrief as list items for the box on top of a profile: as :func:`steckbrief_sentences`,
    but each verdict's indicators as a sub-list (easier to scan)."""
    links = links or {}
    out = []
    for verdict, head in HEADS.items():
        chosen = [c for c in items if c.verdict == verdict]
        if chosen:
            inner = Markup("").join(Markup("<li>{}</li>").format(named_value(c, links)) for c in chosen)
            out.append(Markup("<li>{}:<ul>{}</ul></li>").format(head, inner))
    rest = _rest_sentences(items, name, bool(out))
    return Markup("").join(out) + Markup("").join(Markup("<li>{}</li>").format(r) for r in rest)


def _rest_sentences(items: Sequence[Comparison], name: str, any_clear: bool) -> list[Markup]:
    """No clear difference at all (said only when there is none), how many indicators do not differ
    reliably, how many are not published."""
    out = []
    if not any_clear:
        out.append(Markup("{} unterscheidet sich bei keiner Kennzahl deutlich von der Gesamtstadt.").format(name))
    similar = sum(c.verdict == SIMILAR for c in items)
    secret = sum(c.verdict is None and c.local is not None and c.local["symbol"] == "." for c in items)
    no_comparison = sum(c.verdict is None for c in items) - secret
    if similar:
        out.append(
            text(
                "Kein belastbarer Unterschied zur Gesamtstadt bei {} (das 95-%-Konfidenzintervall schließt den "
                "städtischen Wert ein).",
                public(_count(similar, any_clear), "count"),
            )
        )
    if secret:
        out.append(text("Nicht veröffentlicht (geheim gehalten): {}.", public(_count(secret, False), "count")))
    if no_comparison:
        out.append(
            text(
                "Ohne Vergleich mit der Gesamtstadt (kein Konfidenzintervall oder kein Wert): {}.",
                public(_count(no_comparison, False), "count"),
            )
        )
    return out


def _count(n: int, further: bool) -> str:
    """ "einer weiteren Kennzahl" / "12 weiteren Kennzahlen" (dative).

    >>> _count(1, True), _count(12, False)
    ('einer weiteren Kennzahl', '12 Kennzahlen')
    """
    if n == 1:
        return "einer weiteren Kennzahl" if further else "einer Kennzahl"
    return f"{n} weiteren Kennzahlen" if further else f"{n} Kennzahlen"


# --- the dot-and-bar chart ---------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalRow:
    """One row of the dot-and-bar chart: the area value with its interval and the city value."""

    indicator_id: str
    label: str  # "Kurzname (Einheit)"
    unit: str
    value: float | None  # None: not published ("nicht veröffentlicht"), not drawn
    low: float | None
    high: float | None
    city: float | None
    verdict: str | None
    pooled: str  # "2023–2025" or ""


def interval_rows(
    published: pd.DataFrame, indicators: Sequence[Indicator], year: int, code: str, city_code: str
) -> list[IntervalRow]:
    """The chart rows of an area's indicators; values only from published cells (checked by
    ``published_values``), a secret or empty cell gives a row without value."""
    rows = []
    for c in comparisons(published, indicators, year, code, city_code):
        ind = c.indicator
        keys = [cell_key(r) for r in (c.local, c.city) if shown(r)]
        values = published_values(published, keys) if keys else {}
        value = values.get(cell_key(c.local)) if shown(c.local) else None
        city = values.get(cell_key(c.city)) if shown(c.city) else None
        has_ci = value is not None and not pd.isna(c.local["ci_lower"]) and not pd.isna(c.local["ci_upper"])
        pooled = ""
        if value is not None and not pd.isna(c.local.get("pooled_from")):
            pooled = f"{int(c.local['pooled_from'])}–{int(c.local['year'])}"
        rows.append(
            IntervalRow(
                ind.id,
                f"{ind.short} ({UNIT_HEADER[ind.unit]})",
                ind.unit,
                value,
                float(c.local["ci_lower"]) if has_ci else None,
                float(c.local["ci_upper"]) if has_ci else None,
                city,
                c.verdict,
                pooled,
            )
        )
    return rows


def interval_alt(rows: Sequence[IntervalRow], name: str, year: int) -> str:
    """Alt text of the dot-and-bar chart: every value with its interval and the city value."""
    parts = []
    for r in rows:
        label = r.label.split(" (")[0]
        if r.value is None:
            parts.append(f"{label}: nicht veröffentlicht")
            continue
        value = ZERO_PLACES["stadtteil"] if r.verdict == NO_OFFER else fmt_value(r.value, r.unit, "")
        ci = f", 95-%-KI {fmt_interval(r.low, r.high, r.unit)}" if r.low is not None else ""
        city = "" if r.city is None else f", Gesamtstadt {fmt_value(r.city, r.unit, '')}"
        parts.append(f"{label}: {value}{ci}{city}")
    return f"Punktdiagramm mit Intervallen, {name} {year}: " + "; ".join(parts) + "."


# --- time series of the key indicators ---------------------------------------------------------


def series_frame(
    published: pd.DataFrame,
    indicators: Sequence[Indicator],
    years: Sequence[int],
    areas: Sequence[tuple[str, str, str]],
) -> pd.DataFrame:
    """Rows (panel, area_name, year, value) of the published values of these indicators and areas
    over ``years``; ``areas`` are (level, code, name). Years without a published value (secret,
    "–" or no data yet) are left out; every value is checked by ``published_values``."""
    cells = published_cells(published, [i.id for i in indicators], list(years))
    rows, keys = [], []
    for ind in indicators:
        for level, code, name in areas:
            for y in years:
                r = cells.get((ind.id, y, level, code))
                if shown(r):
                    keys.append(cell_key(r))
                    rows.append({"panel": ind.id, "area_name": name, "year": y, "key": keys[-1]})
    values = published_values(published, keys) if keys else {}
    frame = pd.DataFrame(rows, columns=["panel", "area_name", "year", "key"])
    frame["value"] = frame["key"].map(values).astype(float)
    return frame.drop(columns="key")


def series_alt(frame: pd.DataFrame, indicators: Sequence[Indicator], area_name: str) -> str:
    """Alt text of the small multiples: per indicator the years shown and the first and last value
    of the area."""
    parts = []
    for ind in indicators:
        own = frame[(frame["panel"] == ind.id) & (frame["area_name"] == area_name)].sort_values("year")
        if own.empty:
            parts.append(f"{ind.short}: keine veröffentlichten Werte")
            continue
        first, last = own.iloc[0], own.iloc[-1]
        parts.append(
            f"{ind.short}: {int(first['year'])} {fmt_value(first['value'], ind.unit, '')}, "
            f"{int(last['year'])} {fmt_value(last['value'], ind.unit, '')}"
        )
    return (
        f"Liniendiagramme je Kennzahl, {area_name} und Gesamtstadt über die Jahre mit Daten: " + "; ".join(parts) + "."
    )


# --- page blocks --------------------------------------------------------------------------------


def steckbrief_html(
    published: pd.DataFrame,
    indicators: Sequence[Indicator],
    year: int,
    code: str,
    city_code: str,
    name: str,
    links: Mapping[str, str] | None = None,
):
    """The Steckbrief box on top of a profile: the sentences of :func:`steckbrief_sentences`."""
    from IPython.display import HTML

    items = comparisons(published, indicators, year, code, city_code)
    body = steckbrief_list(items, name, links)
    note = Markup(
        "Deutlich heißt: Das 95-%-Konfidenzintervall (KI) des Stadtteils schließt den Wert der Gesamtstadt aus; "
        "ein Unterschied dieser Größe ist kaum durch Zufall zu erklären. Keine Rangliste."
    )
    return HTML(
        Markup(
            '<section class="mon-steckbrief" aria-labelledby="steckbrief"><h2 id="steckbrief">Steckbrief {} {}</h2>'
            '<ul>{}</ul><p class="mon-note">{}</p></section>'
        ).format(name, public(year, "year"), body, note)
    )

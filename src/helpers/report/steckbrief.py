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
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup

from helpers.core.numbertags import cell, public, text
from helpers.indicators.catalogue import Indicator
from helpers.report.indicator_tables import (
    RATE_UNIT,
    UNIT_HEADER,
    ZERO_PLACES,
    Place,
    cell_key,
    counts_places,
    fmt_interval,
    fmt_value,
    has_value,
    published_cells,
    published_values,
    shown_cell,
)

if TYPE_CHECKING:
    from helpers.report.context import ReportScope

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


# --- the ranked Steckbrief: at most six lines, age slices of one topic grouped ------------------

#: Marks of a verdict that work without colour (a shape and, beside it, the words).
MARKS = {
    WORSE: ("⊖", "deutlich ungünstiger"),
    NO_OFFER: ("⊘", "kein Angebot im Stadtteil"),
    BETTER: ("⊕", "deutlich günstiger"),
    HIGHER: ("≠", "deutlich höher (ohne Wertung)"),
    LOWER: ("≠", "deutlich niedriger (ohne Wertung)"),
    SIMILAR: ("○", "kein belastbarer Unterschied"),
    None: ("·", "nicht veröffentlicht oder ohne Vergleich"),
}

#: CSS class of a verdict (the assessment palette of the site: orange unfavourable, purple favourable).
VERDICT_CSS = {WORSE: "mon-a-worse", NO_OFFER: "mon-a-worse", BETTER: "mon-a-better", HIGHER: "mon-a-neutral",
               LOWER: "mon-a-neutral", SIMILAR: "mon-a-similar", None: "mon-a-none"}  # fmt: skip


#: Lines of the Steckbrief at most.
MAX_LINES = 6


def with_unit(row: Mapping | None, unit: str, places: bool = False) -> Markup:
    """A published cell as tagged text with its unit: "456,4 je 10.000" (the rate base outside the tag,
    so the tagged text stays the published one); "." for a secret cell, without unit.

    >>> str(with_unit({"indicator_id": "hze_rate", "year": 2025, "area_level": "stadt", "area_code": "1",
    ...                "value": 273.6, "symbol": ""}, "per_10000"))
    '<span data-cell="hze_rate|2025|stadt|1">273,6</span> je 10.000'
    """
    shown_text = shown_cell(row, unit, places)
    if not shown(row) or (places and row["value"] == 0):
        return shown_text
    return shown_text + Markup(RATE_UNIT.get(unit, ""))


def topic_key(ind: Indicator) -> tuple:
    """Indicators of one topic: the same numerator source counted per inhabitant of an age band in the same
    unit and direction (the SGB-II quotas of six age groups, the HzE rates); any other indicator alone."""
    d = ind.denominator
    if d.source == "population" and d.ages is not None:
        return (ind.numerator.source, d.source, ind.unit, ind.direction)
    return (ind.id,)


def trend_assessment(trend: Mapping | None) -> str:
    """ "favourable" / "unfavourable" for a trend with a direction of a judged indicator, else ""."""
    if trend is None or trend.get("verdict_code") not in ("rising", "falling"):
        return ""
    return str(trend.get("assessment_code") or "")


def priority(c: Comparison, trend: Mapping | None) -> int:
    """How much an indicator matters for the Steckbrief (0 first; 9: nothing to say): clearly worse than the
    city with an unfavourable trend, clearly worse, no service at all, an unfavourable trend, clearly better,
    a favourable trend. Neutral indicators (no judgement) are never ranked.

    >>> priority(Comparison(None, WORSE, None, None), {"verdict_code": "rising", "assessment_code": "unfavourable"})
    0
    >>> priority(Comparison(None, SIMILAR, None, None), {"verdict_code": "rising", "assessment_code": "favourable"})
    5
    """
    t = trend_assessment(trend)
    order = [
        c.verdict == WORSE and t == "unfavourable",
        c.verdict == WORSE,
        c.verdict == NO_OFFER,
        t == "unfavourable",
        c.verdict == BETTER,
        t == "favourable",
    ]
    return order.index(True) if True in order else 9


@dataclass(frozen=True)
class Line:
    """One line of the Steckbrief: the topic's most important indicator and the others of the topic."""

    lead: Comparison
    lead_trend: Mapping | None
    others: tuple[Comparison, ...]
    rank: int


def steckbrief_lines(items: Sequence[Comparison], trends: Mapping[str, Mapping]) -> list[Line]:
    """The topics ranked by importance (:func:`priority`, then the catalogue's ``key`` role rank, then
    catalogue order), each topic once, its most important indicator as the lead; only topics with something
    to say."""
    groups: dict[tuple, list[tuple[tuple, Comparison]]] = {}
    for pos, c in enumerate(items):
        if c.indicator.direction == "neutral":
            continue
        score = (priority(c, trends.get(c.indicator.id)), c.indicator.roles.get("key", 99), pos)
        groups.setdefault(topic_key(c.indicator), []).append((score, c))
    lines = []
    for members in groups.values():
        members.sort(key=lambda m: m[0])
        score, lead = members[0]
        if score[0] < 9:
            others = tuple(c for _, c in sorted(members[1:], key=lambda m: m[0][2]))
            lines.append((score, Line(lead, trends.get(lead.indicator.id), others, score[0])))
    return [line for _, line in sorted(lines, key=lambda x: x[0])]


def _mark(verdict: str | None) -> Markup:
    symbol, words = MARKS[verdict]
    return Markup('<span class="mon-mark {}" title="{}" aria-hidden="true">{}</span>').format(
        VERDICT_CSS[verdict], words, symbol
    )


def _verdict_words(verdict: str | None) -> Markup:
    return Markup('<span class="mon-verdict {}">{}</span>').format(VERDICT_CSS[verdict], MARKS[verdict][1])


def line_html(line: Line, links: Mapping[str, str]) -> Markup:
    """ "⊖ SGB-II-Quote unter 15: 37,1 % (KI 35,3–38,9; Stadt 22,1 %) deutlich ungünstiger · Trend +6,8 Pp.
    (2010–2025) ▲ ungünstiger · ebenso: SGB-II-Quote unter 3 45,3 % ⊖, …" with every number tagged."""
    from helpers.report.indicator_tables import trend_mark

    c = line.lead
    ind = c.indicator
    places = counts_places(ind)
    ci = fmt_interval(c.local["ci_lower"], c.local["ci_upper"], ind.unit) if shown(c.local) else ""
    ci_part = text("KI {}; ", cell(ci, f"{cell_key(c.local)}#ci")) if ci else Markup("")
    head = Markup("{} <strong>{}</strong>: {} ({}Stadt {}) {}").format(
        _mark(c.verdict),
        _name(ind, links),
        with_unit(c.local, ind.unit, places),
        ci_part,
        with_unit(c.city, ind.unit, places),
        Markup("") if c.verdict == NO_OFFER else _verdict_words(c.verdict),
    )
    parts = [head]
    if line.lead_trend is not None:
        parts.append(text("Trend {}", public(trend_mark(line.lead_trend, ind), "derived")))
    if line.others:
        shown_others = [
            text("{} {} {}", o.indicator.short, with_unit(o.local, o.indicator.unit, counts_places(o.indicator)),
                 _mark(o.verdict))
            for o in line.others
        ]  # fmt: skip
        parts.append(text("ebenso: {}", Markup(", ").join(shown_others)))
    return Markup(" · ").join(parts)


def steckbrief_summary(items: Sequence[Comparison], trends: Mapping[str, Mapping], name: str) -> Markup:
    """The lead sentence: of how many judged indicators the area is clearly worse/better than the city, and
    how many develop unfavourably/favourably."""
    judged = [c for c in items if c.indicator.direction != "neutral" and c.verdict is not None]
    worse = sum(c.verdict in (WORSE, NO_OFFER) for c in judged)
    better = sum(c.verdict == BETTER for c in judged)
    falling = sum(trend_assessment(trends.get(c.indicator.id)) == "unfavourable" for c in judged)
    rising = sum(trend_assessment(trends.get(c.indicator.id)) == "favourable" for c in judged)

    def n(k: int, zero: str = "keiner") -> Markup | str:
        return zero if k == 0 else public(k, "count")

    return text(
        "Von {} bewerteten Kennzahlen liegt {} bei {} deutlich ungünstiger und bei {} deutlich günstiger als die "
        "Gesamtstadt; {} entwickeln sich über die Jahre ungünstig, {} günstig.",
        public(len(judged), "count"),
        name,
        n(worse),
        n(better),
        n(falling, "keine"),
        n(rising, "keine"),
    )


#: Said once under the Steckbrief (and nowhere else on the page): what the marks and "deutlich" mean, in two
#: short sentences.
MARK_NOTE = (
    "⊖ deutlich ungünstiger, ⊕ deutlich günstiger, ≠ deutlich anders (ohne Wertung), ○ kein belastbarer "
    "Unterschied, ⊘ kein Angebot: „deutlich“ heißt, das 95-%-Konfidenzintervall (KI) des Stadtteils schließt den "
    "Wert der Gesamtstadt aus. Beim Trend (▲ gestiegen, ▼ gesunken; alle Jahre mit Daten) steht „günstiger“ oder "
    "„ungünstiger“ nur, wenn die Veränderung mehr ist, als der Zufall erklärt."
)


def steckbrief_box(
    published: pd.DataFrame,
    indicators: Sequence[Indicator],
    place: Place,
    trends: Mapping[str, Mapping],
    links: Mapping[str, str] | None = None,
    details: str = "#alle-kennzahlen",
):
    """The Steckbrief on top of a profile: the lead sentence, at most :data:`MAX_LINES` ranked lines (one per
    topic) and the note that explains the marks once; the rest is counted and linked (``details``)."""
    year, code, city_code, name = place.year, place.code, place.city_code, place.name
    items = comparisons(published, indicators, year, code, city_code)
    lines = steckbrief_lines(items, trends)
    shown_lines = lines[:MAX_LINES]
    body = Markup("").join(
        Markup('<li class="{}">{}</li>').format(VERDICT_CSS[ln.lead.verdict], line_html(ln, links or {}))
        for ln in shown_lines
    )
    if not shown_lines:
        body = Markup("<li>{}</li>").format(
            f"{name} unterscheidet sich bei keiner bewerteten Kennzahl deutlich von der Gesamtstadt, und keine "
            "entwickelt sich erkennbar günstig oder ungünstig."
        )
    rest = len(lines) - len(shown_lines)
    more = text(
        " Weitere {} Themen mit deutlichem Unterschied oder Trend und alle Kennzahlen: ", public(rest, "count")
    ) if rest else Markup(" Alle Kennzahlen: ")  # fmt: skip
    from IPython.display import HTML

    return HTML(
        Markup(
            '<section class="mon-steckbrief" aria-labelledby="steckbrief"><h2 id="steckbrief">Steckbrief {} {}: '
            'das Wichtigste</h2><p>{}</p><ul class="mon-sb-lines">{}</ul><p class="mon-note">{}{}<a href="{}">Tabelle '
            "unten</a>.</p></section>"
        ).format(
            name,
            public(year, "year"),
            steckbrief_summary(items, trends, name),
            body,
            MARK_NOTE,
            more,
            details,
        )
    )


def steckbrief_section(scope: ReportScope):
    """The Steckbrief of the scope's Stadtteil (:func:`steckbrief_box` with the page's data and links)."""
    return steckbrief_box(scope.published, scope.catalogue.indicators, scope.place, scope.area_trends, scope.links)

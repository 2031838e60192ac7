"""Headline findings of a report year for the start page, generated from the analysis tables.

Each finding is one or two German sentences that name indicators and areas, each number with
its interval where it has one, every number tagged (``helpers.core.numbertags``). A verdict
always matches the interval printed beside it: trend directions come with their adjusted
interval (which excludes zero exactly when a direction is named), and an area is said to lie
above or below the city value "mehr als Zufall erklärt" (the funnel vocabulary of
``helpers.report.labels.FUNNEL``) only when its published 95 % interval also excludes the city value. A finding whose
analysis is missing for the commune (or empty for the year) is left out (None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from markupsafe import Markup

from helpers.core.numbertags import cell, public, text
from helpers.core.tables import records
from helpers.indicators.catalogue import Catalogue
from helpers.report.indicator_tables import cell_key, fmt_interval, has_value, shown_cell
from helpers.report.need_text import need_summary_text
from helpers.report.steckbrief import WORSE
from helpers.report.trend_sections import trend_phrase


def _lead(label: str, body: Markup) -> Markup:
    return Markup("<strong>{}:</strong> {}").format(label, body)


def _join(items: Sequence[Markup | str]) -> Markup:
    items = [Markup.escape(i) for i in items]
    if len(items) == 1:
        return items[0]
    return Markup(", ").join(items[:-1]) + Markup(" und ") + items[-1]


def need_finding(need: pd.DataFrame) -> Markup | None:
    """The need-vs-supply result: what was found and what could not be checked (the all-clear only
    when everything was checked), in the words of ``need_text.need_summary_text``."""
    if need.empty or "flag_code" not in need:
        return None
    return _lead("Bedarf und Angebot", Markup.escape(need_summary_text(need)))


# --- the start page's headline sentences: what rose, what fell, where the city should act ------------------
#
# Each sentence names its evidence (a link to a profile's Steckbrief, a fact sheet or the city report) and uses
# the one definition of change (``helpers.analysis.trends``): a direction only where the trend table gives one,
# with its adjusted interval; a level ("der höchste Wert seit 2010") is a level, said beside the trend verdict.


def _link(label: str | Markup, href: str | None) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, label) if href else Markup.escape(label)


def area_poverty_sentence(
    trends: pd.DataFrame, catalogue: Catalogue, indicator_id: str, profile_links: Mapping[str, str]
) -> Markup | None:
    """Where child poverty rises and where it falls, by Stadtteil with change and interval, each Stadtteil linked
    to its profile's Steckbrief (None when no Stadtteil has a direction)."""
    from helpers.report.trend_sections import change_markup

    part = trends[(trends["indicator_id"] == indicator_id) & (trends["area_level"] == "stadtteil")]
    rows = records(part.sort_values("area_code"))
    ind = catalogue.get(indicator_id)
    parts = []
    for code, verb in (("rising", "steigt"), ("falling", "sinkt")):
        named = [
            text("{} ({})", _link(r["area_name"], profile_links.get(r["area_code"])), change_markup(r, ind.unit))
            for r in rows
            if r["verdict_code"] == code
        ]
        if named:
            parts.append(text("{} in {}", verb, _join(named)))
    if not parts:
        return None
    flat = sum(r["verdict_code"] == "no_trend" for r in rows)
    tail = text("; in {} Stadtteilen ohne klaren Trend", public(flat, "count")) if flat else Markup("")
    return text("Kinderarmut ({}) {}{}.", ind.short, Markup("; ").join(parts), tail)


def city_level_sentence(
    published: pd.DataFrame,
    trends: pd.DataFrame,
    catalogue: Catalogue,
    indicator_id: str,
    year: int,
    city_code: str,
    href: str | None = None,
) -> Markup | None:
    """The city's value of the year with its interval, whether it is the highest or lowest published value of
    the series, and beside it the city's trend verdict (so a record level is never mistaken for a trend)."""
    from helpers.report.trend_sections import change_markup

    ind = catalogue.get(indicator_id)
    city = published[
        (published["indicator_id"] == indicator_id) & (published["area_level"] == "stadt")
        & (published["area_code"] == city_code) & (published["year"] <= year)
    ]  # fmt: skip
    rows = {int(r["year"]): r for r in records(city) if has_value(r)}
    now = rows.get(year)
    if now is None:
        return None
    earlier = [r["value"] for y, r in rows.items() if y < year]
    first = min(rows)
    level = Markup("")
    if earlier and now["value"] > max(earlier):
        level = text(", der höchste Wert seit {}", public(first, "year"))
    elif earlier and now["value"] < min(earlier):
        level = text(", der niedrigste Wert seit {}", public(first, "year"))
    ci = fmt_interval(now["ci_lower"], now["ci_upper"], ind.unit)
    shown = shown_cell(now, ind.unit) + (text(" (KI {})", cell(ci, f"{cell_key(now)}#ci")) if ci else Markup(""))
    trend = trends[(trends["indicator_id"] == indicator_id) & (trends["area_code"] == city_code)]
    verdict = Markup("")
    if not trend.empty:
        r = records(trend)[0]
        words = {"rising": "über die Jahre steigend", "falling": "über die Jahre sinkend"}.get(
            r["verdict_code"], "über die Jahre aber ohne klaren Trend"
        )
        verdict = text("; {} ({})", words, change_markup(r, ind.unit))
    return text(
        "In der Gesamtstadt liegt die {} im Jahr {} bei {}{}{}.",
        _link(ind.short, href),
        public(year, "year"),
        shown,
        level,
        verdict,
    )


def city_change_sentence(
    trends: pd.DataFrame, catalogue: Catalogue, ids: Sequence[str], city_code: str, links: Mapping[str, str]
) -> Markup | None:
    """The key indicators whose city trend has a direction: what got better, what got worse (by the indicator's
    direction), each with its change and adjusted interval; None when none moved."""
    city = trends[(trends["area_code"] == city_code) & trends["indicator_id"].isin(list(ids))]
    rows = {r["indicator_id"]: r for r in records(city.drop_duplicates("indicator_id"))}
    better, worse = [], []
    for ind_id in ids:
        r = rows.get(ind_id)
        if r is None or r["verdict_code"] not in ("rising", "falling"):
            continue
        ind = catalogue.get(ind_id)
        phrase = trend_phrase(r, _link(ind.short, links.get(ind_id)), ind.unit)
        if r.get("assessment_code") == "favourable":
            better.append(phrase)
        elif r.get("assessment_code") == "unfavourable":
            worse.append(phrase)
    parts = []
    if better:
        parts.append(text("Besser geworden: {}.", Markup("; ").join(better)))
    if worse:
        parts.append(text("Schlechter geworden: {}.", Markup("; ").join(worse)))
    return Markup(" ").join(parts) if parts else None


def _worse_cells(published, catalogue, ids, areas, year, city_code):
    """(area code, area name, comparison) of every key indicator where an area is clearly worse than the city."""
    from helpers.report.steckbrief import comparisons

    inds = [catalogue.get(i) for i in ids if catalogue.get(i).direction != "neutral"]
    out = []
    for code, name in areas:
        out += [(code, name, c) for c in comparisons(published, inds, year, code, city_code) if c.verdict == WORSE]
    return out, len(inds)


def action_sentence(
    published: pd.DataFrame,
    catalogue: Catalogue,
    ids: Sequence[str],
    areas: Sequence[tuple[str, str]],
    year: int,
    city_code: str,
    profile_links: Mapping[str, str],
) -> Markup | None:
    """Where the city should act: the Stadtteile clearly worse than the city in the most key indicators (their
    95 % intervals exclude the city value), each linked to its Steckbrief; None when no area is worse in two."""
    worse, judged = _worse_cells(published, catalogue, ids, areas, year, city_code)
    counts: dict[str, int] = {}
    names = dict(areas)
    for code, _, _ in worse:
        counts[code] = counts.get(code, 0) + 1
    top = sorted((c for c in counts if counts[c] >= 2), key=lambda c: (-counts[c], c))[:3]
    if not top:
        return None
    named = [
        text("{} ({} von {})", _link(names[c], profile_links.get(c)), public(counts[c], "count"),
             public(judged, "count"))
        for c in top
    ]  # fmt: skip
    return text(
        "Handlungsbedarf vor allem in {}: dort liegen die meisten Kernkennzahlen deutlich ungünstiger als in der "
        "Gesamtstadt.",
        _join(named),
    )


def gap_sentence(
    published: pd.DataFrame,
    catalogue: Catalogue,
    ids: Sequence[str],
    areas: Sequence[tuple[str, str]],
    year: int,
    city_code: str,
    profile_links: Mapping[str, str],
    skip: Sequence[str] = (),
) -> Markup | None:
    """The largest relative gap of a key indicator (other than ``skip``) between a Stadtteil that is clearly worse
    and the city, with the area's interval."""
    worse, _ = _worse_cells(published, catalogue, [i for i in ids if i not in skip], areas, year, city_code)
    if not worse:
        return None

    def gap(item) -> float:
        c = item[2]
        return abs(c.local["value"] - c.city["value"]) / abs(c.city["value"]) if c.city["value"] else 0.0

    code, name, c = max(worse, key=gap)
    ind = c.indicator
    ci = fmt_interval(c.local["ci_lower"], c.local["ci_upper"], ind.unit)
    return text(
        "Größter Abstand: {} in {} {} (KI {}) gegenüber {} in der Gesamtstadt.",
        ind.name,
        _link(name, profile_links.get(code)),
        shown_cell(c.local, ind.unit),
        cell(ci, f"{cell_key(c.local)}#ci"),
        shown_cell(c.city, ind.unit),
    )


def story_findings(
    *,
    published: pd.DataFrame | None,
    trends: pd.DataFrame | None,
    need: pd.DataFrame | None,
    catalogue: Catalogue,
    key_ids: Sequence[str],
    areas: Sequence[tuple[str, str]],
    year: int,
    city_code: str,
    profile_links: Mapping[str, str] | None = None,
    factsheet_links: Mapping[str, str] | None = None,
) -> list[Markup]:
    """Three to five headline sentences of the report year (fewer when analyses are missing: pass None), in
    the order: child poverty in the Stadtteile, the city's level, what got better or worse, where to act, the
    largest gap, need and supply; at most five."""
    profile_links, factsheet_links = profile_links or {}, factsheet_links or {}
    t = None if trends is None else trends[trends["report_year"] == year] if "report_year" in trends else trends
    poverty = catalogue.with_role("child_poverty")
    poverty_id = poverty[0] if poverty else None
    found: list[Markup | None] = []
    if t is not None and poverty_id:
        found.append(area_poverty_sentence(t, catalogue, poverty_id, profile_links))
    if published is not None and t is not None and poverty_id:
        found.append(
            city_level_sentence(published, t, catalogue, poverty_id, year, city_code, factsheet_links.get(poverty_id))
        )
    if t is not None:
        found.append(city_change_sentence(t, catalogue, key_ids, city_code, factsheet_links))
    if published is not None:
        found.append(action_sentence(published, catalogue, key_ids, areas, year, city_code, profile_links))
        found.append(
            gap_sentence(published, catalogue, key_ids, areas, year, city_code, profile_links, [poverty_id or ""])
        )
    n = None if need is None else need[need["report_year"] == year] if "report_year" in need else need
    if n is not None:
        found.append(need_finding(n))
    return [f for f in found if f is not None][:5]

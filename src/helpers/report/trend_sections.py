"""German tables and texts for trend results: overview, per-area table, summary, phrases.

Every page states change the same way, from the rows of ``helpers.analysis.trends``: the verdict
(↗ steigend, ↘ fallend, → kein klarer Trend, or why there is no statement), the years it covers
and the change over them with the multiplicity-adjusted interval. A direction is named only where
that interval excludes 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from helpers.analysis.trends import MAX_HALF_WIDTH_PP, MAX_HALF_WIDTH_REL
from helpers.core.formatting import fmt_change, fmt_number
from helpers.core.numbertags import public, text
from helpers.core.tables import records
from helpers.indicators.catalogue import UNIT_LABEL, Catalogue
from helpers.report.display import table_html
from helpers.report.labels import ASSESSMENT, TREND

CHANGE_HEADER = "Veränderung im Zeitraum (KI, für Mehrfachtests bereinigt)"
#: Decimals of a change in each unit (Pp., per 1.000/10.000, EUR).
CHANGE_DECIMALS = {"pct": 1, "per_1000": 1, "per_10000": 1, "eur": 0}
#: Verdicts that come with a change and its interval (the others say in words why there is none).
WITH_INTERVAL = ("rising", "falling", "no_trend")


def unit_label(unit: str) -> str:
    """Unit of a change: "Pp." for shares, money in real terms (the trend deflates it), else the indicator's unit."""
    if unit == "eur":
        return f"{UNIT_LABEL[unit]} (preisbereinigt)"
    return "Pp." if unit == "pct" else UNIT_LABEL[unit]


def change_parts(row: Mapping, unit: str) -> tuple[str, str, str] | tuple[str, None, None] | None:
    """(change, interval low, interval high) of a trend row as formatted text, None without an interval.

    The change is the change of the fitted trend from the first to the last year of the series
    (``helpers.analysis.trends``); the interval is the multiplicity-adjusted one. A direction whose
    interval is too wide to print (``precise`` False) gives only the change it guarantees:
    ("mindestens +20,4", None, None).

    >>> change_parts({"verdict_code": "rising", "change": 13.55, "change_ci_low": 12.3,
    ...               "change_ci_high": 14.79}, "pct")
    ('+13,6', '+12,3', '+14,8')
    >>> change_parts({"verdict_code": "falling", "change": -33.1, "change_ci_low": -44.7,
    ...               "change_ci_high": -20.4, "precise": False}, "pct")
    ('mindestens −20,4', None, None)
    >>> change_parts({"verdict_code": "too_short", "change": None}, "pct") is None
    True
    """
    if row.get("verdict_code") not in WITH_INTERVAL or pd.isna(row.get("change")):
        return None
    d = CHANGE_DECIMALS[unit]
    if row.get("precise") is False or row.get("precise") == 0:
        near = row["change_ci_low"] if row["verdict_code"] == "rising" else row["change_ci_high"]
        return f"mindestens {fmt_change(near, d)}", None, None
    return fmt_change(row["change"], d), fmt_change(row["change_ci_low"], d), fmt_change(row["change_ci_high"], d)


def period(row: Mapping) -> str:
    """The years a trend covers, e.g. "2011–2025"."""
    return f"{int(row['first_year'])}–{int(row['last_year'])}"


def change_cell(row: Mapping | None, unit: str) -> str:
    """Table cell: "+13,6 Pp. (+12,3 bis +14,8)"; "–" without an interval (the verdict beside it says why)."""
    if row is None:
        return "–"
    parts = change_parts(row, unit)
    if parts is None:
        return "–"
    if parts[1] is None:
        return f"{parts[0]} {unit_label(unit)}"
    return f"{parts[0]} {unit_label(unit)} ({parts[1]} bis {parts[2]})"


def change_markup(row: Mapping, unit: str) -> Markup:
    """Sentence part with tagged numbers: "2011–2025: +13,6 Pp., KI +12,3 bis +14,8" (or the reason in words)."""
    parts = change_parts(row, unit)
    if parts is None:
        return Markup.escape(TREND.get(row.get("verdict_code", ""), ""))
    if parts[1] is None:
        return text(
            "{}–{}: {} {}",
            public(int(row["first_year"]), "year"),
            public(int(row["last_year"]), "year"),
            public(parts[0], "derived"),
            unit_label(unit),
        )
    return text(
        "{}–{}: {} {}, KI {} bis {}",
        public(int(row["first_year"]), "year"),
        public(int(row["last_year"]), "year"),
        public(parts[0], "derived"),
        unit_label(unit),
        public(parts[1], "derived"),
        public(parts[2], "derived"),
    )


def trend_phrase(row: Mapping, name: str, unit: str) -> Markup:
    """ "<name> stieg (2011–2025: +13,6 Pp., KI +12,3 bis +14,8)" for a direction; "<name>: <reason>" else."""
    if row.get("verdict_code") in TREND_WORD:
        return text("{} {} ({})", name, TREND_WORD[row["verdict_code"]], change_markup(row, unit))
    return text("{}: {}", name, TREND.get(row.get("verdict_code", ""), "–"))


METHOD_NOTE = (
    "Trend = lineare Entwicklung über alle verfügbaren Jahre bis zum Berichtsjahr (Zeitraum in der Tabelle), "
    "angegeben als Veränderung vom ersten bis zum letzten Jahr; Pp. = Prozentpunkte. Berücksichtigt sind der "
    "Zufall der jährlichen Zählung und Schwankungen, die über mehrere Jahre anhalten (gemeinsam für alle "
    "Stadtteile einer Kennzahl geschätzt). „Steigend“ oder „fallend“ heißt: mehr, als der Zufall erklärt – "
    "geprüft für jede Kennzahl über alle Gebiete zusammen (Kontrolle der Falscherkennungsrate, {}); das "
    "Intervall ist dafür bereinigt und schließt die Null genau dann aus, wenn eine Richtung genannt wird. "
    "Wäre das Intervall breiter als ±{} Pp. (Raten: ±{} % des Niveaus), steht nur „keine belastbare Aussage“ "
    "oder, bei erkennbarer Richtung, die mindestens gesicherte Veränderung („mindestens …“). "
    "Geheim gehaltene, gepoolte und fehlende Jahre gehen nicht ein."
)


def method_note(extra: str = "") -> Markup:
    """The note under every trend table (``METHOD_NOTE``, plus ``extra``), its numbers tagged."""
    return text(
        METHOD_NOTE + extra,
        public("5 %", "config"),
        public(fmt_number(MAX_HALF_WIDTH_PP, 0), "config"),
        public(fmt_number(100 * MAX_HALF_WIDTH_REL, 0), "config"),
    )


def verdict_with_assessment(row: Mapping | None) -> str:
    """ "↗ steigend (günstige Richtung)" — the verdict and, for a direction, whether it is favourable.

    >>> verdict_with_assessment({"verdict_code": "rising", "assessment_code": "favourable"})
    '↗ steigend (günstige Richtung)'
    >>> verdict_with_assessment({"verdict_code": "no_trend", "assessment_code": ""})
    '→ kein klarer Trend'
    """
    if row is None:
        return "–"
    label = TREND.get(row["verdict_code"], "–")
    judged = ASSESSMENT.get(row.get("assessment_code") or "", "–")
    return f"{label} ({judged})" if row.get("assessment_code") else label


def area_trends(trends: pd.DataFrame, code: str) -> dict[str, dict]:
    """Indicator id → the trend row of one area (what the profile's tables and boxes show)."""
    return {r["indicator_id"]: r for r in records(trends[trends["area_code"] == code])}


def trend_overview(trends: pd.DataFrame, catalogue: Catalogue, city_code: str) -> HTML:
    """Per indicator: the city trend with its change over the named years, and how many Stadtteile rise/fall."""
    rows = []
    for ind in catalogue.indicators:
        part = trends[trends["indicator_id"] == ind.id]
        if part.empty:
            continue
        city = part[part["area_code"] == city_code]
        st = part[part["area_level"] == "stadtteil"]
        c = records(city)[0] if len(city) else None
        rows.append(
            {
                "Kennzahl": ind.short,
                "Zeitraum": period(c) if c is not None else "–",
                "Gesamtstadt": verdict_with_assessment(c),
                CHANGE_HEADER: change_cell(c, ind.unit),
                "Stadtteile ↗": str(int((st["verdict_code"] == "rising").sum())),
                "↘": str(int((st["verdict_code"] == "falling").sum())),
                "→": str(int((st["verdict_code"] == "no_trend").sum())),
                "ohne Aussage": str(int((~st["verdict_code"].isin(["rising", "falling", "no_trend"])).sum())),
            }
        )
    counts = ["Stadtteile ↗", "↘", "→", "ohne Aussage"]
    return table_html(
        pd.DataFrame(rows),
        "Trends der Kennzahlen über alle verfügbaren Jahre",
        numeric=counts,
        public={"Zeitraum": "year", CHANGE_HEADER: "derived"} | dict.fromkeys(counts, "count"),
        note=method_note(
            " Stadtteile ↗ steigend, ↘ fallend, → ohne klaren Trend; „ohne Aussage“: zu wenige Jahre oder keine "
            "belastbare Aussage."
        ),
    )


def trend_area_table(trends: pd.DataFrame, catalogue: Catalogue, code: str) -> HTML:
    """All indicator trends of one area (for the Stadtteil profile)."""
    rows = []
    own = trends[trends["area_code"] == code].drop_duplicates("indicator_id")
    first = {r["indicator_id"]: r for r in records(own)}
    for ind in catalogue.indicators:
        r = first.get(ind.id)
        if r is None:
            continue
        rows.append(
            {
                "Kennzahl": ind.short,
                "Zeitraum": f"{period(r)} ({int(r['n_years'])} J.)",
                "Trend": verdict_with_assessment(r),
                CHANGE_HEADER: change_cell(r, ind.unit),
            }
        )
    return table_html(
        pd.DataFrame(rows),
        "Entwicklung der Kennzahlen im Stadtteil",
        public={"Zeitraum": "year", CHANGE_HEADER: "derived"},
        note=method_note(),
    )


def trend_summary_text(trends: pd.DataFrame, catalogue: Catalogue, city_code: str, commune: str) -> Markup:
    """A German paragraph on the city trends: what rose, what fell (with change and years), what cannot be said."""
    city = trends[trends["area_code"] == city_code]
    rows = {r["indicator_id"]: r for r in records(city)}
    tested = sum(r["verdict_code"] in WITH_INTERVAL for r in rows.values())
    parts = [text("Für {} insgesamt wurden {} Kennzahlen auf einen Trend geprüft.", commune, public(tested, "count"))]
    for code, word in (("favourable", "günstiger"), ("unfavourable", "ungünstiger")):
        moved = [
            trend_phrase(r, catalogue.get(i).short, catalogue.get(i).unit)
            for i, r in rows.items()
            if r["assessment_code"] == code
        ]
        if moved:
            parts.append(text("In {} Richtung entwickelt haben sich: {}.", word, Markup("; ").join(moved)))
    neutral = [
        trend_phrase(r, catalogue.get(i).short, catalogue.get(i).unit)
        for i, r in rows.items()
        if r["verdict_code"] in ("rising", "falling") and not r["assessment_code"]
    ]
    if neutral:
        parts.append(text("Ohne Bewertung: {}.", Markup("; ").join(neutral)))
    if not any(r["verdict_code"] in ("rising", "falling") for r in rows.values()):
        parts.append(Markup("Bei keiner Kennzahl ist eine Richtung statistisch erkennbar."))
    parts.append(
        Markup(
            "Bei den übrigen Kennzahlen ist kein klarer Trend erkennbar; das heißt nicht, dass sich nichts "
            "verändert hat, sondern dass die Schwankungen von Jahr zu Jahr eine Aussage nicht tragen."
        )
    )
    return Markup(" ").join(parts)


def area_trend_sentence(trends: pd.DataFrame, catalogue: Catalogue, indicator_id: str) -> Markup | None:
    """Where one indicator rises and falls among the Stadtteile, by name with change, years and interval;
    the others counted (None without Stadtteil rows).

    E.g. "SGB-II-Quote unter 15: steigend in Wiesdorf (2010–2025: +4,1 Pp., KI …) und
    Rheindorf (…); fallend in …; ohne klaren Trend in 9 Stadtteilen."
    """
    part = trends[(trends["indicator_id"] == indicator_id) & (trends["area_level"] == "stadtteil")]
    if part.empty:
        return None
    ind = catalogue.get(indicator_id)
    rows = records(part.sort_values("area_code"))
    parts = []
    for code, word in (("rising", "steigend"), ("falling", "fallend")):
        named = [text("{} ({})", r["area_name"], change_markup(r, ind.unit)) for r in rows if r["verdict_code"] == code]
        if named:
            joined = named[0] if len(named) == 1 else Markup(", ").join(named[:-1]) + Markup(" und ") + named[-1]
            parts.append(text("{} in {}", word, joined))
    flat = sum(r["verdict_code"] == "no_trend" for r in rows)
    if flat:
        parts.append(text("ohne klaren Trend in {} Stadtteilen", public(flat, "count")))
    silent = sum(r["verdict_code"] not in WITH_INTERVAL for r in rows)
    if silent:
        parts.append(text("ohne Aussage (zu wenige Jahre oder zu große Schwankungen) in {}", public(silent, "count")))
    return text("{}: {}.", ind.name, Markup("; ").join(parts))


#: Verbs of a verdict in a sentence.
TREND_WORD = {"rising": "stieg", "falling": "sank"}

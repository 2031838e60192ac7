"""German tables and texts for trend results: overview, per-area table, summary.

A direction is named only where the test is significant after FDR control; otherwise the
text says the data do not show a clear trend.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from helpers.analysis.trends import FALLING, NO_TREND, RISING, TOO_SHORT
from helpers.core.formatting import fmt_change
from helpers.indicators.catalogue import UNIT_LABEL, Catalogue
from helpers.report.display import table_html

#: Trend verdicts in map legend order.
TREND_CLASSES = (FALLING, NO_TREND, RISING)

ARROWS = {RISING: "↗ steigend", FALLING: "↘ fallend", NO_TREND: "→ kein klarer Trend", TOO_SHORT: "zu kurze Zeitreihe"}


def _unit_change(row: pd.Series, unit: str) -> str:
    if pd.isna(row.get("unit_change")):
        return "–"
    label = "Pp." if unit == "pct" else UNIT_LABEL[unit]
    return (
        f"{fmt_change(row['unit_change'], 2)} {label} "
        f"({fmt_change(row['unit_ci_low'], 2)} bis {fmt_change(row['unit_ci_high'], 2)})"
    )


def trend_overview(trends: pd.DataFrame, catalogue: Catalogue, city_code: str) -> HTML:
    """Per indicator: the city trend with its annual change, and how many Stadtteile rise/fall."""
    rows = []
    for ind in catalogue.indicators:
        part = trends[trends["indicator_id"] == ind.id]
        if part.empty:
            continue
        city = part[part["area_code"] == city_code]
        st = part[part["area_level"] == "stadtteil"]
        c = city.iloc[0] if len(city) else None
        rows.append(
            {
                "Kennzahl": ind.short,
                "Gesamtstadt": ARROWS.get(c["verdict"], "–") if c is not None else "–",
                "Veränderung pro Jahr (95-%-KI)": _unit_change(c, ind.unit) if c is not None else "–",
                "Bewertung": (c["assessment"] or "–") if c is not None else "–",
                "Stadtteile steigend": str(int((st["verdict"] == RISING).sum())),
                "Stadtteile fallend": str(int((st["verdict"] == FALLING).sum())),
                "ohne klaren Trend": str(int((st["verdict"] == NO_TREND).sum())),
            }
        )
    frame = pd.DataFrame(rows)
    return table_html(
        frame,
        "Trends der Kennzahlen über alle verfügbaren Jahre",
        numeric=["Stadtteile steigend", "Stadtteile fallend", "ohne klaren Trend"],
        note="Trend = Regressionsmodell mit linearem Jahresterm (Anteile: binomial, Raten: Poisson mit "
        "Bevölkerungs-Offset, jeweils mit geschätzter Überdispersion); eine Richtung wird nur genannt, wenn "
        "sie nach Kontrolle der Falscherkennungsrate (Benjamini-Hochberg, 5 %) gesichert ist. "
        "Pp. = Prozentpunkte. Geheim gehaltene und gepoolte Werte gehen nicht ein.",
    )


def trend_area_table(trends: pd.DataFrame, catalogue: Catalogue, code: str) -> HTML:
    """All indicator trends of one area (for the Stadtteil profile)."""
    rows = []
    own = trends[trends["area_code"] == code].drop_duplicates("indicator_id")
    first = {r["indicator_id"]: r for r in own.to_dict("records")}
    for ind in catalogue.indicators:
        r = first.get(ind.id)
        if r is None:
            continue
        years = f"{int(r['first_year'])}–{int(r['last_year'])} ({int(r['n_years'])} J.)"
        rows.append(
            {
                "Kennzahl": ind.short,
                "Zeitraum": years,
                "Trend": ARROWS.get(r["verdict"], "–"),
                "Veränderung pro Jahr (95-%-KI)": _unit_change(r, ind.unit),
                "Bewertung": r["assessment"] or "–",
                "Mann-Kendall bestätigt": r["mk_agrees"] or "–",
            }
        )
    return table_html(
        pd.DataFrame(rows),
        "Entwicklung der Kennzahlen im Stadtteil",
        note="„Mann-Kendall bestätigt“: der nichtparametrische Test (mit Sen-Steigung) kommt zum selben Ergebnis.",
    )


def trend_summary_text(trends: pd.DataFrame, catalogue: Catalogue, city_code: str, commune: str) -> str:
    """A cautious German paragraph on the city trends."""
    city = trends[trends["area_code"] == city_code]
    good = [catalogue.get(i).short for i in city.loc[city["assessment"] == "günstig", "indicator_id"]]
    bad = [catalogue.get(i).short for i in city.loc[city["assessment"] == "ungünstig", "indicator_id"]]
    tested = int(city["q_value"].notna().sum())
    parts = [f"Für {commune} insgesamt wurden {tested} Kennzahlen auf einen Trend geprüft."]
    if good:
        parts.append("Gesichert günstig entwickelt haben sich: " + ", ".join(good) + ".")
    if bad:
        parts.append("Gesichert ungünstig entwickelt haben sich: " + ", ".join(bad) + ".")
    if not good and not bad:
        parts.append("Bei keiner Kennzahl ist eine Richtung statistisch gesichert.")
    parts.append(
        "Bei den übrigen Kennzahlen ist kein klarer Trend erkennbar; das heißt nicht, dass sich nichts "
        "verändert hat, sondern dass die Schwankungen von Jahr zu Jahr eine Aussage nicht tragen."
    )
    return " ".join(parts)

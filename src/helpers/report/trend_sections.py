"""German tables and texts for trend results: overview, per-area table, summary.

A direction is named only where the test is significant after FDR control; otherwise the
text says the data do not show a clear trend.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from helpers.core.formatting import fmt_change
from helpers.core.numbertags import public, text
from helpers.core.tables import records
from helpers.indicators.catalogue import UNIT_LABEL, Catalogue
from helpers.report.display import table_html
from helpers.report.labels import ASSESSMENT, TREND

CHANGE_HEADER = "Veränderung pro Jahr (KI, für Mehrfachtests bereinigt)"


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
                "Gesamtstadt": TREND.get(c["verdict_code"], "–") if c is not None else "–",
                CHANGE_HEADER: _unit_change(c, ind.unit) if c is not None else "–",
                "Bewertung": ASSESSMENT.get(c["assessment_code"], "–") if c is not None else "–",
                "Stadtteile steigend": str(int((st["verdict_code"] == "rising").sum())),
                "Stadtteile fallend": str(int((st["verdict_code"] == "falling").sum())),
                "ohne klaren Trend": str(int((st["verdict_code"] == "no_trend").sum())),
            }
        )
    frame = pd.DataFrame(rows)
    return table_html(
        frame,
        "Trends der Kennzahlen über alle verfügbaren Jahre",
        numeric=["Stadtteile steigend", "Stadtteile fallend", "ohne klaren Trend"],
        public={
            CHANGE_HEADER: "derived",
            "Stadtteile steigend": "count",
            "Stadtteile fallend": "count",
            "ohne klaren Trend": "count",
        },
        note=text(
            "Trend = Regressionsmodell mit linearem Jahresterm (Anteile: binomial, Raten: Poisson mit "
            "Bevölkerungs-Offset); Schwankungen, die über mehrere Jahre anhalten, werden berücksichtigt "
            "(autoregressive Fehler erster Ordnung). Eine Richtung wird nur genannt, wenn sie nach Kontrolle der "
            "Falscherkennungsrate (Benjamini-Hochberg, {}) statistisch erkennbar ist; das angegebene Intervall ist "
            "für die Zahl der Tests bereinigt und schließt die Null genau dann aus, wenn eine Richtung genannt wird. "
            "Jahre ohne Daten (z. B. vor Beginn eines Angebots) gehen nicht ein. Pp. = Prozentpunkte. Geheim "
            "gehaltene und gepoolte Werte gehen nicht ein.",
            public("5 %", "config"),
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
        years = f"{int(r['first_year'])}–{int(r['last_year'])} ({int(r['n_years'])} J.)"
        rows.append(
            {
                "Kennzahl": ind.short,
                "Zeitraum": years,
                "Trend": TREND.get(r["verdict_code"], "–"),
                CHANGE_HEADER: _unit_change(r, ind.unit),
                "Bewertung": ASSESSMENT.get(r["assessment_code"], "–"),
            }
        )
    return table_html(
        pd.DataFrame(rows),
        "Entwicklung der Kennzahlen im Stadtteil",
        public={"Zeitraum": "year", CHANGE_HEADER: "derived"},
        note="Eine Richtung wird nur genannt, wenn sie statistisch erkennbar ist; das Intervall ist für die Zahl "
        "der Tests bereinigt und schließt die Null genau dann aus. Anhaltende Schwankungen über mehrere Jahre "
        "sind berücksichtigt.",
    )


def trend_summary_text(trends: pd.DataFrame, catalogue: Catalogue, city_code: str, commune: str) -> str:
    """A cautious German paragraph on the city trends."""
    city = trends[trends["area_code"] == city_code]
    good = [catalogue.get(i).short for i in city.loc[city["assessment_code"] == "favourable", "indicator_id"]]
    bad = [catalogue.get(i).short for i in city.loc[city["assessment_code"] == "unfavourable", "indicator_id"]]
    tested = int(city["q_value"].notna().sum())
    parts = [text("Für {} insgesamt wurden {} Kennzahlen auf einen Trend geprüft.", commune, public(tested, "count"))]
    if good:
        parts.append("Statistisch erkennbar in günstiger Richtung entwickelt haben sich: " + ", ".join(good) + ".")
    if bad:
        parts.append("Statistisch erkennbar in ungünstiger Richtung entwickelt haben sich: " + ", ".join(bad) + ".")
    if not good and not bad:
        parts.append("Bei keiner Kennzahl ist eine Richtung statistisch erkennbar.")
    parts.append(
        "Bei den übrigen Kennzahlen ist kein klarer Trend erkennbar; das heißt nicht, dass sich nichts "
        "verändert hat, sondern dass die Schwankungen von Jahr zu Jahr eine Aussage nicht tragen."
    )
    return text(" ").join(parts)

"""German tables and generated text for the analysis results (trends, index, HzE).

Texts follow from the numbers and stay cautious where the results are uncertain: a
direction is named only where the test is significant after FDR control, an effect only
where its interval excludes "no effect"; otherwise the text says the data do not show one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from helpers.analysis.hze import break_even_year
from helpers.analysis.sozialindex import class_stability, stability_label
from helpers.analysis.trends import FALLING, NO_TREND, RISING, TOO_SHORT
from helpers.core.config import Config
from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.indicators.catalogue import UNIT_LABEL, Catalogue
from helpers.report.context import indicator_source_line
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


def funnel_eb_table(fe: pd.DataFrame, indicator_id: str, catalogue: Catalogue) -> HTML:
    """Raw value, EB-smoothed value and funnel position per Stadtteil (no ranking: code order)."""
    ind = catalogue.get(indicator_id)
    part = fe[fe["indicator_id"] == indicator_id].sort_values("area_code")
    unit = UNIT_LABEL[ind.unit]
    frame = pd.DataFrame(
        {
            "Stadtteil": part["area_name"],
            f"Wert ({unit})": [fmt_number(v * ind.scale, 1) for v in part["rate"]],
            f"geglättet, EB ({unit})": [fmt_number(v * ind.scale, 1) for v in part["eb_rate"]],
            "Bezugsgröße": [fmt_number(v) for v in part["denominator"]],
            "Lage im Trichter": part["position"],
        }
    )
    return table_html(
        frame,
        f"{ind.short}: beobachtete und geglättete Werte",
        numeric=[c for c in frame.columns if c not in ("Stadtteil", "Lage im Trichter")],
        note="Geglättet mit empirischem Bayes (Marshall 1991): kleine Stadtteile werden stärker zum städtischen "
        "Wert gezogen, weil ihre Werte stärker vom Zufall abhängen. Auffällig ist ein Stadtteil nur außerhalb "
        "der 99,8-%-Grenzen; die Reihenfolge folgt der Kennziffer, nicht einem Rang.",
    )


def index_table(history: pd.DataFrame, year: int, config: Config, links: dict[str, str]) -> HTML:
    """Status and dynamics classes of every Stadtteil with the stability of the class."""
    now = history[history["year"] == year].set_index("area_code")
    stab = class_stability(history, year).set_index("area_code")
    rows = []
    for st in config.stadtteile:
        r = now.loc[st.code] if st.code in now.index else None
        s = stab.loc[st.code] if st.code in stab.index else None
        rows.append(
            {
                "Stadtteil": st.name,
                "Statusindex (z)": fmt_number(r["status_z"], 2) if r is not None else ".",
                "Status": r["status_class"] if r is not None and isinstance(r["status_class"], str) else "–",
                "Dynamikindex (z)": fmt_number(r["dynamics_z"], 2) if r is not None else ".",
                "Dynamik": r["dynamics_class"] if r is not None and isinstance(r["dynamics_class"], str) else "–",
                "Stabilität der Statusklasse": (
                    f"{stability_label(s['share_current'], int(s['changes']))} "
                    f"({fmt_percent(100 * s['share_current'], 0)} von {int(s['years_classified'])} Jahren)"
                    if s is not None and s["years_classified"] > 0
                    else "keine Einstufung"
                ),
            }
        )
    return table_html(
        pd.DataFrame(rows),
        f"Sozialraum-Index {year}: Status und Dynamik der Stadtteile",
        numeric=["Statusindex (z)", "Dynamikindex (z)"],
        links=links,
        note="Statusklassen: hoch, mittel, niedrig, sehr niedrig (sozialer Status); Dynamik: positiv, stabil, "
        "negativ (Veränderung über zwei Jahre). Ein höherer Indexwert bedeutet mehr soziale Belastung. "
        "„–“: ein Indexindikator ist nicht veröffentlicht (Geheimhaltung), daher keine Einstufung.",
    )


def need_supply_table(ns: pd.DataFrame, only_flagged: bool = False) -> HTML:
    """Need and supply per Stadtteil and phase."""
    part = ns[ns["flag"] != ""] if only_flagged else ns
    frame = pd.DataFrame(
        {
            "Stadtteil": part["area_name"],
            "Lebensphase": part["phase"],
            "SGB-II-Quote der Altersgruppe": [fmt_percent(v) for v in part["need_value"]],
            "Bedarf (z)": [fmt_number(v, 2) for v in part["need_z"]],
            "Plätze vor Ort": [fmt_number(v) for v in part["places"]],
            "Plätze je 1.000": [fmt_number(v, 1) for v in part["places_per_1000"]],
            "stadtweite Plätze": [fmt_number(v) for v in part["citywide_places"]],
            "Hinweis": part["flag"].replace("", "–"),
        }
    )
    return table_html(
        frame,
        "Bedarf und Angebot entlang der Präventionskette"
        + (" – Stadtteile mit Handlungsbedarf" if only_flagged else ""),
        numeric=[
            "SGB-II-Quote der Altersgruppe",
            "Bedarf (z)",
            "Plätze vor Ort",
            "Plätze je 1.000",
            "stadtweite Plätze",
        ],
        note="„Hoher Bedarf, geringe Abdeckung“: Bedarf mindestens 0,5 Standardabweichungen über dem Mittel der "
        "Stadtteile und weniger Plätze je 1.000 Kinder und Jugendliche der Altersgruppe als im Median der "
        "Stadtteile. Stadtweite Angebote (z. B. Willkommensbesuche) stehen allen Stadtteilen offen.",
    )


# --- HzE ------------------------------------------------------------------------------------

BY_LABEL = {"basis": "Hilfeart (§ SGB VIII)", "setting": "Hilfeform", "gesamt": "Insgesamt"}


def hze_descriptive_table(desc: pd.DataFrame, by: str, year: int) -> HTML:
    """City HzE figures by legal basis or setting (small counts suppressed)."""
    part = desc[desc["by"] == by]
    label = {"basis": lambda g: f"§ {g}", "setting": str, "gesamt": str}[by]
    frame = pd.DataFrame(
        {
            BY_LABEL[by]: [label(g) for g in part["group"]],
            "Fälle": [fmt_number(v) for v in part["counted"]],
            "Bestand 31.12.": [fmt_number(v) for v in part["bestand_3112"]],
            "beendet": [fmt_number(v) for v in part["ended"]],
            "begonnen": [fmt_number(v) for v in part["started"]],
            "Ausgaben (EUR)": [fmt_number(v) for v in part["eur"]],
            "EUR je Fall": [fmt_number(v) for v in part["eur_per_case"]],
            "EUR je Hilfejahr": [fmt_number(v) for v in part["eur_per_case_year"]],
            "Dauer beendeter Hilfen (Monate)": [fmt_number(v, 1) for v in part["duration_months"]],
            "Alter bei Beginn (Jahre)": [fmt_number(v, 1) for v in part["age_at_start"]],
        }
    )
    caption = (
        f"Hilfen zur Erziehung {year} insgesamt"
        if by == "gesamt"
        else f"Hilfen zur Erziehung {year} nach {BY_LABEL[by]}"
    )
    return table_html(
        frame,
        caption,
        numeric=list(frame.columns[1:]),
        note="Fälle = Bestand am 31.12. plus im Jahr beendete Hilfen. „.“ = geheim zu halten (weniger als drei "
        "Fälle oder daraus rückrechenbar). Ausgaben nach Haushaltsrechnung; je Hilfejahr = Ausgaben je 365 "
        "Hilfetage.",
    )


def _ci_text(low: float, high: float, decimals: int = 0) -> str:
    return f"{fmt_number(low, decimals)} bis {fmt_number(high, decimals)}"


def its_text(effects: pd.DataFrame, start: int) -> str:
    """German reading of the ITS on expenditure and case rates."""
    e = effects[effects["design"] == "ITS"].set_index(["series", "term"])
    if e.empty:
        return "Für eine unterbrochene Zeitreihe liegen vor oder nach dem Programmstart zu wenige Jahre vor."
    cum = e.loc[("ausgaben_eur", "kumulierte Abweichung")]
    rate = e.loc[("faelle_je_10000", "Trendänderung pro Jahr")]
    sig = cum["ci_high"] < 0 or cum["ci_low"] > 0
    text = (
        f"Gegenüber der Fortschreibung des Trends vor {start} lagen die HzE-Ausgaben seit {start} zusammen um "
        f"{fmt_number(cum['estimate'] / 1e6, 1)} Mio. EUR {'niedriger' if cum['estimate'] < 0 else 'höher'} "
        f"(95-%-Intervall {_ci_text(cum['ci_low'] / 1e6, cum['ci_high'] / 1e6, 1)} Mio. EUR). "
    )
    text += (
        "Diese Abweichung ist statistisch gesichert. "
        if sig
        else "Das Intervall schließt „keine Abweichung“ ein; die Zeitreihe allein belegt also keine Wirkung. "
    )
    text += (
        f"Die Fallzahl je 10.000 unter 21-Jährige änderte ihren Trend um {fmt_change(rate['estimate'], 1)} pro Jahr "
        f"({_ci_text(rate['ci_low'], rate['ci_high'], 1)}). Eine Zeitreihe ohne Vergleichsgruppe kann Programmwirkung "
        "nicht von gleichzeitigen Entwicklungen (Preise, Gesetzesänderungen, Zuwanderung) trennen."
    )
    return text


def rr_text(estimate: float, low: float, high: float) -> str:
    """'−12 % (−25 % bis +2 %)' from a log rate ratio and its interval."""
    pct = [100 * np.expm1(v) for v in (estimate, low, high)]
    return f"{fmt_change(pct[0], 0, ' %')} ({fmt_change(pct[1], 0, ' %')} bis {fmt_change(pct[2], 0, ' %')})"


def did_text(effects: pd.DataFrame, lag: int) -> str:
    """German reading of the within-city DiD."""
    d = effects[effects["design"] == "DiD Stadtteile"].set_index("term")
    if d.empty:
        return (
            "Für den Vergleich von Stadtteilen mit und ohne Präventionsangebote ist es noch zu früh, oder es gibt "
            "zu wenige Stadtteile mit und ohne Angebote für eine belastbare Schätzung."
        )
    late, early = d.loc["spät (ab Verzögerung)"], d.loc["früh (erste Jahre)"]
    text = (
        f"Im Vergleich von {int(late['n_treated'])} Stadtteilen mit neuen Präventionsangeboten und "
        f"{int(late['n_control'])} Stadtteilen ohne solche Angebote veränderte sich die Zahl neuer Hilfen "
        f"(ohne Erziehungsberatung) ab dem {lag + 1}. Jahr nach Angebotsbeginn um "
        f"{rr_text(late['estimate'], late['ci_low'], late['ci_high'])}. "
    )
    if late["ci_high"] < 0:
        text += "Der Rückgang ist statistisch gesichert (Wild-Cluster-Bootstrap). "
    else:
        text += (
            "Das Intervall schließt „keine Veränderung“ ein; ein Rückgang ist möglich, aber nicht gesichert "
            f"(p = {fmt_number(late['p_value'], 2)}). "
        )
    text += (
        f"In den ersten Jahren nach Beginn lag die Veränderung bei "
        f"{rr_text(early['estimate'], early['ci_low'], early['ci_high'])}; "
        "frühes Erkennen kann die Zahl der Hilfen zunächst erhöhen."
    )
    return text


def event_text(effects: pd.DataFrame, commune: str) -> str:
    """German reading of the event study and its pre-trend check."""
    e = effects[effects["design"] == "Ereignisstudie"].set_index("term")
    if e.empty:
        return "Für den Vergleich mit anderen Kommunen liegen noch zu wenige Jahre vor."
    f_p = e.loc["Vorperioden (F-Test)", "p_value"]
    slope_p = e.loc["Vortrend pro Jahr", "p_value"]
    post = e.loc["Mittel nach Verzögerung"]
    violated = (f_p < 0.05) or (slope_p < 0.05)
    text = (
        "Vor dem Programmstart entwickelte sich die Fallrate in "
        f"{commune} {'nicht parallel' if violated else 'ähnlich'} zu den Vergleichskommunen "
        f"(gemeinsamer Test der Vorjahre p = {fmt_number(f_p, 2)}, linearer Vortrend p = {fmt_number(slope_p, 3)}). "
    )
    if violated:
        text += (
            "Die Annahme paralleler Trends ist damit verletzt: der Vergleich mit den anderen Kommunen ist "
            "nicht als Wirkungsschätzung zu lesen. "
        )
    if not np.isnan(post["estimate"]):
        change = rr_text(post["estimate"], post["ci_low"], post["ci_high"])
        text += f"Nach der Wirkungsverzögerung wich die Rate im Mittel um {change} ab."
    return text


def balance_text(balance: pd.DataFrame, year: int) -> str:
    """German reading of the cost-effect balance (base scenario and band)."""
    base = balance[balance["scenario"] == "Basis"].sort_values("year") if "scenario" in balance else balance
    if base.empty:
        return "Eine Kosten-Wirkungs-Bilanz ist erst möglich, wenn eine Wirkungsschätzung vorliegt."
    last = base.iloc[-1]
    be = break_even_year(base.set_index("year")["cum_net_eur"])
    share = float(base["share_draws_break_even"].iloc[0])
    text = (
        f"Bis {year} standen {fmt_number(last['cum_prevention_eur'] / 1e6, 1)} Mio. EUR Präventionsausgaben "
        f"geschätzt {fmt_number(last['cum_avoided_eur'] / 1e6, 1)} Mio. EUR vermiedene HzE-Ausgaben gegenüber "
        f"(Saldo {fmt_change(last['cum_net_eur'] / 1e6, 1)} Mio. EUR, 95-%-Band "
        f"{_ci_text(last['cum_net_low'] / 1e6, last['cum_net_high'] / 1e6, 1)} Mio. EUR). "
    )
    text += (
        f"Im Basisszenario ist der Break-even {be} erreicht. "
        if be
        else "Im Basisszenario ist der Break-even noch nicht erreicht. "
    )
    text += (
        f"In {fmt_percent(100 * share, 0)} der Bootstrap-Ziehungen liegt der Saldo am Ende im Plus; "
        "die Bilanz ist also unsicher. "
    )
    text += (
        "Was die Daten nicht zeigen können: Wirkungen der Prävention treten oft erst Jahre später auf, viele "
        "(Schulerfolg, Gesundheit, Erwerbsleben) nicht in der Jugendhilfe, und Einsparungen können anderen "
        "Haushalten (Land, Bund, Sozialversicherung) zugutekommen statt dem Jugendamt."
    )
    return text


def sensitivity_table(balance: pd.DataFrame) -> HTML:
    """Break-even year and final balance per scenario."""
    rows = []
    for scenario, part in balance.groupby("scenario", sort=False):
        part = part.sort_values("year")
        be = break_even_year(part.set_index("year")["cum_net_eur"])
        rows.append(
            {
                "Annahme": scenario,
                "Saldo am Ende (Mio. EUR)": fmt_change(part["cum_net_eur"].iloc[-1] / 1e6, 1),
                "Break-even": str(be) if be else "nicht erreicht",
            }
        )
    return table_html(
        pd.DataFrame(rows),
        "Empfindlichkeit der Bilanz gegenüber den Annahmen",
        numeric=["Saldo am Ende (Mio. EUR)"],
        note="Basis: geschätzte Wirkung aus dem Stadtteilvergleich, Kosten je neuem Fall = Ausgaben ohne "
        "Erziehungsberatung je neu begonnener Hilfe im selben Jahr, keine Abzinsung.",
    )


# --- Sozialraumanalyse: sections, summaries and alt texts -----------------------------------


def funnel_alt(part: pd.DataFrame, ind, year: int) -> str:
    """Alt text of a funnel plot: which Stadtteile lie outside the limits."""
    outside = part[part["position"] != "innerhalb"]
    text = f"Trichterdiagramm {ind.short} {year}: {len(part)} Stadtteile gegen den städtischen Wert. "
    if outside.empty:
        return text + "Alle Stadtteile liegen innerhalb der Grenzen."
    listed = "; ".join(f"{r.area_name} {r.position}" for r in outside.itertuples())
    return text + "Außerhalb der Grenzen: " + listed + "."


def funnel_sections(
    funnel: pd.DataFrame, catalogue: Catalogue, ids: list[str], year: int, config: Config
) -> list[HTML]:
    """Funnel plot and EB table for each configured indicator (a note where data are lacking).

    Each chart names the sources of its own indicator.
    """
    from helpers.report import analysis_plots
    from helpers.report.display import figure_html, note

    out: list[HTML] = []
    for ind_id in ids:
        ind = catalogue.get(ind_id)
        part = funnel[funnel["indicator_id"] == ind_id]
        if part.empty:
            out.append(note(f"{ind.short}: für {year} nicht genug veröffentlichte Werte für ein Trichterdiagramm."))
            continue
        fig = analysis_plots.funnel_chart(
            part,
            float(part["theta"].iloc[0]),
            float(part["tau2"].iloc[0]),
            ind.unit == "pct",
            ind.scale,
            f"{ind.short} {year}: Stadtteile im Trichterdiagramm",
            f"{ind.short} ({UNIT_LABEL[ind.unit]})",
            indicator_source_line(ind, config),
        )
        out.append(figure_html(fig, alt=funnel_alt(part, ind, year)))
        out.append(funnel_eb_table(funnel, ind_id, catalogue))
    return out


def index_summary_text(index_now: pd.DataFrame, config: Config, year: int) -> str:
    """Which Stadtteile have a low status or a negative dynamic."""
    names = {s.code: s.name for s in config.stadtteile}
    low = [
        names[c]
        for c, k in zip(index_now["area_code"], index_now["status_class"], strict=True)
        if k in ("niedrig", "sehr niedrig")
    ]
    neg = [names[c] for c, k in zip(index_now["area_code"], index_now["dynamics_class"], strict=True) if k == "negativ"]
    text = f"Im Sozialraum-Index {year} haben "
    text += (
        (", ".join(low) + " einen niedrigen oder sehr niedrigen sozialen Status")
        if low
        else "keine Stadtteile einen niedrigen Status"
    )
    text += "; eine negative Dynamik zeigen " + (", ".join(neg) if neg else "keine Stadtteile") + "."
    return text


def need_summary_text(flagged: pd.DataFrame) -> str:
    """Stadtteile and phases with high need and low coverage."""
    if flagged.empty:
        return "Kein Stadtteil hat in einer Lebensphase zugleich hohen Bedarf und geringe Abdeckung."
    parts = [f"{name} ({', '.join(p['phase'])})" for name, p in flagged.groupby("area_name", sort=True)]
    return "Hoher Bedarf bei geringer Abdeckung durch Angebote vor Ort: " + "; ".join(parts) + "."


def index_method_text(config: Config, catalogue: Catalogue) -> str:
    """The index indicators and cut-offs, as configured."""
    si = config.analysis.social_index
    names = ", ".join(catalogue.get(i).short for i in si.status_indicators)
    cuts = ", ".join(fmt_number(c, 1) for c in si.status_cuts)
    dcuts = ", ".join(fmt_number(c, 1) for c in si.dynamics_cuts)
    return (
        f"Indexindikatoren: {names}. Jeder Indikator wird über die Stadtteile z-standardisiert, der Index ist der "
        f"Mittelwert und wird erneut standardisiert. Klassengrenzen in Standardabweichungen: Status {cuts}; "
        f"Dynamik (Veränderung über {si.dynamics_years} Jahre) {dcuts}."
    )


def _class_label(value: object) -> str:
    """A class for alt text; missing classes come as None or NaN (as in the map)."""
    return value if isinstance(value, str) and value else "keine Einstufung"


def class_map_alt(classes: dict[str, str | None], config: Config, what: str, year: int) -> str:
    """Alt text of a class map: the class of every Stadtteil."""
    listed = "; ".join(f"{s.name}: {_class_label(classes.get(s.code))}" for s in config.stadtteile)
    return f"Karte der Stadtteile nach {what} {year}. {listed}."


def class_map(
    frame: pd.DataFrame,
    column: str,
    config: Config,
    *,
    title: str,
    source: str,
    legend_title: str,
    classes: tuple[str, ...],
    what: str,
    year: int,
    geometry=None,
    highlight: str | None = None,
) -> HTML:
    """A Stadtteil map of one class column of ``frame`` (``area_code``, ``column``) as a figure whose
    alt text lists every Stadtteil's class (and the highlighted Stadtteil, if any)."""
    from helpers.report.display import figure_html
    from helpers.report.maps import stadtteil_map

    values = dict(zip(frame["area_code"], frame[column], strict=True))
    fig = stadtteil_map(
        config, values, title, source, legend_title, classes=classes, highlight=highlight, geometry=geometry
    )
    alt = class_map_alt(values, config, what, year)
    if highlight is not None:
        alt += f" Hervorgehoben: {config.stadtteil(highlight).name}."
    return figure_html(fig, alt=alt)


def count_map_alt(counts: dict[str, int], config: Config, year: int) -> str:
    listed = "; ".join(f"{s.name}: {counts.get(s.code, 0)}" for s in config.stadtteile)
    return f"Karte {year}: Zahl der Lebensphasen mit hohem Bedarf und geringer Abdeckung je Stadtteil. {listed}."


def value_map_alt(values: dict[str, float], config: Config, what: str, year: int) -> str:
    listed = "; ".join(
        f"{s.name}: {fmt_percent(values.get(s.code)) if values.get(s.code) is not None else 'nicht veröffentlicht'}"
        for s in config.stadtteile
    )
    return f"Karte {what} {year} nach Stadtteilen. {listed}."


# --- HzE report sections -------------------------------------------------------------------


def hze_glance_text(
    desc: pd.DataFrame, effects: pd.DataFrame, balance: pd.DataFrame, commune: str, year: int, start: int
) -> str:
    """Three sentences for the council: volume, what the evidence says, the caveat."""
    total = desc[desc["by"] == "gesamt"].iloc[0]
    text = (
        f"{year} gab es in {commune} {fmt_number(total['counted'])} Hilfen zur Erziehung "
        f"({fmt_number(total['cases_per_10000'], 0)} je 10.000 unter 21-Jährige) mit Ausgaben von "
        f"{fmt_number(total['eur'] / 1e6, 1)} Mio. EUR ({fmt_number(total['eur_per_u21'], 0)} EUR je "
        f"unter 21-Jährigen). "
    )
    did = effects[(effects["design"] == "DiD Stadtteile") & (effects["term"] == "spät (ab Verzögerung)")]
    if year < start or did.empty:
        return text + "Für eine Wirkungsaussage zum Programm ist es noch zu früh."
    d = did.iloc[0]
    if d["ci_high"] < 0:
        text += "In Stadtteilen mit Präventionsangeboten gingen neue Hilfen nach einigen Jahren gesichert zurück. "
    else:
        text += (
            "Ein Rückgang neuer Hilfen in Stadtteilen mit Präventionsangeboten ist möglich, aber statistisch "
            "nicht gesichert. "
        )
    return text + "Ob sich Prävention finanziell auszahlt, lässt sich mit den vorliegenden Daten nicht sicher sagen."


def hze_totals_text(desc: pd.DataFrame) -> str:
    """Stationary share of cases and spending."""
    s = desc[desc["by"] == "setting"].set_index("group")
    if "stationär" not in s.index or s["counted"].isna().any():
        return ""
    share_cases = 100 * s.loc["stationär", "counted"] / s["counted"].sum()
    share_eur = 100 * s.loc["stationär", "eur"] / s["eur"].sum()
    return (
        f"Stationäre Hilfen machen {fmt_percent(share_cases)} der Fälle, aber {fmt_percent(share_eur)} der "
        "Ausgaben aus; sie bestimmen die Kostenentwicklung."
    )


def effects_table(effects: pd.DataFrame) -> HTML:
    """The DiD estimates as rate changes with intervals and p-values."""
    d = effects[effects["design"] == "DiD Stadtteile"]
    frame = pd.DataFrame(
        {
            "Zeitraum nach Angebotsbeginn": d["term"],
            "Veränderung neuer Hilfen (95-%-KI)": [
                rr_text(e, lo, hi) for e, lo, hi in zip(d["estimate"], d["ci_low"], d["ci_high"], strict=True)
            ],
            "p-Wert": [fmt_number(p, 3) for p in d["p_value"]],
        }
    )
    return table_html(
        frame,
        "Stadtteilvergleich: Wirkung auf neue Hilfen (ohne Erziehungsberatung)",
        numeric=["p-Wert"],
        note="Modell: logarithmierte Rate neuer Hilfen je unter 21-Jährige mit Stadtteil- und Jahreseffekten und "
        "der SGB-II-Quote als Kontrolle; Intervalle und p-Werte aus dem Wild-Cluster-Bootstrap (Webb-Gewichte), "
        "der auch bei wenigen Stadtteilen verlässlich ist.",
    )


def its_sections(its: pd.DataFrame, start: int, source: str) -> list[HTML]:
    """ITS charts for expenditure (Mio. EUR) and case rate."""
    from helpers.report import analysis_plots
    from helpers.report.display import figure_html

    out: list[HTML] = []
    if "series" not in its:
        return out
    spec = {
        "ausgaben_eur": ("HzE-Ausgaben insgesamt", "Mio. EUR", 1, 1e6),
        "faelle_je_10000": ("Hilfen je 10.000 unter 21-Jährige", "Fälle je 10.000", 0, 1.0),
    }
    for series, (title, ylabel, decimals, divisor) in spec.items():
        part = its[its["series"] == series]
        if part.empty:
            continue
        fig = analysis_plots.its_chart(part, start, title, ylabel, source, decimals, divisor)
        alt = (
            f"Liniendiagramm {title} {int(part['year'].min())}–{int(part['year'].max())} mit Modell vor und nach "
            f"{start} und der Fortschreibung ohne Programm."
        )
        out.append(figure_html(fig, alt=alt))
    return out


def event_sections(event: pd.DataFrame, lag: int, commune: str, source: str) -> list[HTML]:
    from helpers.report import analysis_plots
    from helpers.report.display import figure_html

    if event.empty:
        return []
    fig = analysis_plots.event_study_chart(event, lag, f"{commune} gegenüber Vergleichskommunen", source)
    alt = (
        f"Punktdiagramm: Abweichung der HzE-Fallrate von {commune} gegenüber Kommunen ohne Programm, je Jahr "
        "vor und nach dem Programmstart, mit 95-%-Intervallen."
    )
    return [figure_html(fig, alt=alt)]


def balance_sections(base: pd.DataFrame, balance: pd.DataFrame, year: int, source: str) -> list[HTML]:
    from helpers.report import analysis_plots
    from helpers.report.display import figure_html

    if base.empty:
        return []
    fig = analysis_plots.balance_chart(base, f"Kosten-Wirkungs-Bilanz bis {year}", source)
    alt = (
        "Liniendiagramm: kumulierte Präventionsausgaben, geschätzte vermiedene HzE-Ausgaben und Saldo mit "
        f"95-%-Band bis {year}."
    )
    return [figure_html(fig, alt=alt), sensitivity_table(balance)]


def profile_index_text(history: pd.DataFrame, code: str, name: str, year: int) -> str:
    """The Stadtteil's status and dynamics class and how stable its class has been."""
    now = history[(history["year"] == year) & (history["area_code"] == code)]
    if now.empty or not isinstance(now["status_class"].iloc[0], str):
        return (
            f"{name} erhält {year} keine Einstufung im Sozialraum-Index, weil nicht alle Indexindikatoren "
            "veröffentlicht sind."
        )
    r = now.iloc[0]
    stab = class_stability(history[history["area_code"] == code], year).iloc[0]
    status = {"hoch": "hohen", "mittel": "mittleren", "niedrig": "niedrigen", "sehr niedrig": "sehr niedrigen"}
    dynamics = {"positiv": "eine **positive**", "stabil": "eine **stabile**", "negativ": "eine **negative**"}
    dyn = dynamics.get(r["dynamics_class"], "eine nicht bestimmbare")
    return (
        f"{name} hat {year} einen **{status[r['status_class']]}** sozialen Status (Statusindex "
        f"{fmt_number(r['status_z'], 2)} Standardabweichungen) und {dyn} Dynamik. Die Statusklasse ist "
        f"{stability_label(stab['share_current'], int(stab['changes']))}: in "
        f"{fmt_percent(100 * stab['share_current'], 0)} von {int(stab['years_classified'])} eingestuften Jahren "
        "gleich."
    )


def council_summary(points: list[str]) -> str:
    """The council summary as a Markdown bullet list (empty points left out)."""
    return "\n".join(f"- {p}" for p in points if p)

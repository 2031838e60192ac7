"""German tables, texts and charts for the HzE cost-effect analyses: descriptive figures, ITS,
DiD, event study and the cost-effect balance.

An effect is named only where its interval excludes "no effect"; otherwise the text says the
data do not show one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from helpers.analysis.hze import break_even_year
from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.report.display import table_html

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

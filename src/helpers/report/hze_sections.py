"""German tables, texts and charts for the HzE cost-effect analyses: descriptive figures, ITS,
DiD, event study and the cost-effect balance.

An effect is named only where its interval excludes "no effect"; otherwise the text says the
data do not show one. Numbers are tagged: HzE table cells with their key, model results as
``data-public="estimate"``, years as ``"year"`` (``helpers.core.numbertags``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from helpers.analysis.hze import break_even_year
from helpers.analysis.hze_tables import DECIMALS, cell_text
from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.core.numbertags import cell, public, text
from helpers.report.display import table_html
from helpers.report.labels import DID_TERM, HZE_COLUMNS, SCENARIO


def _est(value: str) -> str:
    return public(value, "estimate")


def _year(value: object) -> str:
    return public(value, "year")


# --- HzE ------------------------------------------------------------------------------------

BY_LABEL = {"basis": "Hilfeart (§ SGB VIII)", "setting": "Hilfeform", "gesamt": "Insgesamt"}


def hze_descriptive_table(desc: pd.DataFrame, by: str, year: int) -> HTML:
    """City HzE figures by legal basis or setting (small counts suppressed)."""
    part = desc[desc["by"] == by]
    label = {"basis": lambda g: f"§ {g}", "setting": str, "gesamt": str}[by]

    def shown(col: str) -> list[str]:
        symbols = part[f"zeichen_{col}"] if f"zeichen_{col}" in part else [""] * len(part)
        return [cell_text(v, s, DECIMALS.get(col, 0)) for v, s in zip(part[col], symbols, strict=True)]

    frame = pd.DataFrame({BY_LABEL[by]: [label(g) for g in part["group"]]})
    for col, header in HZE_COLUMNS.items():
        frame[header] = shown(col)
    keys = {HZE_COLUMNS[c]: part[f"cell_{c}"].tolist() for c in HZE_COLUMNS if f"cell_{c}" in part}
    caption = (
        f"Hilfen zur Erziehung {year} insgesamt"
        if by == "gesamt"
        else f"Hilfen zur Erziehung {year} nach {BY_LABEL[by]}"
    )
    return table_html(
        frame,
        caption,
        numeric=list(frame.columns[1:]),
        public={h: "derived" for h in frame.columns[1:] if h not in keys},
        note=text(
            "Fälle = Bestand am 31.12. plus im Jahr beendete Hilfen. „.“ = geheim zu halten (weniger als drei "
            "Fälle, ein einzelner Fall bestimmt den Betrag, oder aus anderen veröffentlichten Zahlen rückrechenbar); "
            "„–“ = nichts vorhanden. Ausgaben nach Haushaltsrechnung; je Hilfejahr = Ausgaben je {} Hilfetage.",
            public(365, "config"),
        ),
        cell_keys=keys,
    )


def _ci_text(low: float, high: float, decimals: int = 0) -> str:
    return f"{fmt_number(low, decimals)} bis {fmt_number(high, decimals)}"


def its_text(effects: pd.DataFrame, start: int) -> str:
    """German reading of the ITS on expenditure and case rates."""
    e = effects[effects["design"] == "its"].set_index(["series", "term"])
    if e.empty:
        return "Für eine unterbrochene Zeitreihe liegen vor oder nach dem Programmstart zu wenige Jahre vor."
    cum = e.loc[("ausgaben_eur", "cumulated_gap")]
    rate = e.loc[("faelle_je_10000", "slope_change")]
    prices = int(cum["price_base_year"]) if "price_base_year" in cum and pd.notna(cum["price_base_year"]) else start
    sig = cum["ci_high"] < 0 or cum["ci_low"] > 0
    out = text(
        "Gegenüber der Fortschreibung des Trends vor {} lagen die HzE-Ausgaben seit {} zusammen um {} Mio. € {} "
        "(in Preisen von {}; 95-%-Intervall {} Mio. €). ",
        _year(start),
        _year(start),
        _est(fmt_number(abs(cum["estimate"]) / 1e6, 1)),
        "niedriger" if cum["estimate"] < 0 else "höher",
        _year(prices),
        _est(_ci_text(cum["ci_low"] / 1e6, cum["ci_high"] / 1e6, 1)),
    )
    out += (
        "Diese Abweichung ist statistisch erkennbar. "
        if sig
        else "Das Intervall schließt „keine Abweichung“ ein; die Zeitreihe allein belegt also keine Wirkung. "
    )
    out += text(
        "Die Rate der Hilfen je unter 21-Jährige änderte ihren Trend um {} pro Jahr. Preissteigerungen sind "
        "herausgerechnet und die Ausgaben je unter 21-Jährigen modelliert; eine Zeitreihe ohne Vergleichsgruppe kann "
        "Programmwirkung aber nicht von gleichzeitigen Entwicklungen (Gesetzesänderungen, Zuwanderung) trennen.",
        _est(rr_text(rate["estimate"], rate["ci_low"], rate["ci_high"], 1)),
    )
    return out


def rr_text(estimate: float, low: float, high: float, decimals: int = 0) -> str:
    """'−12 % (−25 % bis +2 %)' from a log rate ratio and its interval."""
    pct = [100 * np.expm1(v) for v in (estimate, low, high)]
    d = decimals
    return f"{fmt_change(pct[0], d, ' %')} ({fmt_change(pct[1], d, ' %')} bis {fmt_change(pct[2], d, ' %')})"


def did_text(effects: pd.DataFrame, lag: int) -> str:
    """German reading of the within-city DiD."""
    d = effects[effects["design"] == "did"].set_index("term")
    if d.empty:
        return (
            "Für den Vergleich von Stadtteilen mit und ohne Präventionsangebote ist es noch zu früh, oder es gibt "
            "zu wenige Stadtteile mit und ohne Angebote für eine belastbare Schätzung."
        )
    late, early = d.loc["late"], d.loc["early"]
    out = text(
        "Im Vergleich von {} Stadtteilen mit neuen Präventionsangeboten und {} Stadtteilen ohne solche Angebote "
        "veränderte sich die Zahl neuer Hilfen (ohne Erziehungsberatung) ab dem {}. Jahr nach Angebotsbeginn um {}. ",
        public(int(late["n_treated"]), "count"),
        public(int(late["n_control"]), "count"),
        public(lag + 1, "config"),
        _est(rr_text(late["estimate"], late["ci_low"], late["ci_high"])),
    )
    if late["ci_high"] < 0:
        out += "Der Rückgang ist statistisch erkennbar (Wild-Cluster-Bootstrap). "
    else:
        out += text(
            "Das Intervall schließt „keine Veränderung“ ein; ein Rückgang ist möglich, aber nicht belegt (p = {}). ",
            _est(fmt_number(late["p_value"], 2)),
        )
    out += text(
        "In den ersten Jahren nach Beginn lag die Veränderung bei {}; "
        "frühes Erkennen kann die Zahl der Hilfen zunächst erhöhen.",
        _est(rr_text(early["estimate"], early["ci_low"], early["ci_high"])),
    )
    return out


def event_text(effects: pd.DataFrame, commune: str) -> str:
    """German reading of the event study and its pre-trend check."""
    e = effects[effects["design"] == "event_study"].set_index("term")
    if e.empty:
        return "Für den Vergleich mit anderen Kommunen liegen noch zu wenige Jahre vor."
    f_p = e.loc["pretrend_joint", "p_value"]
    post = e.loc["post_mean"]
    n = int(post["n_control"]) + 1 if pd.notna(post.get("n_control")) else None
    violated = f_p < 0.05
    out = text(
        "Vor dem Programmstart folgte die Rate neuer Hilfen (ohne Erziehungsberatung) in {} {}ihrem eigenen Trend "
        "(gemeinsamer Test der letzten Vorjahre p = {}). Jede Kommune wird mit ihrem eigenen Trend vor dem "
        "Programmstart fortgeschrieben; Vergleichskommunen dürfen also anders wachsen als {}. ",
        commune,
        "nicht " if violated else "",
        _est(fmt_number(f_p, 2)),
        commune,
    )
    if violated:
        out += "Wegen des Bruchs vor dem Start ist der Vergleich nicht als Wirkungsschätzung zu lesen. "
    if not np.isnan(post["estimate"]):
        change = _est(rr_text(post["estimate"], post["ci_low"], post["ci_high"]))
        rank = (
            text("; Rang unter {} Kommunen: p = {}", public(n, "count"), _est(fmt_number(post["p_rank"], 2)))
            if n and "p_rank" in post
            else ""
        )
        out += text(
            "Nach der Wirkungsverzögerung wich die Rate im Mittel um {} von diesem Trend ab (p = {}{}). ",
            change,
            _est(fmt_number(post["p_value"], 2)),
            rank,
        )
        if n:
            out += text(
                "Mit {} Vergleichskommunen ist eine Aussage auf dem 5-%-Niveau nur unter der Annahme "
                "normalverteilter Abweichungen möglich.",
                public(n - 1, "count"),
            )
    return out


def balance_text(balance: pd.DataFrame, year: int) -> str:
    """German reading of the cost-effect balance (base scenario and band)."""
    base = balance[balance["scenario"] == "base"].sort_values("year") if "scenario" in balance else balance
    start = int(base["year"].min()) if len(base) else year
    if base.empty:
        return "Eine Kosten-Wirkungs-Bilanz ist erst möglich, wenn eine Wirkungsschätzung vorliegt."
    last = base.iloc[-1]
    be = break_even_year(base.set_index("year")["cum_net_eur"])
    share = float(base["share_draws_break_even"].iloc[0])
    out = text(
        "Bis {} standen {} Mio. € Präventionsausgaben geschätzt {} Mio. € vermiedene HzE-Ausgaben (in den "
        "Jahren, in denen sie angefallen wären, abgezinst auf {}) gegenüber (Saldo {} Mio. €, 95-%-Band {} Mio. "
        "€). ",
        _year(year),
        _est(fmt_number(last["cum_prevention_eur"] / 1e6, 1)),
        _est(fmt_number(last["cum_avoided_eur"] / 1e6, 1)),
        _year(start),
        _est(fmt_change(last["cum_net_eur"] / 1e6, 1)),
        _est(_ci_text(last["cum_net_low"] / 1e6, last["cum_net_high"] / 1e6, 1)),
    )
    out += (
        text("Im Basisszenario ist der Break-even {} erreicht. ", _year(be))
        if be
        else "Im Basisszenario ist der Break-even noch nicht erreicht. "
    )
    out += text(
        "In {} der Bootstrap-Ziehungen liegt der Saldo am Ende im Plus; die Bilanz ist also unsicher. ",
        _est(fmt_percent(100 * share, 0)),
    )
    out += (
        "Was die Daten nicht zeigen können: Wirkungen der Prävention treten oft erst Jahre später auf, viele "
        "(Schulerfolg, Gesundheit, Erwerbsleben) nicht in der Jugendhilfe, und Einsparungen können anderen "
        "Haushalten (Land, Bund, Sozialversicherung) zugutekommen statt dem Jugendamt."
    )
    return out


def sensitivity_table(balance: pd.DataFrame) -> HTML:
    """Break-even year and final balance per scenario."""
    rows = []
    for scenario, part in balance.groupby("scenario", sort=False):
        part = part.sort_values("year")
        be = break_even_year(part.set_index("year")["cum_net_eur"])
        rows.append(
            {
                "Annahme": SCENARIO.get(scenario, scenario),
                "Saldo am Ende (Mio. €)": fmt_change(part["cum_net_eur"].iloc[-1] / 1e6, 1),
                "Break-even": str(be) if be else "nicht erreicht",
            }
        )
    return table_html(
        pd.DataFrame(rows),
        "Empfindlichkeit der Bilanz gegenüber den Annahmen",
        numeric=["Saldo am Ende (Mio. €)"],
        public={"Saldo am Ende (Mio. €)": "estimate", "Break-even": "year"},
        note="Basis: geschätzte Wirkung aus dem Stadtteilvergleich; die Kosten jeder vermiedenen oder zusätzlichen "
        "Hilfe werden über ihre übliche Dauer auf die Jahre verteilt, in denen sie anfallen, zu den Kosten je "
        "Hilfejahr ihrer Hilfeart (früh zusätzlich erkannte Hilfen: ambulante Hilfearten); Abzinsung mit dem "
        "Kalkulationszins der Konfiguration (Arbeitsanleitung des BMF zu § 7 BHO) auf den Programmstart.",
    )


# --- HzE report sections -------------------------------------------------------------------


def hze_glance_text(
    desc: pd.DataFrame, effects: pd.DataFrame, balance: pd.DataFrame, commune: str, year: int, start: int
) -> str:
    """Three sentences for the council: volume, what the evidence says, the caveat."""
    total = desc[desc["by"] == "gesamt"].iloc[0]
    text_ = text(
        "{} gab es in {} {} Hilfen zur Erziehung ({} je 10.000 unter 21-Jährige) mit Ausgaben von {} Mio. € "
        "({} € je unter 21-Jährigen). ",
        _year(year),
        commune,
        _cell(total, "counted"),
        public(fmt_number(total["cases_per_10000"], 0), "derived"),
        public(_mio(total), "derived"),
        public(fmt_number(total["eur_per_u21"], 0), "derived"),
    )
    did = effects[(effects["design"] == "did") & (effects["term"] == "late")]
    if year < start or did.empty:
        return text_ + "Für eine Wirkungsaussage zum Programm ist es noch zu früh."
    d = did.iloc[0]
    if d["ci_high"] < 0:
        text_ += "In Stadtteilen mit Präventionsangeboten gingen neue Hilfen nach einigen Jahren gesichert zurück. "
    else:
        text_ += (
            "Ein Rückgang neuer Hilfen in Stadtteilen mit Präventionsangeboten ist möglich, aber statistisch "
            "nicht gesichert. "
        )
    return text_ + "Ob sich Prävention finanziell auszahlt, lässt sich mit den vorliegenden Daten nicht sicher sagen."


def _cell(row: pd.Series, column: str) -> str:
    """One HzE table cell of ``row`` as tagged text (its key and published text)."""
    key = row.get(f"cell_{column}")
    symbol = row.get(f"zeichen_{column}", "")
    shown = cell_text(row[column], symbol if isinstance(symbol, str) else "", DECIMALS.get(column, 0))
    return cell(shown, key) if isinstance(key, str) else public(shown, "derived")


def _mio(row: pd.Series) -> str:
    """Expenditure in Mio. € ("." where the EUR cell is secret)."""
    return "." if row.get("zeichen_eur") == "." else fmt_number(row["eur"] / 1e6, 1)


def hze_totals_text(desc: pd.DataFrame) -> str:
    """Stationary share of cases and spending."""
    s = desc[desc["by"] == "setting"].set_index("group")
    if "stationär" not in s.index or s["counted"].isna().any():
        return ""
    share_cases = 100 * s.loc["stationär", "counted"] / s["counted"].sum()
    share_eur = 100 * s.loc["stationär", "eur"] / s["eur"].sum()
    return text(
        "Stationäre Hilfen machen {} der Fälle, aber {} der Ausgaben aus; sie bestimmen die Kostenentwicklung.",
        public(fmt_percent(share_cases), "derived"),
        public(fmt_percent(share_eur), "derived"),
    )


def effects_table(effects: pd.DataFrame) -> HTML:
    """The DiD estimates as rate changes with intervals and p-values."""
    d = effects[effects["design"] == "did"]
    frame = pd.DataFrame(
        {
            "Zeitraum nach Angebotsbeginn": d["term"].map(DID_TERM),
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
        public={"Veränderung neuer Hilfen (95-%-KI)": "estimate", "p-Wert": "estimate"},
        note="Modell: logarithmierte Rate neuer Hilfen je unter 21-Jährige mit Stadtteil- und Jahreseffekten und "
        "der SGB-II-Quote als Kontrolle; p-Werte aus dem Wild-Cluster-Bootstrap (Webb-Gewichte) unter der "
        "Nullhypothese, Intervalle durch Umkehrung desselben Tests, so dass Intervall und p-Wert immer "
        "übereinstimmen. Bei sehr wenigen Stadtteilen (unter etwa sechs) kann der Bootstrap nur wenige "
        "verschiedene p-Werte liefern; die Ergebnisse sind dann nur grob.",
    )


def _price_year(its: pd.DataFrame, default: int) -> int:
    years = its["price_base_year"].dropna() if "price_base_year" in its else pd.Series(dtype=float)
    return int(years.iloc[0]) if len(years) else default


def its_sections(its: pd.DataFrame, start: int, source: str) -> list[HTML]:
    """ITS charts for expenditure (Mio. €) and case rate."""
    from helpers.report import analysis_plots
    from helpers.report.display import figure_html

    out: list[HTML] = []
    if "series" not in its:
        return out
    spec = {
        "ausgaben_eur": ("HzE-Ausgaben insgesamt", f"Mio. € (Preise {_price_year(its, start)})", 1, 1e6),
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
        f"Punktdiagramm: Abweichung der Rate neuer Hilfen von {commune} vom eigenen Trend vor dem Programmstart, "
        "netto der Vergleichskommunen, je Jahr, mit 95-%-Intervallen (Placebo-Verfahren)."
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

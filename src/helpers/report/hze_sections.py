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
from markupsafe import Markup

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
        "Die Rate der Hilfen je unter 21-Jährige änderte ihren Trend um {} pro Jahr. Preissteigerungen sind mit dem "
        "HzE-Preisindex herausgerechnet (siehe Annahmen) und die Ausgaben je unter 21-Jährigen modelliert; eine "
        "Zeitreihe ohne Vergleichsgruppe kann Programmwirkung aber nicht von gleichzeitigen Entwicklungen "
        "(Gesetzesänderungen, Zuwanderung) trennen.",
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


def event_text(effects: pd.DataFrame, commune: str, lag: int = 3) -> str:
    """German reading of the event study: the comparison set and why, the pre-trend check, and the
    post-period deviation only where the pre-trend check holds (otherwise left out with the reason)."""
    e = effects[effects["design"] == "event_study"].set_index("term")
    if e.empty:
        return "Für den Vergleich mit anderen Kommunen liegen noch zu wenige Jahre vor."
    f_p = e.loc["pretrend_joint", "p_value"]
    post = e.loc["post_mean"]
    n_used = int(post["n_control"])
    n_all = int(post["n_comparison_all"]) if pd.notna(post.get("n_comparison_all")) else n_used
    violated = f_p < 0.05
    out = text(
        "Verglichen wird mit den {} der {} Vergleichskommunen, die an keinem Präventionsprogramm teilnehmen; die "
        "übrigen {} bleiben außen vor, weil ein eigenes Programm ihre Raten verändert haben kann. ",
        public(n_used, "count"),
        public(n_all, "count"),
        public(n_all - n_used, "count"),
    )
    out += text(
        "Vor dem Programmstart folgte die Rate neuer Hilfen (ohne Erziehungsberatung) in {} {}ihrem eigenen Trend "
        "(gemeinsamer Test der letzten Vorjahre p = {}). Jede Kommune wird mit ihrem eigenen Trend vor dem "
        "Programmstart fortgeschrieben; Vergleichskommunen dürfen also anders wachsen als {}. ",
        commune,
        "nicht " if violated else "",
        _est(fmt_number(f_p, 2)),
        commune,
    )
    if violated:
        return out + text(
            "Weil {} schon vor dem Start von diesem Trend abwich, ist die Fortschreibung keine verlässliche "
            "Vergleichsbasis: eine Wirkungsschätzung aus diesem Vergleich wird deshalb nicht ausgewiesen.",
            commune,
        )
    if np.isnan(post["estimate"]):
        return out
    out += text(
        "Nach der Wirkungsverzögerung von {} Jahren wich die Rate im Mittel um {} von diesem Trend ab (p = {}). ",
        public(lag, "config"),
        _est(rr_text(post["estimate"], post["ci_low"], post["ci_high"])),
        _est(fmt_number(post["p_value"], 2)),
    )
    if pd.notna(post.get("p_model")) and pd.notna(post.get("p_placebo")):
        out += text(
            "Als Abweichung gilt nur, was zwei Prüfungen zugleich zeigen: gemessen an der eigenen Schwankung von {} "
            "vor dem Start (p = {}) und gemessen an den Vergleichskommunen als Placebos (p = {}). So bleibt die "
            "Aussage gültig, auch wenn {} anders schwankt als die Vergleichskommunen.",
            commune,
            _est(fmt_number(post["p_model"], 2)),
            _est(fmt_number(post["p_placebo"], 2)),
            commune,
        )
    return out


def balance_verdict(low: float, high: float) -> str:
    """What the 95-% band of the final balance says, in words (never against the band).

    >>> balance_verdict(-7.1, -0.6)
    'Das ganze Band liegt im Minus: bisher haben die vermiedenen HzE-Ausgaben die Präventionsausgaben nicht gedeckt.'
    """
    if high < 0:
        return (
            "Das ganze Band liegt im Minus: bisher haben die vermiedenen HzE-Ausgaben die Präventionsausgaben "
            "nicht gedeckt."
        )
    if low > 0:
        return "Das ganze Band liegt im Plus: die vermiedenen HzE-Ausgaben übersteigen die Präventionsausgaben."
    return "Das Band reicht vom Minus ins Plus: ob sich das Programm finanziell auszahlt, ist offen."


def balance_text(balance: pd.DataFrame, year: int, programme_start: int | None = None) -> str:
    """German reading of the cost-effect balance (base scenario and band), discounted to the programme start."""
    base = balance[balance["scenario"] == "base"].sort_values("year") if "scenario" in balance else balance
    if base.empty:
        return "Eine Kosten-Wirkungs-Bilanz ist erst möglich, wenn eine Wirkungsschätzung vorliegt."
    last = base.iloc[-1]
    start = int(base["year"].min()) if programme_start is None else programme_start
    rate = float(base["discount_rate"].iloc[0]) if "discount_rate" in base else float("nan")
    be = break_even_year(base.set_index("year")["cum_net_eur"])
    out = text(
        "Bis {} standen {} Mio. € Präventionsausgaben geschätzt {} Mio. € vermiedene HzE-Ausgaben gegenüber (in "
        "laufenden Preisen der Jahre, in denen sie angefallen sind oder angefallen wären, mit {} pro Jahr "
        "abgezinst auf den Programmstart {}): Saldo {} Mio. €, 95-%-Band {} Mio. €. ",
        _year(year),
        _est(fmt_number(last["cum_prevention_eur"] / 1e6, 1)),
        _est(fmt_number(last["cum_avoided_eur"] / 1e6, 1)),
        public(fmt_percent(100 * rate, 1), "config"),
        _year(start),
        _est(fmt_change(last["cum_net_eur"] / 1e6, 1)),
        _est(_ci_text(last["cum_net_low"] / 1e6, last["cum_net_high"] / 1e6, 1)),
    )
    out += (
        text("Im Basisszenario ist der Break-even {} erreicht. ", _year(be))
        if be
        else "Im Basisszenario ist der Break-even noch nicht erreicht. "
    )
    out += balance_verdict(last["cum_net_low"], last["cum_net_high"]) + " "
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
        "Kalkulationszins (Wert unter „Annahmen“; Arbeitsanleitung des BMF zu § 7 BHO) auf den Programmstart.",
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


# --- conclusion, assumptions, changes between editions --------------------------------------


def direction(low: float, high: float) -> str:
    """'down' if the interval lies below 0, 'up' if above, else 'open' (the interval includes 0).

    >>> direction(-0.3, -0.01), direction(-0.3, 0.02), direction(0.1, 0.4)
    ('down', 'open', 'up')
    """
    if high < 0:
        return "down"
    if low > 0:
        return "up"
    return "open"


def _row(effects: pd.DataFrame, design: str, term: str, series: str | None = None) -> pd.Series | None:
    sel = (effects["design"] == design) & (effects["term"] == term)
    if series is not None:
        sel &= effects["series"] == series
    rows = effects[sel]
    return None if rows.empty else rows.iloc[0]


def _balance_last(balance: pd.DataFrame) -> pd.Series | None:
    base = balance[balance["scenario"] == "base"] if "scenario" in balance else balance
    return None if base.empty else base.sort_values("year").iloc[-1]


def findings(effects: pd.DataFrame, balance: pd.DataFrame) -> dict[str, str]:
    """The conclusion of each design of one report year: 'down', 'up', 'open' or 'left_out'
    (event study with a broken pre-trend). Designs without a result are missing."""
    out: dict[str, str] = {}
    did = _row(effects, "did", "late")
    if did is not None:
        out["did"] = direction(did["ci_low"], did["ci_high"])
    its_ = _row(effects, "its", "cumulated_gap", "ausgaben_eur")
    if its_ is not None:
        out["its"] = direction(its_["ci_low"], its_["ci_high"])
    post, pre = _row(effects, "event_study", "post_mean"), _row(effects, "event_study", "pretrend_joint")
    if post is not None and pre is not None and not np.isnan(post["estimate"]):
        out["event"] = "left_out" if pre["p_value"] < 0.05 else direction(post["ci_low"], post["ci_high"])
    last = _balance_last(balance)
    if last is not None:
        out["balance"] = direction(last["cum_net_low"], last["cum_net_high"])
    return out


#: What each design concluded, per direction, as a clause of "Im Bericht 2023 hieß es, …".
FINDING_WORDS = {
    "did": {
        "down": "neue Hilfen seien in Stadtteilen mit Präventionsangeboten gesichert zurückgegangen",
        "open": "ein Rückgang neuer Hilfen in Stadtteilen mit Präventionsangeboten sei möglich, aber nicht gesichert",
        "up": "neue Hilfen hätten in Stadtteilen mit Präventionsangeboten gesichert zugenommen",
    },
    "its": {
        "down": "die HzE-Ausgaben lägen gesichert unter dem fortgeschriebenen Trend vor dem Programmstart",
        "open": "die HzE-Ausgaben wichen nicht erkennbar vom fortgeschriebenen Trend vor dem Programmstart ab",
        "up": "die HzE-Ausgaben lägen gesichert über dem fortgeschriebenen Trend vor dem Programmstart",
    },
    "event": {
        "down": "die Rate neuer Hilfen sei gegenüber den Vergleichskommunen gesichert gesunken",
        "open": "die Rate neuer Hilfen weiche nicht erkennbar von der der Vergleichskommunen ab",
        "up": "die Rate neuer Hilfen sei gegenüber den Vergleichskommunen gesichert gestiegen",
        "left_out": "der Vergleich mit anderen Kommunen sei wegen eines Bruchs vor dem Programmstart nicht auswertbar",
    },
    "balance": {
        "down": "die Kosten-Wirkungs-Bilanz sei gesichert negativ",
        "open": "ob sich das Programm finanziell auszahlt, sei offen",
        "up": "die Kosten-Wirkungs-Bilanz sei gesichert positiv",
    },
}


def edition_findings(effects: pd.DataFrame) -> dict[int, dict[str, str]]:
    """``findings`` of every earlier edition from its rows in this year's effects table
    (design ``edition:<design>``, see ``helpers.analysis.run.edition_rows``)."""
    if "edition" not in effects:
        return {}
    rows = effects[effects["design"].astype(str).str.startswith("edition:")]
    out = {}
    for edition, part in rows.groupby("edition"):
        part = part.assign(design=part["design"].str.removeprefix("edition:"))
        bal = part[part["design"] == "balance"]
        balance = pd.DataFrame({"year": [0] * len(bal), "cum_net_low": bal["ci_low"], "cum_net_high": bal["ci_high"]})
        out[int(edition)] = findings(part[part["design"] != "balance"], balance)
    return out


def changes_section(effects: pd.DataFrame, balance: pd.DataFrame, year: int) -> str:
    """Markdown heading and text: which conclusions differ from earlier editions (their results are
    rows of this year's effects table). Empty for the first edition."""
    editions = edition_findings(effects)
    years = sorted(y for y in editions if y < year)
    if not years:
        return ""
    now, prev = findings(effects, balance), years[-1]
    sentences = []
    for key, current in now.items():
        changed = [y for y in years if key in editions[y] and editions[y][key] != current]
        if not changed:
            continue
        last = changed[-1]
        since = next(y for y in [*years, year] if y > last)
        sentences.append(
            text(
                "Im Bericht {} hieß es, {}; seit dem Bericht {} heißt es: {}.",
                _year(last),
                FINDING_WORDS[key][editions[last][key]],
                _year(since),
                _indicative(FINDING_WORDS[key][current]),
            )
        )
    head = text("## Was sich gegenüber dem Bericht {} geändert hat", _year(prev))
    if not sentences:
        return head + "\n\n" + text("Keine Schlussfolgerung hat sich gegenüber dem Bericht {} geändert.", _year(prev))
    body = Markup(" ").join(sentences) + (
        " Jeder Bericht schätzt mit allen Jahren bis zu seinem Berichtsjahr neu; mit jedem Jahr ändern sich "
        "Schätzung und Intervall, und eine knapp gesicherte Aussage kann unsicher werden (oder umgekehrt)."
    )
    if all(editions[prev].get(k) == v for k, v in now.items()):
        body = text("Gegenüber dem Bericht {} hat sich keine Schlussfolgerung geändert. ", _year(prev)) + body
    return head + "\n\n" + body


def _indicative(clause: str) -> str:
    """The reported clause of FINDING_WORDS in the indicative (the current finding)."""
    swaps = {
        " seien ": " sind ",
        " sei ": " ist ",
        " hätten ": " haben ",
        " lägen ": " liegen ",
        " wichen ": " weichen ",
        " weiche ": " weicht ",
    }
    out = f" {clause} "
    for old, new in swaps.items():
        out = out.replace(old, new)
    return out.strip()


def _names(codes: list[str], names: dict[str, str]) -> str:
    shown = [names.get(c, c) for c in codes]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " und " + shown[-1]


def programme_text(effects: pd.DataFrame, commune: str, start: int, programme: str, names: dict[str, str]) -> str:
    """The programme, its start year and its Stadtteile (with the year of their first service)."""
    rows = effects[(effects["design"] == "programme") & (effects["term"] == "treated_start")]
    label = f"am Programm „{programme}“" if programme else "an einem Präventionsprogramm"
    out = text("{} nimmt seit {} {} teil. ", commune, _year(start), label)
    if rows.empty:
        return out + "Neue Präventionsangebote des Programms gibt es noch in keinem Stadtteil."
    parts = [
        text("{} (seit {})", names.get(str(c), str(c)), _year(int(y)))
        for c, y in zip(rows["series"], rows["estimate"], strict=True)
    ]
    listed = parts[0] if len(parts) == 1 else text("{} und {}", Markup(", ").join(parts[:-1]), parts[-1])
    return out + text("Neue Angebote des Programms gibt es in {} Stadtteilen: {}.", public(len(parts), "count"), listed)


def _implied_citywide(did: pd.Series, share: float) -> float:
    """Log rate ratio for the whole city if only the treated Stadtteile (``share`` of new cases) change.

    >>> round(_implied_citywide(pd.Series({"estimate": np.log(0.8)}), 0.5), 4)  # log(1 − 0,5·0,2)
    -0.1054
    """
    return float(np.log1p(share * np.expm1(did["estimate"])))


def conclusion_text(effects: pd.DataFrame, balance: pd.DataFrame, commune: str, year: int, lag: int) -> str:
    """The „Fazit“: what the designs estimate, why they do not contradict each other (or that they
    do), and what the data can and cannot show. Pure function of the analysis tables."""
    did = _row(effects, "did", "late")
    if did is None:
        return (
            "Für eine Wirkungsaussage ist es noch zu früh, oder es gibt zu wenige Stadtteile mit und ohne "
            "Präventionsangebote: die Daten können noch nicht zeigen, ob das Programm neue Hilfen verringert."
        )
    found = findings(effects, balance)
    verdict = {
        "down": "ein gesicherter Rückgang",
        "up": "eine gesicherte Zunahme",
        "open": "ein Rückgang ist möglich, aber nicht gesichert",
    }[found["did"]]
    out = text(
        "Der Stadtteilvergleich, der genaueste der Ansätze, schätzt für die Programmstadtteile ab dem {}. Jahr nach "
        "Angebotsbeginn {} neue Hilfen (p = {}): {}. ",
        public(lag + 1, "config"),
        _est(rr_text(did["estimate"], did["ci_low"], did["ci_high"])),
        _est(fmt_number(did["p_value"], 2)),
        verdict,
    )
    share_row = _row(effects, "programme", "treated_share_new")
    share = float(share_row["estimate"]) if share_row is not None else float("nan")
    clauses, consistent = [], True
    its_ = _row(effects, "its", "cumulated_gap", "ausgaben_eur")
    if its_ is not None:
        amount = text(
            "{} Mio. € {}, 95-%-Intervall {} Mio. €",
            _est(fmt_number(abs(its_["estimate"]) / 1e6, 1)),
            "weniger" if its_["estimate"] < 0 else "mehr",
            _est(_ci_text(its_["ci_low"] / 1e6, its_["ci_high"] / 1e6, 1)),
        )
        if found["its"] == "open":
            clauses.append(text("die Zeitreihe der Gesamtstadt ({}) schließt „keine Abweichung“ ein", amount))
        else:
            clauses.append(text("die Zeitreihe der Gesamtstadt zeigt gesichert eine Abweichung ({})", amount))
            consistent &= found["its"] == found["did"]
    post = _row(effects, "event_study", "post_mean")
    if found.get("event") == "left_out":
        clauses.append(text("der Vergleich mit anderen Kommunen entfällt (Bruch vor dem Programmstart)"))
    elif post is not None and "event" in found:
        implied = _implied_citywide(did, share) if not np.isnan(share) else float("nan")
        inside = bool(post["ci_low"] <= implied <= post["ci_high"]) if not np.isnan(implied) else True
        est = text(
            "{}, p = {}",
            _est(rr_text(post["estimate"], post["ci_low"], post["ci_high"])),
            _est(fmt_number(post["p_value"], 2)),
        )
        n = public(int(post["n_control"]), "count")
        if found["event"] == "open" and inside:
            clauses.append(
                text("der Vergleich mit {} Kommunen ({}) schließt beides ein, keine Wirkung und diesen Wert", n, est)
            )
        elif found["event"] == "open":
            clauses.append(text("der Vergleich mit {} Kommunen ({}) schließt eine Wirkung dieser Größe aus", n, est))
            consistent = False
        else:
            clauses.append(text("der Vergleich mit {} Kommunen zeigt gesichert eine Abweichung ({})", n, est))
            consistent &= inside
    if clauses and not np.isnan(share):
        out += text(
            "Auf die ganze Stadt umgerechnet ({} der neuen Hilfen entfallen auf diese Stadtteile) entspricht das {}; ",
            _est(fmt_percent(100 * share, 0)),
            _est(fmt_change(100 * np.expm1(_implied_citywide(did, share)), 0, " %")),
        )
        out += Markup("; ").join(clauses) + ". "
        out += (
            "Die Ansätze widersprechen sich also nicht; sie sind verschieden genau. "
            if consistent
            else "Die Ansätze passen also nicht ganz zusammen; die Schätzung ist mit Vorsicht zu lesen. "
        )
    last = _balance_last(balance)
    if last is not None:
        out += text(
            "Die Bilanz rechnet mit der Schätzung des Stadtteilvergleichs: Saldo bis {} {} Mio. € "
            "(95-%-Band {} Mio. €); {} ",
            _year(year),
            _est(fmt_change(last["cum_net_eur"] / 1e6, 1)),
            _est(_ci_text(last["cum_net_low"] / 1e6, last["cum_net_high"] / 1e6, 1)),
            {
                "down": "bisher haben die vermiedenen HzE-Ausgaben die Präventionsausgaben nicht gedeckt.",
                "up": "die vermiedenen HzE-Ausgaben übersteigen die Präventionsausgaben.",
                "open": "ob sich das Programm finanziell auszahlt, ist offen.",
            }[found["balance"]],
        )
    out += text(
        "Die Daten können zeigen, ob neue Hilfen in den Programmstadtteilen zurückgehen; nicht zeigen können sie "
        "Wirkungen außerhalb der Jugendhilfe und Wirkungen, die erst nach {} eintreten.",
        _year(year),
    )
    return out


def parameters_text(h, year: int) -> str:
    """Every assumption of the page with its value (``h``: ``config.analysis.hze``)."""
    if h.price_index:
        known = sorted(int(y) for y in h.price_index)
        prices = text("eigene Preisreihe der HzE-Entgelte für {}–{}", _year(known[0]), _year(known[-1]))
    else:
        jumps = [
            text("{} einmalig {}", _year(int(y)), public(fmt_change(100 * r, 0, " %"), "config"))
            for y, r in sorted(h.price_jumps.items())
        ]
        prices = text("{} pro Jahr", public(fmt_change(100 * h.price_growth_per_year, 1, " %"), "config"))
        if jumps:
            prices = text("{}, {}", prices, Markup(", ").join(jumps))
    return text(
        "Annahmen dieser Seite: Programmstart {}; ein Stadtteil zählt ab seinem ersten neuen Angebot ({}) als "
        "Programmstadtteil. Wirkungsverzögerung {} Jahre: als späte Wirkung zählt die Zeit ab dem {}. Jahr nach "
        "Angebotsbeginn. Preisindex der HzE-Kosten: {} (Tarifentwicklung im Sozial- und Erziehungsdienst); die "
        "Ausgaben der Zeitreihe stehen in Preisen von {}. Kalkulationszins der Bilanz: {} pro Jahr, abgezinst auf den "
        "Programmstart {}; die Bilanz rechnet in laufenden Preisen.",
        _year(h.programme_start_year),
        ", ".join(h.programme_types),
        public(h.lag_years, "config"),
        public(h.lag_years + 1, "config"),
        prices,
        _year(year),
        public(fmt_percent(100 * h.discount_rate, 1), "config"),
        _year(h.programme_start_year),
    )


def real_spending_text(its: pd.DataFrame, year: int) -> str:
    """City HzE spending first → last year, nominal and in prices of ``year`` (same index as the ITS)."""
    part = its[its["series"] == "ausgaben_eur"].sort_values("year") if "series" in its else its.iloc[:0]
    if part.empty or "observed_nominal" not in part:
        return ""
    first, last = part.iloc[0], part.iloc[-1]

    def change(a: float, b: float) -> str:
        return public(fmt_change(100 * (b / a - 1), 0, " %"), "derived")

    def mio(v: float) -> str:
        return public(fmt_number(v / 1e6, 1), "derived")

    out = text(
        "Die HzE-Ausgaben der Stadt betrugen {} {} Mio. € und {} {} Mio. € in laufenden Preisen (nominal, {}). "
        "In Preisen von {} (HzE-Preisindex, Annahmen auf der HzE-Seite) waren es {} {} Mio. €: real {}",
        _year(int(first["year"])),
        mio(first["observed_nominal"]),
        _year(int(last["year"])),
        mio(last["observed_nominal"]),
        change(first["observed_nominal"], last["observed_nominal"]),
        _year(year),
        _year(int(first["year"])),
        mio(first["observed"]),
        change(first["observed"], last["observed"]),
    )
    if "u21" in part and first["u21"] > 0 and last["u21"] > 0:
        a, b = first["observed"] / first["u21"], last["observed"] / last["u21"]
        out += text(
            ", je unter 21-Jährigen {} € und {} € ({})",
            public(fmt_number(a, 0), "derived"),
            public(fmt_number(b, 0), "derived"),
            change(a, b),
        )
    return out + (
        ". Beträge in Euro in Tabellen sind, wo nicht anders gesagt, nominal (ein Teil des Anstiegs sind "
        "Preissteigerungen); Trendaussagen zu Euro-Beträgen rechnen mit demselben Preisindex in Preisen des "
        "Berichtsjahres."
    )


# --- section builders: one argument, the page's scope (helpers.report.context.ReportScope) ------------


def _no_hze(scope) -> str:
    """Why the commune has no HzE analysis, as the city report says it."""
    return f"Hilfen zur Erziehung: {scope.plan.reports['hze']}"


def hze_glance(scope) -> str:
    """The council's sentences on the HzE (:func:`hze_glance_text`), or why the commune has no HzE analysis."""
    if not scope.plan.step_runs("hze_analyse"):
        return public(_no_hze(scope), "config")
    return hze_glance_text(
        scope.year_table("hze_descriptive"),
        scope.year_table("hze_effects"),
        scope.year_table("hze_balance"),
        scope.commune,
        scope.year,
        scope.config.analysis.hze.programme_start_year,
    )


def city_hze_section(scope) -> list:
    """The city report's HzE core results (within-city comparison, balance, real spending), or why the
    commune has no HzE analysis."""
    from IPython.display import Markdown

    from helpers.report.display import note

    if not scope.plan.step_runs("hze_analyse"):
        return [note(_no_hze(scope), public="config")]
    h, year = scope.config.analysis.hze, scope.year
    return [
        Markdown(did_text(scope.year_table("hze_effects"), h.lag_years)),
        Markdown(balance_text(scope.year_table("hze_balance"), year, h.programme_start_year)),
        Markdown(real_spending_text(scope.year_table("hze_its"), year)),
    ]


def base_scenario(balance: pd.DataFrame) -> pd.DataFrame:
    """The rows of the base scenario of the cost-effect balance (the empty table as it is).

    >>> base_scenario(pd.DataFrame({"scenario": ["base", "low"]}))["scenario"].tolist()
    ['base']
    """
    return balance[balance["scenario"] == "base"] if len(balance) else balance

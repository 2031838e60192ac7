"""German tables, texts and maps for the socio-spatial results: funnel plots with empirical
Bayes, the social index (status and dynamics), need vs supply.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from helpers.analysis.sozialindex import class_stability, stability_label
from helpers.core.config import Config
from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.core.numbertags import public, text
from helpers.indicators.catalogue import UNIT_LABEL, Catalogue
from helpers.report.context import indicator_source_line
from helpers.report.display import table_html
from helpers.report.labels import (
    DYNAMICS,
    DYNAMICS_TEXT,
    EB_OMITTED,
    NEED_FLAG,
    NOT_CLASSIFIED_REASON,
    POSITION,
    STATUS,
    funnel_label,
)

#: A smoothed value differs visibly from the observed one when it moves by at least this much
#: in the displayed unit (half a percentage point, half a case per 10.000 …).
EB_VISIBLE = 0.5


def eb_display(part: pd.DataFrame, scale: float) -> str:
    """Whether the EB column of one indicator adds information: "shown", "collapsed" or "invisible".

    "collapsed": no between-area variance beyond chance (every EB value is the city value);
    "invisible": no area's smoothed value moves by ``EB_VISIBLE`` display units or more.

    >>> frame = pd.DataFrame({"rate": [0.30, 0.40], "eb_rate": [0.302, 0.398], "eb_collapsed": [False] * 2})
    >>> eb_display(frame, 100), eb_display(frame.assign(eb_rate=[0.31, 0.39]), 100)
    ('invisible', 'shown')
    """
    if part.empty or bool(part["eb_collapsed"].any()):
        return "collapsed"
    moved = ((part["eb_rate"] - part["rate"]).abs() * scale).max()
    return "shown" if moved >= EB_VISIBLE else "invisible"


def funnel_eb_table(fe: pd.DataFrame, indicator_id: str, catalogue: Catalogue) -> HTML:
    """Raw value, EB-smoothed value (where it adds information) and funnel result per Stadtteil
    (no ranking: code order)."""
    ind = catalogue.get(indicator_id)
    part = fe[fe["indicator_id"] == indicator_id].sort_values("area_code")
    unit = UNIT_LABEL[ind.unit]
    eb = eb_display(part, ind.scale)
    columns = {
        "Stadtteil": part["area_name"],
        f"Wert ({unit})": [fmt_number(v * ind.scale, 1) for v in part["rate"]],
    }
    if eb == "shown":
        columns[f"geglättet, EB ({unit})"] = [fmt_number(v * ind.scale, 1) for v in part["eb_rate"]]
    columns |= {
        "Bezugsgröße": [fmt_number(v) for v in part["denominator"]],
        "Lage im Trichter": part["position_code"].map(POSITION),
        "Einordnung": [funnel_label(c) for c in part["funnel_code"]],
    }
    frame = pd.DataFrame(columns)
    words = (
        "„Mehr als Zufall erklärt“: außerhalb der 99,8-%-Grenzen um den städtischen Wert und auch außerhalb des "
        "Bandes der üblichen Unterschiede zwischen den Stadtteilen. „Im Rahmen der üblichen Unterschiede zwischen "
        "Stadtteilen“: außerhalb der 99,8-%-Grenzen, aber innerhalb dieses Bandes; der Unterschied ist nicht "
        "zufällig, aber nicht größer als zwischen Stadtteilen üblich. Die Reihenfolge folgt der Kennziffer, nicht "
        "einem Rang."
    )
    if eb == "shown":
        note = text(
            "Geglättet mit empirischem Bayes (Marshall {}): kleine Stadtteile werden stärker zum städtischen Wert "
            "gezogen, weil ihre Werte stärker vom Zufall abhängen. " + words,
            public(1991, "year"),
        )
    else:
        note = words + " " + EB_OMITTED[eb]
    return table_html(
        frame,
        f"{ind.short}: beobachtete Werte und Einordnung im Trichterdiagramm",
        numeric=[c for c in frame.columns if c not in ("Stadtteil", "Lage im Trichter", "Einordnung")],
        public={f"Wert ({unit})": "derived", f"geglättet, EB ({unit})": "derived", "Bezugsgröße": "population"},
        note=note,
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
                "Status": STATUS.get(r["status_class_code"], "–") if r is not None else "–",
                "Veränderung (Pp. je Jahr)": fmt_change(r["dynamics_index"], 2) if r is not None else ".",
                "Dynamik": DYNAMICS.get(r["dynamics_class_code"], "–") if r is not None else "–",
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
        numeric=["Statusindex (z)", "Veränderung (Pp. je Jahr)"],
        public=dict.fromkeys(
            ["Statusindex (z)", "Veränderung (Pp. je Jahr)", "Stabilität der Statusklasse"], "derived"
        ),
        links=links,
        note="Statusklassen: hoch, mittel, niedrig, sehr niedrig (sozialer Status); ein höherer Indexwert bedeutet "
        "mehr soziale Belastung. Dynamik: mittlere Veränderung der Statusindikatoren in Prozentpunkten je Jahr "
        "(positiv = mehr Belastung); „positiv“ bzw. „negativ“ nur bei statistisch erkennbarer Verbesserung bzw. "
        "Verschlechterung, sonst „stabil“. „–“: keine Einstufung (zu wenige Einwohnerinnen und Einwohner, oder "
        "ein Indexwert ist geheim gehalten oder beruht auf einer zu kleinen Bezugsgröße).",
    )


def need_supply_table(ns: pd.DataFrame, only_flagged: bool = False) -> HTML:
    """Need and supply per Stadtteil and phase."""
    part = ns[ns["flag_code"] != ""] if only_flagged else ns
    frame = pd.DataFrame(
        {
            "Stadtteil": part["area_name"],
            "Lebensphase": part["phase"],
            "SGB-II-Quote der Altersgruppe": [fmt_percent(v) for v in part["need_value"]],
            "Bedarf (z)": [fmt_number(v, 2) for v in part["need_z"]],
            "Plätze": [fmt_number(v) for v in part["places_total"]],
            "davon anteilig aus Angeboten für mehrere Stadtteile": [fmt_number(v) for v in part["places_allocated"]],
            "Plätze je 1.000": [fmt_number(v, 1) for v in part["places_per_1000"]],
            "Hinweis": [NEED_FLAG.get(c) or "–" for c in part["flag_code"]],
        }
    )
    return table_html(
        frame,
        "Bedarf und Angebot entlang der Präventionskette"
        + (" – Stadtteile mit Handlungsbedarf" if only_flagged else ""),
        numeric=[
            "SGB-II-Quote der Altersgruppe",
            "Bedarf (z)",
            "Plätze",
            "davon anteilig aus Angeboten für mehrere Stadtteile",
            "Plätze je 1.000",
        ],
        public={
            "SGB-II-Quote der Altersgruppe": "derived",
            "Bedarf (z)": "derived",
            "Plätze": "services",
            "davon anteilig aus Angeboten für mehrere Stadtteile": "services",
            "Plätze je 1.000": "derived",
        },
        note=text(
            "„Hoher Bedarf, geringe Abdeckung“: Bedarf mindestens {} Standardabweichungen über dem Mittel der "
            "Stadtteile und weniger Plätze je 1.000 Kinder und Jugendliche der Altersgruppe als im Median der "
            "Stadtteile. Angebote für mehrere Stadtteile oder die ganze Stadt werden nach der Zahl der Kinder der "
            "Altersgruppe auf die Stadtteile verteilt. Ein Hinweis erscheint nur, wenn der Median der Stadtteile "
            "über {} liegt.",
            public("0,5", "config"),
            public(0, "config"),
        ),
    )


# --- Sozialraumanalyse: sections, summaries and alt texts -----------------------------------


def funnel_alt(part: pd.DataFrame, ind, year: int) -> str:
    """Alt text of a funnel plot: the Stadtteile beyond the 99,8 % limits, in the words of the table."""
    text = f"Trichterdiagramm {ind.short} {year}: {len(part)} Stadtteile gegen den städtischen Wert. "
    beyond = part[part["funnel_code"] != "chance"]
    if beyond.empty:
        return text + "Alle Stadtteile liegen im Rahmen des Zufalls (innerhalb der 99,8-%-Grenzen)."
    listed = "; ".join(f"{r.area_name}: {funnel_label(r.funnel_code)}" for r in beyond.itertuples())
    return text + listed + "."


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
            out.append(
                note(
                    text(
                        "{}: für {} nicht genug veröffentlichte Werte für ein Trichterdiagramm.",
                        ind.short,
                        public(year, "year"),
                    )
                )
            )
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
        for c, k in zip(index_now["area_code"], index_now["status_class_code"], strict=True)
        if k in ("low", "very_low")
    ]
    codes = zip(index_now["area_code"], index_now["dynamics_class_code"], strict=True)
    neg = [names[c] for c, k in codes if k == "negative"]
    status = (
        (", ".join(low) + " einen niedrigen oder sehr niedrigen sozialen Status")
        if low
        else "keine Stadtteile einen niedrigen Status"
    )
    return text(
        "Im Sozialraum-Index {} haben {}; eine statistisch erkennbare Verschlechterung zeigen {}.",
        public(year, "year"),
        status,
        ", ".join(neg) if neg else "keine Stadtteile",
    )


def need_summary_text(flagged: pd.DataFrame) -> str:
    """Stadtteile and phases with high need and low coverage."""
    if flagged.empty:
        return "Kein Stadtteil hat in einer Lebensphase zugleich hohen Bedarf und geringe Abdeckung."
    parts = [f"{name} ({', '.join(p['phase'])})" for name, p in flagged.groupby("area_name", sort=True)]
    return "Hoher Bedarf bei geringer Abdeckung durch Angebote vor Ort: " + "; ".join(parts) + "."


def index_method_text(config: Config, catalogue: Catalogue) -> str:
    """The index indicators and cut-offs, as configured."""
    si = config.analysis.social_index
    from helpers.indicators.plan import commune_plan

    names = ", ".join(catalogue.get(i).short for i in commune_plan(config).status_indicators)
    cuts = ", ".join(fmt_number(c, 1) for c in si.status_cuts)
    return text(
        "Indexindikatoren: {}. Jede Kennzahl wird über die Stadtteile z-standardisiert, der Index ist der "
        "Mittelwert und wird erneut standardisiert. Klassengrenzen in Standardabweichungen: Status {}. "
        "Stadtteile unter {} Einwohnerinnen und Einwohnern oder mit einem unsicheren "
        "(„( )“) oder geheim gehaltenen („.“) Indexwert werden nicht eingestuft. Dynamik: Veränderung der "
        "Statusindikatoren in den letzten {} Jahren mit ihrer Unsicherheit; „positiv“ bzw. "
        "„negativ“ nur bei statistisch erkennbarer Verbesserung bzw. Verschlechterung (Falscherkennungsrate {} "
        "über die Stadtteile), sonst „stabil“.",
        names,
        public(cuts, "config"),
        public(fmt_number(si.min_population), "config"),
        public(si.dynamics_window, "config"),
        public("5 %", "config"),
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
    labels: dict[str, str],
    what: str,
    year: int,
    geometry=None,
    highlight: str | None = None,
) -> HTML:
    """A Stadtteil map of one class-code column of ``frame`` (``area_code``, ``column``) as a figure whose
    alt text lists every Stadtteil's class (and the highlighted Stadtteil, if any).

    ``labels`` maps the codes to their German class names, in legend order; other codes are unclassified.
    Without a map for the commune (no tiles, no boundaries) the result is the German note instead.
    """
    from helpers.report.maps import stadtteil_map

    values = {code: labels.get(value) for code, value in zip(frame["area_code"], frame[column], strict=True)}
    classes = tuple(labels.values())
    fig = stadtteil_map(
        config, values, title, source, legend_title, classes=classes, highlight=highlight, geometry=geometry
    )
    alt = class_map_alt(values, config, what, year)
    if highlight is not None:
        alt += f" Hervorgehoben: {config.stadtteil(highlight).name}."
    return map_html(fig, alt)


def map_html(fig: Figure | None, alt: str) -> HTML:
    """A map from ``helpers.report.maps.stadtteil_map`` as a figure, or the German note when the commune
    has no map (neither tile positions nor boundaries in the config)."""
    from helpers.report.display import figure_html, note
    from helpers.report.maps import map_note

    return note(map_note()) if fig is None else figure_html(fig, alt=alt, wide=True)


def count_map_alt(counts: dict[str, int], config: Config, year: int) -> str:
    listed = "; ".join(f"{s.name}: {counts.get(s.code, 0)}" for s in config.stadtteile)
    return f"Karte {year}: Zahl der Lebensphasen mit hohem Bedarf und geringer Abdeckung je Stadtteil. {listed}."


def value_map_alt(values: dict[str, float], config: Config, what: str, year: int) -> str:
    listed = "; ".join(
        f"{s.name}: {fmt_percent(values.get(s.code)) if values.get(s.code) is not None else 'nicht veröffentlicht'}"
        for s in config.stadtteile
    )
    return f"Karte {what} {year} nach Stadtteilen. {listed}."


STATUS_ADJECTIVE = {"high": "hohen", "medium": "mittleren", "low": "niedrigen", "very_low": "sehr niedrigen"}


def profile_index_text(history: pd.DataFrame, code: str, name: str, year: int, min_population: int = 300) -> str:
    """The Stadtteil's status and dynamics class and how stable its class has been."""
    now = history[(history["year"] == year) & (history["area_code"] == code)]
    if now.empty or now["status_class_code"].iloc[0] not in STATUS_ADJECTIVE:
        reason = "" if now.empty else str(now["not_classified_reason"].iloc[0] or "")
        why = NOT_CLASSIFIED_REASON.get(reason, "nicht alle Indexindikatoren sind veröffentlicht")
        return text(
            "{} erhält {} keine Einstufung im Sozialraum-Index: {}.",
            name,
            public(year, "year"),
            text(why).format(min_population=public(fmt_number(min_population), "config")),
        )
    r = now.iloc[0]
    stab = class_stability(history[history["area_code"] == code], year).iloc[0]
    dyn = DYNAMICS_TEXT.get(r["dynamics_class_code"], "eine nicht bestimmbare Dynamik")
    return text(
        "{} hat {} einen **{}** sozialen Status (Statusindex {} Standardabweichungen) und {}. Die Statusklasse ist "
        "{}: in {} von {} eingestuften Jahren gleich.",
        name,
        public(year, "year"),
        STATUS_ADJECTIVE[r["status_class_code"]],
        public(fmt_number(r["status_z"], 2), "derived"),
        dyn,
        stability_label(stab["share_current"], int(stab["changes"])),
        public(fmt_percent(100 * stab["share_current"], 0), "derived"),
        public(int(stab["years_classified"]), "count"),
    )

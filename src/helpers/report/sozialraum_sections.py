"""German tables, texts and maps for the socio-spatial results: funnel plots with empirical
Bayes, the social index (status and dynamics), need vs supply.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown
from markupsafe import Markup

from helpers.analysis.sozialindex import (
    MIN_INDICATORS,
    POOL_YEARS,
    class_stability,
    required_indicators,
    stability_label,
)
from helpers.core.config import Config
from helpers.core.formatting import fmt_change, fmt_number, fmt_percent
from helpers.core.numbertags import public, text
from helpers.indicators.catalogue import CHILD_POVERTY_ROLE, UNIT_LABEL, Catalogue
from helpers.report.context import ReportScope, indicator_source_line
from helpers.report.display import table_html
from helpers.report.labels import (
    DYNAMICS,
    DYNAMICS_MAP,
    DYNAMICS_TEXT,
    EB_OMITTED,
    NEED_FLAG,
    NEED_MAP,
    NOT_CLASSIFIED_REASON,
    POSITION,
    STATUS,
    STATUS_MAP,
    TREND_MAP,
    funnel_label,
)
from helpers.report.need_text import need_check_sentences, need_summary_text  # noqa: F401 (page API)
from helpers.report.trend_sections import area_trend_sentence

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


STATUS_COLUMN = "Statusindex (positiv = mehr Belastung)"
CHANGE_COLUMN = "Veränderung (Pp. je Jahr; positiv = mehr Belastung)"


def stability_cell(stab: pd.Series | None, year: int) -> str:
    """Table cell on the stability of a class: label, years in the current class, last change.

    >>> row = pd.Series({"years_classified": 14, "years_current": 3, "share_current": 3 / 14, "changes": 5,
    ...                  "last_change_year": 2024})
    >>> stability_cell(row, 2025)
    'wechselnd: 3 von 14 Jahren wie 2025, zuletzt 2024 gewechselt'
    """
    if stab is None or stab["years_classified"] == 0:
        return "keine Einstufung"
    label = stability_label(stab["share_current"], int(stab["changes"]))
    cell = f"{label}: {int(stab['years_current'])} von {int(stab['years_classified'])} Jahren wie {year}"
    if int(stab["changes"]):
        cell += f", zuletzt {int(stab['last_change_year'])} gewechselt"
    return cell


def index_table(history: pd.DataFrame, year: int, config: Config, links: dict[str, str], catalogue: Catalogue) -> HTML:
    """Status and dynamics classes of every Stadtteil with the stability of the class; the note
    says what the signs mean and which Stadtteile' index rests on pooled or fewer values."""
    now = history[history["year"] == year].set_index("area_code")
    stab = class_stability(history, year).set_index("area_code")
    rows, bases = [], []
    for st in config.stadtteile:
        r = now.loc[st.code] if st.code in now.index else None
        s = stab.loc[st.code] if st.code in stab.index else None
        rows.append(
            {
                "Stadtteil": st.name,
                STATUS_COLUMN: fmt_change(r["status_z"], 2) if r is not None else ".",
                "Status": STATUS.get(r["status_class_code"], "–") if r is not None else "–",
                CHANGE_COLUMN: fmt_change(r["dynamics_index"], 2) if r is not None else ".",
                "Dynamik": DYNAMICS.get(r["dynamics_class_code"], "–") if r is not None else "–",
                "Stabilität der Statusklasse": stability_cell(s, year),
            }
        )
        basis = (
            input_basis_text(r, catalogue, year) if r is not None and r["status_class_code"] in STATUS_ADJECTIVE else ""
        )
        if basis:
            bases.append(text("{}: {}", st.name, basis))
    note = text(
        "Statusindex: Abstand vom Mittel der Stadtteile in Standardabweichungen; positiv = mehr soziale Belastung "
        "als im Mittel (also ein niedrigerer sozialer Status), negativ = weniger Belastung. Statusklassen: hoch, "
        "mittel, niedrig, sehr niedrig (sozialer Status). Dynamik: mittlere Veränderung der Statusindikatoren in "
        "Prozentpunkten je Jahr (positiv = mehr Belastung); „positiv“ bzw. „negativ“ nur bei statistisch "
        "erkennbarer Verbesserung bzw. Verschlechterung, sonst „stabil“. Stabilität: in wie vielen der Jahre mit "
        "Einstufung der Stadtteil dieselbe Statusklasse hatte wie {} („stabil“: mindestens {} davon und höchstens "
        "ein Wechsel; „überwiegend stabil“: mindestens die Hälfte; sonst „wechselnd“). „–“: keine Einstufung.",
        public(year, "year"),
        public("80 %", "config"),
    )
    if bases:
        note = text("{} Abweichende Grundlage des Index {}: {}.", note, public(year, "year"), Markup("; ").join(bases))
    return table_html(
        pd.DataFrame(rows),
        f"Sozialraum-Index {year}: Status und Dynamik der Stadtteile",
        numeric=[STATUS_COLUMN, CHANGE_COLUMN],
        public=dict.fromkeys([STATUS_COLUMN, CHANGE_COLUMN, "Stabilität der Statusklasse"], "derived"),
        links=links,
        note=note,
    )


def years_text(years: list[int]) -> Markup:
    """Years in words: a run as "2023–2025", else "2023 und 2025" (tagged).

    >>> str(years_text([2023, 2024, 2025])), str(years_text([2023, 2025])), str(years_text([2024]))
    ('<span data-public="year">2023</span>–<span data-public="year">2025</span>', \
'<span data-public="year">2023</span> und <span data-public="year">2025</span>', '<span data-public="year">2024</span>')
    """
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return text("{}–{}", public(years[0], "year"), public(years[-1], "year"))
    tagged = [public(y, "year") for y in years]
    if len(tagged) == 1:
        return tagged[0]
    return text("{} und {}", Markup(", ").join(tagged[:-1]), tagged[-1])


def input_basis_text(row: pd.Series, catalogue: Catalogue, year: int) -> Markup:
    """How a Stadtteil's index departs from the single-year values of all indicators ('' if it does
    not): pooled values with their years and why, indicators left out."""
    parts = []
    for item in filter(None, str(row.get("pooled_inputs") or "").split(";")):
        ind_id, _, years = item.partition(":")
        used = [int(y) for y in years.split(",")]
        why = (
            "der Wert von {} allein beruht auf einer zu kleinen Bezugsgröße"
            if year in used
            else "der Wert von {} ist geheim gehalten"
        )
        head = "{} zusammengefasst über {}" if len(used) > 1 else "{} mit dem Wert von {}"
        parts.append(text(head + " (" + why + ")", catalogue.get(ind_id).short, years_text(used), public(year, "year")))
    missing = [catalogue.get(i).short for i in filter(None, str(row.get("missing_inputs") or "").split(";"))]
    if missing:
        parts.append(
            text(
                "ohne {} ({} geheim gehalten oder auf zu kleiner Bezugsgröße)",
                " und ".join(missing),
                years_text(list(range(year - POOL_YEARS + 1, year + 1))),
            )
        )
    return Markup("; ").join(parts)


def need_supply_table(ns: pd.DataFrame, only_flagged: bool = False, need_cut: float = 0.5) -> HTML:
    """Need and supply per Stadtteil and phase (``need_cut``: the configured z from which need counts as high)."""
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
            "Hoher Bedarf: Bedarf mindestens {} Standardabweichungen über dem Mittel der Stadtteile. „Kein Angebot“: "
            "kein Platz im Stadtteil, auch nicht anteilig aus Angeboten für mehrere Stadtteile oder die ganze Stadt. "
            "„Geringe Abdeckung“: weniger Plätze je 1.000 Kinder und Jugendliche der Altersgruppe als im Median der "
            "Stadtteile; ist dieser Median {}, weil die meisten Stadtteile kein Angebot haben, weniger als in der "
            "ganzen Stadt (alle Plätze je 1.000 Kinder und Jugendliche der Altersgruppe). Angebote für mehrere "
            "Stadtteile oder die ganze Stadt werden nach der Zahl der Kinder der Altersgruppe auf die Stadtteile "
            "verteilt.",
            public(fmt_number(need_cut, 1), "config"),
            public(0, "config"),
        ),
    )


def need_map_classes(need: pd.DataFrame) -> dict[str, str | None]:
    """The class of each Stadtteil on the need-vs-supply map (codes of ``labels.NEED_MAP``): the number
    of life phases with high need and no or low coverage ("1", "2", "3" = three or more); without any,
    "covered" (high need in a phase, with places) or "not_high"; None where no phase could be checked."""
    out: dict[str, str | None] = {}
    for code, rows in need.groupby("area_code", sort=False):
        checked = rows[rows["check_code"].fillna("") == ""]
        flagged = int((rows["flag_code"] != "").sum())
        if flagged:
            out[code] = str(min(flagged, 3))
        elif len(checked):
            out[code] = "covered" if bool(checked["high_need"].any()) else "not_high"
        else:
            out[code] = None
    return out


def need_section(scope: ReportScope) -> list[HTML]:
    """The section „Bedarf und Angebot“ of the page's year: the sentences of ``need_text.need_summary_text``
    (what was found and what could not be checked), the table of the flagged rows and the map of each
    Stadtteil's number of life phases with high need and no or low coverage."""
    from helpers.report.display import note

    need, missing, year = scope.need, scope.missing("services"), scope.year
    if missing or need.empty:
        return [note(need_summary_text(need, missing))]
    out = [HTML(Markup("<p>{}</p>").format(need_summary_text(need)))]
    if (need["flag_code"] != "").any():
        out.append(need_supply_table(need, only_flagged=True, need_cut=scope.config.analysis.need_cut))
    classes = pd.DataFrame(list(need_map_classes(need).items()), columns=["area_code", "need_class"])
    out.append(
        class_map(
            classes,
            "need_class",
            scope.config,
            title=f"Lebensphasen mit hohem Bedarf und keinem oder geringem Angebot {year}",
            source=scope.source,
            legend_title="Lebensphasen mit hohem\nBedarf und keinem oder\ngeringem Angebot",
            labels=NEED_MAP,
            what="Zahl der Lebensphasen mit hohem Bedarf und keinem oder geringem Angebot",
            year=year,
            geometry=scope.geometry,
        )
    )
    return out


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


def funnel_section(scope: ReportScope) -> list[HTML]:
    """Funnel plot and EB table of each funnel indicator of the commune (:func:`funnel_sections`), or
    the note that it has none."""
    from helpers.report.display import note

    ids = list(scope.plan.funnel_indicators)
    if not ids:
        return [note(f"Für {scope.commune} liegt keine der Kennzahlen für Trichterdiagramme vor.")]
    return funnel_sections(scope.year_table("funnel_eb"), scope.catalogue, ids, scope.year, scope.config)


def index_summary(scope: ReportScope) -> str:
    """Which Stadtteile have a low status or a negative dynamic (:func:`index_summary_text`), or why the
    commune has no social index."""
    reason = scope.plan.social_index_reason
    return public(reason, "config") if reason else index_summary_text(scope.index_now, scope.config, scope.year)


def _index_reason(scope: ReportScope) -> list:
    from helpers.report.display import note

    return [note(scope.plan.social_index_reason, public="config")]


def status_map(scope: ReportScope, title: str, source: str, highlight: str | None = None) -> HTML:
    """The map of the status classes of the page's year (``highlight``: a Stadtteil to mark)."""
    return class_map(
        scope.index_now,
        "status_class_code",
        scope.config,
        title=title,
        source=source,
        legend_title="Sozialer Status",
        labels=STATUS_MAP,
        what="Statusklasse",
        year=scope.year,
        geometry=scope.geometry,
        highlight=highlight,
    )


def index_section(scope: ReportScope) -> list:
    """The Sozialraumanalyse's social index: method, status and dynamics maps, the table of classes;
    or why the commune has none."""
    if scope.plan.social_index_reason:
        return _index_reason(scope)
    year, source = scope.year, scope.source
    dynamics = class_map(
        scope.index_now,
        "dynamics_class_code",
        scope.config,
        title=f"Dynamikindex {year}",
        source=source,
        legend_title="Dynamik",
        labels=DYNAMICS_MAP,
        what="Dynamikklasse",
        year=year,
        geometry=scope.geometry,
    )
    return [
        Markdown(index_method_text(scope.config, scope.catalogue)),
        status_map(scope, f"Statusindex {year}", source),
        dynamics,
        index_table(scope.social_index, year, scope.config, scope.profile_links, scope.catalogue),
    ]


def city_index_section(scope: ReportScope) -> list:
    """The city report's social index: the status map and who has a low status; or why there is none."""
    if scope.plan.social_index_reason:
        return _index_reason(scope)
    year = scope.year
    source = scope.source_line(scope.config.sources["population"].holder)
    return [
        status_map(scope, f"Sozialraum-Index {year}: sozialer Status", source),
        Markdown(index_summary_text(scope.index_now, scope.config, year)),
    ]


def profile_index_section(scope: ReportScope) -> list:
    """The profile's social index: the status map with the Stadtteil marked and what its class means;
    or why the commune has no index."""
    if scope.plan.social_index_reason:
        return _index_reason(scope)
    st, year = scope.stadtteil, scope.year
    min_population = scope.config.analysis.social_index.min_population
    text_ = profile_index_text(scope.social_index, st.code, st.name, year, min_population, scope.catalogue)
    return [status_map(scope, f"{st.name} im Sozialraum-Index {year}", scope.source, st.code), Markdown(text_)]


def child_poverty_trend_section(scope: ReportScope) -> list:
    """The map of the Stadtteile's trends of the child-poverty indicator (the catalogue's
    ``child_poverty`` role) and the sentence naming them; nothing if the commune does not compute it."""
    ind = scope.plan.role(CHILD_POVERTY_ROLE)
    if ind is None:
        return []
    trends, year = scope.trends, scope.year
    rows = trends[(trends["indicator_id"] == ind.id) & (trends["area_level"] == "stadtteil")]
    trend_map = class_map(
        rows,
        "verdict_code",
        scope.config,
        title=f"Trend der {ind.short} bis {year}",
        source=scope.source,
        legend_title="Trend",
        labels=TREND_MAP,
        what=f"Trend der {ind.short}",
        year=year,
        geometry=scope.geometry,
    )
    return [trend_map, Markdown(area_trend_sentence(trends, scope.catalogue, ind.id))]


def child_poverty_map(scope: ReportScope) -> HTML:
    """The map of the child-poverty indicator (the catalogue's ``child_poverty`` role) from published
    cells only, or why the commune does not compute it."""
    from helpers.report.context import indicator_source_line
    from helpers.report.display import note
    from helpers.report.indicator_tables import chart_input
    from helpers.report.maps import stadtteil_map

    ind = scope.plan.role(CHILD_POVERTY_ROLE)
    if ind is None:
        return note(scope.plan.role_reason(CHILD_POVERTY_ROLE), public="config")
    values = chart_input(scope.published, ind.id, scope.year).values  # published cells only
    title = f"{ind.map_heading} {scope.year}"
    source = indicator_source_line(ind, scope.config)  # only the sources the map uses
    fig = stadtteil_map(
        scope.config,
        values,
        title,
        source,
        UNIT_LABEL[ind.unit],
        geometry=scope.geometry,
        links=profile_links(scope.config, scope.year),
    )
    return map_html(fig, alt=value_map_alt(values, scope.config, ind.short, scope.year))


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


def index_method_text(config: Config, catalogue: Catalogue) -> str:
    """The index indicators and cut-offs, as configured."""
    si = config.analysis.social_index
    from helpers.indicators.plan import commune_plan

    names = ", ".join(catalogue.get(i).short for i in commune_plan(config).status_indicators)
    cuts = ", ".join(fmt_number(c, 1) for c in si.status_cuts)
    return text(
        "Indexindikatoren: {}. Jede Kennzahl wird über die Stadtteile z-standardisiert, der Index ist der "
        "Mittelwert und wird erneut standardisiert. Er misst den Abstand vom Mittel der Stadtteile in "
        "Standardabweichungen: positiv = mehr soziale Belastung als im Mittel, negativ = weniger. Klassengrenzen "
        "in Standardabweichungen: Status {}. Stadtteile unter {} Einwohnerinnen und Einwohnern werden nicht "
        "eingestuft. Ist ein Wert des Jahres geheim gehalten („.“) oder unsicher („( )“), tritt an seine Stelle "
        "der zusammengefasste Wert der veröffentlichten Jahre unter den letzten {}; fehlt auch der, beruht der "
        "Index auf den übrigen Kennzahlen (mindestens der Hälfte, mindestens {}). Geheim gehaltene Werte gehen "
        "nie ein. Dynamik: Veränderung der veröffentlichten Statusindikatoren (mindestens der Hälfte) in den "
        "letzten {} Jahren mit ihrer Unsicherheit; "
        "„positiv“ bzw. „negativ“ nur bei statistisch erkennbarer Verbesserung bzw. Verschlechterung "
        "(Falscherkennungsrate {} über die Stadtteile), sonst „stabil“.",
        names,
        public(cuts, "config"),
        public(fmt_number(si.min_population), "config"),
        public(f"{POOL_YEARS} Jahren", "config"),
        public(MIN_INDICATORS, "config"),
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
    """A Stadtteil map of one class-code column of ``frame`` (``area_code``, ``column``), written as
    SVG, named by a German text that lists every Stadtteil's class (and the highlighted Stadtteil),
    each area linked to its profile of ``year`` (:func:`profile_links`).

    ``labels`` maps the codes to their German class names, in legend order; other codes are
    unclassified. The source line names only the sources the classes come from
    (:func:`class_map_source`); ``source`` is used only where those cannot be told from ``column``.
    Without a map for the commune (no tiles, no boundaries) the result is the German note instead.
    """
    from helpers.report.maps import stadtteil_map

    values = {code: labels.get(value) for code, value in zip(frame["area_code"], frame[column], strict=True)}
    classes = tuple(labels.values())
    fig = stadtteil_map(
        config,
        values,
        title,
        class_map_source(frame, column, config) or source,
        legend_title,
        classes=classes,
        highlight=highlight,
        geometry=geometry,
        links=profile_links(config, year, highlight),
    )
    alt = class_map_alt(values, config, what, year)
    if highlight is not None:
        alt += f" Hervorgehoben: {config.stadtteil(highlight).name}."
    return map_html(fig, alt)


def sources_line(config: Config, indicator_ids, extra: tuple[str, ...] = ()) -> str:
    """The source line of what is computed from these indicators (and the ``extra`` source keys)."""
    from helpers.indicators.plan import commune_plan
    from helpers.report.context import source_line

    catalogue = {ind.id: ind for ind in commune_plan(config).catalogue.indicators}
    keys = [k for i in indicator_ids if i in catalogue for k in catalogue[i].raw_sources()] + list(extra)
    return source_line([config.sources[k].holder for k in dict.fromkeys(keys) if k in config.sources])


def class_map_source(frame: pd.DataFrame, column: str, config: Config) -> str | None:
    """The source line of a class map by what it shows: status and dynamics classes come from the
    status indicators, a trend verdict from its indicator (``frame``'s ``indicator_id``), the need
    classes from the phases' need indicators, the population register and the services; None for
    other columns."""
    from helpers.indicators.plan import commune_plan

    if column in ("status_class_code", "dynamics_class_code"):
        return sources_line(config, commune_plan(config).status_indicators)
    if column == "verdict_code" and "indicator_id" in frame:
        return sources_line(config, list(dict.fromkeys(frame["indicator_id"])))
    if column == "need_class":
        # the phases' need indicators: the catalogue's (``need_for``, where it declares them), then the config's
        need = {**commune_plan(config).catalogue.need_by_phase(), **config.analysis.phase_need}
        return sources_line(config, list(dict.fromkeys(need.values())), ("population", "services"))
    return None


def profile_links(config: Config, year: int, highlight: str | None = None) -> dict[str, str]:
    """Stadtteil code -> relative link to its profile of ``year``, from the page a map is on: the
    highlighted Stadtteil's own profile, else a city-level page of the year (the Sozialraumanalyse
    and the city report share the year's folder); empty when the build makes no profiles."""
    from helpers.core.paths import ProjectPaths, relative_href
    from helpers.indicators.plan import commune_plan

    if not commune_plan(config).report_built("profil"):
        return {}
    paths = ProjectPaths(config)
    if highlight is not None:
        page = paths.report_html("profil", year, config.stadtteil(highlight).slug)
    else:
        page = paths.report_html("sozialraum", year)
    return {
        s.code: relative_href(page, paths.report_html("profil", year, s.slug))
        for s in config.stadtteile
        if s.code != highlight
    }


def map_html(fig, alt: str = "", links: dict[str, str] | None = None) -> HTML:
    """A map from ``helpers.report.maps.stadtteil_map`` as a figure named by ``alt`` (default: the
    map's own description), or the German note when the commune has no map (neither tile positions
    nor boundaries in the config). ``links``: Stadtteil name -> href (as the tables' links) of the
    profiles, for a map drawn without them."""
    from helpers.report.display import note
    from helpers.report.maps import map_note

    if fig is None:
        return note(map_note())
    by_code = {a["code"]: links[a["name"]] for a in fig.areas if a["name"] in links} if links else None
    return HTML(fig.html(alt, by_code))


def value_map_alt(values: dict[str, float], config: Config, what: str, year: int) -> str:
    listed = "; ".join(
        f"{s.name}: {fmt_percent(values.get(s.code)) if values.get(s.code) is not None else 'nicht veröffentlicht'}"
        for s in config.stadtteile
    )
    return f"Karte {what} {year} nach Stadtteilen. {listed}."


STATUS_ADJECTIVE = {"high": "hohen", "medium": "mittleren", "low": "niedrigen", "very_low": "sehr niedrigen"}


def not_classified_text(row: pd.Series | None, min_population: int) -> Markup:
    """Why a Stadtteil has no status class, in German (numbers tagged)."""
    reason = "" if row is None else str(row.get("not_classified_reason") or "")
    why = NOT_CLASSIFIED_REASON.get(reason, "nicht alle Indexindikatoren sind veröffentlicht")
    total = 0 if row is None or pd.isna(row.get("indicators_total")) else int(row["indicators_total"])
    used = 0 if row is None or pd.isna(row.get("indicators_used")) else int(row["indicators_used"])
    return text(
        why,
        min_population=public(fmt_number(min_population), "config"),
        used=public(used, "count"),
        total=public(total, "count"),
        required=public(required_indicators(total), "count"),
    )


def status_value_text(z: float) -> Markup:
    """The status index with what its sign means.

    >>> str(status_value_text(1.123))
    'Statusindex <span data-public="derived">+1,12</span>: mehr soziale Belastung als im Mittel der Stadtteile \
(positive Werte bedeuten mehr, negative weniger Belastung; gemessen in Standardabweichungen)'
    """
    rounded = round(float(z), 2)
    compare = (
        "mehr soziale Belastung als"
        if rounded > 0
        else "weniger soziale Belastung als"
        if rounded < 0
        else "so viel soziale Belastung wie"
    )
    return text(
        "Statusindex {}: {} im Mittel der Stadtteile (positive Werte bedeuten mehr, negative weniger Belastung; "
        "gemessen in Standardabweichungen)",
        public(fmt_change(z, 2), "derived"),
        compare,
    )


def stability_text(stab: pd.Series, name: str, year: int) -> Markup:
    """How stable a Stadtteil's status class has been, as a sentence.

    >>> row = pd.Series({"years_classified": 14, "current_class": "niedrig", "years_current": 3,
    ...                  "share_current": 3 / 14, "changes": 5, "first_year": 2012, "last_change_year": 2024,
    ...                  "previous_class": "mittel"})
    >>> import re; re.sub("<[^>]+>", "", stability_text(row, "Rheindorf", 2025))
    'Die Statusklasse ist wechselnd: Rheindorf war in 3 der 14 eingestuften Jahre seit 2012 „niedrig“; \
die Klasse wechselte 5 Mal, zuletzt 2024 (vorher „mittel“).'
    """
    n, changes = int(stab["years_classified"]), int(stab["changes"])
    if n <= 1:
        return text("{} ist {} zum ersten Mal eingestuft.", name, public(year, "year"))
    if changes == 0:
        return text(
            "Die Statusklasse ist stabil: {} ist seit {} in allen {} eingestuften Jahren „{}“.",
            name,
            public(int(stab["first_year"]), "year"),
            public(n, "count"),
            stab["current_class"],
        )
    if changes == 1:
        return text(
            "Die Statusklasse hat einmal gewechselt: {} ist seit {} „{}“, davor war es „{}“ ({} eingestufte Jahre "
            "seit {}).",
            name,
            public(int(stab["last_change_year"]), "year"),
            stab["current_class"],
            stab["previous_class"],
            public(n, "count"),
            public(int(stab["first_year"]), "year"),
        )
    return text(
        "Die Statusklasse ist {}: {} war in {} der {} eingestuften Jahre seit {} „{}“; die Klasse wechselte {} Mal, "
        "zuletzt {} (vorher „{}“).",
        stability_label(stab["share_current"], changes),
        name,
        public(int(stab["years_current"]), "count"),
        public(n, "count"),
        public(int(stab["first_year"]), "year"),
        stab["current_class"],
        public(changes, "count"),
        public(int(stab["last_change_year"]), "year"),
        stab["previous_class"],
    )


def profile_index_text(
    history: pd.DataFrame,
    code: str,
    name: str,
    year: int,
    min_population: int = 300,
    catalogue: Catalogue | None = None,
) -> str:
    """The Stadtteil's status and dynamics class, what the index value means, how stable the class
    has been, and (with ``catalogue``) which values it rests on where they depart from the year's."""
    now = history[(history["year"] == year) & (history["area_code"] == code)]
    if now.empty or now["status_class_code"].iloc[0] not in STATUS_ADJECTIVE:
        return text(
            "{} erhält {} keine Einstufung im Sozialraum-Index: {}.",
            name,
            public(year, "year"),
            not_classified_text(None if now.empty else now.iloc[0], min_population),
        )
    r = now.iloc[0]
    stab = class_stability(history[history["area_code"] == code], year).iloc[0]
    dyn = DYNAMICS_TEXT.get(r["dynamics_class_code"], "eine nicht bestimmbare Dynamik")
    out = text(
        "{} hat {} einen **{}** sozialen Status und {}. {}. {}",
        name,
        public(year, "year"),
        STATUS_ADJECTIVE[r["status_class_code"]],
        dyn,
        status_value_text(r["status_z"]),
        stability_text(stab, name, year),
    )
    basis = input_basis_text(r, catalogue, year) if catalogue is not None else ""
    if basis:
        out = text(
            "{} Der Index beruht hier auf {} von {} Kennzahlen: {}.",
            out,
            public(int(r["indicators_used"]), "count"),
            public(int(r["indicators_total"]), "count"),
            basis,
        )
    return out

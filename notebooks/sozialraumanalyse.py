# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# Sozialraumanalyse: trends, funnel plots with EB, social index, need vs supply, maps (one page per report year).

# %% tags=["parameters"]
config_path = "../config/leverkusen.yml"
year = 2025

# %%
from IPython.display import Markdown, display

from helpers.core.numbertags import public
from helpers.report import display as show
from helpers.report import labels, maps
from helpers.report import sozialraum_sections as sozialraum
from helpers.report import trend_sections as trend_text
from helpers.report.context import indicator_source_line, open_report
from helpers.report.indicator_tables import chart_input

ctx = open_report(config_path, year, kind="sozialraum")
trends = ctx.year_table("trends")
funnel = ctx.year_table("funnel_eb")
history = ctx.table("social_index")
index_now = history.query("year == @year")
need = ctx.year_table("need_supply")
published = ctx.table("indicators")
geometry = ctx.geometry
source = ctx.source_line()
links = {s.name: ctx.href("profil", year, s.slug) for s in ctx.config.stadtteile}

# %%
display(
    Markdown(
        f"# Sozialraumanalyse {ctx.commune} {year}\n\n"
        "Welche Stadtteile brauchen besondere Aufmerksamkeit, und wird es besser? · Stand: 31.12."
        f"{year}"
    )
)

# %% [markdown]
# ## Auf einen Blick

# %%
display(Markdown(trend_text.trend_summary_text(trends, ctx.catalogue, ctx.city_code, ctx.commune)))
display(
    Markdown(
        public(ctx.plan.social_index_reason, "config")
        if ctx.plan.social_index_reason
        else sozialraum.index_summary_text(index_now, ctx.config, year)
    )
)
display(Markdown(sozialraum.need_summary_text(need, ctx.missing("services"))))

# %% [markdown]
# ## Trends
#
# Für jede Kennzahl und jeden Stadtteil wurde geprüft, ob sie über alle verfügbaren Jahre
# steigt oder fällt. Bei vielen gleichzeitigen Tests entstehen leicht Zufallsbefunde; deshalb
# wird die Falscherkennungsrate kontrolliert.

# %%
display(trend_text.trend_overview(trends, ctx.catalogue, ctx.city_code))
if ctx.plan.has("sgb2_u15"):
    display(
        sozialraum.class_map(
            trends.query("indicator_id == 'sgb2_u15' and area_level == 'stadtteil'"),
            "verdict_code",
            ctx.config,
            title=f"Trend der SGB-II-Quote unter 15 bis {year}",
            source=source,
            legend_title="Trend",
            labels=labels.TREND_MAP,
            what="Trend der SGB-II-Quote unter 15",
            year=year,
            geometry=geometry,
        )
    )
    display(Markdown(trend_text.area_trend_sentence(trends, ctx.catalogue, "sgb2_u15")))

# %% [markdown]
# ## Stadtteile im Vergleich: Trichterdiagramme
#
# Ein Trichterdiagramm zeigt den Wert jedes Stadtteils über der Größe seiner Bezugsgruppe.
# Kleine Stadtteile streuen zufällig stärker; die Grenzlinien zeigen, wie weit ein Wert
# allein durch Zufall vom städtischen Wert abweichen kann. Es entsteht keine Rangliste.

# %%
if ctx.plan.funnel_indicators:
    display(*sozialraum.funnel_sections(funnel, ctx.catalogue, ctx.plan.funnel_indicators, year, ctx.config))
else:
    display(show.note(f"Für {ctx.commune} liegt keine der Kennzahlen für Trichterdiagramme vor."))

# %% [markdown]
# ## Sozialraum-Index
#
# Der Index folgt dem Berliner Monitoring Soziale Stadtentwicklung: ein Statusindex aus
# wenigen Belastungsindikatoren und ein Dynamikindex aus ihrer Veränderung in den letzten Jahren.
# Ergebnisindikatoren (zum Beispiel Befunde der Schuleingangsuntersuchung oder Hilfen zur
# Erziehung) gehen bewusst nicht ein, damit der Index den Bedarf beschreibt und nicht den
# Erfolg der Prävention.

# %%
if ctx.plan.social_index_reason:
    display(show.note(ctx.plan.social_index_reason, public="config"))
else:
    display(Markdown(sozialraum.index_method_text(ctx.config, ctx.catalogue)))
    display(
        sozialraum.class_map(
            index_now,
            "status_class_code",
            ctx.config,
            title=f"Statusindex {year}",
            source=source,
            legend_title="Sozialer Status",
            labels=labels.STATUS_MAP,
            what="Statusklasse",
            year=year,
            geometry=geometry,
        )
    )
    display(
        sozialraum.class_map(
            index_now,
            "dynamics_class_code",
            ctx.config,
            title=f"Dynamikindex {year}",
            source=source,
            legend_title="Dynamik",
            labels=labels.DYNAMICS_MAP,
            what="Dynamikklasse",
            year=year,
            geometry=geometry,
        )
    )
    display(sozialraum.index_table(history, year, ctx.config, links, ctx.catalogue))

# %% [markdown]
# ## Bedarf und Angebot entlang der Präventionskette

# %%
display(*sozialraum.need_section(need, ctx.config, year, source, geometry, ctx.missing("services")))

# %% [markdown]
# ## Karte: Kinderarmut

# %%
if not ctx.plan.has("sgb2_u15"):
    display(show.note(ctx.missing("sgb2") or ctx.plan.skipped.get("sgb2_u15", ""), public="config"))
else:
    values = chart_input(published, "sgb2_u15", year).values  # published cells only
    map_source = indicator_source_line(ctx.catalogue.get("sgb2_u15"), ctx.config)  # only the sources it uses
    fig = maps.stadtteil_map(
        ctx.config, values, f"SGB-II-Quote der unter 15-Jährigen {year}", map_source, "%", geometry=geometry
    )
    display(sozialraum.map_html(fig, alt=sozialraum.value_map_alt(values, ctx.config, "SGB-II-Quote unter 15", year)))

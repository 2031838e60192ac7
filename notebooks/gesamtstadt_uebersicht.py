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
# Gesamtstädtische Übersicht: one page per report year with all Stadtteile side by side.

# %% tags=["parameters"]
config_path = "../config/leverkusen.yml"
year = 2025

# %%
from IPython.display import Markdown, display

from helpers.core.numbertags import public
from helpers.indicators.leitbild import track_all
from helpers.report import area_names, city_matrix, demography, labels, plots
from helpers.report import display as show
from helpers.report import hze_sections as hze_text
from helpers.report import sections as report_sections
from helpers.report import sozialraum_sections as sozialraum
from helpers.report import trend_sections as trend_text
from helpers.report.context import open_report

ctx = open_report(config_path, year, kind="gesamtstadt")
summary = ctx.table("population_summary")
source = ctx.source_line(ctx.config.sources["population"].holder)
city = demography.row_of(summary, year, "stadt", ctx.city_code)

# %%
display(
    Markdown(f"# Gesamtstädtischer Bericht {ctx.commune} {year}\n\nAlle Stadtteile im Vergleich · Stand: 31.12.{year}")
)

# %% [markdown]
# ## Zusammenfassung für den Rat

# %%
history = ctx.table("social_index")
index_now = history.query("year == @year")
trends = ctx.year_table("trends")
need = ctx.year_table("need_supply")
hze_ready = ctx.plan.step_runs("hze_analyse")
if hze_ready:
    effects = ctx.year_table("hze_effects")
    hze_desc = ctx.year_table("hze_descriptive")
    hze_balance = ctx.year_table("hze_balance")
    hze_its = ctx.year_table("hze_its")
    hze_glance = hze_text.hze_glance_text(
        hze_desc, effects, hze_balance, ctx.commune, year, ctx.config.analysis.hze.programme_start_year
    )
display(
    Markdown(
        report_sections.council_summary(
            [
                trend_text.trend_summary_text(trends, ctx.catalogue, ctx.city_code, ctx.commune),
                public(ctx.plan.social_index_reason, "config")
                if ctx.plan.social_index_reason
                else sozialraum.index_summary_text(index_now, ctx.config, year),
                sozialraum.need_summary_text(need, ctx.missing("services")),
                hze_glance if hze_ready else public(f"Hilfen zur Erziehung: {ctx.plan.reports['hze']}", "config"),
            ]
        )
    )
)

# %% [markdown]
# ## Bevölkerung

# %%
display(Markdown(demography.city_population_text(city, ctx.commune, year, ctx.population_basis)))
display(
    area_names.overview_html(
        summary,
        year,
        f"Bevölkerung nach {ctx.area_levels_text} am 31.12.{year}",
        source,
        {s.code: ctx.href("profil", year, s.slug) for s in ctx.config.stadtteile},
    )
)

# %%
stadtteile = summary[(summary["year"] == year) & (summary["area_level"] == "stadtteil")]
fig = plots.area_bar_chart(
    stadtteile,
    "share_u18_pct",
    float(city["share_u18_pct"]),
    f"Anteil der {demography.youth_words(city)} nach Stadtteilen, 31.12.{year}",
    "Anteil an der Bevölkerung in %",
    source,
)
display(
    show.figure_html(
        fig,
        alt=f"Balkendiagramm: Anteil der {demography.youth_words(city)} in jedem Stadtteil am 31.12.{year}, "
        "mit dem Wert der Gesamtstadt als Linie.",
    )
)

# %% [markdown]
# ## Lebenslauf-Matrix
#
# Alle Kennzahlen nach Lebensphasen, je Tabelle einige Kennzahlen, die Stadtteile als Zeilen.

# %%
published = ctx.table("indicators")
display(
    city_matrix.city_matrix_html(
        published,
        ctx.catalogue,
        [("stadtteil", s.code, s.name) for s in ctx.config.stadtteile],
        ctx.city_code,
        year,
        ctx.indicator_links(),
    )
)

# %% [markdown]
# ## Entwicklung in der Gesamtstadt

# %%
display(
    city_matrix.city_series_html(
        published, ctx.catalogue, ctx.plan.key_indicators, ctx.city_code, (ctx.config.years.data.first, year)
    )
)

# %% [markdown]
# ## Leitbild: Stand der Zielerreichung

# %%
if ctx.leitbild is None:
    display(show.note(f"Für {ctx.commune} ist kein Leitbild mit Zielwerten hinterlegt (Konfiguration: leitbild)."))
else:
    tracking = track_all(ctx.leitbild, published, ctx.catalogue, year, ctx.city_code, trends)
    display(report_sections.leitbild_table(ctx.leitbild, tracking, ctx.catalogue, ctx.config))

# %% [markdown]
# ## Sozialraum-Index, Trends und Hilfen zur Erziehung
#
# Die ausführlichen Analysen stehen in der Sozialraumanalyse und im Bericht zu den Hilfen zur
# Erziehung; hier die Kernaussagen.

# %%
if ctx.plan.social_index_reason is None:
    display(
        sozialraum.class_map(
            index_now,
            "status_class_code",
            ctx.config,
            title=f"Sozialraum-Index {year}: sozialer Status",
            source=source,
            legend_title="Sozialer Status",
            labels=labels.STATUS_MAP,
            what="Statusklasse",
            year=year,
            geometry=ctx.geometry,
        )
    )
    display(Markdown(sozialraum.index_summary_text(index_now, ctx.config, year)))
else:
    display(show.note(ctx.plan.social_index_reason, public="config"))
display(Markdown(trend_text.trend_summary_text(trends, ctx.catalogue, ctx.city_code, ctx.commune)))
if hze_ready:
    display(Markdown(hze_text.did_text(effects, ctx.config.analysis.hze.lag_years)))
    display(Markdown(hze_text.balance_text(hze_balance, year, ctx.config.analysis.hze.programme_start_year)))
    display(Markdown(hze_text.real_spending_text(hze_its, year)))
else:
    display(show.note(f"Hilfen zur Erziehung: {ctx.plan.reports['hze']}", public="config"))
display(Markdown(ctx.next_links()))

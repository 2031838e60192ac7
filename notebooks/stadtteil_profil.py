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
# Stadtteilprofil: one page per report year and Stadtteil. Thin: parameters, calls into
# `helpers`, tables, charts and prose. Run it for one year and Stadtteil with
# `doit profil:<year>-<slug>`, or open it in JupyterLab and edit the parameters.

# %% tags=["parameters"]
config_path = "../config/leverkusen.yml"
year = 2025
stadtteil = "wiesdorf"

# %%
from IPython.display import Markdown, display

from helpers.report import demography, navigation, plots, steckbrief
from helpers.report import display as show
from helpers.report import sections as report_sections
from helpers.report import sozialraum_sections as sozialraum
from helpers.report import trend_sections as trend_text
from helpers.report.context import open_report
from helpers.report.indicator_tables import key_figures_section

ctx = open_report(config_path, year, stadtteil, kind="profil")
st = ctx.stadtteil
summary = ctx.table("population_summary")
bands = ctx.table("population_bands")
source = ctx.source_line(ctx.config.sources["population"].holder)
area = ("stadtteil", st.code)
now = demography.row_of(summary, year, *area)
city = demography.row_of(summary, year, "stadt", ctx.city_code)
published = ctx.published
links = ctx.links
trends = ctx.trends

# %%
display(Markdown(f"# Stadtteilprofil {st.name} {year}\n\n**{ctx.area_path}** · Stand: 31.12.{year}"))
display(navigation.profile_nav(ctx))

# %%
display(steckbrief.steckbrief_html(published, ctx.catalogue.indicators, year, st.code, ctx.city_code, st.name, links))

# %% [markdown]
# ## Auf einen Blick

# %%
display(key_figures_section(ctx))
display(
    show.note(
        "Trend: Veränderung über alle verfügbaren Jahre (Zeitraum in Klammern); ▲ gestiegen, ▼ gesunken, dazu "
        "„günstiger“ oder „ungünstiger“ – nur, wenn die Veränderung mehr ist, als der Zufall erklärt (dieselbe Prüfung "
        "wie in der Tabelle „Entwicklung der Kennzahlen“ unten); „.“ nicht veröffentlicht (Geheimhaltung)."
    )
)
display(report_sections.key_series_html(ctx))

# %% [markdown]
# ## Bevölkerung

# %%
display(show.kpi_boxes(demography.key_figures(summary, year, *area, ctx.city_code), f"Gesamtstadt {ctx.commune}"))
display(Markdown(demography.area_population_text(now, city, st.name, year, ctx.population_basis)))

# %% [markdown]
# ### Altersstruktur

# %%
structure = demography.age_structure(bands, year, [area, ("stadt", ctx.city_code)])
fig = plots.age_structure_chart(
    structure,
    [st.name, ctx.commune],
    f"Altersstruktur {st.name} und Gesamtstadt, 31.12.{year}",
    source,
)
display(
    show.figure_html(
        fig,
        alt=f"Balkendiagramm: Anteile der Altersgruppen an der Bevölkerung in {st.name} "
        f"im Vergleich zur Gesamtstadt am 31.12.{year}.",
    )
)

# %% [markdown]
# ### Entwicklung

# %%
series = summary[
    ((summary["area_level"] == "stadtteil") & (summary["area_code"] == st.code)) | (summary["area_level"] == "stadt")
]
fig = plots.time_series_chart(
    series,
    "share_u18_pct",
    f"Anteil der {demography.youth_words(series)} in {st.name} und der Gesamtstadt",
    "Anteil in %",
    source,
    decimals=0,
    highlight_year=year,
)
display(
    show.figure_html(
        fig,
        alt=f"Liniendiagramm: Anteil der {demography.youth_words(series)} in {st.name} und in der Gesamtstadt "
        f"von {int(series['year'].min())} bis {int(series['year'].max())}.",
    )
)
history = summary[(summary["area_level"] == "stadtteil") & (summary["area_code"] == st.code)]
display(
    show.table_html(
        demography.history_table(history),
        f"Bevölkerung in {st.name} am 31.12. der Jahre",
        numeric=demography.HISTORY_NUMERIC,
        public=demography.HISTORY_PUBLIC,
        note=source,
    )
)

# %% [markdown]
# ## Kennzahlen entlang der Präventionskette
#
# Die folgenden Abschnitte folgen dem Lebenslauf der Kinder. Jede Tabelle zeigt den Wert im
# Stadtteil mit seinem 95-%-Konfidenzintervall, Zähler und Nenner, den Wert der Gesamtstadt und
# den Trend über alle Jahre; das Diagramm darunter zeigt Wert und Intervall als Bild. Kleine
# Fallzahlen sind zum Schutz der Betroffenen geheim gehalten.

# %%
display(report_sections.profile_phase_sections(ctx))
display(*report_sections.comparison_note(ctx))

# %% [markdown]
# ## Angebote der Präventionskette

# %%
display(report_sections.services_section(ctx))

# %% [markdown]
# ## Lage, Sozialraum-Index und Entwicklung

# %%
display(*sozialraum.profile_index_section(ctx))
display(trend_text.trend_area_table(trends, ctx.catalogue, st.code))

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

from helpers.report import demography, navigation, plots, profile, steckbrief
from helpers.report import display as show
from helpers.report import sections as report_sections
from helpers.report import sozialraum_sections as sozialraum
from helpers.report import trend_sections as trend_text
from helpers.report.context import open_report

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

# %%
display(steckbrief.steckbrief_section(ctx))
display(navigation.profile_nav(ctx))

# %% [markdown]
# ## Entwicklung der wichtigsten Kennzahlen

# %%
display(report_sections.key_series_html(ctx))

# %% [markdown]
# ## Bevölkerung

# %%
display(show.kpi_boxes(demography.key_figures(summary, year, *area, ctx.city_code), f"Gesamtstadt {ctx.commune}"))
display(Markdown(demography.area_population_text(now, city, st.name, year, ctx.population_basis)))

# %%
structure = demography.age_structure(bands, year, [area, ("stadt", ctx.city_code)])
fig = plots.age_structure_chart(
    structure,
    [st.name, ctx.commune],
    f"Altersstruktur {st.name} und Gesamtstadt, 31.12.{year}",
    source,
)
age_figure = show.figure_html(
    fig,
    alt=f"Balkendiagramm: Anteile der Altersgruppen an der Bevölkerung in {st.name} "
    f"im Vergleich zur Gesamtstadt am 31.12.{year}.",
)
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
    profile.side_by_side(
        age_figure,
        show.figure_html(
            fig,
            alt=f"Liniendiagramm: Anteil der {demography.youth_words(series)} in {st.name} und in der Gesamtstadt "
            f"von {int(series['year'].min())} bis {int(series['year'].max())}.",
        ),
    )
)
history = summary[(summary["area_level"] == "stadtteil") & (summary["area_code"] == st.code)]
display(
    profile.collapsed(
        show.table_html(
            demography.history_table(history),
            f"Bevölkerung in {st.name} am 31.12. der Jahre",
            numeric=demography.HISTORY_NUMERIC,
            public=demography.HISTORY_PUBLIC,
            note=source,
        ),
        "Tabelle: Bevölkerung in allen Jahren",
    )
)

# %%
display(report_sections.details_section(ctx))

# %% [markdown]
# ## Angebote der Präventionskette

# %%
display(report_sections.services_section(ctx))

# %% [markdown]
# ## Lage, Sozialraum-Index und Entwicklung

# %%
display(*sozialraum.profile_index_section(ctx))
display(
    profile.collapsed(
        trend_text.trend_area_table(trends, ctx.catalogue, st.code), "Tabelle: Trends mit Intervall der Veränderung"
    )
)

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

from helpers.report import area_names, city_matrix, council, demography, plots
from helpers.report import display as show
from helpers.report import hze_sections as hze_text
from helpers.report import sections as report_sections
from helpers.report import sozialraum_sections as sozialraum
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
display(Markdown(council.council_summary(council.council_points(ctx))))

# %% [markdown]
# ## Bevölkerung

# %%
display(Markdown(demography.city_population_text(city, ctx.commune, year, ctx.population_basis)))
display(
    area_names.overview_html(
        summary, year, f"Bevölkerung nach {ctx.area_levels_text} am 31.12.{year}", source, ctx.profile_hrefs
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
display(city_matrix.city_matrix_section(ctx))

# %% [markdown]
# ## Entwicklung in der Gesamtstadt

# %%
display(city_matrix.city_series_section(ctx))

# %% [markdown]
# ## Leitbild: Stand der Zielerreichung

# %%
display(report_sections.leitbild_section(ctx))

# %% [markdown]
# ## Sozialraum-Index, Trends und Hilfen zur Erziehung
#
# Die ausführlichen Analysen stehen in der Sozialraumanalyse und im Bericht zu den Hilfen zur
# Erziehung; die Trends fasst die Zusammenfassung für den Rat oben zusammen.

# %%
display(*sozialraum.city_index_section(ctx))
display(*hze_text.city_hze_section(ctx))
display(Markdown(ctx.next_links()))

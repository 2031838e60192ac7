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

from helpers.report import sozialraum_sections as sozialraum
from helpers.report import trend_sections as trend_text
from helpers.report.context import open_report

ctx = open_report(config_path, year, kind="sozialraum")

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
display(Markdown(trend_text.trend_summary_text(ctx.trends, ctx.catalogue, ctx.city_code, ctx.commune)))
display(Markdown(sozialraum.index_summary(ctx)))
display(Markdown(sozialraum.need_summary_text(ctx.need, ctx.missing("services"))))

# %% [markdown]
# ## Trends
#
# Für jede Kennzahl und jeden Stadtteil wurde geprüft, ob sie über alle verfügbaren Jahre
# steigt oder fällt. Bei vielen gleichzeitigen Tests entstehen leicht Zufallsbefunde; deshalb
# wird die Falscherkennungsrate kontrolliert.

# %%
display(trend_text.trend_overview(ctx.trends, ctx.catalogue, ctx.city_code))
display(*sozialraum.child_poverty_trend_section(ctx))

# %% [markdown]
# ## Stadtteile im Vergleich: Trichterdiagramme
#
# Ein Trichterdiagramm zeigt den Wert jedes Stadtteils über der Größe seiner Bezugsgruppe.
# Kleine Stadtteile streuen zufällig stärker; die Grenzlinien zeigen, wie weit ein Wert
# allein durch Zufall vom städtischen Wert abweichen kann. Es entsteht keine Rangliste.

# %%
display(*sozialraum.funnel_section(ctx))

# %% [markdown]
# ## Sozialraum-Index
#
# Der Index folgt dem Berliner Monitoring Soziale Stadtentwicklung: ein Statusindex aus
# wenigen Belastungsindikatoren und ein Dynamikindex aus ihrer Veränderung in den letzten Jahren.
# Ergebnisindikatoren (zum Beispiel Befunde der Schuleingangsuntersuchung oder Hilfen zur
# Erziehung) gehen bewusst nicht ein, damit der Index den Bedarf beschreibt und nicht den
# Erfolg der Prävention.

# %%
display(*sozialraum.index_section(ctx))

# %% [markdown]
# ## Bedarf und Angebot entlang der Präventionskette

# %%
display(*sozialraum.need_section(ctx))

# %% [markdown]
# ## Karte: Kinderarmut

# %%
display(sozialraum.child_poverty_map(ctx))

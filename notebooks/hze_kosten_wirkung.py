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
# HzE-Kosten-Wirkungs-Analyse: descriptive figures, ITS, DiD, event study, balance (one page per report year).

# %% tags=["parameters"]
config_path = "../config/leverkusen.yml"
year = 2025

# %%
from IPython.display import Markdown, display

from helpers.report import hze_sections as hze_text
from helpers.report import sections as report_sections
from helpers.report.context import open_report

ctx = open_report(config_path, year, kind="hze")
hze = ctx.config.analysis.hze
desc = ctx.year_table("hze_descriptive")
its = ctx.year_table("hze_its")
effects = ctx.year_table("hze_effects")
event = ctx.year_table("hze_event_study")
balance = ctx.year_table("hze_balance")
source = ctx.source_line(ctx.config.sources["hze_cases"].holder, ctx.config.sources["hze_expenditure"].holder)
base = hze_text.base_scenario(balance)

# %%
display(
    Markdown(
        f"# Hilfen zur Erziehung: Kosten und Wirkung {ctx.commune} {year}\n\n"
        "Lohnt sich Prävention? Was die Daten zeigen können und was nicht · Stand: 31.12."
        f"{year}"
    )
)

# %% [markdown]
# ## Fazit

# %%
display(
    Markdown(
        hze_text.programme_text(effects, ctx.commune, hze.programme_start_year, hze.programme_name, ctx.stadtteil_names)
    )
)
display(Markdown(hze_text.conclusion_text(effects, balance, ctx.commune, year, hze.lag_years)))
display(Markdown(hze_text.parameters_text(hze, year)))

# %%
display(Markdown(hze_text.changes_section(effects, balance, year)))

# %% [markdown]
# ## Auf einen Blick

# %%
display(Markdown(hze_text.hze_glance_text(desc, effects, balance, ctx.commune, year, hze.programme_start_year)))

# %% [markdown]
# ## Fälle und Ausgaben

# %%
display(hze_text.hze_descriptive_table(desc, "gesamt", year))
display(hze_text.hze_descriptive_table(desc, "setting", year))
display(hze_text.hze_descriptive_table(desc, "basis", year))
display(Markdown(hze_text.hze_totals_text(desc)))
display(Markdown(hze_text.real_spending_text(its, year)))

# %% [markdown]
# ### Nach Stadtteilen
#
# Raten je 10.000 unter 21-Jährige und Ausgaben je unter 21-Jährigen in den Stadtteilen (Ausgaben
# nach Hilfetagen zugeordnet). Kleine Fallzahlen sind geheim gehalten.

# %%
display(report_sections.hze_phase_matrix(ctx))

# %% [markdown]
# ## Unterbrochene Zeitreihe: Ausgaben und Fallzahlen vor und nach dem Programmstart

# %%
display(Markdown(hze_text.its_text(effects, hze.programme_start_year)))
display(*hze_text.its_sections(its, hze.programme_start_year, source))

# %% [markdown]
# ## Stadtteile mit und ohne Präventionsangebote (Differenz-von-Differenzen)

# %%
display(Markdown(hze_text.did_text(effects, hze.lag_years)))
display(hze_text.effects_table(effects))

# %% [markdown]
# ## Vergleich mit Kommunen, die nicht am Programm teilnehmen (Ereignisstudie)

# %%
display(Markdown(hze_text.event_text(effects, ctx.commune, hze.lag_years)))
display(*hze_text.event_sections(event, hze.lag_years, ctx.commune, source))

# %% [markdown]
# ## Kosten-Wirkungs-Bilanz

# %%
display(Markdown(hze_text.balance_text(balance, year, hze.programme_start_year)))
display(*hze_text.balance_sections(base, balance, year, source))

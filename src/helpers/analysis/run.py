"""Analysis steps of the pipeline: compute the analysis tables for every report year.

Social analyses read only the *published* indicators (suppressed and pooled cells are not
used), so no result can reveal a protected count. The HzE analyses read the yearly HzE
aggregates and publish only model results and protected city tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis import hze as H
from helpers.analysis.compare import empirical_bayes, funnel_table
from helpers.analysis.hze_tables import protected_descriptive
from helpers.analysis.sozialindex import social_index
from helpers.analysis.supply import need_supply, places_by_phase
from helpers.analysis.trends import trend_table
from helpers.config import Config
from helpers.indicators.catalogue import Catalogue, load_catalogue

#: Service types that make up the Präventionskette programme (treatment in the DiD).
MIN_CLUSTERS = 3
EFFECT_COLUMNS = ["design", "series", "term", "estimate", "ci_low", "ci_high", "p_value", "n_treated", "n_control"]


def funnel_eb_table(published: pd.DataFrame, catalogue: Catalogue, year: int, city_code: str) -> pd.DataFrame:
    """Per indicator and Stadtteil of ``year``: funnel position and EB estimate (published cells only)."""
    rows = []
    for ind in catalogue.indicators:
        if ind.unit == "eur" or ind.numerator.source == "services":
            continue
        part = published[(published["indicator_id"] == ind.id) & (published["year"] == year)]
        city = part[(part["area_level"] == "stadt") & (part["area_code"] == city_code)]
        units = part[(part["area_level"] == "stadtteil") & part["numerator"].notna() & part["denominator"].gt(0)]
        if city.empty or city["numerator"].isna().all() or len(units) < 3:
            continue
        share = ind.unit == "pct"
        theta = float(city["numerator"].iloc[0] / city["denominator"].iloc[0])
        ft = funnel_table(units[["area_code", "area_name", "numerator", "denominator"]], theta, share)
        eb, _gamma, _phi = empirical_bayes(units["numerator"].to_numpy(), units["denominator"].to_numpy(), share)
        ft["eb_rate"] = eb
        ft["theta"] = theta
        ft["indicator_id"] = ind.id
        ft["scale"] = ind.scale
        rows.append(ft)
    columns = ["area_code", "area_name", "numerator", "denominator", "rate", "z", "tau2", "position", "eb_rate"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[*columns, "theta", "indicator_id"])
    out.insert(0, "report_year", year)
    return out.sort_values(["indicator_id", "area_code"]).reset_index(drop=True)


def social_index_history(published: pd.DataFrame, catalogue: Catalogue, config: Config) -> pd.DataFrame:
    """Index and classes for every data year with data for the index indicators."""
    si = config.analysis.social_index
    frames = []
    for year in config.data_years:
        if year - si.dynamics_years < config.data_years[0]:
            continue
        frames.append(
            social_index(
                published,
                catalogue,
                si.status_indicators,
                year,
                si.dynamics_years,
                si.status_cuts,
                si.dynamics_cuts,
            )
        )
    if not frames:
        columns = ["year", "area_code", "status_index", "status_z", "dynamics_index", "dynamics_z"]
        return pd.DataFrame(columns=[*columns, "status_class", "dynamics_class", "group"])
    return pd.concat(frames, ignore_index=True)


def need_supply_table(
    published: pd.DataFrame, services: pd.DataFrame, population: pd.DataFrame, config: Config, year: int
) -> pd.DataFrame:
    """Need vs supply per Stadtteil × phase for ``year``."""
    a = config.analysis
    phases = list(a.phase_ages)
    need_rows, pop_rows = [], []
    pop_y = population[population["year"] == year]
    for phase in phases:
        ind = a.phase_need[phase]
        sel = published[
            (published["indicator_id"] == ind) & (published["year"] == year) & (published["area_level"] == "stadtteil")
        ]
        need_rows.append(sel[["area_code", "value"]].rename(columns={"value": "need_value"}).assign(phase=phase))
        lo, hi = a.phase_ages[phase]
        persons = pop_y[pop_y["age"].between(lo, hi)].groupby("stadtteil_code")["persons"].sum()
        pop_rows.append(
            pd.DataFrame({"area_code": persons.index.astype(str), "phase": phase, "persons": persons.values})
        )
    places = places_by_phase(services, year, phases)
    local = places[places["area_code"] != ""]
    out = need_supply(pd.concat(need_rows), local, pd.concat(pop_rows), a.need_cut)
    city_wide = places[places["area_code"] == ""].set_index("phase")["places"]
    out["citywide_places"] = out["phase"].map(city_wide).fillna(0).astype(int)
    names = {s.code: s.name for s in config.stadtteile}
    out["area_name"] = out["area_code"].map(names)
    out.insert(0, "report_year", year)
    return out


def build_social_analysis(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Trends, funnel/EB, social index (all years) and need vs supply for the report years."""
    catalogue = load_catalogue(config.catalogue_path)
    published = tables["indicators"]
    a = config.analysis
    trends = pd.concat(
        [
            trend_table(published, catalogue, y, min_years=a.trend_min_years, alpha=a.fdr_alpha)
            for y in config.report_years
        ],
        ignore_index=True,
    )
    funnel = pd.concat(
        [funnel_eb_table(published, catalogue, y, config.commune.ags) for y in config.report_years], ignore_index=True
    )
    need = pd.concat(
        [
            need_supply_table(published, tables["services"], tables["population"], config, y)
            for y in config.report_years
        ],
        ignore_index=True,
    )
    return {
        "trends": trends,
        "funnel_eb": funnel,
        "social_index": social_index_history(published, catalogue, config),
        "need_supply": need,
    }


# --- HzE -------------------------------------------------------------------------------------


def _u21(population: pd.DataFrame) -> pd.DataFrame:
    sel = population[population["age"] <= 20]
    out = sel.groupby(["year", "stadtteil_code"], as_index=False)["persons"].sum()
    return out.rename(columns={"stadtteil_code": "area_code", "persons": "u21"})


def _prevention_spending(services: pd.DataFrame, programme_start: int, years: list[int]) -> pd.Series:
    """Yearly cost of services started in or after the programme start (the programme's spending)."""
    new = services[services["start"].astype(int) >= programme_start]
    end = new["end"].fillna(9999).astype(int)
    return pd.Series({y: float(new.loc[(new["start"].astype(int) <= y) & (end >= y), "cost_eur"].sum()) for y in years})


def hze_for_year(config: Config, tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """Every HzE analysis table for one report year (data up to that year)."""
    h = config.analysis.hze
    yearly = tables["hze_year"][tables["hze_year"]["year"] <= year]
    expenditure = tables["hze_expenditure"][tables["hze_expenditure"]["year"] <= year]
    u21 = _u21(tables["population"])
    u21 = u21[u21["year"] <= year]
    out: dict[str, list[pd.DataFrame]] = {k: [] for k in ("desc", "its", "effects", "event", "balance")}

    # descriptive: cells of the one disclosure mechanism (helpers.disclosure), see hze_tables
    out["desc"].append(protected_descriptive(config, tables, year))

    # ITS on expenditure and case rates
    years = np.array(sorted(yearly["year"].unique()))
    series = {
        "ausgaben_eur": expenditure.groupby("year")["eur"].sum().reindex(years).to_numpy(float),
        "faelle_je_10000": (
            yearly.groupby("year")["counted"].sum().reindex(years)
            / u21.groupby("year")["u21"].sum().reindex(years)
            * 1e4
        ).to_numpy(float),
    }
    can_its = (years < h.programme_start_year).sum() >= 3 and (years >= h.programme_start_year).sum() >= 3
    for name, values in series.items():
        if not can_its:
            continue
        its = H.interrupted_time_series(years, values, h.programme_start_year)
        out["its"].append(its.table.assign(series=name))
        for term, est, ci, p in (
            ("Niveauänderung", its.level_change, its.level_ci, its.level_p),
            ("Trendänderung pro Jahr", its.slope_change, its.slope_ci, its.slope_p),
            ("kumulierte Abweichung", its.cumulated_gap, its.cumulated_ci, np.nan),
        ):
            out["effects"].append(
                pd.DataFrame(
                    [
                        {
                            "design": "ITS",
                            "series": name,
                            "term": term,
                            "estimate": est,
                            "ci_low": ci[0],
                            "ci_high": ci[1],
                            "p_value": p,
                        }
                    ]
                )
            )

    # DiD within the city
    starts = H.treatment_starts(tables["services"], h.programme_types, h.programme_start_year)
    new = yearly[yearly["basis"] != "28"].groupby(["year", "stadtteil_code"], as_index=False)["started"].sum()
    new = new.rename(columns={"stadtteil_code": "area_code", "started": "cases"}).merge(u21, on=["year", "area_code"])
    internal = tables["indicators_internal"]
    cov = internal[(internal["indicator_id"] == "sgb2_u15") & (internal["area_level"] == "stadtteil")]
    cov = cov[["year", "area_code", "value"]]
    did = None
    late_years = [y for y in years if any(y - s >= h.lag_years for s in starts.values())]
    n_treated = sum(1 for c in new["area_code"].unique() if c in starts)
    n_control = new["area_code"].nunique() - n_treated
    # wild cluster bootstrap needs enough clusters on both sides (MIN_CLUSTERS each)
    if late_years and n_treated >= MIN_CLUSTERS and n_control >= MIN_CLUSTERS:
        panel = H.did_panel(new, cov, starts, h.lag_years)
        did = H.did_within_city(panel, h.bootstrap_draws, h.seed)
        for term, wb in (("spät (ab Verzögerung)", did.late), ("früh (erste Jahre)", did.early)):
            out["effects"].append(
                pd.DataFrame(
                    [
                        {
                            "design": "DiD Stadtteile",
                            "series": "neue_faelle_ohne_28",
                            "term": term,
                            "estimate": wb.estimate,
                            "ci_low": wb.ci[0],
                            "ci_high": wb.ci[1],
                            "p_value": wb.p_value,
                            "n_treated": did.n_treated,
                            "n_control": did.n_control,
                        }
                    ]
                )
            )

    # event study against comparison communes that did not join
    comp = tables["comparison"]
    comp = comp[(comp["year"] <= year) & comp["joined"].isna()]
    own = yearly.groupby("year")["counted"].sum() / u21.groupby("year")["u21"].sum()
    ev_panel = pd.concat(
        [
            pd.DataFrame({"unit": comp["ags"], "year": comp["year"], "y": np.log(comp["hze_cases"] / comp["u21"])}),
            pd.DataFrame({"unit": config.commune.ags, "year": own.index, "y": np.log(own.to_numpy())}),
        ],
        ignore_index=True,
    )
    if (years < h.programme_start_year).sum() >= 3 and year >= h.programme_start_year:
        ev = H.event_study(ev_panel, config.commune.ags, h.programme_start_year, h.lag_years)
        out["event"].append(ev.table)
        out["effects"].append(
            pd.DataFrame(
                [
                    {
                        "design": "Ereignisstudie",
                        "series": "faelle_je_u21",
                        "term": "Vorperioden (F-Test)",
                        "p_value": ev.pre_f_p,
                    },
                    {
                        "design": "Ereignisstudie",
                        "series": "faelle_je_u21",
                        "term": "Vortrend pro Jahr",
                        "estimate": ev.pre_slope,
                        "p_value": ev.pre_slope_p,
                    },
                    {
                        "design": "Ereignisstudie",
                        "series": "faelle_je_u21",
                        "term": "Mittel nach Verzögerung",
                        "estimate": ev.post_mean,
                        "ci_low": ev.post_ci[0],
                        "ci_high": ev.post_ci[1],
                    },
                ]
            )
        )

    # balance
    if did is not None:
        spending = _prevention_spending(tables["services"], h.programme_start_year, [int(y) for y in years])
        out["balance"].append(_balance_scenarios(config, spending, yearly, expenditure, new, starts, did))

    frames = {
        "hze_descriptive": out["desc"],
        "hze_its": out["its"],
        "hze_effects": out["effects"],
        "hze_event_study": out["event"],
        "hze_balance": out["balance"],
    }
    empty = {"hze_effects": EFFECT_COLUMNS}
    return {
        k: (pd.concat(v, ignore_index=True) if v else pd.DataFrame(columns=empty.get(k, []))).assign(report_year=year)
        for k, v in frames.items()
    }


def _balance_scenarios(
    config: Config,
    spending: pd.Series,
    yearly: pd.DataFrame,
    expenditure: pd.DataFrame,
    new: pd.DataFrame,
    starts: dict[str, int],
    did: H.DiDResult,
) -> pd.DataFrame:
    """Cumulated balance for the base case, its bootstrap band and the sensitivity scenarios."""
    h = config.analysis.hze
    programme = spending[spending.index >= h.programme_start_year]
    no28 = yearly[yearly["basis"] != "28"]
    cost_per_case = (
        expenditure[expenditure["basis"] != "28"].groupby("year")["eur"].sum() / no28.groupby("year")["started"].sum()
    )
    treated = new[new["area_code"].isin(starts)].copy()
    since = treated["year"] - treated["area_code"].map(starts)
    treated = treated[since >= 0]
    phase = np.where(since[since >= 0] >= h.lag_years, "late", "early")
    cases = pd.Series(treated["cases"].to_numpy(float), index=treated["year"].to_numpy())
    phase_s = pd.Series(phase, index=cases.index)

    def run(early: float, late: float, cost_factor: float, prev_factor: float, rate: float) -> pd.DataFrame:
        avoided = H.avoided_spending(cases, cost_per_case * cost_factor, early, late, phase_s)
        return H.balance(programme * prev_factor, avoided, rate, h.programme_start_year)

    base = run(did.early.estimate, did.late.estimate, 1.0, 1.0, h.discount_rate)
    # bootstrap band, vectorised: avoided_y = E_y·(exp(−β_early) − 1) + L_y·(exp(−β_late) − 1)
    weighted = cases * cost_per_case.reindex(cases.index).to_numpy()
    by_phase = weighted.groupby([weighted.index, phase_s.to_numpy()]).sum().unstack(fill_value=0.0)
    by_phase = by_phase.reindex(base["year"], fill_value=0.0)
    e_y = by_phase.get("early", pd.Series(0.0, by_phase.index)).to_numpy()
    l_y = by_phase.get("late", pd.Series(0.0, by_phase.index)).to_numpy()
    draws, terms = did.late.draws, did.late.terms
    early_draws, late_draws = draws[:, terms.index("early")], draws[:, terms.index("late")]
    avoided = np.outer(np.expm1(-early_draws), e_y) + np.outer(np.expm1(-late_draws), l_y)
    factor = (1 + h.discount_rate) ** -(base["year"].to_numpy() - h.programme_start_year)
    cum = np.cumsum((avoided - base["prevention_eur"].to_numpy()) * factor, axis=1)
    base["cum_net_low"] = np.quantile(cum, 0.025, axis=0)
    base["cum_net_high"] = np.quantile(cum, 0.975, axis=0)
    base["scenario"] = "Basis"
    scenarios = [base]
    for label, args in (
        ("Effekt nur halb so groß", (did.early.estimate / 2, did.late.estimate / 2, 1.0, 1.0, h.discount_rate)),
        ("kein früher Mehraufwand", (0.0, did.late.estimate, 1.0, 1.0, h.discount_rate)),
        ("Kosten je Fall −25 %", (did.early.estimate, did.late.estimate, 0.75, 1.0, h.discount_rate)),
        ("Kosten je Fall +25 %", (did.early.estimate, did.late.estimate, 1.25, 1.0, h.discount_rate)),
        ("Präventionskosten +25 %", (did.early.estimate, did.late.estimate, 1.0, 1.25, h.discount_rate)),
        ("Abzinsung 3 %", (did.early.estimate, did.late.estimate, 1.0, 1.0, 0.03)),
    ):
        scenarios.append(run(*args).assign(scenario=label))
    share_be = [H.break_even_year(pd.Series(c, index=base["year"])) is not None for c in cum]
    out = pd.concat(scenarios, ignore_index=True)
    out["share_draws_break_even"] = float(np.mean(share_be))
    return out


def build_hze_analysis(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """HzE analysis tables for all report years."""
    parts = [hze_for_year(config, tables, y) for y in config.report_years]
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}

"""Analysis steps of the pipeline: compute the analysis tables for every report year.

Social analyses read only the *published* indicators (suppressed and pooled cells are not
used), so no result can reveal a protected count. The HzE analyses read the yearly HzE
aggregates and publish only model results and protected city tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.analysis import hze as H
from helpers.analysis import its
from helpers.analysis.compare import empirical_bayes, funnel_table
from helpers.analysis.hze_tables import protected_descriptive
from helpers.analysis.sozialindex import social_index
from helpers.analysis.supply import allocate_places, need_supply, places_by_phase, service_rows
from helpers.analysis.trends import trend_table
from helpers.core.ages import select_ages
from helpers.core.config import Config, HzeAnalysis
from helpers.indicators.catalogue import CHILD_POVERTY_ROLE, Catalogue
from helpers.indicators.plan import commune_catalogue, commune_plan

_progress = logging.getLogger("monitoring.progress")

#: Service types that make up the Präventionskette programme (treatment in the DiD).
MIN_CLUSTERS = 3
EFFECT_COLUMNS = ["design", "series", "term", "estimate", "ci_low", "ci_high", "p_value", "n_treated", "n_control"]


def funnel_eb_table(published: pd.DataFrame, catalogue: Catalogue, year: int, city_code: str) -> pd.DataFrame:
    """Per indicator and Stadtteil of ``year``: funnel position and EB estimate (published cells only).

    Limits and EB both use the city value θ₀ as the target. ``eb_collapsed`` marks indicators
    whose between-area variance estimate is 0 (every EB value = θ₀: no differences beyond chance).
    """
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
        eb, _gamma, phi = empirical_bayes(
            units["numerator"].to_numpy(), units["denominator"].to_numpy(), share, target=theta
        )
        ft["eb_rate"] = eb
        ft["eb_phi"] = phi
        ft["eb_collapsed"] = phi == 0
        ft["theta"] = theta
        ft["indicator_id"] = ind.id
        ft["scale"] = ind.scale
        rows.append(ft)
    columns = [
        *("area_code", "area_name", "numerator", "denominator", "rate", "z", "tau2"),
        *("position_code", "funnel_code", "unusual", "beyond_overdispersion", "eb_rate", "eb_collapsed"),
    ]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[*columns, "theta", "indicator_id"])
    out.insert(0, "report_year", year)
    return out.sort_values(["indicator_id", "area_code"]).reset_index(drop=True)


def _residents(population: pd.DataFrame, year: int) -> pd.Series:
    """Residents per Stadtteil code in ``year``."""
    pop = population[population["year"] == year]
    out = pop.groupby("stadtteil_code")["persons"].sum()
    out.index = out.index.astype(str)
    return out


def social_index_history(
    published: pd.DataFrame, catalogue: Catalogue, config: Config, population: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Index and classes for every data year with data for the index indicators."""
    si = config.analysis.social_index
    plan = commune_plan(config)
    frames = []
    for year in config.data_years:
        if plan.social_index_reason is not None or year - si.dynamics_years < config.data_years[0]:
            continue
        frames.append(
            social_index(
                published,
                catalogue,
                list(plan.status_indicators),
                year,
                si.dynamics_years,
                si.status_cuts,
                si.dynamics_cuts,
                population=None if population is None else _residents(population, year),
                min_population=si.min_population,
                min_denominator=config.thresholds.min_denominator,
                dynamics_method=si.dynamics_method,
                dynamics_window=si.dynamics_window,
                alpha=si.dynamics_alpha,
            )
        )
    if not frames:
        columns = ["year", "area_code", "status_index", "status_z", "dynamics_index", "dynamics_z"]
        labels = ["status_class", "dynamics_class", "group"]
        codes = ["status_class_code", "not_classified_reason", "dynamics_class_code"]
        inputs = ["indicators_used", "indicators_total", "pooled_inputs", "missing_inputs"]
        return pd.DataFrame(columns=[*columns, *labels, *codes, *inputs])
    return pd.concat(frames, ignore_index=True)


def need_supply_table(
    published: pd.DataFrame,
    services: pd.DataFrame,
    population: pd.DataFrame,
    config: Config,
    year: int,
    need: Mapping[str, str],
) -> pd.DataFrame:
    """Need vs supply per Stadtteil × phase for ``year`` (places distributed over service catchments).

    ``need``: life phase -> the indicator of its need (the catalogue's ``need_for``, config overrides).

    Every Stadtteil × configured phase has a row; what could not be checked says why in
    ``check_code`` (``helpers.analysis.supply.CHECK_CODES``).
    """
    a = config.analysis
    phases = list(a.phase_ages)
    codes = [s.code for s in config.stadtteile]
    if not phases or not codes:
        return empty_need_supply()
    need_rows, pop_rows = [], []
    pop_y = population[population["year"] == year]
    for phase in phases:
        ind = need.get(phase, "")
        sel = published[
            (published["indicator_id"] == ind) & (published["year"] == year) & (published["area_level"] == "stadtteil")
        ]
        values = sel.set_index("area_code")["value"]
        need = pd.DataFrame({"area_code": codes, "phase": phase})
        need["need_value"] = need["area_code"].map(values).astype(float)
        lo, hi = a.phase_ages[phase]
        try:
            persons = select_ages(pop_y, lo, hi).groupby("stadtteil_code")["persons"].sum()
        except ValueError as exc:  # the register's age bands cannot form the phase's ages: phase not checked
            _progress.info("Bedarf und Angebot: Phase %s entfällt (%s)", phase, exc)
            need_rows.append(need.assign(check_code="no_ages"))
            continue
        need_rows.append(need.assign(check_code=""))
        pop_rows.append(
            pd.DataFrame({"area_code": persons.index.astype(str), "phase": phase, "persons": persons.values})
        )
    pop_all = (pd.concat(pop_rows) if pop_rows else pd.DataFrame({"area_code": [], "phase": [], "persons": []})).astype(
        {"area_code": str, "phase": str, "persons": float}
    )
    rows = service_rows(services, year, phases, codes, a.service_catchments)
    out = need_supply(pd.concat(need_rows), allocate_places(rows, pop_all), pop_all, a.need_cut)
    places = places_by_phase(services, year, phases)
    city_wide = places[places["area_code"] == ""].set_index("phase")["places"]
    out["citywide_places"] = out["phase"].map(city_wide).fillna(0).astype(int)
    names = {s.code: s.name for s in config.stadtteile}
    out["area_name"] = out["area_code"].map(names)
    out["phase_rank"] = out["phase"].map({p: i for i, p in enumerate(phases)}).astype(int)
    out = out.sort_values(["phase_rank", "area_code"], kind="stable").reset_index(drop=True)
    out.insert(0, "report_year", year)
    return out


def empty_need_supply() -> pd.DataFrame:
    """The need-vs-supply table with no rows (a commune without the services source)."""
    frame = need_supply(
        pd.DataFrame(columns=["area_code", "phase", "need_value", "check_code"]),
        pd.DataFrame(columns=["area_code", "phase", "places", "services"]),
        pd.DataFrame(columns=["area_code", "phase", "persons"]),
        0.0,
    )
    frame = frame.assign(
        citywide_places=pd.Series(dtype=int), area_name=pd.Series(dtype=str), phase_rank=pd.Series(dtype=int)
    )
    frame.insert(0, "report_year", pd.Series(dtype=int))
    return frame


def build_social_analysis(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Trends, funnel/EB, social index (all years) and need vs supply for the report years."""
    catalogue = commune_catalogue(config)
    published = tables["indicators"]
    a = config.analysis
    # money indicators are trended in prices of the report year, with the HzE price index (its defaults
    # when the commune configures no HzE analysis)
    h = a.hze or HzeAnalysis(programme_start_year=min(config.data_years))
    prices = H.price_index(config.data_years, h.price_growth_per_year, h.price_jumps, h.price_index)
    trends = pd.concat(
        [
            trend_table(published, catalogue, y, min_years=a.trend_min_years, alpha=a.fdr_alpha, prices=prices)
            for y in config.report_years
        ],
        ignore_index=True,
    )
    funnel = pd.concat(
        [funnel_eb_table(published, catalogue, y, config.commune.ags) for y in config.report_years], ignore_index=True
    )
    need_ids = {**catalogue.need_by_phase(), **a.phase_need}
    need = (
        pd.concat(
            [
                need_supply_table(published, tables["services"], tables["population"], config, y, need_ids)
                for y in config.report_years
            ],
            ignore_index=True,
        )
        if "services" in tables
        else empty_need_supply()
    )
    return {
        "trends": trends,
        "funnel_eb": funnel,
        "social_index": social_index_history(published, catalogue, config, tables.get("population")),
        "need_supply": need,
    }


# --- HzE -------------------------------------------------------------------------------------


def _u21(population: pd.DataFrame) -> pd.DataFrame:
    sel = select_ages(population, 0, 20)
    out = sel.groupby(["year", "stadtteil_code"], as_index=False)["persons"].sum()
    return out.rename(columns={"stadtteil_code": "area_code", "persons": "u21"})


def _prevention_spending(services: pd.DataFrame, programme_start: int, years: list[int]) -> pd.Series:
    """Yearly cost of services started in or after the programme start (the programme's spending)."""
    new = services[services["start"].astype(int) >= programme_start]
    end = new["end"].fillna(9999).astype(int)
    return pd.Series({y: float(new.loc[(new["start"].astype(int) <= y) & (end >= y), "cost_eur"].sum()) for y in years})


def _effect_row(design: str, series: str, term: str, est: float, ci: tuple[float, float], p: float, **extra) -> dict:
    return {
        "design": design,
        "series": series,
        "term": term,
        "estimate": est,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "p_value": p,
        **extra,
    }


def its_expenditure(
    config: Config,
    yearly: pd.DataFrame,
    expenditure: pd.DataFrame,
    u21: pd.DataFrame,
    years: np.ndarray,
    year: int,
    rho_from_data: bool = True,
) -> tuple[pd.DataFrame, list[dict]]:
    """Segmented regression of the expenditure per under-21, deflated to prices of ``year`` (the
    report year). Table and gaps in euros (per-head values times the year's under-21s); level and
    slope change in euros per under-21. ``rho_from_data`` False: the implied ρ alone (for the
    simulation study's comparison)."""
    h = config.analysis.hze
    prices = H.price_index(years, h.price_growth_per_year, h.price_jumps, h.price_index)
    nominal = expenditure.groupby("year")["eur"].sum().reindex(years)
    real = H.deflate(nominal, prices, year)
    pop = u21.groupby("year")["u21"].sum().reindex(years).to_numpy(float)
    rho = H.implied_ar1(H.mean_duration_months(yearly), expenditure.groupby("basis")["eur"].sum())
    res = H.interrupted_time_series(
        years, real.to_numpy(float), h.programme_start_year, exposure=pop, rho=rho, rho_from_data=rho_from_data
    )
    table = res.table.assign(
        series="ausgaben_eur",
        observed_nominal=nominal.to_numpy(float),
        price_base_year=year,
        price_index=(prices / prices.loc[year]).reindex(years).to_numpy(float),
        u21=pop,
    )
    head = {"scale": "eur_real_per_u21", "price_base_year": year, "ar1_rho": res.rho, "ar1_rho_implied": rho}
    total = {"scale": "eur_real", "price_base_year": year, "ar1_rho": res.rho, "ar1_rho_implied": rho}
    rows = [
        _effect_row("its", "ausgaben_eur", "level_change", res.level_change, res.level_ci, res.level_p, **head),
        _effect_row("its", "ausgaben_eur", "slope_change", res.slope_change, res.slope_ci, res.slope_p, **head),
        _effect_row(
            "its",
            "ausgaben_eur",
            "cumulated_gap",
            res.cumulated_gap,
            res.cumulated_ci,
            res.cumulated_p,
            **total,
        ),
    ]
    return table, rows


def its_case_rate(
    yearly: pd.DataFrame, u21: pd.DataFrame, years: np.ndarray, start: int, rho_from_data: bool = True
) -> tuple[pd.DataFrame, list[dict]]:
    """Quasi-Poisson segmented regression of the cases (Bestand + ended) with offset log(u21)
    and AR(1) errors: correlation implied by the case durations (``H.implied_ar1``), raised to
    the REML estimate of the series if that is higher; scale corrected for the autocorrelation.

    Level and slope change are log rate ratios; the gaps are in cases per 10,000 under-21s.
    """
    counts = yearly.groupby("year")["counted"].sum().reindex(years).to_numpy(float)
    pop = u21.groupby("year")["u21"].sum().reindex(years).to_numpy(float)
    design = its.its_design(years.astype(float), start, slope_change=True)
    rho = H.implied_ar1(H.mean_duration_months(yearly), yearly.groupby("basis")["counted"].sum())
    fit = its.fit_poisson_its(
        counts, design, pop, errors="ar1", use_t=True, scale_floor=1.0, rho=rho, rho_from_data=rho_from_data
    )
    gaps = its.gap_table(fit, per=1e4)
    table = pd.DataFrame({"year": years, "observed": counts / pop * 1e4}).join(gaps.drop(columns="_grad"))
    table["series"] = "faelle_je_10000"
    level, slope = fit.term("post"), fit.term("post_time")
    cum = its.cumulated_gap(fit, gaps, years >= start)
    extra = {"scale": "log_rr", "ar1_rho": fit.rho, "ar1_rho_implied": rho}
    rows = [
        _effect_row("its", "faelle_je_10000", "level_change", level.estimate, level.ci, level.p_value, **extra),
        _effect_row("its", "faelle_je_10000", "slope_change", slope.estimate, slope.ci, slope.p_value, **extra),
        _effect_row(
            "its",
            "faelle_je_10000",
            "cumulated_gap",
            cum.estimate,
            cum.ci,
            cum.p_value,
            scale="per_10000",
            ar1_rho=fit.rho,
            ar1_rho_implied=rho,
        ),
    ]
    return table, rows


def new_cases_without_28(yearly: pd.DataFrame, u21: pd.DataFrame) -> pd.DataFrame:
    """New cases (begonnene Hilfen) without § 28 per year × Stadtteil with the under-21s."""
    new = yearly[yearly["basis"] != "28"].groupby(["year", "stadtteil_code"], as_index=False)["started"].sum()
    return new.rename(columns={"stadtteil_code": "area_code", "started": "cases"}).merge(
        u21, on=["year", "area_code"], validate="1:1"
    )


def programme_rows(starts: dict[str, int], new: pd.DataFrame, start: int) -> list[dict]:
    """The programme's treated Stadtteile (first service year) and their share of the new cases
    (without § 28) since the programme start: what a city-wide design can at most see of an
    effect in these Stadtteile."""
    since = new[new["year"] >= start]
    total = float(since["cases"].sum())
    share = float(since.loc[since["area_code"].isin(starts), "cases"].sum()) / total if total else float("nan")
    nan2 = (float("nan"), float("nan"))
    rows = [
        _effect_row("programme", code, "treated_start", float(year), nan2, float("nan"))
        for code, year in sorted(starts.items())
    ]
    return [*rows, _effect_row("programme", "neue_faelle_ohne_28", "treated_share_new", share, nan2, float("nan"))]


def did_part(
    config: Config, tables: dict[str, pd.DataFrame], new: pd.DataFrame, starts: dict[str, int], years: np.ndarray
) -> tuple[H.DiDResult | None, list[dict]]:
    """Within-city DiD with wild-cluster-bootstrap inference (None if too early or too few clusters)."""
    h = config.analysis.hze
    internal = tables["indicators_internal"]
    covariate = commune_catalogue(config).with_role(CHILD_POVERTY_ROLE)[:1]  # the SGB II quota of children
    cov = internal[internal["indicator_id"].isin(covariate) & (internal["area_level"] == "stadtteil")]
    late_years = [y for y in years if any(y - s >= h.lag_years for s in starts.values())]
    n_treated = sum(1 for c in new["area_code"].unique() if c in starts)
    n_control = new["area_code"].nunique() - n_treated
    # wild cluster bootstrap needs enough clusters on both sides (MIN_CLUSTERS each)
    if not late_years or n_treated < MIN_CLUSTERS or n_control < MIN_CLUSTERS:
        return None, []
    panel = H.did_panel(new, cov[["year", "area_code", "value"]], starts, h.lag_years)
    did = H.did_within_city(panel, h.bootstrap_draws, h.seed)
    rows = [
        _effect_row(
            "did",
            "neue_faelle_ohne_28",
            term,
            wb.estimate,
            wb.ci,
            wb.p_value,
            n_treated=did.n_treated,
            n_control=did.n_control,
            scale="log_rr",
        )
        for term, wb in (("late", did.late), ("early", did.early))
    ]
    return did, rows


def event_part(
    config: Config, comparison: pd.DataFrame, new: pd.DataFrame, year: int
) -> tuple[pd.DataFrame | None, list[dict]]:
    """Event study of the city's new cases without § 28 per u21 against communes that never joined."""
    h = config.analysis.hze
    comp = comparison[(comparison["year"] <= year) & comparison["joined"].isna()]
    own = new.groupby("year")[["cases", "u21"]].sum()
    ev_panel = pd.concat(
        [
            pd.DataFrame({"unit": comp["ags"], "year": comp["year"], "y": np.log(comp["hze_cases"] / comp["u21"])}),
            pd.DataFrame({"unit": config.commune.ags, "year": own.index, "y": np.log(own["cases"] / own["u21"])}),
        ],
        ignore_index=True,
    )
    n_pre = (own.index < h.programme_start_year).sum()
    if n_pre < h.pretest_years + 3 or year < h.programme_start_year or comp["ags"].nunique() < 3:
        return None, []
    ev = H.event_study(ev_panel, config.commune.ags, h.programme_start_year, h.lag_years, h.pretest_years)
    series, design = "neue_faelle_ohne_28_je_u21", "event_study"
    extra = {"n_control": ev.n_placebos, "n_comparison_all": int(comparison["ags"].nunique())}
    rows = [
        _effect_row(
            design, series, "pretrend_joint", np.nan, (np.nan, np.nan), ev.pre_f_p, p_rank=ev.pre_rank_p, **extra
        ),
        _effect_row(design, series, "pretrend_slope", ev.pre_slope, (np.nan, np.nan), np.nan, **extra),
        _effect_row(
            design,
            series,
            "post_mean",
            ev.post_mean,
            ev.post_ci,
            ev.post_p,
            p_rank=ev.post_rank_p,
            p_model=ev.post_p_model,
            p_placebo=ev.post_p_placebo,
            n_pre=ev.n_pre,
            scale="log_rr",
            **extra,
        ),
    ]
    return ev.table, rows


def comparison_level(comparison: pd.DataFrame, year: int) -> tuple[float, int]:
    """The median HzE rate (cases per 10,000 under-21s) of the comparison communes in ``year`` (all of
    the comparison ring, with and without an own programme) and their number; (NaN, 0) without a row.

    >>> comp = pd.DataFrame({"year": [2025] * 3, "hze_cases": [50, 60, 90], "u21": [1000, 1000, 2000]})
    >>> comparison_level(comp, 2025), comparison_level(comp, 2024)  # rates 500, 600, 450
    ((500.0, 3), (nan, 0))
    """
    comp = comparison[comparison["year"] == year]
    if comp.empty:
        return float("nan"), 0
    return float((1e4 * comp["hze_cases"] / comp["u21"]).median()), len(comp)


def with_comparison_level(desc: pd.DataFrame, comparison: pd.DataFrame, year: int) -> pd.DataFrame:
    """The descriptive table with the comparison communes' level beside the city's rate: on the city
    row (``by == "gesamt"``) ``comparison_median_per_10000`` and ``comparison_communes``
    (:func:`comparison_level`; the profiles print them next to the city's HzE rate). A table without
    rows (no descriptive analysis) stays as it is."""
    if "by" not in desc:
        return desc
    median, communes = comparison_level(comparison, year)
    city = desc["by"] == "gesamt"
    return desc.assign(
        comparison_median_per_10000=np.where(city, median, np.nan),
        comparison_communes=pd.array([communes if c else pd.NA for c in city], dtype="Int64"),
    )


def hze_for_year(config: Config, tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """Every HzE analysis table for one report year (data up to that year)."""
    h = config.analysis.hze
    yearly = tables["hze_year"][tables["hze_year"]["year"] <= year]
    expenditure = tables["hze_expenditure"][tables["hze_expenditure"]["year"] <= year]
    u21 = _u21(tables["population"])
    u21 = u21[u21["year"] <= year]
    out: dict[str, list] = {k: [] for k in ("desc", "its", "effects", "event", "balance")}
    out["desc"] = [with_comparison_level(protected_descriptive(config, tables, year), tables["comparison"], year)]

    years = np.array(sorted(yearly["year"].unique()))
    start = h.programme_start_year
    if (years < start).sum() >= 3 and (years >= start).sum() >= 3:
        for table, rows in (
            its_expenditure(config, yearly, expenditure, u21, years, year),
            its_case_rate(yearly, u21, years, start),
        ):
            out["its"].append(table)
            out["effects"].extend(rows)

    starts = H.treatment_starts(tables["services"], h.programme_types, start)
    new = new_cases_without_28(yearly, u21)
    out["effects"].extend(programme_rows(starts, new, start))
    did, rows = did_part(config, tables, new, starts, years)
    out["effects"].extend(rows)
    ev_table, rows = event_part(config, tables["comparison"], new, year)
    out["effects"].extend(rows)
    if ev_table is not None:
        out["event"].append(ev_table)
    if did is not None:
        spending = _prevention_spending(tables["services"], start, [int(y) for y in years])
        out["balance"].append(_balance_scenarios(config, spending, yearly, expenditure, starts, did))

    frames = {
        "hze_descriptive": out["desc"],
        "hze_its": out["its"],
        "hze_effects": [pd.DataFrame(out["effects"], columns=EFFECT_COLUMNS + _extra_columns(out["effects"]))]
        if out["effects"]
        else [],
        "hze_event_study": out["event"],
        "hze_balance": out["balance"],
    }
    empty = {"hze_effects": EFFECT_COLUMNS}
    return {
        k: (pd.concat(v, ignore_index=True) if v else pd.DataFrame(columns=empty.get(k, []))).assign(report_year=year)
        for k, v in frames.items()
    }


def _extra_columns(rows: list[dict]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        seen += [k for k in row if k not in EFFECT_COLUMNS and k not in seen]
    return seen


def balance_kernels(
    config: Config, yearly: pd.DataFrame, expenditure: pd.DataFrame, starts: dict[str, int], years: list[int]
) -> dict[str, pd.Series]:
    """Spending (per payment year) caused by the observed new cases of treated Stadtteile, per phase.

    Each case's cost is spread over its expected duration (mean duration of its Hilfeart, see
    ``H.duration_profile``) at the cost per case-year of its Hilfeart in the year of payment.
    Late phase: the mix of all Hilfearten without § 28; early phase: the extra cases are of the
    settings in ``early_extra_settings`` (ambulant), so they are costed at that mix.
    """
    h = config.analysis.hze
    new = yearly[(yearly["basis"] != "28") & yearly["stadtteil_code"].isin(starts)].copy()
    since = new["year"] - new["stadtteil_code"].map(starts)
    new = new[since >= 0].assign(phase=np.where(since[since >= 0] >= h.lag_years, "late", "early"))
    cost_year = H.cost_per_case_year(yearly, expenditure)
    durations = H.mean_duration_months(yearly)
    kernels = {}
    for phase in ("early", "late"):
        part = new[new["phase"] == phase]
        mix = part if phase == "late" else part[part["setting"].isin(h.early_extra_settings)]
        by_basis = mix.groupby("basis")["started"].sum()
        shares = by_basis / by_basis.sum() if by_basis.sum() > 0 else by_basis
        unit = H.unit_cost_matrix(shares, durations, cost_year, years)
        kernels[phase] = H.spending_kernel(part.groupby("year")["started"].sum(), unit)
    return kernels


def _balance_scenarios(
    config: Config,
    spending: pd.Series,
    yearly: pd.DataFrame,
    expenditure: pd.DataFrame,
    starts: dict[str, int],
    did: H.DiDResult,
) -> pd.DataFrame:
    """Cumulated balance for the base case, its bootstrap band and the sensitivity scenarios."""
    h = config.analysis.hze
    years = sorted(int(y) for y in spending.index)
    programme = spending[spending.index >= h.programme_start_year]
    kernels = balance_kernels(config, yearly, expenditure, starts, years)
    est = {"early": did.early.estimate, "late": did.late.estimate}

    def run(coefs: dict[str, float], cost_factor: float, prev_factor: float, rate: float) -> pd.DataFrame:
        avoided = H.avoided_spending({p: k * cost_factor for p, k in kernels.items()}, coefs)
        return H.balance(programme * prev_factor, avoided, rate, h.programme_start_year)

    base = run(est, 1.0, 1.0, h.discount_rate)
    draws, terms = did.late.draws, did.late.terms
    k_e = kernels["early"].reindex(base["year"], fill_value=0.0).to_numpy()
    k_l = kernels["late"].reindex(base["year"], fill_value=0.0).to_numpy()
    avoided = np.outer(np.expm1(-draws[:, terms.index("early")]), k_e)
    avoided += np.outer(np.expm1(-draws[:, terms.index("late")]), k_l)
    factor = (1 + h.discount_rate) ** -(base["year"].to_numpy() - h.programme_start_year)
    cum = np.cumsum((avoided - base["prevention_eur"].to_numpy()) * factor, axis=1)
    low, high = balance_band(did, base["cum_avoided_eur"].to_numpy(), np.cumsum(k_e * factor), np.cumsum(k_l * factor))
    base["cum_net_low"] = low - base["cum_prevention_eur"].to_numpy()
    base["cum_net_high"] = high - base["cum_prevention_eur"].to_numpy()
    base["scenario"] = "base"
    half = {p: v / 2 for p, v in est.items()}
    other_rate = ("no_discounting", 0.0) if h.discount_rate > 0 else ("discount_3", 0.03)
    scenarios = [base]
    for label, args in (
        ("half_effect", (half, 1.0, 1.0, h.discount_rate)),
        ("no_early_cost", ({"early": 0.0, "late": est["late"]}, 1.0, 1.0, h.discount_rate)),
        ("case_cost_minus_25", (est, 0.75, 1.0, h.discount_rate)),
        ("case_cost_plus_25", (est, 1.25, 1.0, h.discount_rate)),
        ("prevention_cost_plus_25", (est, 1.0, 1.25, h.discount_rate)),
        (other_rate[0], (est, 1.0, 1.0, other_rate[1])),
    ):
        scenarios.append(run(*args).assign(scenario=label))
    share_be = [H.break_even_year(pd.Series(c, index=base["year"])) is not None for c in cum]
    out = pd.concat(scenarios, ignore_index=True)
    out["share_draws_break_even"] = float(np.mean(share_be))
    out["discount_rate"] = h.discount_rate
    return out


def balance_band(
    did: H.DiDResult, cum_avoided: np.ndarray, cum_k_early: np.ndarray, cum_k_late: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """95-% band of the cumulated (discounted) avoided spending per year, by test inversion.

    Cumulated avoided spending A = Σ_phase (e^(−β_phase) − 1)·k_phase (k: the cumulated discounted
    spending the observed cases of the phase cause). Linearised at the estimate, A − Â ≈ γ − γ̂
    with γ = w'β, w_phase = −e^(−β̂_phase)·k_phase: the band is Â + (interval of γ − γ̂), the
    interval of γ inverted from the same restricted wild cluster bootstrap as the DiD intervals
    (``DiDResult.combination``). Percentiles of unrestricted draws (WCU) under-cover with few
    clusters (MacKinnon & Webb 2017); in the simulation they covered 86–94 %.
    """
    low, high = cum_avoided.astype(float).copy(), cum_avoided.astype(float).copy()
    b_e, b_l = did.early.estimate, did.late.estimate
    for i, (k_e, k_l) in enumerate(zip(cum_k_early, cum_k_late, strict=True)):
        w_e, w_l = -np.exp(-b_e) * k_e, -np.exp(-b_l) * k_l
        if w_e == 0 and w_l == 0:
            continue
        wb = did.combination(w_l, w_e)
        low[i] += wb.ci[0] - wb.estimate
        high[i] += wb.ci[1] - wb.estimate
    return low, high


#: designs whose conclusion a later edition compares with (``edition_rows``)
EDITION_DESIGNS = ("did", "its", "event_study")


def edition_rows(effects: pd.DataFrame, balance: pd.DataFrame, edition: int, report_year: int) -> pd.DataFrame:
    """The results of the report ``edition`` as rows of ``report_year``'s effects table: design
    ``edition:<design>``, column ``edition``; the final balance as design ``edition:balance``,
    term ``cum_net`` (the pages of a report year read its rows only, so a page can say what has
    changed since an earlier edition)."""
    own = effects[effects["design"].isin(EDITION_DESIGNS)]
    rows = own.assign(design="edition:" + own["design"], edition=edition)
    base = balance[balance["scenario"] == "base"].sort_values("year") if "scenario" in balance else balance
    if len(base):
        last = base.iloc[-1]
        extra = _effect_row(
            "edition:balance",
            "saldo",
            "cum_net",
            last["cum_net_eur"],
            (last["cum_net_low"], last["cum_net_high"]),
            np.nan,
        )
        rows = pd.concat([rows, pd.DataFrame([{**extra, "edition": edition}])], ignore_index=True)
    return rows.assign(report_year=report_year)


def build_hze_analysis(config: Config, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """HzE analysis tables for all report years; each year's effects also carry the results of the
    earlier report years (``edition_rows``)."""
    parts = [hze_for_year(config, tables, y) for y in config.report_years]
    for i, part in enumerate(parts):
        earlier = [
            edition_rows(
                parts[k]["hze_effects"], parts[k]["hze_balance"], config.report_years[k], config.report_years[i]
            )
            for k in range(i)
        ]
        part["hze_effects"] = pd.concat([part["hze_effects"], *earlier], ignore_index=True)
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}

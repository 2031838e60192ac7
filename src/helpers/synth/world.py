"""The synthetic "world" behind all sources except the register, with a known truth.

Every source is drawn from the generated population (so numerators never exceed their
denominators and cohorts match) and from the parameters in ``config/sample_<commune>.yml``
(section comments there state every true trend and effect). Functions return tidy frames;
``helpers.synth`` formats them as the holders' exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.synth.population import interpolate_anchors


def logit(p: np.ndarray | float) -> np.ndarray | float:
    return np.log(p / (1 - p))


def expit(x: np.ndarray | float) -> np.ndarray | float:
    return 1 / (1 + np.exp(-x))


@dataclass(frozen=True)
class World:
    """Population counts and parameters shared by all source generators."""

    params: dict
    names: dict[str, str]  # Stadtteil code -> name
    years: list[int]
    ages: pd.DataFrame  # year, stadtteil_code, age, persons, persons_non_german

    @property
    def codes(self) -> list[str]:
        return sorted(self.names)

    def persons(self, year: int, lo: int, hi: int) -> pd.Series:
        """Residents aged lo..hi (inclusive) per Stadtteil at 31.12. of ``year``."""
        year = min(max(year, self.years[0]), self.years[-1])
        sel = self.ages[(self.ages["year"] == year) & self.ages["age"].between(lo, hi)]
        return sel.groupby("stadtteil_code")["persons"].sum().reindex(self.codes, fill_value=0)

    def non_german_share_u18(self, year: int) -> pd.Series:
        year = min(max(year, self.years[0]), self.years[-1])
        sel = self.ages[(self.ages["year"] == year) & (self.ages["age"] < 18)]
        grouped = sel.groupby("stadtteil_code")[["persons", "persons_non_german"]].sum()
        return (grouped["persons_non_german"] / grouped["persons"]).reindex(self.codes)


def make_world(params: dict, population: pd.DataFrame, names: dict[str, str]) -> World:
    """Collapse the register counts to Stadtteil x age (with non-German counts)."""
    frame = population.assign(
        persons_non_german=population["persons"].where(population["citizenship"] == "nichtdeutsch", 0)
    )
    ages = frame.groupby(["year", "stadtteil_code", "age"], as_index=False)[["persons", "persons_non_german"]].sum()
    return World(params, names, sorted(population["year"].unique().tolist()), ages)


# --- poverty (the driver) ---------------------------------------------------------------


def poverty_u15(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """True SGB-II quota of under-15s (fraction) per year x Stadtteil, with trends and noise."""
    p = world.params["poverty"]
    base = {c: p["sgb2_u15_pct"][c] / 100 for c in world.codes}
    trend = {c: p.get("trend_logit_per_year", {}).get(c, 0.0) for c in world.codes}
    rows = []
    for year in world.years:
        for code in world.codes:
            shock = rng.normal(0, p["year_shock_sd_logit"])
            x = logit(base[code]) + trend[code] * (year - p["base_year"]) + shock
            rows.append((year, code, float(expit(x))))
    return pd.DataFrame(rows, columns=["year", "stadtteil_code", "q_u15"])


def quota(q: pd.DataFrame, year: int) -> pd.Series:
    return q[q["year"] == year].set_index("stadtteil_code")["q_u15"]


# --- SGB II and unemployment -----------------------------------------------------------

SGB2_GROUPS = {
    "u3": (0, 2),
    "3_u6": (3, 5),
    "6_u15": (6, 14),
    "15_u18": (15, 17),
    "18_u25": (18, 24),
}


def sgb2_counts(world: World, q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Persons in Bedarfsgemeinschaften by age group, BG with children, single-parent BG."""
    p = world.params["poverty"]
    grad = p["age_gradient"]
    rows = []
    for year in world.years:
        qy = quota(q, year)
        record: dict[str, pd.Series] = {}
        for group, (lo, hi) in SGB2_GROUPS.items():
            pop = world.persons(year, lo, hi)
            prob = np.clip(qy * grad[group], 0, 0.95)
            record[group] = pd.Series(rng.binomial(pop.to_numpy(), prob.to_numpy()), index=world.codes)
        pop_all = world.persons(year, 0, 200)
        prob_all = np.clip(qy * grad["all_ages"], 0, 0.9)
        total = rng.binomial(pop_all.to_numpy(), prob_all.to_numpy())
        children = record["u3"] + record["3_u6"] + record["6_u15"] + record["15_u18"]
        record["insgesamt"] = pd.Series(np.maximum(total, children + record["18_u25"]), index=world.codes)
        bg_children = rng.poisson(children.to_numpy() / p["children_per_bg_with_children"])
        record["bg_mit_kindern"] = pd.Series(np.minimum(bg_children, children), index=world.codes)
        record["bg_alleinerziehend"] = pd.Series(
            rng.binomial(record["bg_mit_kindern"].to_numpy(), p["single_parent_share_of_bg_with_children"]),
            index=world.codes,
        )
        for code in world.codes:
            rows.append(
                {
                    "year": year,
                    "stadtteil_code": code,
                    **{k: int(v[code]) for k, v in record.items()},
                }
            )
    return pd.DataFrame(rows)


def unemployed_counts(world: World, q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Arbeitslose aged 15-u25 and 15-u65 per Stadtteil and year (December)."""
    u = world.params["unemployment"]
    rows = []
    for year in world.years:
        qy = quota(q, year)
        rate = np.clip(qy * u["rate_15_65_per_u15_quota"], 0.005, 0.3)
        pop_young, pop_all = world.persons(year, 15, 24), world.persons(year, 15, 64)
        young = rng.binomial(pop_young.to_numpy(), (rate * u["youth_relative_rate"]).to_numpy())
        older = rng.binomial((pop_all - pop_young).to_numpy(), rate.to_numpy())
        for i, code in enumerate(world.codes):
            rows.append((year, code, int(young[i]), int(young[i] + older[i])))
    return pd.DataFrame(rows, columns=["year", "stadtteil_code", "alo_15_u25", "alo_15_u65"])


# --- prevention services -----------------------------------------------------------------


SERVICE_FIELDS = ("name", "type", "phases", "stadtteil", "start", "end", "cost", "capacity", "bundle")


def services(world: World) -> pd.DataFrame:
    """The services inventory (truth of where and when the Präventionskette works).

    A commune whose generator parameters have no ``prevention`` section has no services.
    """
    listed = world.params.get("prevention", {}).get("services", [])
    if not listed:
        empty = pd.DataFrame({name: pd.Series(dtype=object) for name in SERVICE_FIELDS})
        return empty.astype({"start": "int64", "end": "Int64", "bundle": bool})
    frame = pd.DataFrame(listed)
    frame = frame[frame["stadtteil"].isin([*world.codes, ""])].reset_index(drop=True)
    frame["bundle"] = frame.get("bundle", False)
    frame["bundle"] = frame["bundle"].fillna(False).astype(bool)
    frame["end"] = frame["end"].astype("Int64")
    return frame


def active(svc: pd.DataFrame, code: str, year: int, types: tuple[str, ...]) -> bool:
    """Whether a service of one of ``types`` is active in the Stadtteil (or city-wide)."""
    sel = svc[svc["type"].isin(types) & svc["stadtteil"].isin([code, ""])]
    ends = sel["end"].fillna(9999)
    return bool(((sel["start"] <= year) & (ends >= year)).any())


def active_since(svc: pd.DataFrame, code: str, year: int, types: tuple[str, ...]) -> int:
    """Years a service of ``types`` has been running in the Stadtteil by ``year`` (0 = none)."""
    sel = svc[svc["type"].isin(types) & (svc["stadtteil"] == code) & (svc["start"] <= year)]
    sel = sel[sel["end"].fillna(9999) >= year]
    return 0 if sel.empty else int(year - sel["start"].min() + 1)


def bundle_start(svc: pd.DataFrame, code: str) -> int | None:
    """First year of a Präventionskette bundle service in the Stadtteil (None = never)."""
    starts = svc.loc[svc["bundle"] & (svc["stadtteil"] == code), "start"]
    return None if starts.empty else int(starts.min())


# --- Kindertagesbetreuung ------------------------------------------------------------------


def kita_counts(world: World, q: pd.DataFrame, svc: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Children in Kita and Kindertagespflege by Stadtteil of residence and age group at 01.03."""
    k = world.params["kita"]
    rows = []
    for year in world.years:
        base_1_u3 = float(interpolate_anchors({int(a): v for a, v in k["quota_1_u3_pct"].items()}, [year])[0])
        q_u3 = quota(q, max(year - 1, world.years[0])) * world.params["poverty"]["age_gradient"]["u3"]
        city_q = float((q_u3 * world.persons(year - 1, 0, 2)).sum() / world.persons(year - 1, 0, 2).sum())
        groups = {"u1": (0, 0), "1_u3": (1, 2), "3_u6": (3, 5)}
        for code in world.codes:
            fz = active_since(svc, code, year - 1, ("Familienzentrum",)) > 0
            boost = world.params["prevention"]["kita_u3_pp_with_familienzentrum"] if fz else 0.0
            gap = 100 * (q_u3[code] - city_q)
            quota_pct = {
                "u1": k["quota_u1_pct"],
                "1_u3": base_1_u3 + k["poverty_slope_1_u3"] * gap + boost,
                "3_u6": k["quota_3_u6_pct"] + k["poverty_slope_3_u6"] * gap,
            }
            for group, (lo, hi) in groups.items():
                pop = int(world.persons(year - 1, lo, hi)[code])
                cared = rng.binomial(pop, np.clip(quota_pct[group] / 100, 0, 0.99))
                share_tp = k["tagespflege_share_u3"] if group != "3_u6" else k["tagespflege_share_3_u6"]
                tp = rng.binomial(cared, share_tp)
                rows.append((year, code, group, int(cared - tp), int(tp)))
    return pd.DataFrame(rows, columns=["year", "stadtteil_code", "age_group", "kita", "tagespflege"])


# --- school transitions ------------------------------------------------------------------


def transition_counts(world: World, q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Übergänger from Grundschule by school type and Stadtteil of residence (summer of year)."""
    t = world.params["school_transitions"]
    types = list(t["share_model"])
    rows = []
    for year in world.years:
        qy = quota(q, year)
        pupils = (world.persons(year, 10, 10) * 0.97).round().astype(int)
        for code in world.codes:
            shares = np.array([max(a + b * qy[code], 0.005) for a, b in t["share_model"].values()])
            hs = types.index("Hauptschule")
            shares[hs] *= (1 - t["hauptschule_decline_per_year"]) ** (year - world.years[0])
            shares = rng.dirichlet(shares / shares.sum() * t["dirichlet_concentration"])
            counts = rng.multinomial(int(pupils[code]), shares)
            rows.extend((year, code, typ, int(n)) for typ, n in zip(types, counts, strict=True))
    return pd.DataFrame(rows, columns=["year", "stadtteil_code", "school_type", "pupils"])


# --- Schuleingangsuntersuchung ---------------------------------------------------------------

BMI = ("untergewichtig", "normal", "übergewichtig", "adipös")
GERMAN = ("fehlerfrei/flüssig", "mit leichten Fehlern", "radebrechend", "kaum oder kein Deutsch")
FINDINGS = ("unauffällig", "grenzwertig", "auffällig")


def _pid(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    return [f"{prefix}{v:010x}" for v in rng.integers(0, 16**10, size=n)]


def _kita_months(n: int, pov: np.ndarray, lang: np.ndarray, early_p: float, s: dict, rng) -> np.ndarray:
    p_early = np.clip(
        early_p + s["early_kita_entry_poverty_shift"] * pov + s["early_kita_entry_language_shift"] * lang,
        0.02,
        0.95,
    )
    p_late = np.clip(
        s["late_entry_base"] + s["late_entry_poverty"] * pov + s["late_entry_language"] * lang,
        0,
        0.5,
    )
    p_none = s["no_kita_base"] + s["no_kita_poverty"] * pov
    u = rng.random(n)
    entry = np.where(u < p_early, rng.integers(12, 36, n), rng.integers(36, 48, n))
    late = rng.random(n) < p_late
    entry = np.where(late & (entry >= 36), rng.integers(48, 66, n), entry)
    months = np.maximum(s["exam_age_months"] - entry, 0)
    return np.where(rng.random(n) < p_none, 0, months)


def seu_records(world: World, q: pd.DataFrame, svc: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One pseudonymised record per examined child (Einschulungsjahrgang = year)."""
    s = world.params["seu"]
    k = world.params["kita"]
    parts = []
    for year in world.years:
        cohort = world.persons(year, 6, 6)
        q_u6 = quota(q, year) * world.params["poverty"]["age_gradient"]["3_u6"]
        ng = world.non_german_share_u18(year)
        early_p = float(interpolate_anchors({int(a): v for a, v in k["quota_1_u3_pct"].items()}, [year - 4])[0]) / 100
        for code in world.codes:
            n = int(rng.binomial(int(cohort[code]), s["coverage"]))
            pov = (rng.random(n) < q_u6[code]).astype(int)
            lang = (rng.random(n) < min(0.9, ng[code] * s["family_language_other_per_non_german_u18"])).astype(int)
            boy = (rng.random(n) < 0.513).astype(int)
            prev = int(active_since(svc, code, year - 2, ("Sprachförderung", "Familienzentrum")) >= 1)
            fz = active_since(svc, code, year - 4, ("Familienzentrum",)) > 0
            months = _kita_months(n, pov, lang, early_p + (0.04 if fz else 0.0), s, rng)
            parts.append(_child_findings(year, code, n, pov, lang, boy, prev, months, s, rng))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "pseudonym", _pid(rng, "SEU-", len(out)))
    return out


def _draw(rng, logits: np.ndarray) -> np.ndarray:
    return rng.random(len(logits)) < expit(logits)


def _child_findings(year, code, n, pov, lang, boy, prev, months, s, rng) -> pd.DataFrame:
    u = s["u8u9_documented"]
    u8u9 = _draw(
        rng,
        u["intercept"] + u["poverty"] * pov + u["other_language"] * lang + u["prevention"] * prev,
    )
    m = s["measles_2_doses"]
    measles = _draw(rng, m["intercept"] + m["poverty"] * pov + m["law_2020"] * (year >= 2021))
    o = s["overweight"]
    over = _draw(rng, o["intercept"] + o["poverty"] * pov + o["other_language"] * lang)
    obese = over & (rng.random(n) < s["obese_share_of_overweight"])
    under = ~over & (rng.random(n) < s["underweight"])
    bmi = np.select([obese, over, under], ["adipös", "übergewichtig", "untergewichtig"], "normal")
    g = s["german_insufficient"]
    insufficient = _draw(
        rng,
        g["intercept"] + g["per_month_kita_above_36"] * (months - 36) + g["poverty"] * pov + g["prevention"] * prev,
    )
    split = rng.random(n)
    german_other = np.where(
        insufficient,
        np.where(split < 0.65, GERMAN[2], GERMAN[3]),
        np.where(split < 0.55, GERMAN[0], GERMAN[1]),
    )
    german = np.where(lang == 1, german_other, np.where(rng.random(n) < 0.97, GERMAN[0], GERMAN[1]))
    frame = pd.DataFrame(
        {
            "year": year,
            "stadtteil_code": code,
            "sex": np.where(boy == 1, "m", "w"),
            "kita_months": months.astype(int),
            "u8u9_documented": u8u9,
            "measles_2_doses": measles,
            "bmi_class": bmi,
            "german": german,
            "family_language": np.where(lang == 1, "andere", "deutsch"),
        }
    )
    short = (months < 24).astype(int)
    for domain, c in s["domains"].items():
        x = (
            c["intercept"]
            + c["poverty"] * pov
            + c["short_kita"] * short
            + c["other_language"] * lang
            + c["boy"] * boy
            + c["prevention"] * prev
        )
        p_ab = expit(x)
        p_border = np.minimum(s["borderline_per_abnormal"] * p_ab, 0.5)
        v = rng.random(n)
        frame[domain] = np.where(v < p_ab, FINDINGS[2], np.where(v < p_ab + p_border, FINDINGS[1], FINDINGS[0]))
    return frame


# --- Hilfen zur Erziehung --------------------------------------------------------------------


def price_index(params: dict, year: int) -> float:
    """Cost level relative to 2023 (yearly growth, plus the 2023 jump)."""
    h = params["hze"]
    level = (1 + h["price_growth_per_year"]) ** (year - 2023)
    return level if year >= 2023 else level / (1 + h["price_jump_2023"])


def _city_reference_quota(world: World) -> float:
    p = world.params["poverty"]
    base = pd.Series({c: p["sgb2_u15_pct"][c] / 100 for c in world.codes})
    pop = world.persons(p["base_year"], 0, 14)
    return float((base * pop).sum() / pop.sum())


def hze_effect(world: World, svc: pd.DataFrame, code: str, year: int, basis: str, apply: bool = True) -> float:
    """True rate ratio of the prevention chain on new cases (1.0 = no effect)."""
    h = world.params["hze"]
    start = bundle_start(svc, code)
    if not apply or start is None or basis == "28":
        return 1.0
    e = h["effect"]
    if year >= start + e["lag_years"]:
        return e["late_rr"]
    if year >= start and h["setting"][basis] == "ambulant":
        return e["early_detection_rr"]
    return 1.0


def hze_expected_new_cases(world: World, q: pd.DataFrame, svc: pd.DataFrame, apply_effect: bool = True) -> pd.DataFrame:
    """Expected new cases per year x Stadtteil x legal basis (the truth behind the case file)."""
    h = world.params["hze"]
    q_ref = _city_reference_quota(world)
    first = h["burn_in_start_year"]
    rows = []
    for year in range(first, world.years[-1] + 1):
        qy = quota(q, max(year, world.years[0]))
        u21 = world.persons(year, 0, 20)
        for code in world.codes:
            rel = qy[code] / q_ref
            for basis, inc in h["incidence_per_10000_u21"].items():
                el = h["poverty_elasticity"].get(basis, h["poverty_elasticity"]["default"])
                rr = hze_effect(world, svc, code, year, basis, apply_effect)
                rows.append((year, code, basis, inc / 10000 * u21[code] * rel**el * rr))
    return pd.DataFrame(rows, columns=["year", "stadtteil_code", "basis", "expected_new"])


def hze_cases(world: World, q: pd.DataFrame, svc: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Jugendamt's case list: every case active on or after 01.01. of the first year."""
    h = world.params["hze"]
    expected = hze_expected_new_cases(world, q, svc)
    n = rng.poisson(expected["expected_new"].to_numpy())
    cases = expected.loc[expected.index.repeat(n), ["year", "stadtteil_code", "basis"]].reset_index(drop=True)
    m = len(cases)
    day = rng.integers(0, 365, m)
    start = pd.to_datetime(cases["year"].astype(str) + "-01-01") + pd.to_timedelta(day, unit="D")
    mean_months = cases["basis"].map(h["mean_duration_months"]).to_numpy(float)
    months = rng.gamma(1.5, mean_months / 1.5)
    end = start + pd.to_timedelta(np.maximum(months * 30.44, 7).round(), unit="D")
    horizon = pd.Timestamp(world.years[-1], 12, 31)
    age_mu = cases["basis"].map(lambda b: h["age_at_start"][b][0]).to_numpy(float)
    age_sd = cases["basis"].map(lambda b: h["age_at_start"][b][1]).to_numpy(float)
    age = np.clip(np.round(rng.normal(age_mu, age_sd)), 0, 20).astype(int)
    age = np.where(cases["basis"] == "41", np.clip(age, 18, 20), np.minimum(age, 17))
    male_p = np.where(cases["basis"] == "35a", 0.7, 0.55)
    out = pd.DataFrame(
        {
            "stadtteil_code": cases["stadtteil_code"],
            "basis": cases["basis"],
            "start": start.dt.date,
            "end": [None if e > horizon else e.date() for e in end],
            "age_at_start": age,
            "sex": np.where(rng.random(m) < male_p, "m", "w"),
        }
    )
    out = out[[e is None or e >= dt.date(world.years[0], 1, 1) for e in out["end"]]]
    out = out.sort_values(["start", "stadtteil_code", "basis"]).reset_index(drop=True)
    out.insert(0, "case_id", _pid(rng, "HZ-", len(out)))
    return out


def hze_expenditure(world: World, cases: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Budget expenditure per year and legal basis: case days x cost per case-year x prices."""
    h = world.params["hze"]
    rows = []
    starts = pd.to_datetime(cases["start"])
    ends = pd.to_datetime(cases["end"]).fillna(pd.Timestamp(world.years[-1], 12, 31))
    for year in world.years:
        y0, y1 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        days = (np.minimum(ends, y1) - np.maximum(starts, y0)).dt.days + 1
        days = days.clip(lower=0)
        by_basis = days.groupby(cases["basis"]).sum()
        for basis, cost in h["cost_per_case_year_2023"].items():
            eur = by_basis.get(basis, 0) / 365 * cost * price_index(world.params, year)
            eur *= 1 + rng.normal(0, h["budget_noise_sd"])
            rows.append((year, basis, round(float(eur), 2)))
    return pd.DataFrame(rows, columns=["year", "basis", "eur"])


# --- Willkommensbesuche and comparison communes -------------------------------------------


def welcome_visits(world: World, q: pd.DataFrame, svc: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Births (age 0 at 31.12.) and families visited, per Stadtteil and year."""
    pr = world.params["prevention"]
    reach = {int(k): v for k, v in pr["welcome_visit_reach"].items()}
    rows = []
    for year in world.years:
        births = world.persons(year, 0, 0)
        q_u3 = quota(q, year) * world.params["poverty"]["age_gradient"]["u3"]
        city_q = float((q_u3 * births).sum() / births.sum())
        base = float(interpolate_anchors(reach, [year])[0])
        for code in world.codes:
            on = active(svc, code, year, ("Frühe Hilfen/Willkommensbesuch",))
            r = np.clip(base + pr["welcome_visit_poverty_slope"] * (q_u3[code] - city_q), 0.05, 0.95)
            visits = int(rng.binomial(int(births[code]), r)) if on else 0
            rows.append((year, code, int(births[code]), visits))
    return pd.DataFrame(rows, columns=["year", "stadtteil_code", "births", "visits"])


def comparison_panel(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly panel of other NRW Jugendamt areas (synthetic values, real names and AGS)."""
    c = world.params["comparison_communes"]
    rows = []
    for commune in c["communes"]:
        base_rate = rng.normal(320, 60)
        cost = rng.normal(24000, 2500)
        q0 = rng.uniform(0.12, 0.36)
        slope = rng.normal(0, 0.01)
        for year in world.years:
            u21 = int(commune["u21"] * (1.003 ** (year - 2016)) * (1 + rng.normal(0, 0.003)))
            joined = commune["joined"]
            effect = c["effect_rr"] if joined is not None and year >= joined + c["lag_years"] else 1.0
            rate = base_rate * np.exp((c["hze_rate_trend_per_year"] + slope) * (year - 2016)) * effect
            cases = int(rng.poisson(rate * u21 / 10000))
            eur = cases * cost * price_index(world.params, year) * (1 + rng.normal(0, 0.02))
            sgb2 = float(np.clip(q0 + rng.normal(0, 0.005), 0.03, 0.6))
            rows.append(
                (
                    commune["ags"],
                    commune["name"],
                    year,
                    u21,
                    cases,
                    round(eur, 2),
                    round(100 * sgb2, 1),
                    joined,
                )
            )
    return pd.DataFrame(
        rows,
        columns=["ags", "name", "year", "u21", "hze_cases", "hze_eur", "sgb2_u15_pct", "joined"],
    )

"""Synthetic residents' register (Einwohnermelderegister) extract.

Model (documented in ``data/raw/README.md``): a cohort-component projection in expected
values by Stadtteil x single year of age x sex x citizenship, started from a 2010 base
population. Each year everyone ages by one year and survives with a Gompertz mortality;
births follow the city anchors and are spread over the Stadtteile by women aged 15-44 and
the Stadtteil's youth factor; net migration (with its own age profile) brings every
Stadtteil to its target size, and the citizenship split is moved to its target share.
The city total of each year equals the calibrated anchor series. Integer counts come from
seeded stochastic rounding of the expected values, so cohorts stay consistent across years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SEXES = ("m", "w")
CITIZENSHIPS = ("deutsch", "nichtdeutsch")


@dataclass(frozen=True)
class PopulationParams:
    """Calibration of the population model (see ``config/sample_<commune>.yml``)."""

    city_total: dict[int, float]
    female_share: float
    non_german_share: dict[int, float]
    births: dict[int, float]
    male_share_at_birth: float
    gompertz_a: float
    gompertz_b: float
    max_age: int
    age_profile: dict[int, float]
    migration_profile: dict[int, float]
    stadtteile: dict[str, dict[str, float]]
    growth_before_first_anchor: float = 0.0

    @classmethod
    def from_dict(cls, raw: dict) -> PopulationParams:
        """Build the parameters from the ``population`` block of the generator YAML."""
        gompertz = raw["mortality_gompertz"]
        return cls(
            city_total={int(k): float(v) for k, v in raw["city_total_anchors"].items()},
            female_share=float(raw["female_share"]),
            non_german_share={int(k): float(v) for k, v in raw["non_german_share_anchors"].items()},
            births={int(k): float(v) for k, v in raw["births_anchors"].items()},
            male_share_at_birth=float(raw["male_share_at_birth"]),
            gompertz_a=float(gompertz["a"]),
            gompertz_b=float(gompertz["b"]),
            max_age=int(raw["max_age"]),
            age_profile={int(k): float(v) for k, v in raw["age_profile"].items()},
            migration_profile={int(k): float(v) for k, v in raw["migration_profile"].items()},
            stadtteile={str(k): dict(v) for k, v in raw["stadtteile"].items()},
            growth_before_first_anchor=float(raw.get("city_total_before_first_anchor_growth", 0)),
        )


def interpolate_anchors(anchors: dict[int, float], years: list[int]) -> np.ndarray:
    """Linear interpolation between anchor years; constant beyond the ends.

    >>> interpolate_anchors({2010: 1.0, 2012: 3.0}, [2009, 2010, 2011, 2013]).tolist()
    [1.0, 1.0, 2.0, 3.0]
    """
    xs = sorted(anchors)
    return np.interp(years, xs, [anchors[x] for x in xs])


def city_totals(params: PopulationParams, years: list[int]) -> np.ndarray:
    """City totals per year: anchors interpolated, extrapolated backwards with fixed growth."""
    totals = interpolate_anchors(params.city_total, years)
    first = min(params.city_total)
    for i, year in enumerate(years):
        if year < first:
            totals[i] = params.city_total[first] / (1 + params.growth_before_first_anchor) ** (first - year)
    return totals


def age_weights(profile: dict[int, float], max_age: int) -> np.ndarray:
    """Weights per single year of age 0..max_age from anchor ages (linear in between)."""
    return interpolate_anchors(profile, list(range(max_age + 1)))


def stadtteil_targets(params: PopulationParams, codes: list[str], years: list[int]) -> np.ndarray:
    """Target Stadtteil sizes (years x Stadtteile) whose rows sum to the city totals.

    Each Stadtteil grows from its 2021 size with its ten-year growth; the shares are then
    normalised against the full calibrated set of Stadtteile, so a config with a subset of
    Stadtteile gets the same sizes for them.
    """
    all_codes = sorted(params.stadtteile)
    t = np.array(years, dtype=float)[:, None] - 2021.0
    size = np.array([params.stadtteile[c]["size"] for c in all_codes])[None, :]
    growth = np.array([params.stadtteile[c].get("growth_10y", 0.0) for c in all_codes])[None, :]
    raw = size * (1.0 + growth) ** (t / 10.0)
    shares = raw / raw.sum(axis=1, keepdims=True)
    idx = [all_codes.index(c) for c in codes]
    return shares[:, idx] * city_totals(params, years)[:, None]


def _stochastic_round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    floor = np.floor(values)
    return (floor + (rng.random(values.shape) < (values - floor))).astype(np.int64)


def _base_population(params: PopulationParams, codes: list[str], target: np.ndarray, ng_share: float) -> np.ndarray:
    """Expected 2010-style base population, shape (stadtteil, age, sex, citizenship)."""
    ages = np.arange(params.max_age + 1)
    base = age_weights(params.age_profile, params.max_age)
    pop = np.zeros((len(codes), ages.size, 2, 2))
    for i, code in enumerate(codes):
        st = params.stadtteile[code]
        youth = np.where(ages < 21, st.get("youth", 1.0), 1.0)
        young_adult = np.where((ages >= 25) & (ages < 45), (1 + st.get("youth", 1.0)) / 2, 1.0)
        w = base * youth * young_adult
        w = w / w.sum() * target[i]
        ng = min(ng_share * st.get("non_german", 1.0), 0.8)
        ng_age = np.where(ages < 65, ng * 1.15, ng * 0.45)
        for s, sex_share in enumerate((1 - params.female_share, params.female_share)):
            pop[i, :, s, 0] = w * sex_share * (1 - ng_age)
            pop[i, :, s, 1] = w * sex_share * ng_age
    return pop


def _age_one_year(pop: np.ndarray, params: PopulationParams) -> np.ndarray:
    ages = np.arange(params.max_age + 1)
    survival = np.exp(-np.exp(params.gompertz_a + params.gompertz_b * ages))
    survived = pop * survival[None, :, None, None]
    aged = np.zeros_like(pop)
    aged[:, 1:] = survived[:, :-1]
    aged[:, -1] += survived[:, -1]
    return aged


def _add_births(pop: np.ndarray, params: PopulationParams, codes: list[str], births: float) -> np.ndarray:
    women = pop[:, 15:45, 1, :].sum(axis=(1, 2))
    youth = np.array([params.stadtteile[c].get("youth", 1.0) for c in codes])
    weight = women * youth
    by_st = births * weight / max(weight.sum(), 1e-9)
    ng_mothers = pop[:, 20:40, 1, 1].sum(axis=1) / np.maximum(pop[:, 20:40, 1, :].sum(axis=(1, 2)), 1)
    ng_child = 0.5 * ng_mothers  # about half of them German by birth (§ 4 Abs. 3 StAG)
    for s, share in enumerate((params.male_share_at_birth, 1 - params.male_share_at_birth)):
        pop[:, 0, s, 0] = by_st * share * (1 - ng_child)
        pop[:, 0, s, 1] = by_st * share * ng_child
    return pop


def _migrate_to_target(pop: np.ndarray, target: np.ndarray, params: PopulationParams) -> np.ndarray:
    profile = age_weights(params.migration_profile, params.max_age)
    for i in range(pop.shape[0]):
        gap = target[i] - pop[i].sum()
        structure = pop[i] / max(pop[i].sum(), 1e-9)
        by_age = structure.sum(axis=(1, 2), keepdims=True)
        mix = np.where(by_age > 0, structure / np.maximum(by_age, 1e-12), 0.25)
        add = profile[:, None, None] * mix
        pop[i] = np.maximum(pop[i] + gap * add / add.sum(), 0.0)
        pop[i] *= target[i] / pop[i].sum()
    return pop


def _adjust_citizenship(pop: np.ndarray, params: PopulationParams, codes: list[str], city_share: float) -> np.ndarray:
    rel = np.array([params.stadtteile[c].get("non_german", 1.0) for c in codes])
    totals = pop.sum(axis=(1, 2, 3))
    wanted = np.minimum(city_share * rel, 0.8)
    wanted *= city_share * totals.sum() / (wanted * totals).sum()
    for i in range(pop.shape[0]):
        current = pop[i, :, :, 1].sum() / totals[i]
        # Move mass between citizenships in proportion to each cell (naturalisation/migration).
        if wanted[i] > current:
            f = (wanted[i] - current) / max(1 - current, 1e-9)
            moved = pop[i, :, :, 0] * f
            pop[i, :, :, 0] -= moved
            pop[i, :, :, 1] += moved
        else:
            f = (current - wanted[i]) / max(current, 1e-9)
            moved = pop[i, :, :, 1] * f
            pop[i, :, :, 1] -= moved
            pop[i, :, :, 0] += moved
    return pop


def expected_population(params: PopulationParams, codes: list[str], years: list[int]) -> dict[int, np.ndarray]:
    """Expected population per year, shape (stadtteil, age, sex, citizenship)."""
    full_codes = sorted(params.stadtteile)
    targets = stadtteil_targets(params, full_codes, years)
    ng = interpolate_anchors(params.non_german_share, years)
    births = interpolate_anchors(params.births, years)
    pop = _base_population(params, full_codes, targets[0], ng[0])
    out = {years[0]: pop.copy()}
    for k in range(1, len(years)):
        pop = _age_one_year(pop, params)
        pop = _add_births(pop, params, full_codes, births[k])
        pop = _migrate_to_target(pop, targets[k], params)
        pop = _adjust_citizenship(pop, params, full_codes, ng[k])
        out[years[k]] = pop.copy()
    idx = [full_codes.index(c) for c in codes]
    return {y: p[idx] for y, p in out.items()}


def generate_population(
    params: PopulationParams,
    stadtteile: dict[str, str],
    years: list[int],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Integer register counts for all years, tidy, without zero rows.

    ``stadtteile`` maps code -> German name. Columns: year, stadtteil_code, stadtteil_name,
    age, sex, citizenship, persons.
    """
    codes = sorted(stadtteile)
    expected = expected_population(params, codes, years)
    frames = []
    for year in years:
        counts = _stochastic_round(expected[year], rng)
        idx = pd.MultiIndex.from_product(
            [codes, range(params.max_age + 1), SEXES, CITIZENSHIPS],
            names=["stadtteil_code", "age", "sex", "citizenship"],
        )
        frame = pd.DataFrame({"persons": counts.reshape(-1)}, index=idx).reset_index()
        frame.insert(0, "year", year)
        frames.append(frame[frame["persons"] > 0])
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "stadtteil_name", out["stadtteil_code"].map(stadtteile))
    return out

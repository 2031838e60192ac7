"""Leitbild target tracking: current value, trend and whether each target is on track.

The trend is an ordinary least-squares line through the last published values (at most
``window`` years, statsmodels); the projection to the target year decides "auf Kurs".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import yaml
from pydantic import BaseModel, ConfigDict

from helpers.core.config import YAML_LOADER, ConfigError
from helpers.indicators.catalogue import Catalogue


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    indikator: str
    zielwert: float
    zieljahr: int
    gebiet: str | None = None


class Leitziel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    titel: str
    ziele: list[Target]


class Leitbild(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    beispiel: bool = False
    titel: str
    hinweis: str = ""
    leitziele: list[Leitziel]


def load_leitbild(path: Path, catalogue: Catalogue, stadtteile: set[str] | None = None) -> Leitbild:
    """Read the Leitbild file; every target must name a catalogue indicator and, where it
    names an area, a configured Stadtteil (``stadtteile``: their codes)."""
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    leitbild = Leitbild.model_validate(data)
    ids = {i.id for i in catalogue.indicators}
    targets = [t for z in leitbild.leitziele for t in z.ziele]
    unknown = sorted({t.indikator for t in targets} - ids)
    if unknown:
        raise ConfigError(
            f"Leitbild {path} nennt Kennzahlen, die für diese Kommune nicht berechnet werden (fehlende Quelle, "
            f"nicht ausgewählt oder unbekannt; `doit kommune` zeigt die Gründe): {unknown}"
        )
    if stadtteile is not None:
        areas = sorted({t.gebiet for t in targets if t.gebiet} - stadtteile)
        if areas:
            raise ConfigError(f"Leitbild {path} nennt Stadtteile, die nicht konfiguriert sind: {areas}")
    return leitbild


@dataclass(frozen=True)
class Tracking:
    leitziel: str
    indicator_id: str
    area_code: str
    target: float
    target_year: int
    year: int
    current: float | None
    slope: float | None  # per year
    slope_low: float | None
    slope_high: float | None
    projection: float | None
    status: str  # erreicht | auf Kurs | nicht auf Kurs | keine Daten


def _meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "higher_better" else value <= target


def track(
    series: pd.DataFrame,
    target: float,
    target_year: int,
    direction: str,
    year: int,
    window: int = 6,
) -> tuple[float | None, float | None, float | None, float | None, float | None, str]:
    """(current, slope, slope CI low, high, projection, status) from a year/value series.

    >>> s = pd.DataFrame({"year": [2020, 2021, 2022], "value": [10.0, 11.0, 12.0]})
    >>> track(s, 15.0, 2025, "higher_better", 2022)[-2:]
    (15.0, 'auf Kurs')
    """
    s = series[(series["year"] <= year) & (series["year"] > year - window)].dropna(subset=["value"])
    if s.empty or year not in set(s["year"]):
        return None, None, None, None, None, "keine Daten"
    current = float(s.loc[s["year"] == year, "value"].iloc[0])
    status = "erreicht" if _meets(current, target, direction) else "nicht auf Kurs"
    if len(s) < 3:
        return current, None, None, None, None, status if status == "erreicht" else "keine Daten"
    fit = sm.OLS(s["value"].to_numpy(float), sm.add_constant(s["year"].to_numpy(float) - year)).fit()
    slope = float(fit.params[1])
    low, high = (float(v) for v in fit.conf_int()[1])
    projection = current + slope * (target_year - year)
    if status != "erreicht" and _meets(projection, target, direction):
        status = "auf Kurs"
    return current, slope, low, high, float(np.round(projection, 10)), status


def track_all(
    leitbild: Leitbild, published: pd.DataFrame, catalogue: Catalogue, year: int, city_code: str
) -> list[Tracking]:
    """Tracking of every target in the report year, from the published indicator table."""
    out = []
    for ziel in leitbild.leitziele:
        for t in ziel.ziele:
            area = t.gebiet or city_code
            level = "stadt" if area == city_code else "stadtteil"
            series = published[
                (published["indicator_id"] == t.indikator)
                & (published["area_level"] == level)
                & (published["area_code"] == area)
            ][["year", "value"]]
            direction = catalogue.get(t.indikator).direction
            result = track(series, t.zielwert, t.zieljahr, direction, year)
            out.append(Tracking(ziel.titel, t.indikator, area, t.zielwert, t.zieljahr, year, *result))
    return out
